// The shared ledger store: PostgreSQL through `pg`, for several Signet replicas presenting one
// ledger. Each batch is sequenced in one transaction under a cluster-wide advisory lock.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { SignetError } from '../lib/errors.js';
import { advisoryKey, connect, DEFAULT_SCHEMA, migrate, openPool, unavailable, type PgOptions } from '../lib/pg.js';
import type { NodeAddress } from './merkle.js';
import { LEDGER_MIGRATIONS } from './pg-schema.js';
import { SequencingStats } from './sequencing-stats.js';
import type { BatchWrite, IdempotencyHit, LedgerStore, SequencedWrite, SequencingView, StoredCheckpoint, StoredEntry, StoredNode } from './store.js';

export interface PgLedgerStoreOptions extends Partial<PgOptions> {
  url: string;
  /** Longest a batch waits for the sequencing lock before it fails with UNAVAILABLE (ms). */
  lockTimeoutMs?: number;
}

/** Nodes at this level and above are immutable and on most proofs' paths: kept in memory, capped. */
const CACHED_LEVEL = 6;
const MAX_CACHED_NODES = 200_000;
const DEFAULT_LOCK_TIMEOUT_MS = 10_000;

type Queryable = pg.Pool | pg.PoolClient;

export class PgLedgerStore implements LedgerStore {
  readonly schema: string;
  readonly #pool: pg.Pool;
  readonly #lockKey: string;
  readonly #lockTimeoutMs: number;
  readonly #nodeCache = new Map<number, Buffer>();
  /** Lock wait and hold per sequenced batch (the benchmark and docs/scale-out.md read these). */
  readonly sequencing = new SequencingStats();

  private constructor(pool: pg.Pool, schema: string, lockTimeoutMs: number) {
    this.#pool = pool;
    this.schema = schema;
    this.#lockKey = advisoryKey(schema, 'ledger-sequence');
    this.#lockTimeoutMs = lockTimeoutMs;
  }

  /** Connects and brings the schema to the latest version (safe when replicas start together). */
  static async open(options: PgLedgerStoreOptions): Promise<PgLedgerStore> {
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const lockTimeoutMs = options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
    if (!Number.isSafeInteger(lockTimeoutMs) || lockTimeoutMs < 1) throw new SignetError('CONFIG', `ledger store: lock timeout must be a positive integer (ms), got ${lockTimeoutMs}`);
    const pool = openPool({ ...options, schema });
    try {
      await migrate(pool, schema, 'ledger', LEDGER_MIGRATIONS);
    } catch (err) {
      await pool.end().catch(() => {});
      throw err;
    }
    return new PgLedgerStore(pool, schema, lockTimeoutMs);
  }

  async commitBatch(batch: BatchWrite): Promise<void> {
    await this.sequence(async () => ({ write: batch, value: undefined }));
  }

