// What Key Vault and Microsoft Entra failures mean to Signet: which are retried (429 with
// Retry-After, 5xx, dropped connections) and which SignetError the others become. No secrets.
import { SignetError, type SignetErrorCode } from '../../lib/errors.js';
import { parseRetryAfter, type RetryDecision } from '../retry.js';

interface RestErrorLike {
  name: string;
  message: string;
  statusCode?: number;
  code?: string;
  response?: { headers: { get(name: string): string | undefined } };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'REQUEST_SEND_ERROR', 'ECONNABORTED']);
const CREDENTIAL_ERRORS = new Set([
  'AuthenticationError',
  'AuthenticationRequiredError',
  'CredentialUnavailableError',
  'AggregateAuthenticationError',
  'ClientAuthError',
  'ClientConfigurationError',
  'ServerError',
]);

function rest(err: unknown): RestErrorLike | undefined {
  return err instanceof Error && err.name === 'RestError' ? (err as RestErrorLike) : undefined;
}

export function isCredentialError(err: unknown): boolean {
  return err instanceof Error && CREDENTIAL_ERRORS.has(err.name);
}

/** Throttling (429), server errors (5xx) and dropped connections are retried; nothing else is. */
export function retryDecision(err: unknown): RetryDecision {
  const r = rest(err);
  if (!r) return { retry: false };
  const status = r.statusCode;
  if (status === 429 || (status !== undefined && status >= 500 && status !== 501)) {
    return { retry: true, retryAfterMs: parseRetryAfter(r.response?.headers.get('retry-after')), throttled: status === 429 };
  }
  return { retry: status === undefined && r.code !== undefined && NETWORK_CODES.has(r.code) };
}

/** A short, secret-free cause: the HTTP status and Key Vault's error code, or the credential error kind. */
export function describeAzureError(err: unknown): string {
  const r = rest(err);
  if (r) {
    if (r.statusCode === undefined) return `network error ${r.code ?? r.message}`;
    return `HTTP ${r.statusCode}${r.code ? ` ${r.code}` : ''}${r.statusCode === 429 ? ' (throttled)' : ''}`;
  }
  if (isCredentialError(err)) return `credential error: ${credentialCause(err as Error)}`;
  if (err instanceof SignetError) return err.message;
  // Other SDK errors (a refused challenge, a bad URL) carry no secrets: their first line says what went wrong.
  return err instanceof Error ? `${err.name}: ${serviceMessage(err)}` : 'unknown error';
}

export const NO_CREDENTIAL = 'no usable Azure credential found';

/** `invalid_client (AADSTS7000215)` out of an @azure/identity / MSAL error, without anything else. */
export function credentialCause(err: Error): string {
  const oauth = /\b(invalid_client|unauthorized_client|invalid_scope|invalid_request|invalid_grant|unsupported_grant_type|access_denied)\b/.exec(err.message)?.[1];
  const aadsts = /\bAADSTS\d+\b/.exec(err.message)?.[0];
  if (oauth) return aadsts ? `${oauth} (${aadsts})` : oauth;
  if (err.name === 'CredentialUnavailableError' || err.name === 'AggregateAuthenticationError') return NO_CREDENTIAL;
  return err.name;
}

/** Maps a failure on the signing path to a SignetError the server can turn into a gRPC status. */
export function toSignetError(err: unknown, uri: string): SignetError {
  if (err instanceof SignetError) return err;
  if (isCredentialError(err)) {
    return new SignetError('UNAUTHENTICATED', `azurekms: ${uri}: cannot get an access token: ${credentialCause(err as Error)}`, { cause: err });
  }
  const r = rest(err);
  const status = r?.statusCode;
  const code: SignetErrorCode =
    status === 401 ? 'UNAUTHENTICATED'
    // The vault refusing Signet is the operator's to fix; PERMISSION_DENIED is Signet refusing a caller.
    : status === 403 ? 'FAILED_PRECONDITION'
    : status === 404 ? 'NOT_FOUND'
    : status === 429 ? 'RESOURCE_EXHAUSTED'
    : status !== undefined && status >= 500 ? 'UNAVAILABLE'
    : r && status === undefined ? 'UNAVAILABLE'
    : 'INTERNAL';
  return new SignetError(code, `azurekms: ${uri}: Key Vault refused the request: ${describeAzureError(err)}${r?.statusCode === 403 ? ` (${serviceMessage(r)})` : ''}`, { cause: err });
}

/** Key Vault's own message (it names the missing permission or the key state, no secrets), trimmed. */
export function serviceMessage(r: { message: string }): string {
  return r.message.split('\n')[0]!.slice(0, 200);
}
