// Offline check that one signed checkpoint extends another: both signatures by a trusted key,
// the same log, and the RFC 9162 consistency proof from the older root to the newer one.
import { decodeBase64Strict, parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.js';
import { splitNote, verifyNote } from '../ledger/note.js';
import { EMPTY_ROOT, HASH_SIZE } from '../ledger/tree-hash.js';
import { verifyConsistency as verifyConsistencyProof } from '../ledger/verify-proofs.js';
import { noteVerifiersFor, type LedgerTrust } from './trust.js';
import { fail, messageOf, type Verdict } from './verdict.js';

export type ConsistencyCheck =
  | 'format' // the proof is not a list of 32-byte hashes (or base64 of them)
  | 'trusted_key'
  | 'checkpoint_format' // a note or checkpoint body is malformed (`which` says which one)
  | 'checkpoint_signature' // a checkpoint has no valid signature by a trusted key
  | 'origin' // the checkpoints are of different logs, or not of the expected one
  | 'sizes' // the newer checkpoint is smaller than the older one
  | 'consistency_proof'; // the proof does not show the older tree is a prefix of the newer

export interface ConsistencyInput {
  /** The older signed checkpoint (note text). */
  from: string;
  /** The newer signed checkpoint (note text). */
  to: string;
  /** Proof hashes, bytes or base64 (as `signet ledger proof --consistency` prints them). */
  proof: (Uint8Array | string)[];
}

export interface VerifiedConsistency {
  origin: string;
  from: Checkpoint;
  to: Checkpoint;
}

export type ConsistencyVerdict = Verdict<VerifiedConsistency, ConsistencyCheck> & { which?: 'from' | 'to' };

function checked(note: unknown, trust: LedgerTrust, which: 'from' | 'to'): Checkpoint | ConsistencyVerdict {
  const at = (check: ConsistencyCheck, reason: string): ConsistencyVerdict => ({ ...fail(check, `${which} checkpoint: ${reason}`), which });
  if (typeof note !== 'string') return at('checkpoint_format', 'not text');
  try {
    splitNote(note);
  } catch (err) {
    return at('checkpoint_format', messageOf(err));
  }
  let verifiers;
  try {
    verifiers = noteVerifiersFor(trust.keys, note);
  } catch (err) {
    return { ...fail('trusted_key', messageOf(err)) };
  }
  let body: string;
  try {
    body = verifyNote(note, verifiers).body;
  } catch (err) {
    return at('checkpoint_signature', messageOf(err));
  }
  try {
    return parseCheckpoint(body);
  } catch (err) {
    return at('checkpoint_format', messageOf(err));
  }
}

const isVerdict = (v: Checkpoint | ConsistencyVerdict): v is ConsistencyVerdict => 'valid' in v;

/** Checks offline that `to` extends `from`; says which check failed and why. */
export function verifyConsistency(input: ConsistencyInput, trust: LedgerTrust): ConsistencyVerdict {
  if (input === null || typeof input !== 'object') return fail('format', 'not a consistency proof');
  if (!Array.isArray(input.proof) || input.proof.length > 128) return fail('format', 'the proof is not a list of at most 128 hashes');
  const proof: Uint8Array[] = [];
  for (const [i, h] of input.proof.entries()) {
    const bytes = typeof h === 'string' ? decodeBase64Strict(h) : h instanceof Uint8Array ? h : undefined;
    if (!bytes || bytes.length !== HASH_SIZE) return fail('format', `proof[${i}] is not a ${HASH_SIZE}-byte hash`);
    proof.push(bytes);
  }
  const from = checked(input.from, trust, 'from');
  if (isVerdict(from)) return from;
  const to = checked(input.to, trust, 'to');
  if (isVerdict(to)) return to;
  if (from.origin !== to.origin) return fail('origin', `the checkpoints are of two logs: "${from.origin}" and "${to.origin}"`);
  if (trust.origin !== undefined && from.origin !== trust.origin) return fail('origin', `the checkpoints are for "${from.origin}", expected "${trust.origin}"`);
  if (from.size > to.size) return fail('sizes', `the newer checkpoint has size ${to.size}, below the older one's ${from.size}`);
  // RFC 9162 has no proofs from the empty tree: it is a prefix of every tree, if it is empty.
  const fromEmpty = from.size === 0 && to.size > 0;
  if (fromEmpty ? proof.length !== 0 || !Buffer.from(from.root).equals(EMPTY_ROOT) : !verifyConsistencyProof(from.size, to.size, proof, from.root, to.root)) {
    return fail('consistency_proof', `the proof does not show the tree of size ${from.size} is a prefix of the tree of size ${to.size}`);
  }
  return { valid: true, origin: from.origin, from, to };
}
