// Offline verification of a ledger receipt with the public key alone: the checkpoint's signature,
// the canonical entry, its leaf hash and its inclusion proof against the signed root.
import { SignetError } from '../lib/errors.js';
import { parseCanonical } from '../lib/jcs.js';
import { parseCheckpoint, type Checkpoint } from './checkpoint.js';
import type { ReceiptBundle } from './contract.js';
import { HASH_SIZE, isSize, leafHash, type Hash } from './tree-hash.js';
import { verifyInclusion } from './verify-proofs.js';
import { verifyNote, type NoteVerifier } from './note.js';

export { receiptFromJson, receiptToJson, type ReceiptJson } from './receipt-json.js';

export interface VerifyReceiptOptions {
  /** The checkpoint's origin line must be exactly this. */
  origin?: string;
}

export interface VerifiedReceipt {
  index: number;
  treeSize: number;
  root: Hash;
  origin: string;
  /** The parsed entry (a JSON object). */
  entry: Record<string, unknown>;
  leafHash: Hash;
  /** Key names whose signatures on the checkpoint verified. */
  verifiedBy: string[];
}

function refuse(why: string, cause?: unknown): SignetError {
  return new SignetError('INTEGRITY', `receipt does not verify: ${why}`, cause === undefined ? {} : { cause });
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(b);
}

/** Verifies a receipt bundle offline; throws SignetError INTEGRITY naming the first failed check. */
export function verifyReceipt(bundle: ReceiptBundle, verifiers: NoteVerifier[], options: VerifyReceiptOptions = {}): VerifiedReceipt {
  if (bundle === null || typeof bundle !== 'object') throw refuse('not a receipt bundle');
  const { entry, index, treeSize, inclusionProof, checkpoint } = bundle;
  if (!isSize(index)) throw refuse(`index ${String(index)} is not an integer from 0 to 2^53-1`);
  if (!isSize(treeSize)) throw refuse(`tree size ${String(treeSize)} is not an integer from 0 to 2^53-1`);
  if (!(entry instanceof Uint8Array)) throw refuse('the entry is not bytes');
  if (!Array.isArray(inclusionProof) || inclusionProof.some((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE)) {
    throw refuse(`the inclusion proof is not a list of ${HASH_SIZE}-byte hashes`);
  }

  let body: string;
  let verifiedBy: string[];
  try {
    ({ body, verifiedBy } = verifyNote(checkpoint, verifiers));
  } catch (err) {
    throw refuse(`checkpoint: ${err instanceof Error ? err.message : String(err)}`, err);
  }
  let cp: Checkpoint;
  try {
    cp = parseCheckpoint(body);
  } catch (err) {
    throw refuse(err instanceof Error ? err.message : String(err), err);
  }
  if (options.origin !== undefined && cp.origin !== options.origin) {
    throw refuse(`checkpoint origin is "${cp.origin}", expected "${options.origin}"`);
  }
  if (cp.size !== treeSize) throw refuse(`the bundle says tree size ${treeSize} but the signed checkpoint says ${cp.size}`);
  if (index >= cp.size) throw refuse(`index ${index} is not in a tree of size ${cp.size}`);

  let parsed: unknown;
  try {
    parsed = parseCanonical(entry);
  } catch (err) {
    throw refuse(`the entry is not RFC 8785 canonical JSON (${err instanceof Error ? err.message : String(err)})`, err);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw refuse('the entry is not a JSON object');

  const leaf = leafHash(entry);
  if (bundle.leafHash !== undefined && bundle.leafHash !== null && !sameBytes(bundle.leafHash, leaf)) {
    throw refuse('the bundle\'s leaf hash is not the hash of its entry');
  }
  if (!verifyInclusion(leaf, index, cp.size, inclusionProof, cp.root)) {
    throw refuse(`the inclusion proof does not lead from entry ${index} to the signed root of tree size ${cp.size}`);
  }
  return {
    index,
    treeSize: cp.size,
    root: cp.root,
    origin: cp.origin,
    entry: parsed as Record<string, unknown>,
    leafHash: leaf,
    verifiedBy,
  };
}
