import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import { blake2b } from '@noble/hashes/blake2.js';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, ISSUER, type Fixture, type TestAgent } from './fixture.js';

const GH = 'https://api.github.com';
const read = { action: 'repo:read', resource: 'github.com/acme/app' };

for (const alg of ['Ed25519', 'ES256'] as const) {
  describe(`issued credentials (${alg} issuing key)`, () => {
    let f: Fixture;
    let agent: TestAgent;
    before(async () => {
      f = await makeFixture({ alg });
      agent = await f.agent(['ci']);
    });
    after(() => f.close());

    it('verify with jose against the JWKS, with the key thumbprint as kid, the right alg and claims', async () => {
      const issued = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
      const jwks = createLocalJWKSet(f.creds.jwks() as never);
      const { payload, protectedHeader } = await jwtVerify(issued.token, jwks, { issuer: ISSUER, audience: GH, currentDate: new Date(f.clock.t) });
      const expectedAlg = alg === 'Ed25519' ? 'EdDSA' : 'ES256';
      assert.equal(protectedHeader.alg, expectedAlg);
      assert.equal(protectedHeader.typ, 'JWT');
      assert.equal(protectedHeader.kid, f.signer.keyId());
      assert.equal(payload.sub, agent.id);
      assert.equal(payload.exp! - payload.iat!, 60, 'the default TTL is 60 s');
      assert.equal(payload.nbf, payload.iat);
      assert.deepEqual(payload.intent, read);
      assert.match(payload.jti!, /^[A-Za-z0-9_-]{22}$/, '128 random bits, base64url');
      const jcs = Buffer.from('{"action":"repo:read","resource":"github.com/acme/app"}');
      assert.equal(payload.intent_fp, Buffer.from(blake2b(jcs, { dkLen: 32 })).toString('base64url'));
      assert.equal(payload.cnf, undefined, 'no cnf without proof of possession');
      const entry = f.ledger.ofType('issuance').find((r) => r.jti === payload.jti);
      assert.ok(entry, 'the issuance is in the ledger');
      assert.equal(entry.agent, agent.id);
      assert.equal(issued.ledgerIndex, f.ledger.records.indexOf(entry));
    });

    it('verify in Signet for the same intent and audience', async () => {
      const { token } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
      const r = await f.creds.verifier.verify({ token, intent: read, audience: GH });
      assert.equal(r.reason, 'ok');
      assert.equal(r.valid, true);
      assert.equal(r.claims?.sub, agent.id);
    });
  });
}

