// What an AWS KMS failure means to Signet: which ones to retry (throttling, 5xx, a dropped
// connection) and which SignetError the others become. Messages never carry credentials.
import { SignetError, type SignetErrorCode } from '../../lib/errors.js';
import { parseRetryAfter, type RetryDecision } from '../retry.js';
import type { WithRetryAfter } from './client.js';

interface AwsErrorShape extends WithRetryAfter {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded', 'LimitExceededException']);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
const CREDENTIALS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
  'InvalidClientTokenId',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);

function shape(err: unknown): AwsErrorShape {
  return err !== null && typeof err === 'object' ? (err as AwsErrorShape) : {};
}

/** Throttling, server faults and dropped connections are retried; everything else is final. */
export function retryDecision(err: unknown): RetryDecision {
  const e = shape(err);
  const status = e.$metadata?.httpStatusCode;
  const retryAfterMs = parseRetryAfter(e.retryAfter);
  if (THROTTLING.has(e.name ?? '') || status === 429) return { retry: true, retryAfterMs };
  if ((status !== undefined && status >= 500) || (status === undefined && e.$fault === 'server')) return { retry: true, retryAfterMs };
  if (NETWORK.has(e.code ?? '') || e.name === 'TimeoutError') return { retry: true };
  return { retry: false };
}

/** A one-line, secret-free description: the AWS error type and its message. */
export function describeAwsError(err: unknown): string {
  const e = shape(err);
  const type = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  const status = e.$metadata?.httpStatusCode;
  const text = (e.message ?? String(err)).replace(/\s+/g, ' ').slice(0, 200);
  return `${type}${status ? ` (HTTP ${status})` : ''}: ${text}`;
}

/**
 * Turns a final (non-retried) SDK failure into a SignetError. At start-up every refusal is CONFIG,
 * so Signet stops with one line naming the problem; at signing time the code says who can act.
 */
export function toSignetError(err: unknown, where: { keyRef: string; region: string | undefined; atOpen: boolean }): SignetError {
  if (err instanceof SignetError) return err;
  const e = shape(err);
  const name = e.name ?? '';
  const what = describeAwsError(err);
  const region = where.region ?? 'the configured region';
  const startup = (code: SignetErrorCode) => (where.atOpen ? 'CONFIG' : code);

  if (name === 'NotFoundException') {
    return new SignetError(startup('NOT_FOUND'), `awskms: key ${where.keyRef} not found in ${region} (${what})`, { cause: err });
  }
  if (CREDENTIALS.has(name)) {
    return new SignetError(
      startup('FAILED_PRECONDITION'),
      `awskms: AWS rejected Signet's credentials (${name}); check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY or the AWS profile`,
      { cause: err },
    );
  }
  if (name === 'AccessDeniedException') {
    // PERMISSION_DENIED is Signet's own policy refusal of a caller; this is the server's IAM problem,
    // which the caller cannot act on. The detail (key ARN, principal, IAM hint) is for the operator:
    // in the start-up CONFIG message; at run time only in the error's cause, never sent to the caller.
    if (where.atOpen) {
      return new SignetError(
        'CONFIG',
        `awskms: access denied to key ${where.keyRef}; the principal needs kms:DescribeKey, kms:GetPublicKey and kms:Sign (${what})`,
        { cause: err },
      );
    }
    return new SignetError('FAILED_PRECONDITION', 'awskms: AWS KMS denied this server access to its signing key (AccessDeniedException)', {
      cause: err,
    });
  }
  if (name === 'DisabledException' || name === 'KMSInvalidStateException' || name === 'InvalidKeyUsageException' || name === 'KeyUnavailableException') {
    return new SignetError(startup('FAILED_PRECONDITION'), `awskms: key ${where.keyRef} cannot sign: ${what}`, { cause: err });
  }
  if (name === 'ValidationException') {
    return new SignetError(where.atOpen ? 'CONFIG' : 'INVALID_ARGUMENT', `awskms: KMS refused the request: ${what}`, {
      cause: err,
      field: where.atOpen ? undefined : 'message',
    });
  }
  if (/region is missing/i.test(e.message ?? '')) {
    return new SignetError('CONFIG', 'awskms: no AWS region; add ?region=… to the key URI, use a key ARN, or set AWS_REGION', { cause: err });
  }
  return new SignetError(where.atOpen ? 'CONFIG' : 'INTERNAL', `awskms: unexpected failure on key ${where.keyRef}: ${what}`, { cause: err });
}
