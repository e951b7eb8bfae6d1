// VerifyChain's second thread: leaf hashes, `prev` links and tree roots of entry chunks, computed
// on a worker while the main thread reads the next chunk from the store.
import { Worker } from 'node:worker_threads';
import { SignetError } from '../lib/errors.js';

// An inline (eval) worker using node:crypto only, since a worker cannot load TypeScript modules
// when Signet runs under tsx. It recomputes RFC 6962 independently of the TreeBuilder that wrote
// the ledger: leaf SHA-256(0x00‖entry), node SHA-256(0x01‖l‖r), and the root as the right-to-left
// fold of the frontier (tests check it against merkle.ts). State carries from chunk to chunk.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const oneShot = crypto.hash;
const scratch = Buffer.alloc(65536);
const pair = Buffer.alloc(65);
pair[0] = 1;
const EMPTY = crypto.createHash('sha256').digest();
const PREV_KEY = Buffer.from('"prev":');
function leaf(e) {
  if (oneShot && e.length < scratch.length) {
    scratch[0] = 0;
    scratch.set(e, 1);
    return oneShot('sha256', scratch.subarray(0, e.length + 1), 'buffer');
  }
  return crypto.createHash('sha256').update(Buffer.from([0])).update(e).digest();
}
function node(l, r) {
  pair.set(l, 1);
  pair.set(r, 33);
  return oneShot ? oneShot('sha256', pair, 'buffer') : crypto.createHash('sha256').update(pair).digest();
}
// With a single "prev" key in the entry, JCS makes it the top-level one; otherwise parse.
function links(e, prev) {
  const want = prev.toString('hex');
  const at = e.indexOf(PREV_KEY);
  if (at >= 0 && e.indexOf(PREV_KEY, at + 1) < 0) {
    return e[at + 7] === 0x22 && e.toString('latin1', at + 8, at + 72) === want && e[at + 72] === 0x22;
  }
  try { return JSON.parse(e.toString('utf8')).prev === want; } catch { return false; }
}
let last;
let size = 0;
let levels = [];
let hashes = [];
function append(h) {
  let level = 0;
  while (levels.length > 0 && levels[levels.length - 1] === level) {
    levels.pop();
    h = node(hashes.pop(), h);
    level++;
  }
  levels.push(level);
  hashes.push(h);
  size++;
}
function root() {
  if (hashes.length === 0) return EMPTY;
  let h = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = node(hashes[i], h);
  return h;
}
parentPort.on('message', (m) => {
  if (m.init) {
    last = Buffer.from(m.init.prev);
    size = m.init.size;
    levels = m.init.levels.slice();
    hashes = m.init.hashes.map((h) => Buffer.from(h));
    return;
  }
  const { id, data, ends, rootsAt } = m;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const roots = [];
  let broken = -1;
  let start = 0;
  let r = 0;
  for (let i = 0; i < ends.length; i++) {
    const e = buf.subarray(start, ends[i]);
    if (broken < 0 && !links(e, last)) broken = i;
    last = leaf(e);
    append(last);
    while (r < rootsAt.length && rootsAt[r] === size) { roots.push(root()); r++; }
    start = ends[i];
  }
  parentPort.postMessage({ id, broken, roots });
});
`;

export interface ScannedChunk {
  /** Position in the chunk of the first entry whose prev is not the previous leaf hash, or -1. */
  broken: number;
  /** Tree roots at the sizes asked for, in order. */
  roots: Uint8Array[];
}

export interface ScanStart {
  /** Leaf hash the first entry must link to (32 zero bytes at index 0). */
  prev: Uint8Array;
  /** Tree size before the first entry, and its frontier (hashes largest first, with their levels). */
  size: number;
  frontier: Uint8Array[];
  levels: number[];
}

export class ChainScanner {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(c: ScannedChunk): void; reject(e: unknown): void }>();
  #next = 0;

  constructor(start: ScanStart) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.#worker.on('message', (m: { id: number; broken: number; roots: Uint8Array[] }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      w?.resolve({ broken: m.broken, roots: m.roots });
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', () => this.#failAll(new Error('chain scanner stopped')));
    this.#worker.postMessage({ init: { prev: start.prev, size: start.size, levels: start.levels, hashes: start.frontier } });
  }

  /** Scans the next chunk (in call order), answering the roots at `rootsAt` (ascending tree sizes). */
  scan(entries: Uint8Array[], rootsAt: number[]): Promise<ScannedChunk> {
    let size = 0;
    for (const e of entries) size += e.length;
    const data = new Uint8Array(new ArrayBuffer(size));
    const ends = new Uint32Array(entries.length);
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      data.set(entries[i]!, at);
      at += entries[i]!.length;
      ends[i] = at;
    }
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      this.#worker.postMessage({ id, data, ends, rootsAt }, [data.buffer, ends.buffer]);
    });
  }

  close(): Promise<number> {
    return this.#worker.terminate();
  }

  #failAll(err: unknown): void {
    for (const w of this.#waiting.values()) w.reject(new SignetError('INTERNAL', 'VerifyChain: the chain scanner failed', { cause: err }));
    this.#waiting.clear();
  }
}
