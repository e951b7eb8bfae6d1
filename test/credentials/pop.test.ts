import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, signRequest, type Fixture, type TestAgent } from './fixture.js';

const intent = { action: 'payments:transfer', resource: 'ledger/acct-1' };
const AUD = 'https://bank.example';
const fp = intentFingerprint(intent);

/** RFC 7638 thumbprint computed here, independently of src/. */
const jkt = (jwk: { crv: string; x: string }) => createHash('sha256').update(`{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`).digest('base64url');

const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());

/** The four bad requests of the issue, each made from a fresh good one. */
function badRequests(f: Fixture, agent: TestAgent) {
  const now = () => Math.floor(f.clock.t / 1000);
  const replay = signRequest(agent, fp, AUD, now());
  return [
    { name: 'replayed nonce', reason: 'pop_replayed_nonce', prime: replay, proof: () => replay },
    { name: 'stale timestamp', reason: 'pop_stale_timestamp', proof: () => signRequest(agent, fp, AUD, now() - 31) },
    { name: 'wrong key', reason: 'pop_bad_signature', proof: () => signRequest({ privateKey: generateKeyPairSync('ed25519').privateKey }, fp, AUD, now()) },
    { name: 'altered intent', reason: 'pop_bad_signature', proof: () => signRequest(agent, intentFingerprint({ ...intent, resource: 'ledger/acct-2' }), AUD, now()) },
    { name: 'missing proof', reason: 'pop_missing', proof: () => undefined },
  ];
}

describe('signed requests, strict mode', () => {
  let f: Fixture;
  let agent: TestAgent;
  before(async () => {
    f = await makeFixture({ popMode: 'strict' });
    agent = await f.agent([], { team: 'payments' });
  });
  after(() => f.close());

  it('when the request is signed by the agent key: issues with cnf.jkt = the agent key thumbprint', async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: signRequest(agent, fp, AUD, Math.floor(f.clock.t / 1000)) });
    assert.equal(c.popVerified, true);
    assert.deepEqual(claimsOf(c.token).cnf, { jkt: jkt(agent.jwk) });
    assert.equal(f.ledger.ofType('issuance').at(-1)!.pop, 'verified');
  });

  it('when the timestamp is within the window (29 s old): passes', async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: signRequest(agent, fp, AUD, Math.floor(f.clock.t / 1000) - 29) });
    assert.equal(c.popVerified, true);
  });

  it('each bad request is refused with UNAUTHENTICATED and its reason, and recorded', async () => {
    for (const bad of badRequests(f, agent)) {
      if (bad.prime) await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: bad.prime });
      const before = f.ledger.ofType('issuance').length;
      await assert.rejects(
        f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: bad.proof() }),
        (e) => isSignetError(e, 'UNAUTHENTICATED') && e.message.startsWith(bad.reason),
        bad.name,
      );
      assert.equal(f.ledger.ofType('issuance').length, before, `${bad.name}: nothing issued`);
      const rec = f.ledger.ofType('attestation_failure').at(-1)!;
      assert.equal(rec.reason, bad.reason, bad.name);
      assert.equal(rec.refused, true);
      assert.equal(rec.agent, agent.id);
    }
  });
});

describe('signed requests, permissive mode', () => {
  let f: Fixture;
  let agent: TestAgent;
  before(async () => {
    f = await makeFixture({ popMode: 'permissive' });
    agent = await f.agent([], { team: 'payments' });
  });
  after(() => f.close());

  it('each bad request still issues, without cnf, and the failed attestation is recorded', async () => {
    for (const bad of badRequests(f, agent)) {
      if (bad.prime) await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: bad.prime });
      const failures = f.ledger.ofType('attestation_failure').length;
      const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: bad.proof() });
      assert.equal(c.popVerified, false, bad.name);
      assert.equal(claimsOf(c.token).cnf, undefined, bad.name);
      assert.equal(f.ledger.ofType('attestation_failure').length, failures + 1, bad.name);
      const rec = f.ledger.ofType('attestation_failure').at(-1)!;
      assert.equal(rec.reason, bad.reason, bad.name);
      assert.equal(rec.refused, false);
      assert.equal(rec.mode, 'permissive');
      assert.equal(f.ledger.ofType('issuance').at(-1)!.pop, 'failed');
    }
  });

  it('a good signature still gives cnf', async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: signRequest(agent, fp, AUD, Math.floor(f.clock.t / 1000)) });
    assert.deepEqual(claimsOf(c.token).cnf, { jkt: jkt(agent.jwk) });
  });
});
