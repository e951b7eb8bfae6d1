// PostgreSQL plumbing shared by the ledger and credential stores: one pool per schema, a URL that
// is safe to log, advisory-lock keys, and versioned migrations that replicas may run at once.
import { createHash } from 'node:crypto';
import pg from 'pg';
import { SignetError } from './errors.js';

export interface PgOptions {
  /** postgres://user[:password]@host[:port]/database[?sslmode=…] */
  url: string;
  /** Schema holding Signet's tables (created when missing). */
  schema: string;
  /** Connections in the pool. */
  poolSize?: number;
  /** Called for an error on an idle connection (a restarted server, a terminated backend). */
  onIdleError?: (err: Error) => void;
}

export const DEFAULT_SCHEMA = 'signet';
export const DEFAULT_POOL_SIZE = 10;
/** A session idle inside a transaction this long is ended by the server (a hung replica's lock). */
const IDLE_IN_TRANSACTION_MS = 60_000;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function checkSchemaName(schema: string, field = 'postgres.schema'): void {
  if (!SCHEMA_NAME.test(schema)) throw new SignetError('CONFIG', `config: ${field} "${schema}" must be 1–63 of a-z 0-9 _ (not starting with a digit)`, { field });
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** The URL with any password (userinfo or `password=` parameter) replaced, for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = 'REDACTED';
    if (u.searchParams.has('password')) u.searchParams.set('password', 'REDACTED');
    return u.toString();
  } catch {
    return '(an unparseable database URL)';
  }
}

/** bigint columns come back as numbers: every one Signet stores is a safe integer. */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === 20 && format !== 'binary') return (v: string) => Number(v);
    return pg.types.getTypeParser(oid, format as 'text');
  },
};

export function openPool(options: PgOptions): pg.Pool {
  checkSchemaName(options.schema);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    keepAlive: true,
    connectionTimeoutMillis: 10_000,
    options: `-c search_path=${options.schema} -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}`,
    types,
  });
  // Without a listener an error on an idle connection would end the process.
  pool.on('error', (err) => options.onIdleError?.(err));
  return pool;
}

/** A 64-bit advisory-lock key for `purpose` in `schema` (two schemas never contend). */
export function advisoryKey(schema: string, purpose: string): string {
  return createHash('sha256').update(`signet:${purpose}:${schema}`).digest().readBigInt64BE(0).toString();
}

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

/**
 * Brings `component`'s tables in the pool's schema to the latest version, in one transaction
 * under an advisory lock: replicas starting at the same instant run each migration once, the
 * others wait and find it applied. A database migrated by a newer Signet is refused.
 */
export async function migrate(pool: pg.Pool, schema: string, component: string, migrations: readonly Migration[]): Promise<number[]> {
  const client = await connect(pool, schema);
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [advisoryKey(schema, 'migrate')]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
    await client.query(`CREATE TABLE IF NOT EXISTS signet_migrations (
      component text NOT NULL, version integer NOT NULL, name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    const { rows } = await client.query<{ version: number }>('SELECT version FROM signet_migrations WHERE component = $1', [component]);
    const done = new Set(rows.map((r) => r.version));
    const known = Math.max(0, ...migrations.map((m) => m.version));
    const newer = [...done].filter((v) => v > known);
    if (newer.length) {
      throw new SignetError('CONFIG', `database schema ${schema}: ${component} is at version ${Math.max(...newer)}, newer than this Signet knows (${known}); run the newer Signet or restore`);
    }
    const applied: number[] = [];
    for (const m of [...migrations].sort((a, b) => a.version - b.version)) {
      if (done.has(m.version)) continue;
      await client.query(m.sql);
      await client.query('INSERT INTO signet_migrations (component, version, name) VALUES ($1, $2, $3)', [component, m.version, m.name]);
      applied.push(m.version);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    if (err instanceof SignetError) throw err;
    throw new SignetError('UNAVAILABLE', `database schema ${schema}: ${component} migrations failed (${(err as Error).message})`, { cause: err });
  } finally {
    client.release();
  }
}

/** A pooled connection, or UNAVAILABLE naming the server without its password. */
export async function connect(pool: pg.Pool, what: string): Promise<pg.PoolClient> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (err) {
    throw new SignetError('UNAVAILABLE', `database (${what}): cannot connect (${(err as Error).message})`, { cause: err, retryAfter: 1 });
  }
  // A connection dropped while checked out (a terminated backend, a server restart) emits 'error';
  // the pending query rejects with it anyway, so it must not become an uncaught exception.
  if (!client.listeners('error').includes(ignore)) client.on('error', ignore);
  return client;
}

function ignore(): void {}

/** A database error as UNAVAILABLE (the store is unreachable or refused the write), keeping the cause. */
export function unavailable(what: string, err: unknown): SignetError {
  if (err instanceof SignetError) return err;
  return new SignetError('UNAVAILABLE', `${what} (${(err as Error)?.message ?? String(err)})`, { cause: err, retryAfter: 1 });
}
