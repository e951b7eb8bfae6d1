import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openSigner } from '../../src/signers/index.js';
import { makeFixture, ISSUER, type Fixture } from './fixture.js';

describe('key rotation', () => {
  let f: Fixture;
  const dir = mkdtempSync(join(tmpdir(), 'signet-ring-'));
  before(async () => {
    f = await makeFixture();
  });
  after(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a credential signed before rotation verifies after it (jose and Signet); the rotated-out key leaves the JWKS after retention', async () => {
    const a = await f.agent(['ci']);
    const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
    const aud = 'https://api.github.com';
    const old = await f.creds.issuer.issue({ agentId: a.id, intent, audience: aud });
    const oldKid = f.signer.keyId();
    const next = await openSigner(`file://${dir}/next.pem?create=true&alg=p256`);
    await f.creds.ring.rotate(next);
    const kids = f.creds.jwks().keys.map((k) => k.kid);
    assert.deepEqual(kids, [next.keyId(), oldKid]);
    assert.deepEqual(f.creds.jwks().keys.map((k) => k.alg), ['ES256', 'EdDSA']);
    const fresh = await f.creds.issuer.issue({ agentId: a.id, intent, audience: aud });
    assert.equal(fresh.kid, next.keyId());
    const jwks = createLocalJWKSet(f.creds.jwks() as never);
    for (const t of [old.token, fresh.token]) await jwtVerify(t, jwks, { issuer: ISSUER, audience: aud, currentDate: new Date(f.clock.t) });
    assert.equal((await f.creds.verifier.verify({ token: old.token, intent, audience: aud })).reason, 'ok');
    // Retention is the longest lifetime of anything signed (passports: a day by default) plus skew.
    f.clock.t += 86_400_000 + 10_000;
    try {
      assert.deepEqual(f.creds.jwks().keys.map((k) => k.kid), [next.keyId()]);
      assert.equal((await f.creds.verifier.verify({ token: old.token, intent, audience: aud })).reason, 'unknown_kid');
    } finally {
      f.clock.t -= 86_400_000 + 10_000;
      await next.close();
    }
  });
});
