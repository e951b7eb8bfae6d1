// How the gcpkms driver reads a failed Cloud KMS call: which gRPC statuses are retried (with
// RetryInfo honoured as Retry-After), and which SignetError a final failure becomes.
import { SignetError, type SignetErrorCode } from '../../lib/errors.js';
import type { RetryDecision } from '../retry.js';

/** gRPC status codes (the numbers are the wire protocol's, not any one library's). */
export const Status = {
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const NAMES = new Map<number, string>(Object.entries(Status).map(([name, code]) => [code, name]));

/** Throttling and server-side failures; AsymmetricSign is safe to repeat. */
const RETRYABLE = new Set<number>([Status.RESOURCE_EXHAUSTED, Status.ABORTED, Status.INTERNAL, Status.UNAVAILABLE, Status.DEADLINE_EXCEEDED]);

const TO_SIGNET: Record<number, SignetErrorCode> = {
  [Status.INVALID_ARGUMENT]: 'INVALID_ARGUMENT',
  [Status.NOT_FOUND]: 'NOT_FOUND',
  [Status.ALREADY_EXISTS]: 'ALREADY_EXISTS',
  // Cloud KMS refusing Signet is the operator's to fix; PERMISSION_DENIED is Signet refusing a caller.
  [Status.PERMISSION_DENIED]: 'FAILED_PRECONDITION',
  [Status.RESOURCE_EXHAUSTED]: 'RESOURCE_EXHAUSTED',
  [Status.FAILED_PRECONDITION]: 'FAILED_PRECONDITION',
  [Status.UNAVAILABLE]: 'UNAVAILABLE',
  [Status.UNAUTHENTICATED]: 'UNAUTHENTICATED',
  [Status.DEADLINE_EXCEEDED]: 'DEADLINE_EXCEEDED',
};

interface StatusError {
  code?: unknown;
  details?: unknown;
  statusDetails?: Array<{ retryDelay?: { seconds?: unknown; nanos?: unknown } }>;
}

export function statusOf(err: unknown): number | undefined {
  const code = (err as StatusError | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function retryDecision(err: unknown): RetryDecision {
  const code = statusOf(err);
  // Cloud KMS refuses a request whose CRC32C does not match what it received: the request was
  // corrupted in transit (the driver computed the checksum over what it sent), so Google's advice
  // is a limited number of retries.
  if (code === Status.INVALID_ARGUMENT && isChecksumRefusal(err)) return { retry: true };
  if (code === undefined || !RETRYABLE.has(code)) return { retry: false };
  return { retry: true, retryAfterMs: retryDelayMs(err), throttled: code === Status.RESOURCE_EXHAUSTED };
}

function isChecksumRefusal(err: unknown): boolean {
  const details = (err as StatusError).details;
  return typeof details === 'string' && /crc32c|checksum/i.test(details);
}

/** google.rpc.RetryInfo in the status details: the gRPC form of Retry-After. */
function retryDelayMs(err: unknown): number | undefined {
  for (const detail of (err as StatusError).statusDetails ?? []) {
    const delay = detail?.retryDelay;
    if (delay) return Number(String(delay.seconds ?? 0)) * 1000 + Number(delay.nanos ?? 0) / 1e6;
  }
  return undefined;
}

/** A short, secret-free description: the status name and the server's message. */
export function describeStatus(err: unknown): string {
  if (err instanceof SignetError) return err.message;
  const code = statusOf(err);
  const details = (err as StatusError | null)?.details;
  const text = typeof details === 'string' && details ? details : err instanceof Error ? err.message : String(err);
  return (code === undefined ? text : `${NAMES.get(code) ?? `status ${code}`}: ${text.replace(/^\d+ [A-Z_]+: /, '')}`).slice(0, 300);
}

/** A final failure of a call (after retries) as a SignetError; SignetErrors pass through. */
export function toSignetError(err: unknown, what: string): SignetError {
  if (err instanceof SignetError) return err;
  const code = statusOf(err);
  return new SignetError(code === undefined ? 'UNAVAILABLE' : (TO_SIGNET[code] ?? 'INTERNAL'), `gcpkms: ${what}: ${describeStatus(err)}`, { cause: err });
}
