import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSignetError, SignetError } from '../../src/lib/errors.js';
import type { AppendOptions, LedgerRecord } from '../../src/ledger/contract.js';
import { makeFixture, type Fixture, type TestAgent } from './fixture.js';

const GH = 'https://api.github.com';
const deploy = { action: 'deploy', resource: 'env/prod' };
const read = { action: 'repo:read', resource: 'github.com/acme/app' };
const jwk = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });

/** Makes the ledger fail the nth append from now (1 = the next one) with UNAVAILABLE. */
function failAppend(f: Fixture, nth: number): void {
  const original = f.ledger.append.bind(f.ledger);
  let n = 0;
  f.ledger.append = async (record: LedgerRecord, options?: AppendOptions) => {
    if (++n === nth) {
      f.ledger.append = original;
      throw new SignetError('UNAVAILABLE', 'ledger is down (test)');
    }
    return original(record, options);
  };
}

const revocationsOf = (f: Fixture, id: string) => f.ledger.ofType('revocation').filter((r) => r.id === id);

describe('ledger failures and oversized input around consumption and revocation', () => {
  let f: Fixture;
  let agent: TestAgent;
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when the ledger fails after a single-use credential was consumed: UNAVAILABLE, and a retry consumes it with its entry', async () => {
    const { token, jti } = await f.creds.issuer.issue({ agentId: agent.id, intent: deploy, audience: GH });
    failAppend(f, 1);
    await assert.rejects(f.creds.verifier.verify({ token, intent: deploy, audience: GH }), (e) => isSignetError(e, 'UNAVAILABLE'));
    const retry = await f.creds.verifier.verify({ token, intent: deploy, audience: GH });
    assert.equal(retry.reason, 'ok');
    assert.equal(retry.consumed, true);
    const consumptions = f.ledger.ofType('consumption').filter((r) => r.jti === jti);
    assert.equal(consumptions.length, 1);
    assert.equal(consumptions[0]!.valid, true);
    assert.equal((await f.creds.verifier.verify({ token, intent: deploy, audience: GH })).reason, 'already_used');
  });

  it('when a revocation reason is 20 KB: INVALID_ARGUMENT on reason, and nothing is revoked', async () => {
    const { token, jti } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
    const huge = 'x'.repeat(20_000);
    await assert.rejects(f.creds.verifier.revoke(jti, huge), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'reason');
    assert.equal((await f.creds.verifier.verify({ token, intent: read, audience: GH })).reason, 'ok');
    const other = await f.agent(['big-reason']);
    await assert.rejects(f.creds.agents.revoke(other.id, huge), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'reason');
    await assert.rejects(f.creds.agents.revokeGroup('big-reason', huge), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'reason');
    assert.equal((await f.creds.agents.get(other.id)).revokedAt, undefined);
  });

  it('when the ledger fails after a credential was revoked: a retry records the revocation, once', async () => {
    const { token, jti } = await f.creds.issuer.issue({ agentId: agent.id, intent: read, audience: GH });
    failAppend(f, 1);
    await assert.rejects(f.creds.verifier.revoke(jti, 'leaked'), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.equal((await f.creds.verifier.verify({ token, intent: read, audience: GH })).reason, 'revoked', 'the revocation took effect');
    assert.equal(revocationsOf(f, jti).length, 0);
    assert.equal(await f.creds.verifier.revoke(jti, 'leaked'), false, 'already revoked');
    assert.equal(revocationsOf(f, jti).length, 1);
    await f.creds.verifier.revoke(jti, 'leaked');
    assert.equal(revocationsOf(f, jti).length, 1, 'not recorded twice');
  });

  it('when the ledger fails after an agent was revoked: a retry records the revocation, once', async () => {
    const a = await f.agent(['solo']);
    failAppend(f, 1);
    await assert.rejects(f.creds.agents.revoke(a.id, 'gone'), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.ok((await f.creds.agents.get(a.id)).revokedAt !== undefined);
    assert.equal(revocationsOf(f, a.id).length, 0);
    await f.creds.agents.revoke(a.id, 'gone');
    await f.creds.agents.revoke(a.id, 'gone');
    assert.equal(revocationsOf(f, a.id).length, 1);
  });

  it('when the ledger fails part-way through a group revocation: a retry records every member once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) ids.push((await f.creds.agents.register({ name: `fg${i}`, publicKeyJwk: jwk(), owner: 'o', groups: ['flaky'] })).id);
    failAppend(f, 3);
    await assert.rejects(f.creds.agents.revokeGroup('flaky', 'retired'), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.deepEqual(await f.creds.agents.revokeGroup('flaky', 'retired'), [], 'all were revoked by the first call');
    for (const id of ids) assert.equal(revocationsOf(f, id).length, 1, id);
    assert.match(String(revocationsOf(f, ids[0]!)[0]!.reason), /group flaky: retired/);
  });

  it('when a group has more members than one ledger call may carry: each call stays small', async () => {
    for (let i = 0; i < 40; i++) await f.creds.agents.register({ name: `big${i}`, publicKeyJwk: jwk(), owner: 'o', groups: ['big'] });
    const original = f.ledger.appendMany.bind(f.ledger);
    let largest = 0;
    f.ledger.appendMany = async (records, options) => {
      largest = Math.max(largest, records.length);
      if (records.length > 16) throw new SignetError('RESOURCE_EXHAUSTED', 'pool full (test)');
      return original(records, options);
    };
    try {
      const revoked = await f.creds.agents.revokeGroup('big', 'wind down');
      assert.equal(revoked.length, 40);
      assert.equal(f.ledger.ofType('revocation').filter((r) => r.target === 'agent' && String(r.reason).startsWith('group big:')).length, 40);
      assert.ok(largest <= 16);
    } finally {
      f.ledger.appendMany = original;
    }
  });
});

