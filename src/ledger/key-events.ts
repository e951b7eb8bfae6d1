// The ledger's own record of the keys that sign its checkpoints: a key_event entry, written before
// the first checkpoint a new key (or key version) signs, names that key and the one before it.
import { SIGNET_SCOPE, type LedgerRecord } from './contract.js';
import { contentDigest } from './idempotency.js';
import type { IdempotencyClaim, LedgerStore } from './store.js';

/** Key events are found by idempotency key, in Signet's scope: `signet:ledger-key:1`, `:2`, … */
export const KEY_EVENT_KEY_PREFIX = 'signet:ledger-key:';
/** More events than this are not looked for (a bound on what one open or VerifyChain reads). */
const MAX_KEY_EVENTS = 10_000;

/** A public key that signs (or signed) checkpoints. */
export interface LedgerKey {
  /** RFC 7638 JWK thumbprint. */
  keyId: string;
  /** The backend's version, where known. */
  version: string | undefined;
  algorithm: string;
  /** DER SubjectPublicKeyInfo. */
  spki: Uint8Array;
}

/** A stored key event: from entry `index` on, checkpoints are signed by `key`; before it, by `previous`. */
export interface KeyEvent {
  n: number;
  index: number;
  key: LedgerKey;
  previous: LedgerKey | undefined;
}

export function keyEventRecord(key: LedgerKey, previous: LedgerKey | undefined): LedgerRecord {
  return { type: 'key_event', event: 'ledger_key', key: keyJson(key), ...(previous ? { previous: keyJson(previous) } : {}) };
}

export function keyEventClaim(n: number, record: LedgerRecord): IdempotencyClaim {
  return { scope: SIGNET_SCOPE, key: `${KEY_EVENT_KEY_PREFIX}${n}`, contentDigest: contentDigest(record) };
}

/** The key events the ledger records, in order; a row that is not a well-formed event ends the list. */
export async function loadKeyEvents(store: LedgerStore): Promise<KeyEvent[]> {
  const events: KeyEvent[] = [];
  for (let n = 1; n <= MAX_KEY_EVENTS; n++) {
    const hit = await store.findIdempotencyKey(SIGNET_SCOPE, `${KEY_EVENT_KEY_PREFIX}${n}`);
    if (!hit) break;
    const [row] = await store.entries(hit.index, hit.index + 1);
    const parsed = row && parseKeyEvent(row.entry);
    if (!parsed) break;
    events.push({ n, index: hit.index, ...parsed });
  }
  return events;
}

/** The key and previous key a key_event entry names, or undefined for anything else. */
export function parseKeyEvent(entry: Uint8Array): { key: LedgerKey; previous: LedgerKey | undefined } | undefined {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(Buffer.from(entry).toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (value?.type !== 'key_event' || value.event !== 'ledger_key') return undefined;
  const key = keyOf(value.key);
  if (!key) return undefined;
  const previous = value.previous === undefined ? undefined : keyOf(value.previous);
  if (value.previous !== undefined && !previous) return undefined;
  return { key, previous };
}

export function sameKey(a: LedgerKey | undefined, b: LedgerKey | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(Buffer.from(a.spki), Buffer.from(b.spki)) === 0;
}

function keyJson(k: LedgerKey): Record<string, string> {
  return { key_id: k.keyId, ...(k.version === undefined ? {} : { key_version: k.version }), algorithm: k.algorithm, public_key: Buffer.from(k.spki).toString('base64') };
}

function keyOf(v: unknown): LedgerKey | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.key_id !== 'string' || typeof o.algorithm !== 'string' || typeof o.public_key !== 'string') return undefined;
  if (o.key_version !== undefined && typeof o.key_version !== 'string') return undefined;
  const spki = Buffer.from(o.public_key, 'base64');
  if (spki.length === 0 || spki.toString('base64') !== o.public_key) return undefined;
  return { keyId: o.key_id, version: o.key_version as string | undefined, algorithm: o.algorithm, spki };
}
