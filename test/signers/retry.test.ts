// withRetry, shared by the cloud drivers: backoff within the deadline, Retry-After, and the
// UNAVAILABLE / DEADLINE_EXCEEDED split, on a fake backend (no network).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError, SignetError } from '../../src/lib/errors.js';
import { DEFAULT_DEADLINE_MS, parseRetryAfter, withRetry, type RetryDecision } from '../../src/signers/retry.js';

class Throttled extends Error {
  constructor(readonly retryAfterMs?: number) {
    super('throttled');
    this.name = 'Throttled';
  }
}
const retryable = (err: unknown): RetryDecision =>
  err instanceof Throttled ? { retry: true, retryAfterMs: err.retryAfterMs } : { retry: false };
const base = { driver: 'testkms', retryable, baseMs: 5, maxMs: 20 };

describe('withRetry', () => {
  it('when the backend is throttled three times, the fourth attempt answers', async () => {
    let calls = 0;
    const result = await withRetry(async () => {
      if (++calls <= 3) throw new Throttled();
      return 'signed';
    }, { ...base, deadline: Date.now() + 2_000 });
    assert.equal(result, 'signed');
    assert.equal(calls, 4);
  });

  it('when the failure is not retryable, it is rethrown unchanged after one attempt', async () => {
    let calls = 0;
    const denied = new Error('denied');
    await assert.rejects(withRetry(async () => { calls++; throw denied; }, base), (err) => err === denied);
    assert.equal(calls, 1);
  });

  it('when the backend sends Retry-After, the next attempt waits at least that long', async () => {
    let calls = 0;
    const start = Date.now();
    await withRetry(async () => {
      if (++calls === 1) throw new Throttled(150);
      return true;
    }, { ...base, deadline: Date.now() + 2_000 });
    assert.ok(Date.now() - start >= 150);
  });

  it('when Retry-After reaches past the deadline, it gives up at once with UNAVAILABLE and retryAfter', async () => {
    const start = Date.now();
    await assert.rejects(
      withRetry(async () => { throw new Throttled(5_000); }, { ...base, deadline: Date.now() + 1_000 }),
      (err) => isSignetError(err, 'UNAVAILABLE') && err.retryAfter === 5 && /testkms/.test(err.message),
    );
    assert.ok(Date.now() - start < 200);
  });

  it('when the backend stays down, UNAVAILABLE names the driver and the cause, before the deadline', async () => {
    const start = Date.now();
    let calls = 0;
    await assert.rejects(
      withRetry(async () => { calls++; throw new Throttled(); }, { ...base, deadline: start + 300, describe: () => 'HTTP 503' }),
      (err) => isSignetError(err, 'UNAVAILABLE') && /testkms/.test(err.message) && /HTTP 503/.test(err.message),
    );
    assert.ok(Date.now() - start <= 400, `took ${Date.now() - start} ms`);
    assert.ok(calls > 2, `${calls} attempts`);
  });

  it('when the backend never answers, the attempt is aborted at the caller\'s deadline with DEADLINE_EXCEEDED', async () => {
    let aborted = false;
    const start = Date.now();
    await assert.rejects(
      withRetry(({ signal }) => new Promise(() => signal.addEventListener('abort', () => (aborted = true))), { ...base, deadline: start + 200 }),
      (err) => isSignetError(err, 'DEADLINE_EXCEEDED'),
    );
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 190 && elapsed < 400, `took ${elapsed} ms`);
    assert.equal(aborted, true, 'the attempt\'s signal was aborted');
  });

  it('when the caller gives no deadline, the default one applies', async () => {
    let deadline = 0;
    await withRetry(async (a) => void (deadline = a.deadline), base);
    assert.ok(Math.abs(deadline - (Date.now() + DEFAULT_DEADLINE_MS)) < 200);
  });

  it('when the caller cancels during a backoff, it stops with UNAVAILABLE', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    await assert.rejects(
      withRetry(async () => { throw new Throttled(10_000 - 1); }, { ...base, deadline: Date.now() + 20_000, signal: controller.signal }),
      (err) => isSignetError(err, 'UNAVAILABLE') && /cancelled/.test(err.message),
    );
  });

  it('when the backend keeps throttling past the deadline, RESOURCE_EXHAUSTED with a retry-after, so the caller backs off', async () => {
    const throttling = (err: unknown): RetryDecision => ({ retry: err instanceof Throttled, retryAfterMs: 2_000, throttled: true });
    await assert.rejects(
      withRetry(async () => { throw new Throttled(); }, { ...base, retryable: throttling, deadline: Date.now() + 300 }),
      (err) => isSignetError(err, 'RESOURCE_EXHAUSTED') && err.retryAfter === 2 && /still throttling/.test(err.message),
    );
  });

  it('when the server aborts the caller\'s signal at its deadline and the backend is silent, DEADLINE_EXCEEDED, not "cancelled"', async () => {
    // As the gRPC server does: one signal aborted at the deadline with a DEADLINE_EXCEEDED reason.
    for (let i = 0; i < 10; i++) {
      const deadline = Date.now() + 80;
      const controller = new AbortController();
      setTimeout(() => controller.abort(new SignetError('DEADLINE_EXCEEDED', 'deadline exceeded')), 80);
      await assert.rejects(
        withRetry(() => new Promise(() => {}), { ...base, deadline, signal: controller.signal }),
        (err) => isSignetError(err, 'DEADLINE_EXCEEDED'),
      );
    }
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, and ignores junk', () => {
    assert.equal(parseRetryAfter('2'), 2_000);
    assert.equal(parseRetryAfter('0'), 0);
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('Thu, 01 Jan 2026 00:00:03 GMT', now), 3_000);
    assert.equal(parseRetryAfter('soon'), undefined);
    assert.equal(parseRetryAfter(undefined), undefined);
  });
});
