// The free-text reason of a revocation, checked before anything is written: it is stored and
// goes into a ledger entry, so an oversized one must not revoke first and fail to record after.
import { invalidArgument } from '../lib/errors.js';

export const MAX_REVOCATION_REASON = 256;

/** The reason to store and record: `fallback` when empty; INVALID_ARGUMENT (field reason) when too long. */
export function revocationReason(value: unknown, fallback: string): string {
  if (value === undefined || value === null || value === '') return fallback;
  if (typeof value !== 'string') throw invalidArgument('reason', 'must be text');
  if (value.length > MAX_REVOCATION_REASON) throw invalidArgument('reason', `at most ${MAX_REVOCATION_REASON} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalidArgument('reason', 'control characters are not allowed');
  return value;
}
