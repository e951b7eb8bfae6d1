// One unary call with a deadline, and retries only where a repeat cannot do anything twice:
// reads, and appends that carry an idempotency key. Backoff with jitter, retry-after honoured,
// never past the caller's deadline.
import * as grpc from '@grpc/grpc-js';
import { fromServiceError, SignetClientError } from './errors.js';
import { sleep } from '../lib/sleep.js';

export interface CallOptions {
  /** Milliseconds for the whole call, retries included; defaults to the client's deadlineMs. */
  deadlineMs?: number;
  /** Cancels the call (it rejects with CANCELLED). */
  signal?: AbortSignal;
  /** Extra request metadata. */
  metadata?: grpc.Metadata;
}

export interface RetryOptions {
  /** Most attempts per call, the first included (1 disables retries). Default 4. */
  maxAttempts?: number;
  /** First backoff, ms; doubles each time, with full jitter. Default 100. */
  initialBackoffMs?: number;
  /** Longest backoff, ms. Default 2000. */
  maxBackoffMs?: number;
}

/** Status codes worth retrying: the server was down or busy, nothing was decided. */
const RETRYABLE = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED]);

type Callback = (err: grpc.ServiceError | null, res?: unknown) => void;
type RawUnary = (req: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, cb: Callback) => grpc.ClientUnaryCall;

export interface UnarySpec {
  client: grpc.Client;
  /** "signet.v1.LedgerService/GetEntry" */
  method: string;
  /** The stub's method name, e.g. "GetEntry". */
  name: string;
  /** Whether this request may be sent again after a failure. */
  retryable: boolean;
}

function attempt(spec: UnarySpec, request: unknown, deadline: number, options: CallOptions): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const fn = (spec.client as unknown as Record<string, RawUnary>)[spec.name]!;
    const call = fn.call(spec.client, request, options.metadata?.clone() ?? new grpc.Metadata(), { deadline }, (err, res) => {
      options.signal?.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(res);
    });
    const onAbort = () => call.cancel();
    options.signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export async function unaryCall(spec: UnarySpec, request: unknown, options: CallOptions, defaults: { deadlineMs: number; retry: Required<RetryOptions> }): Promise<unknown> {
  const deadlineMs = options.deadlineMs ?? defaults.deadlineMs;
  if (!Number.isFinite(deadlineMs) || deadlineMs <= 0) throw new TypeError('signet client: deadlineMs must be a positive number of milliseconds');
  const deadline = Date.now() + deadlineMs;
  const maxAttempts = spec.retryable ? defaults.retry.maxAttempts : 1;
  for (let n = 1; ; n++) {
    if (options.signal?.aborted) throw new SignetClientError(grpc.status.CANCELLED, `${spec.method}: cancelled by the caller`, { method: spec.method, attempts: n - 1 });
    try {
      return await attempt(spec, request, deadline, options);
    } catch (raw) {
      const err = fromServiceError(raw as grpc.ServiceError, spec.method, n);
      if (n >= maxAttempts || !RETRYABLE.has(err.status) || options.signal?.aborted) throw err;
      const backoff = Math.random() * Math.min(defaults.retry.maxBackoffMs, defaults.retry.initialBackoffMs * 2 ** (n - 1));
      const wait = Math.max(backoff, (err.retryAfter ?? 0) * 1000);
      // A retry that could only start after the deadline would fail anyway: say why now.
      if (Date.now() + wait >= deadline) throw err;
      await sleep(wait, options.signal);
    }
  }
}
