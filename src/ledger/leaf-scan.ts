// VerifyChain's second thread: RFC 6962 leaf hashes and `prev` links of entry chunks, computed on a
// worker while the main thread reads the next chunk and rebuilds the tree from the last one.
import { Worker } from 'node:worker_threads';
import { SignetError } from '../lib/errors.js';

// An inline (eval) worker using node:crypto only: a worker cannot load TypeScript modules when
// Signet runs under tsx. The leaf hash is RFC 6962's SHA-256(0x00 ‖ entry); a test checks it
// against merkle.leafHash. The worker carries the last leaf hash from one chunk to the next.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const oneShot = crypto.hash;
const scratch = Buffer.alloc(65536);
const PREV_KEY = Buffer.from('"prev":');
function leaf(e) {
  if (oneShot && e.length < scratch.length) {
    scratch[0] = 0;
    scratch.set(e, 1);
    return oneShot('sha256', scratch.subarray(0, e.length + 1), 'buffer');
  }
  return crypto.createHash('sha256').update(Buffer.from([0])).update(e).digest();
}
// Does the entry's top-level "prev" equal the hex of the previous leaf hash? With a single "prev"
// key in the entry, JCS makes it the top-level one; otherwise parse.
function links(e, prev) {
  const want = prev.toString('hex');
  const at = e.indexOf(PREV_KEY);
  if (at >= 0 && e.indexOf(PREV_KEY, at + 1) < 0) {
    return e[at + 7] === 0x22 && e.toString('latin1', at + 8, at + 72) === want && e[at + 72] === 0x22;
  }
  try { return JSON.parse(e.toString('utf8')).prev === want; } catch { return false; }
}
let last;
parentPort.on('message', ({ id, data, ends, prev }) => {
  if (prev) last = Buffer.from(prev);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const out = Buffer.from(new ArrayBuffer(ends.length * 32));
  let broken = -1;
  let start = 0;
  for (let i = 0; i < ends.length; i++) {
    const e = buf.subarray(start, ends[i]);
    if (broken < 0 && !links(e, last)) broken = i;
    const h = leaf(e);
    h.copy(out, i * 32);
    last = h;
    start = ends[i];
  }
  parentPort.postMessage({ id, leaves: out, broken }, [out.buffer]);
});
`;

export interface ScannedChunk {
  /** 32 bytes per entry, in order. */
  leaves: Buffer;
  /** Position in the chunk of the first entry whose prev is not the previous leaf hash, or -1. */
  broken: number;
}

export class LeafScanner {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(c: ScannedChunk): void; reject(e: unknown): void }>();
  #next = 0;
  #prev: Uint8Array | undefined;

  /** `prev`: the leaf hash the first scanned entry must link to. */
  constructor(prev: Uint8Array) {
    this.#prev = prev;
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.on('message', (m: { id: number; leaves: Uint8Array; broken: number }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      w?.resolve({ leaves: Buffer.from(m.leaves.buffer, m.leaves.byteOffset, m.leaves.byteLength), broken: m.broken });
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', () => this.#failAll(new Error('leaf scanner stopped')));
  }

  /** Scans the next chunk, continuing the chain from the previous one. Chunks are scanned in call order. */
  scan(entries: Uint8Array[]): Promise<ScannedChunk> {
    let size = 0;
    for (const e of entries) size += e.length;
    const data = new Uint8Array(new ArrayBuffer(size));
    const ends = new Uint32Array(entries.length);
    let at = 0;
    entries.forEach((e, i) => {
      data.set(e, at);
      at += e.length;
      ends[i] = at;
    });
    const id = this.#next++;
    const prev = this.#prev;
    this.#prev = undefined;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, data, ends, prev }, [data.buffer, ends.buffer]);
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }

  #failAll(err: unknown): void {
    for (const w of this.#waiting.values()) w.reject(new SignetError('INTERNAL', 'VerifyChain: the leaf scanner failed', { cause: err }));
    this.#waiting.clear();
  }
}