describe('internal idempotency keys', () => {
  let f: Fixture;
  before(async () => {
    f = await makeFixture();
  });
  after(() => f.close());

  it('when a caller already used the key agent_registration:<did>, the registration is still recorded', async () => {
    const key = jwk();
    const { didKey } = await import('../../src/credentials/agent-key.js');
    const did = didKey(Buffer.from((key as { x: string }).x, 'base64url'));
    await f.ledger.append({ type: 'receipt', agent: did, action: 'x', resource: 'y', outcome: 'ok', request_sha256: '0'.repeat(64), response_sha256: '0'.repeat(64) }, { idempotencyKey: `agent_registration:${did}` });
    await f.creds.agents.register({ name: 'squatted', publicKeyJwk: key, owner: 'o' });
    assert.equal(f.ledger.ofType('agent_registration').filter((r) => r.agent === did).length, 1);
  });

  it('every key Signet uses starts with signet:', async () => {
    const keys: string[] = [];
    const original = f.ledger.append.bind(f.ledger);
    f.ledger.append = async (record, options) => {
      if (options?.idempotencyKey) keys.push(options.idempotencyKey);
      return original(record, options);
    };
    try {
      const a = await f.agent(['ci']);
      const c = await f.creds.issuer.issue({ agentId: a.id, intent: read, audience: GH });
      await f.creds.passports.issue(a.id, 0);
      await f.creds.verifier.revoke(c.jti, 'x');
      await f.creds.agents.revoke(a.id, 'x');
      // Registration, passport and the two revocations; an issuance entry carries no key (its
      // jti is fresh, so a lookup could never hit).
      assert.ok(keys.length >= 4, keys.join(', '));
      for (const k of keys) assert.ok(k.startsWith('signet:'), k);
      const { INTERNAL_IDEMPOTENCY_PREFIX } = await import('../../src/ledger/contract.js');
      assert.equal(INTERNAL_IDEMPOTENCY_PREFIX, 'signet:');
    } finally {
      f.ledger.append = original;
    }
  });
});
