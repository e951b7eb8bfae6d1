// RFC 9162 §2.1.3.2 and §2.1.4.2: verifying inclusion and consistency proofs against roots.
// Pure and offline; false for anything malformed (sizes, hash lengths), never an exception.
import { EMPTY_ROOT, HASH_SIZE, isSize, largestPowerAtMost, nodeHash, type Hash } from './tree-hash.js';

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function allHashes(proof: unknown): proof is Hash[] {
  return Array.isArray(proof) && proof.every((p) => p instanceof Uint8Array && p.length === HASH_SIZE);
}

/** RFC 9162 §2.1.3.2: does `proof` show leaf `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(leaf: Hash, index: number, size: number, proof: Hash[], root: Hash): boolean {
  if (!isSize(index) || !isSize(size) || index >= size) return false;
  if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) return false;
  if (!(root instanceof Uint8Array) || root.length !== HASH_SIZE) return false;
  const path = proof ?? [];
  if (!allHashes(path)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of size1 with root1 is a prefix of size2's? */
export function verifyConsistency(size1: number, size2: number, proof: Hash[], root1: Hash, root2: Hash): boolean {
  if (!isSize(size1) || !isSize(size2) || size1 > size2) return false;
  if (!(root1 instanceof Uint8Array) || !(root2 instanceof Uint8Array)) return false;
  const path = proof ?? [];
  if (!Array.isArray(path)) return false;
  if (size1 === size2) {
    // Same tree: nothing to prove, the roots must match (and an empty tree has one root only).
    return path.length === 0 && sameHash(root1, root2) && (size1 > 0 || sameHash(root1, EMPTY_ROOT));
  }
  // RFC 6962 defines consistency proofs for 0 < size1 < size2 only.
  if (size1 === 0 || path.length === 0 || !allHashes(path)) return false;
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE) return false;
  const isPowerOfTwo = size1 === largestPowerAtMost(size1);
  const steps = isPowerOfTwo ? [root1, ...path] : path;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = steps[0]!;
  let sr = steps[0]!;
  for (let i = 1; i < steps.length; i++) {
    const c = steps[i]!;
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn /= 2;
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && sameHash(fr, root1) && sameHash(sr, root2);
}
