// The embedded ledger store: SQLite through better-sqlite3, WAL with synchronous=FULL, one
// transaction per batch, prepared statements, compact BLOB rows.
import Database from 'better-sqlite3';
import { SignetError } from '../lib/errors.js';
import type { NodeAddress } from './merkle.js';
import { SqliteWriter } from './sqlite-writer.js';
import { INTERNAL_IDEMPOTENCY_PREFIX } from './contract.js';
import type { BatchWrite, EntryWrite, IdempotencyHit, LedgerStore, StoredCheckpoint, StoredEntry, StoredNode } from './store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS entries (
  idx INTEGER PRIMARY KEY,
  leaf_hash BLOB NOT NULL,
  entry BLOB NOT NULL,
  idem_key TEXT,
  idem_scope TEXT,
  idem_digest BLOB
);
CREATE INDEX IF NOT EXISTS entries_leaf ON entries(leaf_hash);
CREATE TABLE IF NOT EXISTS nodes (
  level INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  hash BLOB NOT NULL,
  PRIMARY KEY (level, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS checkpoints (
  size INTEGER PRIMARY KEY,
  root BLOB NOT NULL,
  note TEXT NOT NULL
);
`;

/**
 * Schema version 2 scopes idempotency keys: (idem_scope, idem_key) is unique, and idem_digest binds
 * each key to its record. A version-1 file (one global idem_key) is migrated when opened for writing:
 * its `signet:` keys move to Signet's own scope (''), and callers' keys are kept with a NULL scope,
 * which no lookup matches: the caller who wrote them is not recorded, so no caller may claim them.
 */
const SCHEMA_VERSION = 2;
const SCOPED_INDEX = 'CREATE UNIQUE INDEX IF NOT EXISTS entries_idem_scoped ON entries(idem_scope, idem_key) WHERE idem_key IS NOT NULL';

function migrate(db: Database.Database): void {
  const version = Number(db.pragma('user_version', { simple: true }));
  if (version > SCHEMA_VERSION) {
    throw new SignetError('CONFIG', `the ledger database has schema version ${version}; this Signet knows up to ${SCHEMA_VERSION}: upgrade Signet`);
  }
  db.transaction(() => {
    const columns = new Set((db.prepare('SELECT name FROM pragma_table_info(?)').pluck(true).all('entries') as string[]));
    if (!columns.has('idem_scope')) db.exec('ALTER TABLE entries ADD COLUMN idem_scope TEXT');
    if (!columns.has('idem_digest')) db.exec('ALTER TABLE entries ADD COLUMN idem_digest BLOB');
    if (version < 2) {
      db.exec('DROP INDEX IF EXISTS entries_idem');
      db.prepare("UPDATE entries SET idem_scope = '' WHERE idem_key IS NOT NULL AND idem_scope IS NULL AND substr(idem_key, 1, 7) = ?").run(INTERNAL_IDEMPOTENCY_PREFIX);
    }
    db.exec(SCOPED_INDEX);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export interface SqliteStoreOptions {
  /** Open without write access (CLI verification of a live or copied ledger). */
  readonly?: boolean;
  /**
   * Commit batches on a writer thread (default true when writable), so the fsync of each batch
   * does not block the event loop; false commits on the calling thread.
   */
  writerThread?: boolean;
}

type Row<T> = T | undefined;

/** Nodes at this level and above (subtrees of ≥ 64 leaves) are cached: ~n/32 of them, capped. */
const CACHED_LEVEL = 6;
const MAX_CACHED_NODES = 200_000;
/** SQLite page cache per connection, KiB (negative pragma value): interior B-tree pages stay hot. */
const CACHE_KIB = 16 * 1024;

export class SqliteLedgerStore implements LedgerStore {
  readonly #db: Database.Database;
  readonly #insertEntry: Database.Statement;
  readonly #insertNode: Database.Statement;
  readonly #insertCheckpoint: Database.Statement;
  readonly #latest: Database.Statement;
  readonly #checkpointAt: Database.Statement;
  readonly #checkpointsBetween: Database.Statement;
  readonly #entries: Database.Statement;
  readonly #entryBytes: Database.Statement;
  readonly #leafAt: Database.Statement;
  readonly #nodeAt: Database.Statement;
  readonly #nodesBetween: Database.Statement;
  readonly #byLeaf: Database.Statement;
  readonly #byIdem: Database.Statement;
  readonly #count: Database.Statement;
  readonly #commit: (batch: BatchWrite) => void;
  readonly #writer: SqliteWriter | undefined;
  readonly #nodeCache = new Map<number, Buffer>();
  /** The database file, for VerifyChain's worker to open read-only (not for an in-memory database). */
  readonly sqlitePath: string | undefined;

  constructor(path: string, options: SqliteStoreOptions = {}) {
    try {
      this.#db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    } catch (err) {
      throw new SignetError('CONFIG', `${path}: cannot open the ledger database (${(err as Error).message})`, { cause: err });
    }
    this.sqlitePath = path === ':memory:' || path === '' ? undefined : path;
    if (!options.readonly) {
      this.#db.pragma('journal_mode = WAL');
      this.#db.pragma('synchronous = FULL');
      this.#db.exec(SCHEMA);
      migrate(this.#db);
    }
    this.#db.pragma(`cache_size = -${CACHE_KIB}`);
    const db = this.#db;
    // A version-1 file opened read-only (CLI verify) is not migrated: it has no scoped keys to find.
    const scoped = (db.prepare('SELECT count(*) FROM pragma_table_info(?) WHERE name = ?').pluck(true).get('entries', 'idem_scope') as number) > 0;
    this.#insertEntry = scoped
      ? db.prepare('INSERT INTO entries (idx, leaf_hash, entry, idem_key, idem_scope, idem_digest) VALUES (?, ?, ?, ?, ?, ?)')
      : db.prepare('INSERT INTO entries (idx, leaf_hash, entry) SELECT ?, ?, ? WHERE ? IS NULL AND ? IS NULL AND ? IS NULL');
    this.#insertNode = db.prepare('INSERT OR REPLACE INTO nodes (level, idx, hash) VALUES (?, ?, ?)');
    this.#insertCheckpoint = db.prepare('INSERT INTO checkpoints (size, root, note) VALUES (?, ?, ?)');
    this.#latest = db.prepare('SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1');
    this.#checkpointAt = db.prepare('SELECT size, root, note FROM checkpoints WHERE size = ?');
    this.#checkpointsBetween = db.prepare('SELECT size, root, note FROM checkpoints WHERE size >= ? AND size <= ? ORDER BY size');
    this.#entries = db.prepare('SELECT idx, leaf_hash, entry FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').raw(true);
    this.#entryBytes = db.prepare('SELECT entry FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').pluck(true);
    this.#leafAt = db.prepare('SELECT leaf_hash FROM entries WHERE idx = ?').pluck(true);
    this.#nodeAt = db.prepare('SELECT hash FROM nodes WHERE level = ? AND idx = ?').pluck(true);
    this.#nodesBetween = db.prepare('SELECT idx, hash FROM nodes WHERE level = ? AND idx >= ? AND idx < ? ORDER BY idx').raw(true);
    this.#byLeaf = db.prepare('SELECT idx FROM entries WHERE leaf_hash = ? ORDER BY idx LIMIT 1').pluck(true);
    this.#byIdem = scoped
      ? db.prepare('SELECT idx, idem_digest FROM entries WHERE idem_scope = ? AND idem_key = ?').raw(true)
      : db.prepare('SELECT idx, NULL FROM entries WHERE 0 AND ? IS NOT NULL AND ? IS NOT NULL').raw(true);
    this.#count = db.prepare('SELECT COALESCE(MAX(idx) + 1, 0) FROM entries').pluck(true);
    this.#commit = db.transaction((batch: BatchWrite) => {
      for (const e of batch.entries) this.#insertEntry.run(...entryRow(e));
      for (const n of batch.nodes) this.#insertNode.run(n.level, n.index, n.hash);
      const c = batch.checkpoint;
      this.#insertCheckpoint.run(c.size, c.root, c.note);
    });
    this.#writer = !options.readonly && (options.writerThread ?? true) ? new SqliteWriter(path) : undefined;
  }

  async commitBatch(batch: BatchWrite): Promise<void> {
    if (this.#writer) return this.#writer.commit(batch);
    try {
      this.#commit(batch);
    } catch (err) {
      throw new SignetError('UNAVAILABLE', `ledger store: the batch was not written (${(err as Error).message})`, { cause: err });
    }
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return checkpointOf(this.#latest.get());
  }

  async checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    return checkpointOf(this.#checkpointAt.get(size));
  }

  async checkpointsBetween(from: number, to: number): Promise<StoredCheckpoint[]> {
    return this.#checkpointsBetween.all(from, to).map((r) => checkpointOf(r)!);
  }

  async entries(start: number, end: number): Promise<StoredEntry[]> {
    return (this.#entries.all(start, end) as [number, Buffer, Buffer][]).map(([index, leafHash, entry]) => ({ index, leafHash, entry }));
  }

  async entryBytes(start: number, end: number): Promise<Uint8Array[]> {
    return this.#entryBytes.all(start, end) as Buffer[];
  }

  /** Synchronous range read for the verifier's hot loop: rows as [idx, leaf_hash, entry]. */
  entryRows(start: number, end: number): [number, Buffer, Buffer][] {
    return this.#entries.all(start, end) as [number, Buffer, Buffer][];
  }

  async readNodes(addresses: NodeAddress[]): Promise<Uint8Array[]> {
    return addresses.map((a) => {
      // Complete subtrees never change, so the few high ones every proof passes through are kept.
      const cacheable = a.level >= CACHED_LEVEL;
      const key = a.index * 64 + a.level;
      const cached = cacheable ? this.#nodeCache.get(key) : undefined;
      if (cached) return cached;
      const hash = (a.level === 0 ? this.#leafAt.get(a.index) : this.#nodeAt.get(a.level, a.index)) as Row<Buffer>;
      if (!hash) throw new SignetError('NOT_FOUND', `ledger store: no tree node at level ${a.level}, index ${a.index}`);
      if (cacheable && this.#nodeCache.size < MAX_CACHED_NODES) this.#nodeCache.set(key, hash);
      return hash;
    });
  }

  async nodesBetween(level: number, from: number, to: number): Promise<StoredNode[]> {
    return (this.#nodesBetween.all(level, from, to) as [number, Buffer][]).map(([index, hash]) => ({ level, index, hash }));
  }

  async indexOfLeaf(leafHash: Uint8Array): Promise<number | undefined> {
    return this.#byLeaf.get(leafHash) as Row<number>;
  }

  async findIdempotencyKey(scope: string, key: string): Promise<IdempotencyHit | undefined> {
    const row = this.#byIdem.get(scope, key) as Row<[number, Buffer | null]>;
    return row && { index: row[0], contentDigest: row[1] ?? undefined };
  }

  async entryCount(): Promise<number> {
    return this.#count.get() as number;
  }

  /** The durability settings on the connection that commits batches (synchronous: 2 = FULL). */
  async durability(): Promise<{ journalMode: string; synchronous: number }> {
    if (this.#writer) return this.#writer.durability();
    return { journalMode: String(this.#db.pragma('journal_mode', { simple: true })), synchronous: Number(this.#db.pragma('synchronous', { simple: true })) };
  }

  async close(): Promise<void> {
    await this.#writer?.close();
    if (this.#db.open) this.#db.close();
  }
}

/** The INSERT parameters of an entry row (the writer thread builds the same in its own source). */
export function entryRow(e: EntryWrite): unknown[] {
  const i = e.idempotency;
  return [e.index, e.leafHash, e.entry, i?.key ?? null, i?.scope ?? null, i?.contentDigest ?? null];
}

function checkpointOf(row: unknown): StoredCheckpoint | undefined {
  if (!row) return undefined;
  const r = row as { size: number; root: Buffer; note: string };
  return { size: r.size, root: r.root, note: r.note };
}
