// Retries a cloud backend call with exponential backoff and full jitter, honouring Retry-After,
// inside the caller's deadline: a backend that stays down ends in UNAVAILABLE, never in a hang.
import { SignetError } from '../lib/errors.js';
import { sleep } from '../lib/sleep.js';
import { reportRetry } from './telemetry.js';

/** Used when the caller gives no deadline. */
export const DEFAULT_DEADLINE_MS = 10_000;

export interface RetryDecision {
  retry: boolean;
  /** The backend's Retry-After, in ms: the next attempt waits at least this long. */
  retryAfterMs?: number;
  /** The backend said "slow down" (429, ThrottlingException, RESOURCE_EXHAUSTED), not "I am down". */
  throttled?: boolean;
}

export interface RetryOptions {
  /** Driver name (URI scheme), for error messages. */
  driver: string;
  /** Absolute deadline (ms since epoch) from the caller; DEFAULT_DEADLINE_MS from now if absent. */
  deadline?: number;
  /** Classifies a failure: throttling and 5xx retry; anything else is rethrown as is. */
  retryable(err: unknown): RetryDecision;
  /** A short, secret-free description of a failure, for the final error (default: its message). */
  describe?(err: unknown): string;
  /** First backoff cap in ms (default 50); doubles per attempt up to maxMs (default 2000). */
  baseMs?: number;
  maxMs?: number;
  /** The caller's cancellation. */
  signal?: AbortSignal;
}

export interface Attempt {
  /** 0 for the first call. */
  attempt: number;
  /** Aborted when the deadline passes or the caller cancels: hand it to the SDK call. */
  signal: AbortSignal;
  deadline: number;
  /** Milliseconds left before the deadline. */
  remainingMs(): number;
  /**
   * A timeout for the transport or SDK: a little past the deadline, so the deadline's abort (which
   * cancels the call) is what ends a hung call and the caller sees DEADLINE_EXCEEDED, never a race
   * between two timers that ends in UNAVAILABLE.
   */
  transportTimeoutMs(): number;
}

const TRANSPORT_TIMEOUT_SLACK_MS = 250;

/**
 * Runs `fn` until it succeeds, fails with a non-retryable error (rethrown unchanged), or the
 * deadline leaves no room for another attempt. A call still in flight at the deadline is abandoned.
 */
export async function withRetry<T>(fn: (attempt: Attempt) => Promise<T>, options: RetryOptions): Promise<T> {
  const callerDeadline = options.deadline;
  const deadline = callerDeadline ?? Date.now() + DEFAULT_DEADLINE_MS;
  const baseMs = options.baseMs ?? 50;
  const maxMs = options.maxMs ?? 2_000;
  const describe = options.describe ?? describeError;
  let lastError: unknown;
  let last: RetryDecision | undefined;
  const gaveUp = (attempts: number, cause: unknown) =>
    expired(options.driver, attempts, cause, describe, callerDeadline !== undefined && lastError === undefined, last);
  const stopped = (attempts: number) =>
    deadlinePassedFor(options.signal, deadline) ? gaveUp(attempts, lastError) : cancelled(options.driver, lastError, describe);

  for (let attempt = 0; ; attempt++) {
    if (options.signal?.aborted) throw stopped(attempt);
    if (Date.now() >= deadline) throw gaveUp(attempt, lastError);
    const bounded = boundedSignal(deadline, options.signal);
    try {
      return await raceDeadline(
        fn({
          attempt,
          signal: bounded.signal,
          deadline,
          remainingMs: () => Math.max(0, deadline - Date.now()),
          transportTimeoutMs: () => Math.max(0, deadline - Date.now()) + TRANSPORT_TIMEOUT_SLACK_MS,
        }),
        bounded.signal,
      );
    } catch (err) {
      if (err instanceof DeadlinePassed) {
        if (options.signal?.aborted) throw stopped(attempt + 1);
        // A backend that already failed retryably is down (UNAVAILABLE) or throttling
        // (RESOURCE_EXHAUSTED); only a silent one ran out the caller's deadline.
        throw gaveUp(attempt + 1, lastError ?? err);
      }
      const decision = options.retryable(err);
      if (!decision.retry) throw err;
      reportRetry(options.driver, decision.throttled === true);
      lastError = err;
      last = decision;
      const backoff = Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
      const wait = Math.max(backoff, decision.retryAfterMs ?? 0);
      if (Date.now() + wait >= deadline) throw gaveUp(attempt + 1, err);
      await sleep(wait, options.signal);
    } finally {
      bounded.dispose();
    }
  }
}

class DeadlinePassed extends Error {}

function boundedSignal(deadline: number, caller: AbortSignal | undefined): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DeadlinePassed('deadline')), Math.max(0, deadline - Date.now()));
  const onAbort = () => controller.abort(new DeadlinePassed('cancelled'));
  caller?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
    },
  };
}

/** Settles with the call, or rejects with DeadlinePassed the moment the signal aborts. */
function raceDeadline<T>(call: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    call.catch(() => {});
    return Promise.reject(new DeadlinePassed('deadline'));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      call.catch(() => {});
      reject(new DeadlinePassed('deadline'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    call.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(signal.aborted ? new DeadlinePassed('deadline') : e);
      },
    );
  });
}

/** The caller's signal aborted because its deadline passed (the server aborts with DEADLINE_EXCEEDED). */
function deadlinePassedFor(signal: AbortSignal | undefined, deadline: number): boolean {
  const reason: unknown = signal?.reason;
  return Date.now() >= deadline || (reason instanceof SignetError && reason.code === 'DEADLINE_EXCEEDED');
}

function expired(
  driver: string,
  attempts: number,
  cause: unknown,
  describe: (err: unknown) => string,
  callerDeadlinePassed: boolean,
  last: RetryDecision | undefined,
): SignetError {
  const why = cause === undefined ? 'no answer' : describe(cause);
  const retryAfter = last?.retryAfterMs === undefined ? undefined : last.retryAfterMs / 1000;
  if (callerDeadlinePassed) {
    return new SignetError('DEADLINE_EXCEEDED', `${driver}: deadline passed after ${attempts} attempt(s); last cause: ${why}`, { cause, retryAfter });
  }
  if (last?.throttled) {
    // The caller can act on this: back off (retry-after trailer) rather than retry at once.
    return new SignetError('RESOURCE_EXHAUSTED', `${driver}: backend still throttling after ${attempts} attempt(s): ${why}`, { cause, retryAfter: retryAfter ?? 1 });
  }
  return new SignetError('UNAVAILABLE', `${driver}: backend unavailable after ${attempts} attempt(s): ${why}`, { cause, retryAfter });
}

function cancelled(driver: string, cause: unknown, describe: (err: unknown) => string): SignetError {
  const why = cause === undefined ? '' : `; last cause: ${describe(cause)}`;
  return new SignetError('UNAVAILABLE', `${driver}: call cancelled by the caller${why}`, { cause });
}

function describeError(err: unknown): string {
  if (err instanceof DeadlinePassed) return 'no answer before the deadline';
  if (err instanceof Error) return `${err.name}: ${err.message}`.slice(0, 300);
  return String(err).slice(0, 300);
}

/** Parses an HTTP Retry-After value (seconds or an HTTP date) into ms. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
