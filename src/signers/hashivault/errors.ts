// How Vault's answers become Signet's coded errors: what is retried (429, 5xx, no answer), and
// what a refusal means, at start-up (CONFIG) or while signing. Messages never carry the token.
import { SignetError } from '../../lib/errors.js';
import { parseRetryAfter, type RetryDecision } from '../retry.js';
import { VaultCallError } from './client.js';

/** TLS trust failures: a configuration problem (ca-file, VAULT_CACERT), not a backend blip. */
const TLS_TRUST = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME/;

export function isTlsTrustError(err: unknown): err is VaultCallError {
  return err instanceof VaultCallError && err.status === undefined && TLS_TRUST.test(err.transportCode ?? '');
}

export function retryable(err: unknown): RetryDecision {
  if (!(err instanceof VaultCallError)) return { retry: false };
  if (err.status === undefined) return { retry: err.transportCode !== 'CLIENT' && !isTlsTrustError(err) };
  if (err.status === 429) return { retry: true, retryAfterMs: parseRetryAfter(err.retryAfter), throttled: true };
  // 412: a performance standby that has not caught up yet; 5xx: sealed, standby, overloaded.
  return { retry: err.status === 412 || err.status >= 500 };
}

export function describe(err: unknown): string {
  return err instanceof Error ? err.message.slice(0, 300) : String(err).slice(0, 300);
}

export interface CallSite {
  /** The redacted key URI. */
  where: string;
  /** e.g. "transit/keys/signet" */
  path: string;
  tokenSource: string;
}

/** A refusal while the key is being opened: a misconfiguration the operator must fix. */
export function startupError(err: unknown, site: CallSite, address: string): SignetError {
  if (err instanceof SignetError) {
    if (err.message.startsWith(site.where)) return err;
    return new SignetError(err.code, `${site.where}: Vault at ${address}: ${err.message}`, { cause: err.cause, retryAfter: err.retryAfter });
  }
  if (isTlsTrustError(err)) {
    return new SignetError('CONFIG', `${site.where}: cannot verify the TLS certificate of Vault at ${address} (${err.transportCode}); set ca-file or VAULT_CACERT`, { cause: err });
  }
  if (err instanceof VaultCallError && err.status !== undefined) {
    if (err.status === 401 || err.status === 403) {
      return new SignetError(
        'CONFIG',
        `${site.where}: Vault refused the token from ${site.tokenSource} (${err.errors[0] ?? 'permission denied'}) reading ${site.path}; check the token and that its policy allows read on ${site.path}`,
        { cause: err },
      );
    }
    if (err.status === 404) {
      return new SignetError('CONFIG', `${site.where}: Transit key ${site.path} does not exist in Vault at ${address} (create it with type ed25519 or ecdsa-p256)`, { cause: err });
    }
    return new SignetError('CONFIG', `${site.where}: Vault at ${address} refused to read ${site.path}: ${err.message}`, { cause: err });
  }
  return new SignetError('INTERNAL', `${site.where}: reading ${site.path} failed`, { cause: err });
}

/** A refusal while signing or refreshing key metadata. */
export function callError(err: unknown, site: CallSite): SignetError {
  if (err instanceof SignetError) return err;
  if (isTlsTrustError(err)) {
    return new SignetError('UNAVAILABLE', `${site.where}: cannot verify Vault's TLS certificate (${err.transportCode}); check ca-file or VAULT_CACERT`, { cause: err });
  }
  if (err instanceof VaultCallError && err.status !== undefined) {
    const why = err.errors[0] ?? `HTTP ${err.status}`;
    if (err.status === 401 || err.status === 403) {
      // Vault refusing Signet is the operator's to fix; PERMISSION_DENIED is Signet refusing a caller.
      return new SignetError('FAILED_PRECONDITION', `${site.where}: Vault denied ${site.path} to the token from ${site.tokenSource} (${why})`, { cause: err });
    }
    if (err.status === 404 || /key not found/.test(why)) {
      return new SignetError('NOT_FOUND', `${site.where}: Vault no longer has the key (${why})`, { cause: err });
    }
    if (err.status === 400) {
      return new SignetError('FAILED_PRECONDITION', `${site.where}: Vault refused ${site.path}: ${why}`, { cause: err });
    }
  }
  return new SignetError('INTERNAL', `${site.where}: ${site.path} failed: ${describe(err)}`, { cause: err });
}