  async sequence<T>(build: (view: SequencingView) => Promise<SequencedWrite<T>>): Promise<T> {
    const client = await connect(this.#pool, this.schema);
    let released = false;
    const started = performance.now();
    let locked = 0;
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL lock_timeout = ${this.#lockTimeoutMs}`);
      await client.query('SELECT pg_advisory_xact_lock($1)', [this.#lockKey]);
      locked = performance.now();
      const { write, value } = await build(this.#view(client));
      if (write) await writeBatch(client, write);
      await client.query('COMMIT');
      this.sequencing.record(locked - started, performance.now() - locked);
      return value;
    } catch (err) {
      // A connection that died (terminated backend, server restart) is discarded, not reused; the
      // server has rolled the transaction back and released the lock already.
      await client.query('ROLLBACK').catch((e: Error) => {
        client.release(e);
        released = true;
      });
      this.sequencing.failed++;
      if (isLockTimeout(err)) {
        throw new SignetError('UNAVAILABLE', `ledger store: the sequencing lock was not free within ${this.#lockTimeoutMs} ms; nothing was written`, { cause: err, retryAfter: 1 });
      }
      throw unavailable('ledger store: the batch was not written', err);
    } finally {
      if (!released) client.release();
    }
  }

  #view(client: pg.PoolClient): SequencingView {
    return {
      latestCheckpoint: () => latestCheckpoint(client),
      entryCount: () => entryCount(client),
      readNodes: (addresses) => this.#readNodes(client, addresses),
      idempotencyHits: async (scope, keys) => {
        if (keys.length === 0) return new Map();
        const { rows } = await client.query<{ idem_key: string; idx: number; idem_digest: Buffer | null }>(
          'SELECT idem_key, idx, idem_digest FROM entries WHERE idem_scope = $1 AND idem_key = ANY($2::text[])',
          [scope, keys],
        );
        return new Map(rows.map((r) => [r.idem_key, { index: r.idx, contentDigest: r.idem_digest ?? undefined }]));
      },
    };
  }

  latestCheckpoint(): Promise<StoredCheckpoint | undefined> {
    return read('latest checkpoint', () => latestCheckpoint(this.#pool));
  }

  checkpointAt(size: number): Promise<StoredCheckpoint | undefined> {
    return read('checkpoint', async () => checkpointOf((await this.#pool.query('SELECT size, root, note FROM checkpoints WHERE size = $1', [size])).rows[0]));
  }

  checkpointsBetween(from: number, to: number): Promise<StoredCheckpoint[]> {
    return read('checkpoints', async () => {
      const { rows } = await this.#pool.query('SELECT size, root, note FROM checkpoints WHERE size >= $1 AND size <= $2 ORDER BY size', [from, to]);
      return rows.map((r) => checkpointOf(r)!);
    });
  }

  entries(start: number, end: number): Promise<StoredEntry[]> {
    return read('entries', async () => {
      const { rows } = await this.#pool.query<{ idx: number; leaf_hash: Buffer; entry: Buffer }>(
        'SELECT idx, leaf_hash, entry FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx',
        [start, end],
      );
      return rows.map((r) => ({ index: r.idx, leafHash: r.leaf_hash, entry: r.entry }));
    });
  }

  entryBytes(start: number, end: number): Promise<Uint8Array[]> {
    return read('entries', async () => {
      const { rows } = await this.#pool.query<{ entry: Buffer }>('SELECT entry FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx', [start, end]);
      return rows.map((r) => r.entry);
    });
  }

  readNodes(addresses: NodeAddress[]): Promise<Uint8Array[]> {
    return read('tree nodes', () => this.#readNodes(this.#pool, addresses));
  }

  nodesBetween(level: number, from: number, to: number): Promise<StoredNode[]> {
    return read('tree nodes', async () => {
      const { rows } = await this.#pool.query<{ idx: number; hash: Buffer }>(
        'SELECT idx, hash FROM nodes WHERE level = $1 AND idx >= $2 AND idx < $3 ORDER BY idx',
        [level, from, to],
      );
      return rows.map((r) => ({ level, index: r.idx, hash: r.hash }));
    });
  }

  indexOfLeaf(leafHash: Uint8Array): Promise<number | undefined> {
    return read('entries', async () => (await this.#pool.query<{ idx: number }>('SELECT idx FROM entries WHERE leaf_hash = $1 ORDER BY idx LIMIT 1', [Buffer.from(leafHash)])).rows[0]?.idx);
  }

  findIdempotencyKey(scope: string, key: string): Promise<IdempotencyHit | undefined> {
    return read('entries', async () => {
      const row = (await this.#pool.query<{ idx: number; idem_digest: Buffer | null }>('SELECT idx, idem_digest FROM entries WHERE idem_scope = $1 AND idem_key = $2', [scope, key])).rows[0];
      return row && { index: row.idx, contentDigest: row.idem_digest ?? undefined };
    });
  }

  entryCount(): Promise<number> {
    return read('entries', () => entryCount(this.#pool));
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }

  async #readNodes(db: Queryable, addresses: NodeAddress[]): Promise<Uint8Array[]> {
    const out: Array<Buffer | undefined> = addresses.map((a) => (a.level >= CACHED_LEVEL ? this.#nodeCache.get(cacheKey(a)) : undefined));
    const leaves: number[] = [];
    const levels: number[] = [];
    const indices: number[] = [];
    addresses.forEach((a, i) => {
      if (out[i]) return;
      if (a.level === 0) leaves.push(a.index);
      else (levels.push(a.level), indices.push(a.index));
    });
    const found = new Map<number, Buffer>();
    if (leaves.length) {
      const { rows } = await db.query<{ idx: number; leaf_hash: Buffer }>('SELECT idx, leaf_hash FROM entries WHERE idx = ANY($1::bigint[])', [leaves]);
      for (const r of rows) found.set(cacheKey({ level: 0, index: r.idx }), r.leaf_hash);
    }
    if (indices.length) {
      const { rows } = await db.query<{ level: number; idx: number; hash: Buffer }>(
        'SELECT n.level, n.idx, n.hash FROM nodes n JOIN unnest($1::smallint[], $2::bigint[]) AS a(level, idx) ON n.level = a.level AND n.idx = a.idx',
        [levels, indices],
      );
      for (const r of rows) found.set(cacheKey({ level: r.level, index: r.idx }), r.hash);
    }
    return addresses.map((a, i) => {
      const hash = out[i] ?? found.get(cacheKey(a));
      if (!hash) throw new SignetError('NOT_FOUND', `ledger store: no tree node at level ${a.level}, index ${a.index}`);
      if (a.level >= CACHED_LEVEL && this.#nodeCache.size < MAX_CACHED_NODES) this.#nodeCache.set(cacheKey(a), hash);
      return hash;
    });
  }
}

async function writeBatch(client: pg.PoolClient, batch: BatchWrite): Promise<void> {
  if (batch.entries.length) {
    await client.query(
      `INSERT INTO entries (idx, leaf_hash, entry, idem_key, idem_scope, idem_digest)
       SELECT * FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::text[], $5::text[], $6::bytea[])`,
      [
        batch.entries.map((e) => e.index),
        batch.entries.map((e) => buf(e.leafHash)),
        batch.entries.map((e) => buf(e.entry)),
        batch.entries.map((e) => e.idempotency?.key ?? null),
        batch.entries.map((e) => e.idempotency?.scope ?? null),
        batch.entries.map((e) => (e.idempotency ? buf(e.idempotency.contentDigest) : null)),
      ],
    );
  }
  if (batch.nodes.length) {
    await client.query(
      `INSERT INTO nodes (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])
       ON CONFLICT (level, idx) DO UPDATE SET hash = EXCLUDED.hash`,
      [batch.nodes.map((n) => n.level), batch.nodes.map((n) => n.index), batch.nodes.map((n) => buf(n.hash))],
    );
  }
  const c = batch.checkpoint;
  await client.query('INSERT INTO checkpoints (size, root, note) VALUES ($1, $2, $3)', [c.size, buf(c.root), c.note]);
}

async function latestCheckpoint(db: Queryable): Promise<StoredCheckpoint | undefined> {
  return checkpointOf((await db.query('SELECT size, root, note FROM checkpoints ORDER BY size DESC LIMIT 1')).rows[0]);
}

async function entryCount(db: Queryable): Promise<number> {
  return (await db.query<{ n: number }>('SELECT COALESCE(MAX(idx) + 1, 0)::bigint AS n FROM entries')).rows[0]!.n;
}

async function read<T>(what: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw unavailable(`ledger store: cannot read ${what}`, err);
  }
}

function checkpointOf(row: { size: number; root: Buffer; note: string } | undefined): StoredCheckpoint | undefined {
  return row && { size: row.size, root: row.root, note: row.note };
}

function cacheKey(a: NodeAddress): number {
  return a.index * 64 + a.level;
}

function buf(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function isLockTimeout(err: unknown): boolean {
  return (err as { code?: string })?.code === '55P03'; // lock_not_available
}
