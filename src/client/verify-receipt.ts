// Offline check of a receipt bundle against the ledger's public key alone: the checkpoint's
// signature, its origin and size, the canonical entry, its leaf hash and its inclusion proof.
import { canonicalize, parseCanonical } from '../lib/jcs.js';
import { parseCheckpoint, type Checkpoint } from '../ledger/checkpoint.js';
import type { ReceiptBundle } from '../ledger/contract.js';
import { splitNote, verifyNote, type NoteVerifier } from '../ledger/note.js';
import { receiptFromJson } from '../ledger/receipt-json.js';
import { cosignerFromVkey, verifiedCosignatures, type Cosigner } from '../ledger/cosignature.js';
import { HASH_SIZE, isSize, leafHash } from '../ledger/tree-hash.js';
import { verifyInclusion } from '../ledger/verify-proofs.js';
import type { Receipt__Output } from '../gen/signet/v1/Receipt.js';
import { noteVerifiersFor, type LedgerTrust } from './trust.js';
import { fail, messageOf, type Verdict } from './verdict.js';

/** Which check refused a receipt, in the order they run. */
export type ReceiptCheck =
  | 'format' // not a receipt bundle (shape, types, JSON)
  | 'trusted_key' // a trusted key given to the verifier is unreadable
  | 'checkpoint_format' // the signed note or the checkpoint body is malformed
  | 'checkpoint_signature' // no valid signature by a trusted key (or a trusted key's signature fails)
  | 'origin' // the checkpoint is for another log than expected
  | 'tree_size' // the bundle's tree size is not the signed one
  | 'index' // the index is not inside the signed tree
  | 'entry' // the entry is not RFC 8785 canonical JSON of an object
  | 'leaf_hash' // the bundle's leaf hash is not the hash of its entry
  | 'inclusion_proof' // the proof does not lead from the entry to the signed root
  | 'witnesses' // fewer than the required witnesses cosigned the checkpoint
  | 'record'; // the entry is not the record the verifier expected (another agent's, another call's)

/** What the verifier knows the entry must say: each member given must be in the entry, equal as JSON. */
export interface ReceiptExpectations {
  record?: Record<string, unknown>;
}

export interface VerifiedReceiptBundle {
  index: number;
  treeSize: number;
  origin: string;
  root: Uint8Array;
  /** The entry as parsed JSON. */
  entry: Record<string, unknown>;
  leafHash: Uint8Array;
  /** Key names whose signatures on the checkpoint verified. */
  signedBy: string[];
  /** Witnesses whose cosignatures verified (when witnesses were asked for). */
  cosignedBy: string[];
}

/** A bundle as the ledger answers it, as the wire carries it, or as a signet-receipt/v1 file (text or parsed). */
export type ReceiptInput = ReceiptBundle | Receipt__Output | string | Record<string, unknown>;

export type ReceiptVerdict = Verdict<VerifiedReceiptBundle, ReceiptCheck>;

function normalise(input: ReceiptInput): ReceiptBundle {
  if (typeof input === 'string' || (input !== null && typeof input === 'object' && 'format' in input)) return receiptFromJson(input);
  if (input === null || typeof input !== 'object') throw new TypeError('not a receipt bundle');
  const r = input as Record<string, unknown>;
  if ('tree_size' in r || 'inclusion_proof' in r || 'leaf_hash' in r) {
    return { entry: r.entry as Uint8Array, index: r.index as number, treeSize: r.tree_size as number, leafHash: (r.leaf_hash as Uint8Array | undefined)?.length ? (r.leaf_hash as Uint8Array) : (undefined as unknown as Uint8Array), inclusionProof: r.inclusion_proof as Uint8Array[], checkpoint: r.checkpoint as string };
  }
  return r as unknown as ReceiptBundle;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.from(a).equals(Buffer.from(b));
}

