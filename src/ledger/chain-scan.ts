// VerifyChain's second thread: leaf hashes, `prev` links and tree roots of entry chunks. On a
// SQLite ledger the worker also reads the rows itself, so VerifyChain neither reads nor hashes on
// the event loop; for other stores the main thread reads (asynchronous I/O) and hands the rows over.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SignetError } from '../lib/errors.js';
import type { StoredCheckpoint } from './store.js';

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
// Stored nodes of the current chunk, by level: { lo, hashes (32 bytes each), present (1 per node) }.
let stored = [];
// Appends leaf h; answers the first completed node that differs from the stored one, or null.
function append(h) {
  let level = 0;
  let bad = null;
  while (levels.length > 0 && levels[levels.length - 1] === level) {
    levels.pop();
    h = node(hashes.pop(), h);
    level++;
    if (bad === null) {
      const index = Math.floor((size + 1) / 2 ** level) - 1;
      const s = stored[level];
      const k = s ? index - s.lo : -1;
      if (!s || k < 0 || k >= s.present.length || s.present[k] === 0) bad = { level, index, missing: true };
      else if (Buffer.compare(h, s.hashes.subarray(k * 32, k * 32 + 32)) !== 0) bad = { level, index, missing: false };
    }
  }
  levels.push(level);
  hashes.push(h);
  size++;
  return bad;
}
function root() {
  if (hashes.length === 0) return EMPTY;
  let h = hashes[hashes.length - 1];
  for (let i = hashes.length - 2; i >= 0; i--) h = node(hashes[i], h);
  return h;
}
// entryAt(i) and storedLeafAt(i) give the chunk's i-th entry and its stored leaf hash (32 bytes).
function scan(count, entryAt, storedLeafAt, rootsAt) {
  const roots = [];
  let broken = -1;
  let leafBad = -1;
  let badNode = null;
  let r = 0;
  for (let i = 0; i < count; i++) {
    const e = entryAt(i);
    if (broken < 0 && !links(e, last)) broken = i;
    last = leaf(e);
    const s = storedLeafAt(i);
    if (leafBad < 0 && (s.length !== 32 || Buffer.compare(last, s) !== 0)) leafBad = i;
    const bad = append(last);
    if (badNode === null && bad !== null) badNode = { at: i, ...bad };
    while (r < rootsAt.length && rootsAt[r] === size) { roots.push(root()); r++; }
  }
  return { broken, leafBad, badNode, roots };
}
// Node i at a level is completed by leaf (i + 1)·2^level − 1 (as nodesCompletedBy on the main thread).
function completedBy(from, to) {
  const out = [];
  for (let level = 1, width = 2; width <= to; level++, width *= 2) {
    const lo = Math.ceil((from + 1) / width) - 1;
    const hi = Math.floor(to / width);
    if (hi > lo) out.push({ level, lo, hi });
  }
  return out;
}
let db = null;
let q = null;
function open(source) {
  const Database = require(source.driver);
  db = new Database(source.path, { readonly: true, fileMustExist: true });
  q = {
    rows: db.prepare('SELECT idx, leaf_hash, entry FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(true),
    checkpoints: db.prepare('SELECT size, root, note FROM checkpoints WHERE size >= ? AND size <= ? ORDER BY size').raw(true),
    nodes: db.prepare('SELECT idx, hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx').raw(true),
  };
}
// Reads [from, to) itself: rows, the checkpoints in (from, to], and the stored nodes the rows complete.
function readAndScan(from, to) {
  const rows = q.rows.all(from, to);
  const checkpoints = q.checkpoints.all(from + 1, to).map(([size, root, note]) => ({ size, root, note }));
  let gap = -1;
  for (let i = 0; i < rows.length && gap < 0; i++) if (rows[i][0] !== from + i) gap = from + i;
  if (gap < 0 && rows.length !== to - from) gap = from + rows.length;
  if (gap >= 0) return { gap, checkpoints };
  stored = [];
  for (const { level, lo, hi } of completedBy(from, to)) {
    const hashes = Buffer.alloc((hi - lo) * 32);
    const present = new Uint8Array(hi - lo);
    for (const [idx, hash] of q.nodes.all(level, lo, hi)) {
      if (!Buffer.isBuffer(hash) || hash.length !== 32) continue; // malformed: left absent, reported as missing
      hash.copy(hashes, (idx - lo) * 32);
      present[idx - lo] = 1;
    }
    stored[level] = { lo, hashes, present };
  }
  const leafOf = (v) => (Buffer.isBuffer(v) ? v : Buffer.alloc(0));
  const entryOf = (v) => (Buffer.isBuffer(v) ? v : Buffer.from(String(v)));
  return { gap, checkpoints, ...scan(rows.length, (i) => entryOf(rows[i][2]), (i) => leafOf(rows[i][1]), checkpoints.map((c) => c.size)) };
}
parentPort.on('message', (m) => {
  if (m.init) {
    last = Buffer.from(m.init.prev);
    size = m.init.size;
    levels = m.init.levels.slice();
    hashes = m.init.hashes.map((h) => Buffer.from(h));
    if (m.init.source) open(m.init.source);
    return;
  }
  if (m.range) {
    try {
      parentPort.postMessage({ id: m.id, ...readAndScan(m.range.from, m.range.to) });
    } catch (err) {
      parentPort.postMessage({ id: m.id, error: String((err && err.message) || err) });
    }
    return;
  }
  const { id, data, ends, leaves, nodes, rootsAt } = m;
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const storedLeaves = Buffer.from(leaves.buffer, leaves.byteOffset, leaves.byteLength);
  stored = [];
  for (const n of nodes) stored[n.level] = { lo: n.lo, hashes: Buffer.from(n.hashes.buffer, n.hashes.byteOffset, n.hashes.byteLength), present: n.present };
  const result = scan(ends.length, (i) => buf.subarray(i === 0 ? 0 : ends[i - 1], ends[i]), (i) => storedLeaves.subarray(i * 32, i * 32 + 32), rootsAt);
  parentPort.postMessage({ id, ...result });
});
`;

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

/** A completed tree node that is not stored as recomputed: `at` is the chunk position that completed it. */
export interface BadNode {
  at: number;
  level: number;
  index: number;
  missing: boolean;
}

/** The stored nodes at one level that a chunk completes: indices lo, lo+1, …; absent ones have present 0. */
export interface StoredLevel {
  level: number;
  lo: number;
  hashes: Uint8Array;
  present: Uint8Array;
}

export interface ScannedChunk {
  /** Position in the chunk of the first entry whose prev is not the previous leaf hash, or -1. */
  broken: number;
  /** Position of the first entry whose bytes do not hash to its stored leaf hash, or -1. */
  leafBad: number;
  /** The first completed interior node that is missing from or differs in the store, or null. */
  badNode: BadNode | null;
  /** Tree roots at the sizes asked for, in order. */
  roots: Uint8Array[];
}

/** A chunk the worker read itself: its checkpoints, and either a gap (the first missing index) or the scan. */
export interface ReadChunk extends Partial<ScannedChunk> {
  /** The first index in the range with no row, or -1. */
  gap: number;
  /** Stored checkpoints with from < size ≤ to, by size. */
  checkpoints: StoredCheckpoint[];
}

export interface ScanStart {
  /** Leaf hash the first entry must link to (32 zero bytes at index 0). */
  prev: Uint8Array;
  /** Tree size before the first entry, and its frontier (hashes largest first, with their levels). */
  size: number;
  frontier: Uint8Array[];
  levels: number[];
  /** A SQLite ledger file: the worker opens it read-only and reads each range itself (scanRange). */
  sqlitePath?: string;
}

export class ChainScanner {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(c: never): void; reject(e: unknown): void }>();
  #next = 0;
  /** Whether the worker reads ranges itself (scanRange) rather than being handed rows (scan). */
  readonly reads: boolean;

  constructor(start: ScanStart) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true });
    this.reads = start.sqlitePath !== undefined;
    this.#worker.on('message', (m: { id: number; error?: string }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (m.error !== undefined) w?.reject(new SignetError('UNAVAILABLE', `VerifyChain: cannot read the ledger (${m.error})`));
      else w?.resolve(m as never);
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', () => this.#failAll(new Error('chain scanner stopped')));
    const source = start.sqlitePath === undefined ? undefined : { path: start.sqlitePath, driver: driverPath };
    this.#worker.postMessage({ init: { prev: start.prev, size: start.size, levels: start.levels, hashes: start.frontier, source } });
  }

  /** Reads and scans entries from ≤ i < to on the worker (in call order; needs `sqlitePath`). */
  scanRange(from: number, to: number): Promise<ReadChunk> {
    const id = this.#next++;
    return new Promise<ReadChunk>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (c: never) => void, reject });
      this.#worker.postMessage({ id, range: { from, to } });
    });
  }

  /**
   * Scans the next chunk (in call order), answering the roots at `rootsAt` (ascending tree sizes).
   * `leaves` are the stored leaf hashes of the entries and `nodes` the stored interior nodes the
   * chunk completes (see nodesCompletedBy); every recomputed one is compared with them.
   */
  scan(entries: Uint8Array[], leaves: Uint8Array[], nodes: StoredLevel[], rootsAt: number[]): Promise<ScannedChunk> {
    let size = 0;
    for (const e of entries) size += e.length;
    const data = new Uint8Array(new ArrayBuffer(size));
    const ends = new Uint32Array(entries.length);
    const leafBytes = new Uint8Array(new ArrayBuffer(entries.length * 32));
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      data.set(entries[i]!, at);
      at += entries[i]!.length;
      ends[i] = at;
      if (leaves[i]!.length === 32) leafBytes.set(leaves[i]!, i * 32); // a malformed one stays zero: a mismatch
    }
    const id = this.#next++;
    return new Promise<ScannedChunk>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (c: never) => void, reject });
      this.#worker.postMessage({ id, data, ends, leaves: leafBytes, nodes, rootsAt }, [data.buffer, ends.buffer, leafBytes.buffer]);
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

/** Per level ≥ 1, the index range [lo, hi) of the nodes completed by appending leaves from ≤ i < to. */
export function nodesCompletedBy(from: number, to: number): Array<{ level: number; lo: number; hi: number }> {
  const out: Array<{ level: number; lo: number; hi: number }> = [];
  for (let level = 1, width = 2; width <= to; level++, width *= 2) {
    // Node i at this level is completed by leaf (i + 1)·width − 1.
    const lo = Math.ceil((from + 1) / width) - 1;
    const hi = Math.floor(to / width);
    if (hi > lo) out.push({ level, lo, hi });
  }
  return out;
}
