// What a failed Signet call rejects with: the gRPC status as a typed code, plus the details the
// server attaches (`signet-field` for bad input, `retry-after` for limits and outages).
import * as grpc from '@grpc/grpc-js';

/** gRPC status names (the codes a caller can act on are listed in docs/client.md). */
export type SignetClientErrorCode = Exclude<keyof typeof grpc.status, 'OK'>;

const NAMES = new Map<number, SignetClientErrorCode>(
  Object.entries(grpc.status)
    .filter(([name, value]) => typeof value === 'number' && name !== 'OK')
    .map(([name, value]) => [value as number, name as SignetClientErrorCode]),
);

export interface SignetClientErrorDetails {
  /** The request field at fault (INVALID_ARGUMENT), from the `signet-field` trailer. */
  field?: string;
  /** Seconds after which a retry may succeed, from the `retry-after` trailer. */
  retryAfter?: number;
  /** Signet's own error code (`signet-code` trailer), finer than the status: e.g. CONFIG. */
  signetCode?: string;
  /** Full method name, e.g. "signet.v1.CredentialService/Issue". */
  method: string;
  /** How many times the call was sent (more than 1 after retries). */
  attempts: number;
}

export class SignetClientError extends Error {
  readonly code: SignetClientErrorCode;
  /** The numeric gRPC status. */
  readonly status: grpc.status;
  readonly field: string | undefined;
  readonly retryAfter: number | undefined;
  readonly signetCode: string | undefined;
  readonly method: string;
  readonly attempts: number;

  constructor(status: grpc.status, message: string, details: SignetClientErrorDetails, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'SignetClientError';
    this.status = status;
    this.code = NAMES.get(status) ?? 'UNKNOWN';
    this.field = details.field;
    this.retryAfter = details.retryAfter;
    this.signetCode = details.signetCode;
    this.method = details.method;
    this.attempts = details.attempts;
  }
}

export function isSignetClientError(err: unknown, code?: SignetClientErrorCode): err is SignetClientError {
  return err instanceof SignetClientError && (code === undefined || err.code === code);
}

function trailer(metadata: grpc.Metadata | undefined, key: string): string | undefined {
  const value = metadata?.get(key)[0];
  return value === undefined ? undefined : value.toString();
}

/** Seconds in a `retry-after` trailer: a non-negative decimal, anything else ignored. */
export function retryAfterOf(metadata: grpc.Metadata | undefined): number | undefined {
  const text = trailer(metadata, 'retry-after');
  if (text === undefined || !/^\d{1,6}(\.\d{1,3})?$/.test(text)) return undefined;
  return Number(text);
}

/** The typed error for a grpc-js ServiceError. */
export function fromServiceError(err: grpc.ServiceError, method: string, attempts: number): SignetClientError {
  const md = err.metadata;
  const field = trailer(md, 'signet-field');
  const signetCode = trailer(md, 'signet-code');
  const retryAfter = retryAfterOf(md);
  return new SignetClientError(err.code, `${method}: ${err.details || err.message}`, {
    method,
    attempts,
    ...(field === undefined ? {} : { field }),
    ...(retryAfter === undefined ? {} : { retryAfter }),
    ...(signetCode === undefined ? {} : { signetCode }),
  }, err);
}
