import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startJwksHttp, type JwksHttp } from '../../src/server/jwks-http.js';

describe('JWKS HTTP listener', () => {
  let http: JwksHttp;
  let keys = [{ kty: 'OKP', crv: 'Ed25519', x: 'AAAA', kid: 'k1', alg: 'EdDSA', use: 'sig' as const }];
  let base: string;
  before(async () => {
    http = await startJwksHttp('127.0.0.1', 0, () => ({ keys }), 60);
    base = `http://127.0.0.1:${http.port}`;
  });
  after(() => http.close());

  it('serves the current key set as application/jwk-set+json with a cache lifetime', async () => {
    const res = await fetch(`${base}/.well-known/jwks.json`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/jwk-set+json');
    assert.equal(res.headers.get('cache-control'), 'public, max-age=60');
    assert.deepEqual(await res.json(), { keys });
    keys = [...keys, { ...keys[0]!, kid: 'k2' }];
    assert.deepEqual(((await (await fetch(`${base}/.well-known/jwks.json?x=1`)).json()) as { keys: unknown[] }).keys.length, 2, 'rotations show at once');
  });

  it('when asked for another path: 404; when asked to POST: 405', async () => {
    assert.equal((await fetch(`${base}/jwks.json`)).status, 404);
    const post = await fetch(`${base}/.well-known/jwks.json`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
  });
});
