// A sealed batch as one buffer that is moved (transferred), not cloned, to the SQLite writer
// thread: the rows' bytes are copied once into it, and no object graph is serialised.
import type { BatchWrite } from './store.js';

/**
 * Layout (little-endian): u32 entries, u32 nodes; per entry f64 index, 32-byte leaf hash, u32 length
 * + entry bytes, u8 keyed, and when keyed u32 length + key (UTF-8), u32 length + scope, u32 length +
 * content digest; per node u8 level, f64 index, 32-byte hash; then f64 size, 32-byte root, u32
 * length + note (UTF-8).
 */
export function packBatch(b: BatchWrite): ArrayBuffer {
  let size = 8;
  for (const e of b.entries) {
    size += 8 + 32 + 4 + e.entry.byteLength + 1;
    const i = e.idempotency;
    if (i) size += 12 + Buffer.byteLength(i.key) + Buffer.byteLength(i.scope) + i.contentDigest.byteLength;
  }
  size += b.nodes.length * (1 + 8 + 32) + 8 + 32 + 4 + Buffer.byteLength(b.checkpoint.note);
  // allocUnsafeSlow: a buffer of its own (not a slice of the shared pool), so it can be transferred.
  const buf = Buffer.allocUnsafeSlow(size);
  let o = buf.writeUInt32LE(b.entries.length, 0);
  o = buf.writeUInt32LE(b.nodes.length, o);
  const bytes = (v: Uint8Array) => {
    o = buf.writeUInt32LE(v.byteLength, o);
    buf.set(v, o);
    o += v.byteLength;
  };
  const text = (v: string) => {
    const n = buf.write(v, o + 4, 'utf8');
    o = buf.writeUInt32LE(n, o) + n;
  };
  for (const e of b.entries) {
    o = buf.writeDoubleLE(e.index, o);
    buf.set(e.leafHash, o);
    o += 32;
    bytes(e.entry);
    const i = e.idempotency;
    o = buf.writeUInt8(i ? 1 : 0, o);
    if (i) {
      text(i.key);
      text(i.scope);
      bytes(i.contentDigest);
    }
  }
  for (const n of b.nodes) {
    o = buf.writeUInt8(n.level, o);
    o = buf.writeDoubleLE(n.index, o);
    buf.set(n.hash, o);
    o += 32;
  }
  o = buf.writeDoubleLE(b.checkpoint.size, o);
  buf.set(b.checkpoint.root, o);
  o += 32;
  text(b.checkpoint.note);
  if (o !== size) throw new Error(`packBatch: wrote ${o} of ${size} bytes`);
  return buf.buffer as ArrayBuffer;
}

/** The inverse, as source text for the writer thread (an eval'd CommonJS worker): rows as views of the buffer. */
export const UNPACK_BATCH_SOURCE = `
function unpackBatch(ab) {
  const buf = Buffer.from(ab);
  let o = 0;
  const u32 = () => { const v = buf.readUInt32LE(o); o += 4; return v; };
  const f64 = () => { const v = buf.readDoubleLE(o); o += 8; return v; };
  const take = (n) => { const v = buf.subarray(o, o + n); o += n; return v; };
  const bytes = () => take(u32());
  const text = () => bytes().toString('utf8');
  const entryCount = u32();
  const nodeCount = u32();
  const entries = new Array(entryCount);
  for (let k = 0; k < entryCount; k++) {
    const index = f64();
    const leafHash = take(32);
    const entry = bytes();
    const keyed = buf[o++] === 1;
    const idempotency = keyed ? { key: text(), scope: text(), contentDigest: bytes() } : undefined;
    entries[k] = { index, leafHash, entry, idempotency };
  }
  const nodes = new Array(nodeCount);
  for (let k = 0; k < nodeCount; k++) {
    const level = buf[o++];
    const index = f64();
    nodes[k] = { level, index, hash: take(32) };
  }
  const size = f64();
  const root = take(32);
  const note = text();
  return { entries, nodes, checkpoint: { size, root, note } };
}
`;
