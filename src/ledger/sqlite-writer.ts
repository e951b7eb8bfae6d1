// The SQLite store's write side on its own thread: a batch's transaction and its fsync
// (synchronous=FULL) block that thread, not the event loop serving gRPC calls meanwhile.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { SignetError } from '../lib/errors.js';
import { UNPACK_BATCH_SOURCE, packBatch } from './batch-pack.js';
import type { BatchWrite } from './store.js';

// An inline (eval) worker: it loads better-sqlite3 by absolute path (resolved here) and runs the
// same statements the store would, in one transaction per batch, from the transferred buffer.
const WORKER_SOURCE = `${UNPACK_BATCH_SOURCE}
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
const insertEntry = db.prepare('INSERT INTO entries (idx, leaf_hash, entry, idem_key, idem_scope, idem_digest) VALUES (?, ?, ?, ?, ?, ?)');
const insertNode = db.prepare('INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
const insertCheckpoint = db.prepare('INSERT INTO checkpoints (size, root, note) VALUES (?, ?, ?)');
const commit = db.transaction((b) => {
  for (const e of b.entries) {
    const i = e.idempotency;
    insertEntry.run(e.index, e.leafHash, e.entry, i ? i.key : null, i ? i.scope : null, i ? i.contentDigest : null);
  }
  for (const n of b.nodes) insertNode.run(n.level, n.index, n.hash);
  insertCheckpoint.run(b.checkpoint.size, b.checkpoint.root, b.checkpoint.note);
});
parentPort.on('message', (m) => {
  if (m.durability) {
    parentPort.postMessage({ id: m.id, durability: { journalMode: String(db.pragma('journal_mode', { simple: true })), synchronous: Number(db.pragma('synchronous', { simple: true })) } });
    return;
  }
  if (m.close) { db.close(); parentPort.postMessage({ id: m.id }); return; }
  try {
    commit(unpackBatch(m.packed));
    parentPort.postMessage({ id: m.id });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message || err) });
  }
});
`;

const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');

export class SqliteWriter {
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve(value?: unknown): void; reject(e: unknown): void }>();
  #next = 0;
  #dead: SignetError | undefined;

  constructor(path: string) {
    this.#worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { path, driver: driverPath } });
    this.#worker.on('message', (m: { id: number; error?: string; durability?: unknown }) => {
      const w = this.#waiting.get(m.id);
      this.#waiting.delete(m.id);
      if (this.#waiting.size === 0) this.#worker.unref();
      if (m.error === undefined) w?.resolve(m.durability);
      else w?.reject(new SignetError('UNAVAILABLE', `ledger store: the batch was not written (${m.error})`));
    });
    this.#worker.on('error', (err) => this.#failAll(err));
    this.#worker.on('exit', () => this.#failAll(new Error('the ledger writer thread stopped')));
    // An idle writer does not keep the process alive (a ledger left open must not hang an exit);
    // a pending commit does.
    this.#worker.unref();
  }

  /** Resolves once the batch is committed and fsynced; rejects (nothing written) otherwise. */
  commit(batch: BatchWrite): Promise<void> {
    const packed = packBatch(batch);
    return this.#send({ packed }, [packed]);
  }

  /** The durability settings on the writer's own connection (synchronous: 2 = FULL). */
  async durability(): Promise<{ journalMode: string; synchronous: number }> {
    return this.#send<{ journalMode: string; synchronous: number }>({ durability: true });
  }

  async close(): Promise<void> {
    await this.#send({ close: true }).catch(() => {});
    await this.#worker.terminate();
  }

  #send<T = void>(message: object, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.#dead) return Promise.reject(this.#dead);
    const id = this.#next++;
    this.#worker.ref();
    return new Promise<T>((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (value?: unknown) => void, reject });
      this.#worker.postMessage({ id, ...message }, transfer);
    });
  }

  #failAll(err: unknown): void {
    this.#dead ??= new SignetError('UNAVAILABLE', 'ledger store: the writer thread stopped; nothing more is written', { cause: err });
    for (const w of this.#waiting.values()) w.reject(this.#dead);
    this.#waiting.clear();
  }
}