/** Checks a receipt offline with the ledger's key; says which check failed and why. */
export function verifyReceiptBundle(input: ReceiptInput, trust: LedgerTrust, expect: ReceiptExpectations = {}): ReceiptVerdict {
  let bundle: ReceiptBundle;
  try {
    bundle = normalise(input);
  } catch (err) {
    return fail('format', messageOf(err));
  }
  const { entry, index, treeSize, inclusionProof, checkpoint } = bundle;
  if (!isSize(index)) return fail('format', `index ${String(index)} is not an integer from 0 to 2^53-1`);
  if (!isSize(treeSize)) return fail('format', `tree size ${String(treeSize)} is not an integer from 0 to 2^53-1`);
  if (!(entry instanceof Uint8Array)) return fail('format', 'the entry is not bytes');
  if (!Array.isArray(inclusionProof) || inclusionProof.length > 64 || inclusionProof.some((h) => !(h instanceof Uint8Array) || h.length !== HASH_SIZE)) {
    return fail('format', `the inclusion proof is not a list of at most 64 ${HASH_SIZE}-byte hashes`);
  }
  if (typeof checkpoint !== 'string') return fail('format', 'the checkpoint is not text');
  try {
    splitNote(checkpoint);
  } catch (err) {
    return fail('checkpoint_format', messageOf(err));
  }
  let verifiers: NoteVerifier[];
  try {
    verifiers = noteVerifiersFor(trust.keys, checkpoint);
  } catch (err) {
    return fail('trusted_key', messageOf(err));
  }
  let body: string;
  let signedBy: string[];
  try {
    ({ body, verifiedBy: signedBy } = verifyNote(checkpoint, verifiers));
  } catch (err) {
    return fail('checkpoint_signature', messageOf(err));
  }
  let cp: Checkpoint;
  try {
    cp = parseCheckpoint(body);
  } catch (err) {
    return fail('checkpoint_format', messageOf(err));
  }
  if (trust.origin !== undefined && cp.origin !== trust.origin) return fail('origin', `the checkpoint is for "${cp.origin}", expected "${trust.origin}"`);
  if (cp.size !== treeSize) return fail('tree_size', `the bundle says tree size ${treeSize}, the signed checkpoint ${cp.size}`);
  if (index >= cp.size) return fail('index', `index ${index} is not in a tree of size ${cp.size}`);
  let parsed: unknown;
  try {
    parsed = parseCanonical(entry);
  } catch (err) {
    return fail('entry', `not RFC 8785 canonical JSON (${messageOf(err)})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return fail('entry', 'not a JSON object');
  const leaf = leafHash(entry);
  if (bundle.leafHash !== undefined && bundle.leafHash !== null && !(bundle.leafHash instanceof Uint8Array && sameBytes(bundle.leafHash, leaf))) {
    return fail('leaf_hash', "the bundle's leaf hash is not SHA-256(0x00 ‖ entry)");
  }
  if (!verifyInclusion(leaf, index, cp.size, inclusionProof, cp.root)) {
    return fail('inclusion_proof', `the proof does not lead from entry ${index} to the signed root of tree size ${cp.size}`);
  }
  const witnessed = witnessCheck(checkpoint, trust);
  if (typeof witnessed === 'string') return fail('witnesses', witnessed);
  const differs = recordDifference(parsed as Record<string, unknown>, expect.record);
  if (differs) return fail('record', differs);
  return { valid: true, index, treeSize: cp.size, origin: cp.origin, root: cp.root, entry: parsed as Record<string, unknown>, leafHash: leaf, signedBy, cosignedBy: witnessed };
}

/** The witnesses that cosigned, or why there are too few. */
export function witnessCheck(checkpoint: string, trust: LedgerTrust): string[] | string {
  const w = trust.witnesses;
  if (!w) return [];
  if (!Array.isArray(w.keys)) return 'witnesses.keys is not a list of witness vkeys';
  // A quorum that is not a whole number from 1 to the number of keys would read as "enough" for none.
  if (!Number.isSafeInteger(w.required) || w.required < 1 || w.required > w.keys.length) {
    return `witnesses.required must be a whole number from 1 to ${w.keys.length} (the witness keys given), got ${JSON.stringify(w.required) ?? String(w.required)}`;
  }
  let cosigners: Cosigner[];
  try {
    cosigners = w.keys.map(cosignerFromVkey);
  } catch (err) {
    return `a witness key is unreadable: ${messageOf(err)}`;
  }
  const verified = verifiedCosignatures(checkpoint, cosigners).map((v) => v.name);
  // N witnesses are N keys: one key listed under several names cosigns as one witness.
  const keyOf = (name: string) => Buffer.from(cosigners.find((c) => c.name === name)!.publicKey).toString('hex');
  const names = verified.filter((name, i) => verified.findIndex((other) => keyOf(other) === keyOf(name)) === i);
  if (names.length < w.required) return `${names.length} of the ${w.required} required witnesses (distinct keys) cosigned the checkpoint${names.length ? ` (${names.join(', ')})` : ''}`;
  return names;
}

/** Which expected member the entry lacks or holds otherwise, or undefined when it is the record. */
function recordDifference(entry: Record<string, unknown>, record: Record<string, unknown> | undefined): string | undefined {
  if (!record) return undefined;
  for (const [name, value] of Object.entries(record)) {
    if (value === undefined) continue;
    if (!Object.hasOwn(entry, name)) return `the entry has no ${name}; the record appended has one`;
    if (canonicalize(entry[name]) !== canonicalize(value)) return `the entry's ${name} is not the record's: this receipt is of another entry`;
  }
  return undefined;
}
