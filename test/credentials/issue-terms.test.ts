// The agent's signed request covers every term it agrees to (intent, audience, TTL, delegation),
// and policy says who an agent may act for: a chain no rule allows is denied by default.
import assert from 'node:assert/strict';
import { randomBytes, sign as nodeSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { POP_METHOD_ISSUE } from '../../src/credentials/pop.js';
import type { Actor } from '../../src/credentials/delegation.js';
import { isSignetError } from '../../src/lib/errors.js';
import { seededRandom, withSeedAsync } from '../helpers/seeded.js';
import { makeFixture, signRequest, type Fixture, type TestAgent } from './fixture.js';

const POLICY = `
rules:
  - name: never-for-mallory
    effect: deny
    agents: ["*"]
    actions: ["*"]
    resources: ["**"]
    delegation: ["user:mallory"]
  - name: assistant-acts-for-staff
    agents: [{group: assistants}]
    actions: ["calendar:read"]
    resources: ["calendar/**"]
    delegation: ["user:*", "svc:scheduler"]
    require_pop: true
    max_ttl: 300
  - name: assistant-own
    agents: [{group: assistants}]
    actions: ["calendar:read", "calendar:write"]
    resources: ["calendar/**"]
    max_ttl: 300
`;

const AUD = 'https://calendar.example';
const intent = { action: 'calendar:read', resource: 'calendar/alice' };
const fp = intentFingerprint(intent);
const claimsOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString());
const nonce = () => randomBytes(16).toString('base64url');
const unauthenticated = (reason: string, detail?: RegExp) => (e: unknown) =>
  isSignetError(e, 'UNAUTHENTICATED') && e.field === 'pop' && e.message.startsWith(`${reason}:`) && (detail === undefined || detail.test(e.message));

describe('the signed Issue request covers every term', () => {
  let f: Fixture;
  let agent: TestAgent;
  const now = () => Math.floor(f.clock.t / 1000);
  before(async () => {
    f = await makeFixture({ policyText: POLICY });
    agent = await f.agent(['assistants']);
  });
  after(() => f.close());

  it('when the request is what the agent signed (TTL 120, acting for alice): issued with that TTL, that act and cnf', async () => {
    const delegation = [{ sub: 'user:alice', iss: 'https://idp.example' }];
    const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, ttlSeconds: 120, delegation, pop: signRequest(agent, fp, AUD, now(), nonce(), { ttlSeconds: 120, delegation }) });
    const claims = claimsOf(c.token);
    assert.equal(claims.exp - claims.iat, 120);
    assert.deepEqual(claims.act, { sub: 'user:alice', iss: 'https://idp.example' });
    assert.ok(claims.cnf?.jkt);
    assert.equal(c.rule, 'assistant-acts-for-staff');
  });

  const tampered: [string, { ttlSeconds?: number; delegation?: Actor[] }, { ttlSeconds?: number; delegation?: Actor[] }, string, RegExp][] = [
    ['the caller adds a TTL', {}, { ttlSeconds: 300 }, 'pop_terms_mismatch', /ttl_seconds \(the agent signed 0/],
    ['the caller adds a delegation chain', {}, { delegation: [{ sub: 'user:bob' }] }, 'pop_terms_mismatch', /delegation \(the agent signed none/],
    ['the caller adds both', {}, { ttlSeconds: 300, delegation: [{ sub: 'user:bob' }] }, 'pop_terms_mismatch', /ttl_seconds .* and delegation/],
    ['the caller raises the signed TTL', { ttlSeconds: 60 }, { ttlSeconds: 300 }, 'pop_bad_signature', /ttl_seconds and delegation/],
    ['the caller swaps the actor', { delegation: [{ sub: 'user:alice' }] }, { delegation: [{ sub: 'user:bob' }] }, 'pop_bad_signature', /delegation/],
    ['the caller appends an actor', { delegation: [{ sub: 'user:alice' }] }, { delegation: [{ sub: 'user:alice' }, { sub: 'svc:scheduler' }] }, 'pop_bad_signature', /delegation/],
    ['the caller drops the actor\'s issuer', { delegation: [{ sub: 'user:alice', iss: 'https://idp.example' }] }, { delegation: [{ sub: 'user:alice' }] }, 'pop_bad_signature', /delegation/],
  ];
  for (const [name, signed, sent, reason, detail] of tampered) {
    it(`when ${name} after the agent signed: UNAUTHENTICATED ${reason}, recorded, nothing issued`, async () => {
      const issued = f.ledger.ofType('issuance').length;
      const pop = signRequest(agent, fp, AUD, now(), nonce(), signed);
      await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, ...sent, pop }), unauthenticated(reason, detail));
      assert.equal(f.ledger.ofType('issuance').length, issued);
      const rec = f.ledger.ofType('attestation_failure').at(-1)!;
      assert.equal(rec.reason, reason);
      assert.equal(rec.refused, true);
    });
  }

  it('when the agent signed the old SIGNET-POP-V1 string (intent and audience only): pop_terms_mismatch naming V1', async () => {
    const n = nonce();
    const text = ['SIGNET-POP-V1', POP_METHOD_ISSUE, fp, AUD, String(now()), n].join('\n');
    const pop = { timestamp: now(), nonce: n, signature: nodeSign(null, Buffer.from(text), agent.privateKey).toString('base64url') };
    await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, pop }), unauthenticated('pop_terms_mismatch', /SIGNET-POP-V1/));
  });

  it('when a proof is sent to a rule that does not require one and does not match the request: refused in strict mode', async () => {
    const write = { action: 'calendar:write', resource: 'calendar/alice' };
    const pop = signRequest(agent, intentFingerprint(write), AUD, now(), nonce(), {});
    await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: write, audience: AUD, ttlSeconds: 300, pop }), unauthenticated('pop_terms_mismatch'));
    // Without a proof the rule issues, but the token is not bound to the agent key.
    const plain = await f.creds.issuer.issue({ agentId: agent.id, intent: write, audience: AUD, ttlSeconds: 300 });
    assert.equal(claimsOf(plain.token).cnf, undefined);
  });

  it('when 300 generated requests differ from what the agent signed in one term: every one refused; unchanged ones issue', async () => {
    const r = seededRandom(8693);
    const subs = ['user:alice', 'user:bob', 'user:carol', 'svc:scheduler'];
    const chain = (): Actor[] => Array.from({ length: r.int(3) }, () => (r.bool(0.3) ? { sub: r.pick(subs), iss: 'https://idp.example' } : { sub: r.pick(subs) }));
    let refused = 0;
    let issued = 0;
    for (let i = 0; i < 300; i++) {
      const signed = { ttlSeconds: r.pick([0, 30, 60, 299, 300]), delegation: chain() };
      const sent = { ...signed, delegation: [...signed.delegation] };
      const mutation = r.int(6);
      if (mutation === 0) sent.ttlSeconds = r.pick([0, 1, 61, 120, 300].filter((t) => t !== signed.ttlSeconds));
      else if (mutation === 1) sent.delegation = [...sent.delegation, { sub: r.pick(subs) }];
      else if (mutation === 2 && sent.delegation.length) sent.delegation = sent.delegation.slice(1);
      else if (mutation === 3 && sent.delegation.length > 1) sent.delegation = [...sent.delegation].reverse();
      else if (mutation === 4 && sent.delegation.length) sent.delegation = sent.delegation.map((a, j) => (j === 0 ? { sub: a.sub === 'user:zed' ? 'user:amy' : 'user:zed' } : a));
      const same = JSON.stringify(sent) === JSON.stringify(signed);
      await withSeedAsync(r, `case ${i}: signed ${JSON.stringify(signed)}, sent ${JSON.stringify(sent)}`, async () => {
        const pop = signRequest(agent, fp, AUD, now(), nonce(), signed);
        try {
          const c = await f.creds.issuer.issue({ agentId: agent.id, intent, audience: AUD, ...sent, pop });
          assert.ok(same, 'issued although the request differs from what the agent signed');
          assert.equal(claimsOf(c.token).exp - claimsOf(c.token).iat, sent.ttlSeconds || 60);
          issued++;
        } catch (err) {
          if (same) {
            // Only the policy may refuse an unchanged request (a chain no rule allows).
            assert.ok(isSignetError(err, 'PERMISSION_DENIED'), String(err));
          } else {
            assert.ok(isSignetError(err, 'UNAUTHENTICATED') || isSignetError(err, 'PERMISSION_DENIED'), String(err));
            refused++;
          }
        }
      });
    }
    assert.ok(refused > 150 && issued > 20, `${refused} refused, ${issued} issued`);
  });
});

