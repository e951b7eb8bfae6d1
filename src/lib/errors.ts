// The one error type of Signet's domain code: a closed set of string codes and a cause.
// Only src/server maps these codes to gRPC status; nothing below it knows gRPC exists.

export type SignetErrorCode =
  | 'INVALID_ARGUMENT' // bad input from a caller; `field` names what is wrong
  | 'NOT_FOUND' // unknown key, agent, entry
  | 'ALREADY_EXISTS'
  | 'OUT_OF_RANGE' // an index or size beyond what exists
  | 'PERMISSION_DENIED' // a policy refusal
  | 'UNAUTHENTICATED'
  | 'FAILED_PRECONDITION' // the system is not in a state to do this (key disabled, wrong usage)
  | 'RESOURCE_EXHAUSTED' // a limit, a full pool, backend throttling that outlived the deadline
  | 'UNAVAILABLE' // a backend that is down
  | 'DEADLINE_EXCEEDED'
  | 'CONFIG' // a start-up misconfiguration; the message says what to fix
  | 'INTEGRITY' // a backend answer that fails a check (checksum, key name, signature shape)
  | 'INTERNAL';

export interface SignetErrorOptions {
  cause?: unknown;
  /** The request field at fault, for INVALID_ARGUMENT. */
  field?: string;
  /** Seconds after which a retry may succeed, for RESOURCE_EXHAUSTED / UNAVAILABLE. */
  retryAfter?: number;
}

export class SignetError extends Error {
  readonly code: SignetErrorCode;
  readonly field: string | undefined;
  readonly retryAfter: number | undefined;

  constructor(code: SignetErrorCode, message: string, options: SignetErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SignetError';
    this.code = code;
    this.field = options.field;
    this.retryAfter = options.retryAfter;
  }
}

export function isSignetError(err: unknown, code?: SignetErrorCode): err is SignetError {
  return err instanceof SignetError && (code === undefined || err.code === code);
}

export function invalidArgument(field: string, message: string): SignetError {
  return new SignetError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

/** An index or size beyond what exists (or what a JS number holds exactly), naming the field. */
export function outOfRange(field: string, message: string): SignetError {
  return new SignetError('OUT_OF_RANGE', `${field}: ${message}`, { field });
}
