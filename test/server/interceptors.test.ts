import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { authorization, compose, deadlineCheck, inFlightLimit, rpcMatches } from '../../src/server/interceptors.js';
import { parseIdentityPattern, type CallerIdentity } from '../../src/server/caller.js';
import { isSignetError } from '../../src/lib/errors.js';
import type { CallContext } from '../../src/server/service.js';

const context = (over: Partial<CallContext> = {}): CallContext => ({
  deadline: undefined,
  signal: new AbortController().signal,
  caller: 'anonymous',
  identities: [],
  identity: 'anonymous',
  peer: 'test',
  metadata: new Metadata(),
  ...over,
});
const method = { path: 'signet.v1.SigningService/Sign' };

describe('interceptors', () => {
  it('when the deadline has passed before the handler runs, DEADLINE_EXCEEDED and the handler never runs', async () => {
    let ran = false;
    const handler = compose(async () => ((ran = true), {}), method, [deadlineCheck()]);
    await assert.rejects(handler({}, context({ deadline: Date.now() - 1 })), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    assert.equal(ran, false);
    await handler({}, context({ deadline: Date.now() + 10_000 }));
    assert.equal(ran, true);
  });

  it('when more calls are in flight than the limit, the next is RESOURCE_EXHAUSTED at once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler = compose(() => gate.then(() => ({})), method, [inFlightLimit(2)]);
    const a = handler({}, context());
    const b = handler({}, context());
    await assert.rejects(handler({}, context()), (e) => isSignetError(e, 'RESOURCE_EXHAUSTED') && e.retryAfter === 1);
    release();
    await Promise.all([a, b]);
    await handler({}, context());
  });

  it('when rules are configured, a caller matching no rule for the RPC is refused, and allowed keys are exposed to handlers', async () => {
    const rules = [{ identity: parseIdentityPattern('uri:spiffe://x/gw', 'rule', { cnIdentity: false }), rpcs: ['signet.v1.SigningService/*'], keys: ['agents'] }];
    let seen: CallContext | undefined;
    const handler = compose(async (_r, c) => ((seen = c), {}), method, [authorization(rules)]);
    const as = (...identities: CallerIdentity[]) => context({ identities, caller: `${identities[0]!.type}:${identities[0]!.value}` });
    await assert.rejects(handler({}, as({ type: 'uri', value: 'spiffe://x/other' })), (e) => isSignetError(e, 'PERMISSION_DENIED'));
    await assert.rejects(handler({}, as({ type: 'dns', value: 'spiffe://x/gw' })), (e) => isSignetError(e, 'PERMISSION_DENIED'), 'a DNS name never matches a uri: rule');
    await assert.rejects(handler({}, context()), (e) => isSignetError(e, 'PERMISSION_DENIED'), 'the anonymous caller');
    await handler({}, as({ type: 'dns', value: 'gw.x' }, { type: 'uri', value: 'spiffe://x/gw' }));
    assert.equal(seen!.keyAllowed!('agents'), true);
    assert.equal(seen!.keyAllowed!('payments'), false);
  });

  it('rpc patterns: * is every RPC, others are anchored globs where a dot is literal', () => {
    assert.ok(rpcMatches('*', 'signet.v1.SigningService/Sign'));
    assert.ok(rpcMatches('signet.v1.SigningService/*', 'signet.v1.SigningService/Sign'));
    assert.ok(!rpcMatches('signet.v1.SigningService/*', 'signet.v1.LedgerService/GetEntry'));
    assert.ok(!rpcMatches('signet.v1.SigningService/Sign', 'signet.v1.SigningService/SignBatch'));
    assert.ok(!rpcMatches('signet.v1.SigningService/Sign', 'signetxv1.SigningService/Sign'), 'a dot is literal');
  });
});