describe('verification refusals, each with its own reason', () => {
  let f: Fixture;
  let agent: TestAgent;
  let token: string;
  /** Runs `fn` with the fixture's clock moved by `ms`, then puts the clock back. */
  const atClockShift = async <T>(ms: number, fn: () => Promise<T>): Promise<T> => {
    const saved = f.clock.t;
    f.clock.t += ms;
    try {
      return await fn();
    } finally {
      f.clock.t = saved;
    }
  };
  const verify = (t: string, intent = read, audience = GH) => f.creds.verifier.verify({ token: t, intent, audience });
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
    token = (await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH })).token;
  });
  after(() => f.close());

  it('when the action differs (delete on X with a read-on-X credential): intent_mismatch', async () => {
    assert.equal((await verify(token, { action: 'repo:delete', resource: read.resource })).reason, 'intent_mismatch');
  });
  it('when the resource differs (read on Y): intent_mismatch', async () => {
    assert.equal((await verify(token, { action: 'repo:read', resource: 'github.com/acme/other' })).reason, 'intent_mismatch');
  });
  it('when presented to another audience: audience_mismatch', async () => {
    assert.equal((await verify(token, read, 'https://evil.example')).reason, 'audience_mismatch');
  });
  it('when the clock is past exp plus skew: expired', async () => {
    assert.equal(await atClockShift(66_000, async () => (await verify(token)).reason), 'expired');
  });
  it('when within the skew after exp: still valid', async () => {
    assert.equal(await atClockShift(63_000, async () => (await verify(token)).reason), 'ok');
  });
  it('when the clock is before nbf minus skew: not_yet_valid', async () => {
    assert.equal(await atClockShift(-10_000, async () => (await verify(token)).reason), 'not_yet_valid');
  });
  it('when the signature is made by another key under the same kid: bad_signature', async () => {
    const [h, p] = token.split('.');
    const { privateKey } = generateKeyPairSync('ed25519');
    const forged = `${h}.${p}.${nodeSign(null, Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
    assert.equal((await verify(forged)).reason, 'bad_signature');
  });
  it('when a claim is altered after signing: bad_signature', async () => {
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    claims.exp += 3600;
    const altered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
    assert.equal((await verify(altered)).reason, 'bad_signature');
  });
  it('when the kid names no key in the key set: unknown_kid', async () => {
    const [, p] = token.split('.');
    const { privateKey } = generateKeyPairSync('ed25519');
    const h = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid: 'not-a-signet-key' })).toString('base64url');
    const t = `${h}.${p}.${nodeSign(null, Buffer.from(`${h}.${p}`), privateKey).toString('base64url')}`;
    assert.equal(decodeProtectedHeader(t).kid, 'not-a-signet-key');
    assert.equal((await verify(t)).reason, 'unknown_kid');
  });
  it('when the header says alg none: refused, never accepted unsigned', async () => {
    const [, p] = token.split('.');
    const h = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: f.signer.keyId() })).toString('base64url');
    assert.equal((await verify(`${h}.${p}.`)).reason, 'bad_signature');
  });
  it('when the token is not a JWS: malformed', async () => {
    assert.equal((await verify('abc.def')).reason, 'malformed');
  });
  it('when the jti is revoked: revoked (and a revocation entry is written)', async () => {
    const { token: t, jti } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
    assert.equal(await f.creds.verifier.revoke(jti, 'leaked'), true);
    assert.equal((await verify(t)).reason, 'revoked');
    assert.ok(f.ledger.ofType('revocation').some((r) => r.target === 'credential' && r.id === jti));
  });
  it('when the agent is revoked: agent_revoked, for credentials issued before', async () => {
    const a = await f.agent(['ci']);
    const { token: t } = await f.creds.issuer.issue({ agentId: a.id, intent: read, audience: GH });
    assert.equal((await verify(t)).reason, 'ok');
    await f.creds.agents.revoke(a.id, 'compromised');
    assert.equal((await verify(t)).reason, 'agent_revoked');
    await assert.rejects(f.creds.issuer.issue({ agentId: a.id, intent: read, audience: GH }), (e) => isSignetError(e, 'PERMISSION_DENIED'));
  });
  it('when the agent\'s group is revoked: agent_revoked for every member, not for others', async () => {
    const a1 = await f.agent(['ci', 'batch-7']);
    const a2 = await f.agent(['batch-7', 'ci']);
    const t1 = (await f.creds.issuer.issue({ agentId: a1.id, intent: read, audience: GH })).token;
    const t2 = (await f.creds.issuer.issue({ agentId: a2.id, intent: read, audience: GH })).token;
    const ids = await f.creds.agents.revokeGroup('batch-7', 'batch retired');
    assert.deepEqual(ids.sort(), [a1.id, a2.id].sort());
    assert.equal((await verify(t1)).reason, 'agent_revoked');
    assert.equal((await verify(t2)).reason, 'agent_revoked');
    assert.equal((await verify(token)).reason, 'ok');
  });
  it('records every verification outcome in the ledger with its reason', async () => {
    const before = f.ledger.ofType('verification').length;
    await verify(token, read, 'https://elsewhere');
    const last = f.ledger.ofType('verification').at(-1)!;
    assert.equal(f.ledger.ofType('verification').length, before + 1);
    assert.equal(last.reason, 'audience_mismatch');
    assert.equal(last.valid, false);
    assert.equal(JSON.stringify(last).includes(token), false, 'the token itself is never recorded');
  });
});

describe('issuance by policy', () => {
  let f: Fixture;
  let agent: TestAgent;
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when no rule allows the intent: PERMISSION_DENIED with the reason, and a denial entry', async () => {
    await assert.rejects(
      f.creds.issuer.issue({ agentId: agent.id, intent: { action: 'repo:write', resource: 'github.com/acme/app' }, audience: GH }),
      (e) => isSignetError(e, 'PERMISSION_DENIED') && /default deny/.test(e.message),
    );
    const d = f.ledger.ofType('denial').at(-1)!;
    assert.equal(d.action, 'repo:write');
    assert.equal(d.agent, agent.id);
  });
  it('when a deny rule matches first: PERMISSION_DENIED naming the rule', async () => {
    await assert.rejects(
      f.creds.issuer.issue({ agentId: agent.id, intent: { action: 'repo:delete', resource: 'github.com/acme/prod-db' }, audience: GH }),
      (e) => isSignetError(e, 'PERMISSION_DENIED') && /deny-prod-delete/.test(e.message),
    );
  });
  it('when the audience is not one the rule names: PERMISSION_DENIED', async () => {
    await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: 'https://other' }), (e) => isSignetError(e, 'PERMISSION_DENIED'));
  });
  it('caps the requested TTL at the rule maximum', async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH, ttlSeconds: 100_000 });
    assert.equal(c.exp - c.iat, 120);
    const short = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH, ttlSeconds: 10 });
    assert.equal(short.exp - short.iat, 10);
  });
  it('when the ledger cannot record the issuance: Issue fails with UNAVAILABLE and hands out no token', async () => {
    const before = f.ledger.ofType('issuance').length;
    f.ledger.failNext = true;
    await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH }), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.equal(f.ledger.ofType('issuance').length, before);
  });
  it('when the agent is unknown: NOT_FOUND', async () => {
    await assert.rejects(f.creds.issuer.issue({ agentId: 'did:key:z6Mkunknown', intent: read, audience: GH }), (e) => isSignetError(e, 'NOT_FOUND'));
  });
  it('carries the delegation chain as nested RFC 8693 act claims', async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH, delegation: [{ sub: 'svc:runner' }, { sub: 'user:alice', iss: 'https://idp' }] });
    const claims = JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString());
    assert.deepEqual(claims.act, { sub: 'svc:runner', act: { sub: 'user:alice', iss: 'https://idp' } });
    assert.deepEqual(f.ledger.ofType('issuance').at(-1)!.actors, ['svc:runner', 'user:alice']);
  });
});

describe('single use', () => {
  let f: Fixture;
  let agent: TestAgent;
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when 50 verifications consume one token concurrently: exactly one succeeds, 49 are already_used', async () => {
    const { token } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
    const results = await Promise.all(Array.from({ length: 50 }, () => f.creds.verifier.verify({ token, intent: read, audience: GH, consume: true })));
    assert.equal(results.filter((r) => r.valid).length, 1);
    assert.equal(results.filter((r) => r.reason === 'already_used').length, 49);
    assert.equal(f.ledger.ofType('consumption').filter((r) => r.valid === true).length, 1);
  });
  it('when the policy makes a credential single-use: the second verification is already_used even without consume', async () => {
    const intent = { action: 'deploy', resource: 'env/prod/eu' };
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: 'deployer' });
    assert.equal(c.singleUse, true);
    const first = await f.creds.verifier.verify({ token: c.token, intent, audience: 'deployer' });
    assert.equal(first.valid, true);
    assert.equal(first.consumed, true);
    assert.equal((await f.creds.verifier.verify({ token: c.token, intent, audience: 'deployer' })).reason, 'already_used');
  });
  it('when a credential is not single-use and not consumed: it verifies again', async () => {
    const { token } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
    assert.equal((await f.creds.verifier.verify({ token, intent: read, audience: GH })).valid, true);
    assert.equal((await f.creds.verifier.verify({ token, intent: read, audience: GH })).valid, true);
  });
});
