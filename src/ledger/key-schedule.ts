// Which keys may sign the checkpoint at a given size: the configured trust roots, and the key the
// ledger's own key events say was in force there, when the ledger vouches for it. Trust runs from
// the newest key back: a key event covered by a checkpoint its (trusted) new key signed vouches for
// the key before it. The newest key must be a trust root or confirmed by the custody backend.
import { type NoteVerifiers, checkCheckpointNote } from './checkpoint-check.js';
import { leafHash, verifyInclusion } from './merkle.js';
import { inclusionProof } from './merkle.js';
import { noteVerifierFromPublicKey, type NoteVerifier } from './note.js';
import { loadKeyEvents, type KeyEvent, type LedgerKey } from './key-events.js';
import type { LedgerStore, StoredCheckpoint } from './store.js';

export interface KeyScheduleOptions {
  origin: string;
  /** Keys accepted for every checkpoint (the current ledger key, ledger.previous_keys, --key). */
  roots: NoteVerifiers;
  /** The custody backend's word that a recorded key version is its own (the server has it; offline verifiers do not). */
  confirm?: (key: LedgerKey) => Promise<boolean>;
}

export interface KeySchedule {
  /** Verifiers for the checkpoint at `size`. */
  at(size: number): NoteVerifiers;
  /** The key the ledger records as signing the checkpoint at `size`, trusted or not. */
  inForce(size: number): LedgerKey | undefined;
  readonly events: readonly KeyEvent[];
}

export async function ledgerKeySchedule(store: LedgerStore, options: KeyScheduleOptions): Promise<KeySchedule> {
  const events = await loadKeyEvents(store);
  const verifiers = new Map<string, NoteVerifier | undefined>();
  const verifierOf = (k: LedgerKey): NoteVerifier | undefined => {
    const id = b64(k);
    if (!verifiers.has(id)) {
      try {
        verifiers.set(id, noteVerifierFromPublicKey(options.origin, k.spki));
      } catch {
        verifiers.set(id, undefined); // not a key that can sign notes: never trusted
      }
    }
    return verifiers.get(id);
  };
  const isRoot = (k: LedgerKey) => {
    const v = verifierOf(k);
    return v !== undefined && options.roots.some((r) => r.name === v.name && r.keyId === v.keyId && r.type === v.type);
  };
  const trusted = new Set<string>();
  for (let j = events.length - 1; j >= 0; j--) {
    const e = events[j]!;
    const keyTrusted = trusted.has(b64(e.key)) || isRoot(e.key) || (j === events.length - 1 && (await options.confirm?.(e.key)) === true);
    if (!keyTrusted || !verifierOf(e.key)) continue;
    trusted.add(b64(e.key));
    if (e.previous && (await vouched(store, e, verifierOf(e.key)!, options.origin))) trusted.add(b64(e.previous));
  }
  const inForce = (size: number): LedgerKey | undefined => {
    let key = events[0]?.previous;
    for (const e of events) if (e.index < size) key = e.key;
    return key;
  };
  return {
    events,
    inForce,
    at(size) {
      const key = inForce(size);
      const v = key && trusted.has(b64(key)) ? verifierOf(key) : undefined;
      return v ? [...options.roots, v] : options.roots;
    },
  };
}

/** The event's entry is in the tree of the first checkpoint after it, which its new key signed. */
async function vouched(store: LedgerStore, e: KeyEvent, verifier: NoteVerifier, origin: string): Promise<boolean> {
  const c = await firstCheckpointAfter(store, e.index);
  if (!c || checkCheckpointNote(c, [verifier], origin) !== undefined) return false;
  const [row] = await store.entries(e.index, e.index + 1);
  if (!row) return false;
  try {
    const proof = await inclusionProof(e.index, c.size, (a) => store.readNodes(a));
    return verifyInclusion(leafHash(row.entry), e.index, c.size, proof, c.root);
  } catch {
    return false;
  }
}

async function firstCheckpointAfter(store: LedgerStore, index: number): Promise<StoredCheckpoint | undefined> {
  const latest = await store.latestCheckpoint();
  if (!latest || latest.size <= index) return undefined;
  for (let lo = index + 1, width = 64; lo <= latest.size; lo += width, width *= 8) {
    const [first] = await store.checkpointsBetween(lo, Math.min(latest.size, lo + width - 1));
    if (first) return first;
  }
  return undefined;
}

function b64(k: LedgerKey): string {
  return Buffer.from(k.spki).toString('base64');
}