describe('who may act for whom', () => {
  let f: Fixture;
  let agent: TestAgent;
  let outsider: TestAgent;
  const now = () => Math.floor(f.clock.t / 1000);
  const issue = (a: TestAgent, delegation: Actor[]) =>
    f.creds.issuer.issue({ agentId: a.id, intent, audience: AUD, delegation, pop: signRequest(a, fp, AUD, now(), nonce(), { delegation }) });
  before(async () => {
    f = await makeFixture({ policyText: POLICY });
    agent = await f.agent(['assistants']);
    outsider = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when every actor matches the rule\'s delegation patterns: allowed by that rule', async () => {
    assert.equal((await issue(agent, [{ sub: 'svc:scheduler' }, { sub: 'user:alice' }])).rule, 'assistant-acts-for-staff');
  });

  it('when an actor matches no pattern: default deny, naming the chain, recorded as a denial', async () => {
    await assert.rejects(issue(agent, [{ sub: 'svc:other' }, { sub: 'user:alice' }]), (e) => isSignetError(e, 'PERMISSION_DENIED') && /default deny/.test(e.message) && /svc:other/.test(e.message));
    assert.match(f.ledger.ofType('denial').at(-1)!.reason as string, /delegation chain svc:other ← user:alice/);
  });

  it('when an agent whose rules name no delegation carries a chain: default deny', async () => {
    await assert.rejects(issue(outsider, [{ sub: 'user:alice' }]), (e) => isSignetError(e, 'PERMISSION_DENIED') && /default deny/.test(e.message));
  });

  it('when a rule without delegation would allow the request: it does not allow it with a chain', async () => {
    const write = { action: 'calendar:write', resource: 'calendar/alice' };
    await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: write, audience: AUD, delegation: [{ sub: 'user:alice' }] }), (e) => isSignetError(e, 'PERMISSION_DENIED'));
    assert.equal((await f.creds.issuer.issue({ agentId: agent.id, intent: write, audience: AUD })).rule, 'assistant-own');
  });

  it('when a deny rule names an actor anywhere in the chain: denied by it, first', async () => {
    await assert.rejects(issue(agent, [{ sub: 'svc:scheduler' }, { sub: 'user:mallory' }]), (e) => isSignetError(e, 'PERMISSION_DENIED') && /never-for-mallory/.test(e.message));
  });

  it('when an actor is not canonical (percent, fullwidth, zero-width): INVALID_ARGUMENT on delegation[i].sub', async () => {
    for (const sub of ['user:%61lice', 'user:ａlice', 'user:al\u200Bice', 'user:mallory\u00AD']) {
      await assert.rejects(issue(agent, [{ sub: 'svc:scheduler' }, { sub }]), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'delegation[1].sub', sub);
    }
  });
});
