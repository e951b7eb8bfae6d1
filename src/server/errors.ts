// The one place where domain error codes become gRPC status. Unknown errors go out as INTERNAL
// with no detail; the detail stays in the log.
import * as grpc from '@grpc/grpc-js';
import { SignetError, type SignetErrorCode } from '../lib/errors.js';
import { capped } from '../lib/quote.js';

const STATUS: Record<SignetErrorCode, grpc.status> = {
  INVALID_ARGUMENT: grpc.status.INVALID_ARGUMENT,
  NOT_FOUND: grpc.status.NOT_FOUND,
  ALREADY_EXISTS: grpc.status.ALREADY_EXISTS,
  OUT_OF_RANGE: grpc.status.OUT_OF_RANGE,
  PERMISSION_DENIED: grpc.status.PERMISSION_DENIED,
  UNAUTHENTICATED: grpc.status.UNAUTHENTICATED,
  FAILED_PRECONDITION: grpc.status.FAILED_PRECONDITION,
  RESOURCE_EXHAUSTED: grpc.status.RESOURCE_EXHAUSTED,
  UNAVAILABLE: grpc.status.UNAVAILABLE,
  DEADLINE_EXCEEDED: grpc.status.DEADLINE_EXCEEDED,
  CONFIG: grpc.status.FAILED_PRECONDITION,
  INTEGRITY: grpc.status.INTERNAL,
  INTERNAL: grpc.status.INTERNAL,
};

/** The gRPC status name a domain code goes out as ("CONFIG" → "FAILED_PRECONDITION"), for metrics. */
export function grpcStatusName(code: SignetErrorCode | 'OK'): string {
  return code === 'OK' ? 'OK' : grpc.status[STATUS[code]];
}

export interface GrpcErrorReply extends Partial<grpc.StatusObject> {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata;
}

/** Maps any thrown value to a gRPC error the caller can act on. `logDetail` receives what is hidden. */
export function toGrpcError(err: unknown, logDetail?: (err: unknown) => void): GrpcErrorReply {
  const metadata = new grpc.Metadata();
  if (err instanceof SignetError && err.code !== 'INTERNAL' && err.code !== 'INTEGRITY') {
    if (err.field) metadata.set('signet-field', trailerText(capped(err.field, 256)));
    metadata.set('signet-code', err.code);
    if (err.retryAfter !== undefined) metadata.set('retry-after', String(Math.ceil(err.retryAfter)));
    // Capped: a reply's trailer must stay small whatever a message ended up quoting.
    return { code: STATUS[err.code], details: capped(err.message), metadata };
  }
  logDetail?.(err);
  return { code: grpc.status.INTERNAL, details: 'internal error', metadata };
}

/**
 * A trailer value holds printable ASCII only (grpc-js throws otherwise, and a throw here would take
 * the reply with it): a field path that carries a caller's map key is escaped as JSON would (\uXXXX).
 */
function trailerText(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
