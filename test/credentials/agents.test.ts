import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, type Fixture } from './fixture.js';

const jwk = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });

describe('agents', () => {
  let f: Fixture;
  before(async () => {
    f = await makeFixture();
  });
  after(() => f.close());

  it('registers under the did:key of the Ed25519 key and records the registration', async () => {
    const key = jwk();
    const a = await f.creds.agents.register({ name: 'builder', publicKeyJwk: JSON.stringify(key), owner: 'team-a', groups: ['ci', 'ci'], labels: { env: 'dev' }, metadata: { repo: 'acme/app' } });
    assert.match(a.id, /^did:key:z6Mk[1-9A-HJ-NP-Za-km-z]{44}$/);
    assert.deepEqual(a.groups, ['ci']);
    const got = await f.creds.agents.get(a.id);
    assert.equal(got.owner, 'team-a');
    assert.deepEqual(got.labels, { env: 'dev' });
    assert.deepEqual(got.metadata, { repo: 'acme/app' });
    assert.equal(got.revokedAt, undefined);
    const rec = f.ledger.ofType('agent_registration').at(-1)!;
    assert.equal(rec.agent, a.id);
  });

  it('when an agent registers with groups and labels, both are in its agent_registration entry (they drive policy)', async () => {
    const a = await f.creds.agents.register({ name: 'payer', publicKeyJwk: jwk(), owner: 'team-p', groups: ['ci', 'deploy'], labels: { team: 'payments', env: 'prod' } });
    const rec = f.ledger.ofType('agent_registration').find((r) => r.agent === a.id)!;
    assert.deepEqual(rec.groups, ['ci', 'deploy']);
    assert.deepEqual(rec.labels, { env: 'prod', team: 'payments' });
    assert.equal(rec.owner, 'team-p');
  });

  it('when the same key registers twice: ALREADY_EXISTS', async () => {
    const key = jwk();
    await f.creds.agents.register({ name: 'x', publicKeyJwk: key, owner: 'o' });
    await assert.rejects(f.creds.agents.register({ name: 'y', publicKeyJwk: key, owner: 'o' }), (e) => isSignetError(e, 'ALREADY_EXISTS'));
  });

  it('when the JWK is not an Ed25519 public key: INVALID_ARGUMENT', async () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'jwk' });
    await assert.rejects(f.creds.agents.register({ name: 'x', publicKeyJwk: ec, owner: 'o' }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'public_key_jwk');
    const priv = generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' });
    await assert.rejects(f.creds.agents.register({ name: 'x', publicKeyJwk: priv, owner: 'o' }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && /private/.test(e.message));
  });

  it('when the agent is unknown: NOT_FOUND', async () => {
    await assert.rejects(f.creds.agents.get('did:key:z6MkNope'), (e) => isSignetError(e, 'NOT_FOUND'));
  });

  it('lists in pages that cover every agent once, and filters by group', async () => {
    for (let i = 0; i < 5; i++) await f.creds.agents.register({ name: `p${i}`, publicKeyJwk: jwk(), owner: 'pager', groups: ['paged'] });
    const seen: string[] = [];
    let token = '';
    do {
      const page = await f.creds.agents.list({ pageSize: 2, pageToken: token, group: 'paged' });
      assert.ok(page.agents.length <= 2);
      seen.push(...page.agents.map((a) => a.id));
      token = page.nextPageToken;
    } while (token);
    assert.equal(seen.length, 5);
    assert.equal(new Set(seen).size, 5);
    assert.deepEqual(seen, [...seen].sort());
  });

  it('revokes a group in one call and writes one revocation per agent plus one for the group', async () => {
    const ids = [];
    for (let i = 0; i < 3; i++) ids.push((await f.creds.agents.register({ name: `g${i}`, publicKeyJwk: jwk(), owner: 'o', groups: ['doomed'] })).id);
    const n = f.ledger.ofType('revocation').length;
    const revoked = await f.creds.agents.revokeGroup('doomed', 'retired');
    assert.deepEqual(revoked, [...ids].sort());
    for (const id of ids) assert.ok((await f.creds.agents.get(id)).revokedAt !== undefined);
    assert.equal(f.ledger.ofType('revocation').length, n + 4);
    assert.deepEqual(await f.creds.agents.revokeGroup('doomed', 'again'), [], 'already revoked agents are not revoked twice');
  });

  it('keeps agents across a restart (SQLite file)', async () => {
    const a = await f.creds.agents.register({ name: 'durable', publicKeyJwk: jwk(), owner: 'o' });
    const { createCredentials } = await import('../../src/credentials/index.js');
    const again = await createCredentials({ signer: f.signer, ledger: f.ledger, issuer: 'x', db: `${f.dir}/credentials.db`, policyText: 'rules: []' });
    try {
      assert.equal((await again.agents.get(a.id)).name, 'durable');
    } finally {
      await again.close();
    }
  });
});

describe('agent key encoding', () => {
  it('when the JWK x is a non-canonical base64url encoding of the same key: INVALID_ARGUMENT on public_key_jwk', async () => {
    const { parseAgentJwk } = await import('../../src/credentials/agent-key.js');
    const x = (jwk() as { x: string }).x;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // 32 bytes in 43 characters: the last character carries 4 bits and 2 unused ones.
    const last = alphabet.indexOf(x.at(-1)!);
    const altered = x.slice(0, -1) + alphabet[last ^ 1]!;
    assert.deepEqual(Buffer.from(altered, 'base64url'), Buffer.from(x, 'base64url'), 'same key bytes');
    assert.throws(() => parseAgentJwk({ kty: 'OKP', crv: 'Ed25519', x: altered }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'public_key_jwk');
    assert.equal(parseAgentJwk({ kty: 'OKP', crv: 'Ed25519', x }).jwk.x, x);
  });
});
