// An intent — one action on one resource, with optional constraints — and its fingerprint:
// base64url BLAKE2b-256 over the RFC 8785 (JCS) bytes of the intent, the `intent_fp` claim.
import { blake2b } from '@noble/hashes/blake2.js';
import { canonicalize } from '../lib/jcs.js';
import { invalidArgument } from '../lib/errors.js';
import { canonicalAction, canonicalResource } from './canonical.js';

export interface Intent {
  action: string;
  resource: string;
  /** Free-form JSON object narrowing the intent (amount limits, paths …); part of the fingerprint. */
  constraints?: Record<string, unknown>;
}

const MAX_CONSTRAINTS_BYTES = 4096;
/** constraints_json text: bounded before parsing (its canonical form is bounded after). */
export const CONSTRAINTS_JSON_BOUNDS = { maxBytes: 4 * MAX_CONSTRAINTS_BYTES, maxDepth: 32 };

/**
 * Checks an intent from a caller: action and resource must already be canonical (canonical.ts),
 * and it comes back without empty constraints.
 */
export function parseIntent(value: unknown, field = 'intent'): Intent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidArgument(field, 'must be an object');
  const v = value as Record<string, unknown>;
  for (const key of Object.keys(v)) {
    if (key !== 'action' && key !== 'resource' && key !== 'constraints') throw invalidArgument(`${field}.${key}`, 'unknown member');
  }
  const action = canonicalAction(v.action, `${field}.action`);
  const resource = canonicalResource(v.resource, `${field}.resource`);
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
