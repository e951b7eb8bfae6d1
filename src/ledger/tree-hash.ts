// RFC 6962 hashing primitives and node addressing shared by the tree maths, the builder and the
// stores: leaf and node hashes, the empty root, and defensive checks of sizes and indices.
import crypto, { createHash } from 'node:crypto';
import { invalidArgument } from '../lib/errors.js';

/** A SHA-256 hash, 32 bytes. */
export type Hash = Uint8Array;

export const HASH_SIZE = 32;

/** The root of the empty tree: SHA-256 of the empty string. */
export const EMPTY_ROOT: Hash = createHash('sha256').digest();

/**
 * A complete subtree: the one covering leaves [index·2^level, (index+1)·2^level).
 * Level 0 holds the leaf hashes themselves.
 */
export interface NodeAddress {
  level: number;
  index: number;
}

export type StoredNode = NodeAddress & { hash: Hash };

/** Reads stored complete-subtree hashes in one batch, answering in the order asked. */
export type NodeReader = (addresses: NodeAddress[]) => Promise<Hash[]>;

const LEAF_PREFIX = new Uint8Array([0x00]);
const NODE_PREFIX = new Uint8Array([0x01]);

type OneShotHash = (algorithm: string, data: Uint8Array, encoding: 'latin1') => string;
/** crypto.hash (Node ≥ 20.12) skips the Hash object: the cheapest way to hash a short input. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

// Hashing is synchronous, so one scratch buffer per module is safe: prefix and input are copied
// in and hashed in one call. Digests come back as latin1 strings (one char per byte, exact):
// allocating a fresh digest Buffer costs more than hashing a 65-byte node, so hot loops (TreeBuilder,
// rehashing) keep hashes as such strings and make Buffers (from Node's shared pool) only when asked.
const SCRATCH_BYTES = 16 * 1024;
const leafScratch = Buffer.alloc(SCRATCH_BYTES);
/** Views of the scratch's first 1+length bytes, one per entry length met: no view per hash. */
const leafViews: Buffer[] = [];
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
nodeScratch[0] = 0x01;

/** RFC 6962 leaf hash as a 32-character latin1 string: for loops that compare or fold hashes. */
export function leafHashLatin1(entry: Uint8Array): string {
  if (oneShot && entry.length < SCRATCH_BYTES) {
    leafScratch.set(entry, 1);
    const view = (leafViews[entry.length] ??= leafScratch.subarray(0, entry.length + 1));
    return oneShot('sha256', view, 'latin1');
  }
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest('binary');
}

/** RFC 6962 node hash over latin1-string hashes, as a latin1 string. */
export function nodeHashLatin1(left: string, right: string): string {
  nodeScratch.write(left, 1, HASH_SIZE, 'latin1');
  nodeScratch.write(right, 1 + HASH_SIZE, HASH_SIZE, 'latin1');
  return oneShot ? oneShot('sha256', nodeScratch, 'latin1') : createHash('sha256').update(nodeScratch).digest('binary');
}

/** A hash's bytes as a latin1 string (no copy of the bytes into a new Buffer). */
export function hashToLatin1(hash: Uint8Array): string {
  const buf = Buffer.isBuffer(hash) ? hash : Buffer.from(hash.buffer, hash.byteOffset, hash.byteLength);
  return buf.toString('latin1');
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ entry). */
export function leafHash(entry: Uint8Array): Hash {
  return Buffer.from(leafHashLatin1(entry), 'latin1');
}

/** RFC 6962 interior node hash: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left: Hash, right: Hash): Hash {
  if (oneShot && left.length === HASH_SIZE && right.length === HASH_SIZE) {
    nodeScratch.set(left, 1);
    nodeScratch.set(right, 1 + HASH_SIZE);
    return Buffer.from(oneShot('sha256', nodeScratch, 'latin1'), 'latin1');
  }
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

// Sizes go up to 2^53 - 1, so the maths below uses arithmetic, never 32-bit bitwise operators.

export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}

/** Checks an untrusted tree size or index: a non-negative safe integer. */
export function checkSize(n: unknown, field: string): number {
  if (!isSize(n)) throw invalidArgument(field, `must be an integer from 0 to 2^53-1, got ${String(n)}`);
  return n;
}

/** The largest power of two at most n (n ≥ 1). */
export function largestPowerAtMost(n: number): number {
  // Proofs call this for every level of every receipt: below 2^32 one clz32 answers it.
  if (n < 4294967296) return 2 ** (31 - Math.clz32(n));
  let k = 2 ** Math.floor(Math.log2(n));
  while (k > n) k /= 2;
  while (k * 2 <= n) k *= 2;
  return k;
}

/** The largest power of two strictly below n (n ≥ 2): where RFC 6962 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  const k = largestPowerAtMost(n);
  return k === n ? k / 2 : k;
}

/**
 * Appends to `out` the complete subtrees that make up the leaves [start, end), largest first;
 * `start` must be a multiple of the largest piece (true of every range RFC 6962 proofs use).
 */
export function rangeNodes(start: number, end: number, out: NodeAddress[]): number {
  let count = 0;
  let size = end - start;
  while (size > 0) {
    const piece = largestPowerAtMost(size);
    out.push({ level: Math.log2(piece), index: start / piece });
    start += piece;
    size -= piece;
    count++;
  }
  return count;
}

/** The complete subtrees that make up a tree of `size` leaves, largest first. */
export function frontierAddresses(size: number): NodeAddress[] {
  checkSize(size, 'size');
  const out: NodeAddress[] = [];
  rangeNodes(0, size, out);
  return out;
}
