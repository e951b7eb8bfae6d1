// RFC 6962 / RFC 9162 Merkle tree maths, pure functions over hashes: roots, inclusion and
// consistency proofs read from stored complete subtrees. Re-exports hashing, builder and verifiers.
import { SignetError, invalidArgument } from '../lib/errors.js';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  checkSize,
  nodeHash,
  rangeNodes,
  splitPoint,
  type Hash,
  type NodeAddress,
  type NodeReader,
} from './tree-hash.js';

export * from './tree-hash.js';
export { TreeBuilder } from './tree-builder.js';
export { memoryTree, type MemoryTree } from './memory-tree.js';
export { verifyConsistency, verifyInclusion } from './verify-proofs.js';

/** Hash of a range from its complete subtrees, largest first: right-to-left fold (RFC 6962 MTH). */
function foldRange(hashes: Hash[], from: number, count: number): Hash {
  let h = hashes[from + count - 1]!;
  for (let i = from + count - 2; i >= from; i--) h = nodeHash(hashes[i]!, h);
  return h;
}

/** Ranges [start, end) whose hashes form a proof; each resolves to O(log n) stored nodes. */
type Range = [start: number, end: number];

/** RFC 6962 §2.1.1 PATH(m, D[0:n]), as ranges, leaf level first. */
function inclusionRanges(index: number, size: number): Range[] {
  const ranges: Range[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (index < lo + k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
    }
  }
  return ranges.reverse();
}

/** RFC 6962 §2.1.2 PROOF(m, D[0:n]) via SUBPROOF, as ranges, deepest first. */
function consistencyRanges(size1: number, size2: number): Range[] {
  const ranges: Range[] = [];
  let lo = 0;
  let hi = size2;
  let m = size1;
  let whole = true;
  for (;;) {
    const n = hi - lo;
    if (m === n) {
      if (!whole) ranges.push([lo, hi]);
      break;
    }
    const k = splitPoint(n);
    if (m <= k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
      m -= k;
      whole = false;
    }
  }
  return ranges.reverse();
}

/** One batched read, checked: as many answers as addresses, each a 32-byte hash. */
async function checkedRead(addresses: NodeAddress[], read: NodeReader): Promise<Hash[]> {
  const hashes = await read(addresses);
  if (!Array.isArray(hashes) || hashes.length !== addresses.length) {
    throw new SignetError('INTEGRITY', `node reader answered ${hashes?.length} hashes for ${addresses.length} addresses`);
  }
  for (let i = 0; i < hashes.length; i++) {
    if (!(hashes[i] instanceof Uint8Array) || hashes[i]!.length !== HASH_SIZE) {
      const { level, index } = addresses[i]!;
      throw new SignetError('INTEGRITY', `stored node (level ${level}, index ${index}) is missing or not ${HASH_SIZE} bytes`);
    }
  }
  return hashes;
}

async function readRanges(ranges: Range[], read: NodeReader): Promise<Hash[]> {
  const addresses: NodeAddress[] = [];
  const counts = ranges.map(([start, end]) => rangeNodes(start, end, addresses));
  if (addresses.length === 0) return [];
  return foldRanges(await checkedRead(addresses, read), counts);
}

/** Folds consecutive runs of `hashes` (run lengths in `counts`) into one hash each. */
function foldRanges(hashes: Hash[], counts: number[]): Hash[] {
  const out: Hash[] = [];
  let at = 0;
  for (const count of counts) {
    out.push(foldRange(hashes, at, count));
    at += count;
  }
  return out;
}

/** Inclusion proof of leaf `index` in the tree of `size` leaves, in RFC 9162 order. */
export async function inclusionProof(index: number, size: number, read: NodeReader): Promise<Hash[]> {
  checkSize(index, 'index');
  checkSize(size, 'size');
  if (index >= size) throw new SignetError('OUT_OF_RANGE', `index ${index} is not in a tree of size ${size}`, { field: 'index' });
  return readRanges(inclusionRanges(index, size), read);
}

/**
 * Inclusion proofs of several leaves in one tree size with one batched read: the nodes they share
 * (most of them, for a batch of neighbouring indices) are asked for once.
 */
export async function inclusionProofs(indices: number[], size: number, read: NodeReader): Promise<Hash[][]> {
  checkSize(size, 'size');
  if (!Array.isArray(indices)) throw invalidArgument('indices', 'must be a list of leaf indices');
  const plans = indices.map((index, i) => {
    checkSize(index, `indices[${i}]`);
    if (index >= size) throw new SignetError('OUT_OF_RANGE', `index ${index} is not in a tree of size ${size}`, { field: `indices[${i}]` });
    const addresses: NodeAddress[] = [];
    const counts = inclusionRanges(index, size).map(([start, end]) => rangeNodes(start, end, addresses));
    return { addresses, counts };
  });
  const unique = new Map<string, number>();
  const wanted: NodeAddress[] = [];
  for (const { addresses } of plans) {
    for (const a of addresses) {
      const key = `${a.level}/${a.index}`;
      if (!unique.has(key)) {
        unique.set(key, wanted.length);
        wanted.push(a);
      }
    }
  }
  const hashes = wanted.length === 0 ? [] : await checkedRead(wanted, read);
  return plans.map(({ addresses, counts }) => {
    const mine = addresses.map((a) => hashes[unique.get(`${a.level}/${a.index}`)!]!);
    return foldRanges(mine, counts);
  });
}

/** Consistency proof from the tree of size1 leaves to the tree of size2 leaves (1 ≤ size1 ≤ size2). */
export async function consistencyProof(size1: number, size2: number, read: NodeReader): Promise<Hash[]> {
  checkSize(size1, 'size1');
  checkSize(size2, 'size2');
  if (size1 > size2) throw new SignetError('OUT_OF_RANGE', `size1 ${size1} is beyond size2 ${size2}`, { field: 'size1' });
  if (size1 === 0) throw invalidArgument('size1', 'no consistency proof exists from the empty tree');
  if (size1 === size2) return [];
  return readRanges(consistencyRanges(size1, size2), read);
}

/** Root of the tree of `size` leaves, from its frontier: at most log2(size)+1 stored nodes. */
export async function rootAt(size: number, read: NodeReader): Promise<Hash> {
  checkSize(size, 'size');
  if (size === 0) return EMPTY_ROOT;
  const [root] = await readRanges([[0, size]], read);
  return root!;
}

/** Reference MTH over all leaf hashes, by the RFC's recursion: for tests, never for serving. */
export function rootFromLeaves(leaves: Hash[]): Hash {
  if (leaves.length === 0) return EMPTY_ROOT;
  const mth = (lo: number, hi: number): Hash => {
    if (hi - lo === 1) return leaves[lo]!;
    const k = splitPoint(hi - lo);
    return nodeHash(mth(lo, lo + k), mth(lo + k, hi));
  };
  return mth(0, leaves.length);
}
