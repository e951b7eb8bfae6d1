// The receipt bundle as a JSON file (format "signet-receipt/v1"): what `signet verify receipt`
// reads. Entry as its canonical JSON text (or base64), hashes in base64, the checkpoint as text.
import { invalidArgument } from '../lib/errors.js';
import { parseStrictJson } from '../lib/strict-json.js';
import { decodeBase64Strict } from './checkpoint.js';
import type { ReceiptBundle } from './contract.js';
import { HASH_SIZE, isSize, leafHash } from './tree-hash.js';

export const RECEIPT_FORMAT = 'signet-receipt/v1';

/** A tree of at most 2^53 leaves has inclusion proofs of at most 53 hashes. */
const MAX_PROOF_HASHES = 64;
const MAX_RECEIPT_JSON_BYTES = 4 * 1024 * 1024;

export interface ReceiptJson {
  format: typeof RECEIPT_FORMAT;
  index: number;
  treeSize: number;
  /** The canonical entry as JSON text (its UTF-8 bytes are the entry); or else `entryBase64`. */
  entry?: string;
  entryBase64?: string;
  /** base64 of the RFC 6962 leaf hash (optional; the verifier recomputes it). */
  leafHash?: string;
  /** base64 hashes, leaf level first. */
  inclusionProof: string[];
  /** The signed checkpoint note, verbatim. */
  checkpoint: string;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bundle as pretty-printed JSON text, ending in a newline. */
export function receiptToJson(bundle: ReceiptBundle): string {
  let text: string | undefined;
  try {
    text = strictUtf8.decode(bundle.entry);
  } catch {
    text = undefined;
  }
  const out: ReceiptJson = {
    format: RECEIPT_FORMAT,
    index: bundle.index,
    treeSize: bundle.treeSize,
    ...(text !== undefined ? { entry: text } : { entryBase64: Buffer.from(bundle.entry).toString('base64') }),
    leafHash: Buffer.from(bundle.leafHash ?? leafHash(bundle.entry)).toString('base64'),
    inclusionProof: bundle.inclusionProof.map((h) => Buffer.from(h).toString('base64')),
    checkpoint: bundle.checkpoint,
  };
  return JSON.stringify(out, null, 2) + '\n';
}

function hashField(value: unknown, field: string): Uint8Array {
  const bytes = typeof value === 'string' ? decodeBase64Strict(value) : undefined;
  if (!bytes || bytes.length !== HASH_SIZE) throw invalidArgument(field, `must be base64 of a ${HASH_SIZE}-byte hash`);
  return bytes;
}

/** Reads an untrusted receipt file (text or already-parsed JSON) into a bundle, checking shapes only. */
export function receiptFromJson(input: string | unknown): ReceiptBundle {
  let json: unknown = input;
  if (typeof input === 'string') {
    // Bounded before parsed, and I-JSON: a receipt with two "entry" members has no one meaning.
    json = parseStrictJson(input, 'receipt', { maxBytes: MAX_RECEIPT_JSON_BYTES, maxDepth: 8 });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw invalidArgument('receipt', 'must be a JSON object');
  const r = json as Record<string, unknown>;
  if (r.format !== RECEIPT_FORMAT) throw invalidArgument('format', `must be "${RECEIPT_FORMAT}"`);
  if (!isSize(r.index)) throw invalidArgument('index', 'must be an integer from 0 to 2^53-1');
  if (!isSize(r.treeSize)) throw invalidArgument('treeSize', 'must be an integer from 0 to 2^53-1');
  let entry: Uint8Array;
  if (typeof r.entry === 'string' && r.entryBase64 === undefined) {
    entry = Buffer.from(r.entry, 'utf8');
  } else if (typeof r.entryBase64 === 'string' && r.entry === undefined) {
    const bytes = decodeBase64Strict(r.entryBase64);
    if (!bytes) throw invalidArgument('entryBase64', 'must be base64');
    entry = bytes;
  } else {
    throw invalidArgument('entry', 'exactly one of entry (JSON text) or entryBase64 is required');
  }
  if (!Array.isArray(r.inclusionProof) || r.inclusionProof.length > MAX_PROOF_HASHES) {
    throw invalidArgument('inclusionProof', `must be a list of at most ${MAX_PROOF_HASHES} base64 hashes`);
  }
  const inclusionProof = r.inclusionProof.map((h, i) => hashField(h, `inclusionProof[${i}]`));
  if (typeof r.checkpoint !== 'string' || r.checkpoint.length === 0) throw invalidArgument('checkpoint', 'must be the signed checkpoint text');
  return {
    entry,
    index: r.index,
    treeSize: r.treeSize,
    leafHash: r.leafHash === undefined ? leafHash(entry) : hashField(r.leafHash, 'leafHash'),
    inclusionProof,
    checkpoint: r.checkpoint,
  };
}
