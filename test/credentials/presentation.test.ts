import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { makeFixture, signRequest, type Fixture, type TestAgent } from './fixture.js';

const intent = { action: 'payments:transfer', resource: 'ledger/acct-1' };
const AUD = 'https://bank.example';

/** The presentation proof made the way a client would, from the documented string (not src/). */
function present(privateKey: KeyObject, token: string, audience: string, timestamp: number, nonce = randomBytes(16).toString('base64url')) {
  const digest = createHash('sha256').update(token).digest('base64url');
  const msg = ['SIGNET-POP-V1', 'present', digest, audience, String(timestamp), nonce].join('\n');
  return { timestamp, nonce, signature: nodeSign(null, Buffer.from(msg), privateKey).toString('base64url') };
}

describe('presenting a key-bound (cnf) credential', () => {
  let f: Fixture;
  let agent: TestAgent;
  const now = () => Math.floor(f.clock.t / 1000);
  const bound = async () => {
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop: signRequest(agent, intentFingerprint(intent), AUD, now()) });
    assert.equal(c.popVerified, true);
    return c.token;
  };
  before(async () => {
    f = await makeFixture();
    agent = await f.agent([], { team: 'payments' });
  });
  after(() => f.close());

  it('when the agent signs the presentation with its key: ok', async () => {
    const token = await bound();
    const r = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: present(agent.privateKey, token, AUD, now()) });
    assert.equal(r.reason, 'ok');
    assert.equal(r.valid, true);
  });

  it('when a stolen credential is presented without a proof: pop_required, recorded', async () => {
    const token = await bound();
    const r = await f.creds.verifier.verify({ token, intent, audience: AUD });
    assert.equal(r.valid, false);
    assert.equal(r.reason, 'pop_required');
    const rec = f.ledger.ofType('verification').at(-1)!;
    assert.equal(rec.reason, 'pop_required');
    assert.equal(rec.valid, false);
  });

  it('when the thief signs with another key: pop_failed', async () => {
    const token = await bound();
    const other = generateKeyPairSync('ed25519').privateKey;
    const r = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: present(other, token, AUD, now()) });
    assert.equal(r.reason, 'pop_failed');
    assert.match(r.detail, /pop_bad_signature/);
  });

  it('when the proof was made for another token or another audience: pop_failed', async () => {
    const token = await bound();
    const otherToken = await bound();
    const r1 = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: present(agent.privateKey, otherToken, AUD, now()) });
    assert.equal(r1.reason, 'pop_failed');
    const r2 = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: present(agent.privateKey, token, 'https://elsewhere.example', now()) });
    assert.equal(r2.reason, 'pop_failed');
  });

  it('when a presentation proof is replayed or stale: pop_failed naming why', async () => {
    const token = await bound();
    const proof = present(agent.privateKey, token, AUD, now());
    assert.equal((await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: proof })).reason, 'ok');
    const again = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: proof });
    assert.equal(again.reason, 'pop_failed');
    assert.match(again.detail, /pop_replayed_nonce/);
    const stale = await f.creds.verifier.verify({ token, intent, audience: AUD, presentation: present(agent.privateKey, token, AUD, now() - 31) });
    assert.equal(stale.reason, 'pop_failed');
    assert.match(stale.detail, /pop_stale_timestamp/);
  });

  it('when a failed presentation tries to consume a credential: it is not consumed, the holder still can', async () => {
    const token = await bound();
    const r = await f.creds.verifier.verify({ token, intent, audience: AUD, consume: true });
    assert.equal(r.reason, 'pop_required');
    assert.equal(r.consumed, false);
    const mine = await f.creds.verifier.verify({ token, intent, audience: AUD, consume: true, presentation: present(agent.privateKey, token, AUD, now()) });
    assert.equal(mine.reason, 'ok');
    assert.equal(mine.consumed, true);
  });

  it('when the credential has no cnf: no presentation is needed', async () => {
    const c = await f.creds.issuer.issue({ agentId: (await f.agent(['ci'])).id, intent: { action: 'repo:read', resource: 'github.com/acme/app' }, audience: 'https://api.github.com' });
    const r = await f.creds.verifier.verify({ token: c.token, intent: { action: 'repo:read', resource: 'github.com/acme/app' }, audience: 'https://api.github.com' });
    assert.equal(r.reason, 'ok');
  });
});
