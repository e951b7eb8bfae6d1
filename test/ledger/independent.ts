// An independent receipt checker for the ledger tests: node:crypto and RFC 9162 written out here,
// sharing no code with the ledger that produced the receipt.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import type { ReceiptBundle } from '../../src/ledger/contract.js';

const sha256 = (...parts: Uint8Array[]) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

/** Verifies a signed note's Ed25519 or ECDSA line over its text and returns origin, size, root. */
export function checkNote(note: string, pem: string): { origin: string; size: number; root: Buffer } {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('note has no signature block');
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2).split('\n').filter(Boolean);
  const key = createPublicKey(pem);
  const ok = lines.some((line) => {
    const [dash, , b64] = line.split(' ');
    if (dash !== '\u2014' || !b64) return false;
    const sig = Buffer.from(b64, 'base64').subarray(4);
    return key.asymmetricKeyType === 'ed25519'
      ? nodeVerify(null, Buffer.from(text), key, sig)
      : nodeVerify('sha256', Buffer.from(text), { key, dsaEncoding: 'der' }, sig);
  });
  if (!ok) throw new Error('no signature line verifies with the ledger key');
  const [origin, size, root] = text.split('\n');
  return { origin: origin!, size: Number(size), root: Buffer.from(root!, 'base64') };
}

/** RFC 9162 §2.1.3.2 inclusion verification. */
export function rootFromInclusion(leaf: Uint8Array, index: number, size: number, proof: Uint8Array[]): Buffer {
  if (index >= size) throw new Error('index beyond size');
  let fn = index;
  let sn = size - 1;
  let r = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw new Error('proof too long');
    if (fn % 2 === 1 || fn === sn) {
      r = sha256(Buffer.from([1]), p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = sha256(Buffer.from([1]), r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

/** Throws unless the bundle is a signed, included entry; returns the parsed entry. */
export function checkReceipt(bundle: ReceiptBundle, pem: string, origin: string): Record<string, unknown> {
  const cp = checkNote(bundle.checkpoint, pem);
  if (cp.origin !== origin) throw new Error(`origin ${cp.origin}`);
  if (cp.size !== bundle.treeSize) throw new Error('tree size differs from the signed one');
  const leaf = sha256(Buffer.from([0]), bundle.entry);
  if (!leaf.equals(bundle.leafHash)) throw new Error('leaf hash is not the hash of the entry');
  if (!rootFromInclusion(leaf, bundle.index, bundle.treeSize, bundle.inclusionProof).equals(cp.root)) throw new Error('inclusion proof does not reach the signed root');
  return JSON.parse(Buffer.from(bundle.entry).toString('utf8'));
}

/** RFC 9162 §2.1.4.2 consistency verification: true when the proof links root1 (size1) to root2 (size2). */
export function consistent(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): boolean {
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0 || size1 > size2 || proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = Buffer.from(path[0]!);
  let sr = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = sha256(Buffer.from([1]), c, fr);
      sr = sha256(Buffer.from([1]), c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = sha256(Buffer.from([1]), sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}
