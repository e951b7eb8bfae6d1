// An intent — one action on one resource, with optional constraints — and its fingerprint:
// base64url BLAKE2b-256 over the RFC 8785 (JCS) bytes of the intent, the `intent_fp` claim.
import { blake2b } from '@noble/hashes/blake2.js';
import { canonicalize } from '../lib/jcs.js';
import { invalidArgument } from '../lib/errors.js';

export interface Intent {
  action: string;
  resource: string;
  /** Free-form JSON object narrowing the intent (amount limits, paths …); part of the fingerprint. */
  constraints?: Record<string, unknown>;
}

const MAX_FIELD = 1024;
const MAX_CONSTRAINTS_BYTES = 4096;
/** constraints_json text: bounded before parsing (its canonical form is bounded after). */
export const CONSTRAINTS_JSON_BOUNDS = { maxBytes: 4 * MAX_CONSTRAINTS_BYTES, maxDepth: 32 };

/** Checks an intent from a caller and returns it in normal form (no empty constraints). */
export function parseIntent(value: unknown, field = 'intent'): Intent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(field, 'must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== 'action' && key !== 'resource' && key !== 'constraints') throw invalidArgument(`${field}.${key}`, 'unknown member');
  }
  const action = text(v.action, `${field}.action`);
  const resource = resourcePath(text(v.resource, `${field}.resource`), `${field}.resource`);
  if (v.constraints === undefined || v.constraints === null) return { action, resource };
  const c = v.constraints;
  if (typeof c !== 'object' || Array.isArray(c)) throw invalidArgument(`${field}.constraints`, 'must be a JSON object');
  if (Object.keys(c).length === 0) return { action, resource };
  let size: number;
  try {
    size = canonicalize(c).length;
  } catch (err) {
    throw invalidArgument(`${field}.constraints`, `not canonicalisable JSON (${(err as Error).message})`);
  }
  if (size > MAX_CONSTRAINTS_BYTES) throw invalidArgument(`${field}.constraints`, `at most ${MAX_CONSTRAINTS_BYTES} bytes of JSON`);
  return { action, resource, constraints: c as Record<string, unknown> };
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) throw invalidArgument(field, 'required');
  if (value.length > MAX_FIELD) throw invalidArgument(field, `at most ${MAX_FIELD} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw invalidArgument(field, 'control characters are not allowed');
  return value;
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/\/?/;

/**
 * A resource must name one path as written: policy globs compare text, so `x/../prod-db`,
 * `prod-db/`, `acme//prod-db` or `%2e%2e` would reach a resource a deny rule names without
 * matching it. Refused: `.`/`..` segments, empty segments (a trailing `/`, `//` after any
 * `scheme://`), percent-encoded `.` `/` `\`, backslashes — also after NFKC (fullwidth dots).
 */
function resourcePath(value: string, field: string): string {
  for (const form of new Set([value, value.normalize('NFKC')])) {
    if (form.includes('\\')) throw invalidArgument(field, 'backslashes are not allowed');
    if (/%(2e|2f|5c)/i.test(form)) throw invalidArgument(field, 'percent-encoded ".", "/" or "\\" is not allowed');
    const path = form.replace(SCHEME, '');
    for (const segment of path.split('/')) {
      if (segment === '') throw invalidArgument(field, 'empty path segments (a leading, trailing or doubled "/") are not allowed');
      if (segment === '.' || segment === '..') throw invalidArgument(field, '"." and ".." path segments are not allowed');
    }
  }
  return value;
}

const FP_CACHE_MAX = 4096;
/** Canonical form → fingerprint: agents repeat their intents, and BLAKE2b in JS is not free. */
const fpCache = new Map<string, string>();

/** base64url(BLAKE2b-256(JCS(intent))). Two intents match exactly when their fingerprints do. */
export function intentFingerprint(intent: Intent): string {
  const canonical = canonicalize(intent);
  let fp = fpCache.get(canonical);
  if (fp === undefined) {
    fp = Buffer.from(blake2b(Buffer.from(canonical, 'utf8'), { dkLen: 32 })).toString('base64url');
    if (fpCache.size >= FP_CACHE_MAX) fpCache.clear();
    fpCache.set(canonical, fp);
  }
  return fp;
}
