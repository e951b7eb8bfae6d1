import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Metadata } from '@grpc/grpc-js';
import { authorization, compose, deadlineCheck, globMatch, inFlightLimit } from '../../src/server/interceptors.js';
import { isSignetError } from '../../src/lib/errors.js';
import type { CallContext } from '../../src/server/service.js';

const context = (over: Partial<CallContext> = {}): CallContext => ({
  deadline: undefined,
  signal: new AbortController().signal,
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
    const rules = [{ identity: 'spiffe://x/gw', rpcs: ['signet.v1.SigningService/*'], keys: ['agents'] }];
    let seen: CallContext | undefined;
    const handler = compose(async (_r, c) => ((seen = c), {}), method, [authorization(rules)]);
    await assert.rejects(handler({}, context({ identity: 'spiffe://x/other' })), (e) => isSignetError(e, 'PERMISSION_DENIED'));
    await handler({}, context({ identity: 'spiffe://x/gw' }));
    assert.equal(seen!.keyAllowed!('agents'), true);
    assert.equal(seen!.keyAllowed!('payments'), false);
  });

  it('globs match * only, anchored', () => {
    assert.ok(globMatch('signet.v1.SigningService/*', 'signet.v1.SigningService/Sign'));
    assert.ok(!globMatch('signet.v1.SigningService/*', 'signet.v1.LedgerService/GetEntry'));
    assert.ok(!globMatch('Sign', 'SignBatch'));
    assert.ok(globMatch('spiffe://example.org/*', 'spiffe://example.org/a/b'));
    assert.ok(!globMatch('a.b', 'axb'), 'a dot is literal');
  });
});
