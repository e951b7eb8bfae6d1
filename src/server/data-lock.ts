// One writer per data directory: an exclusive OS-level lock taken at start-up, so a second
// `signet serve` on the same .signet/ (or ledger file) exits naming the process that holds it.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { SignetError } from '../lib/errors.js';

/**
 * The lock is SQLite's own file lock (POSIX fcntl) on `signet.lock`, held by an open exclusive
 * transaction: the kernel drops it when the process dies, even by kill -9, so there is no stale
 * lock to clean up and no pid to trust. `signet.pid` beside it only says who holds it.
 */
export class DataLock {
  readonly #db: Database.Database;
  readonly #pidFile: string;
  readonly path: string;

  private constructor(path: string, db: Database.Database, pidFile: string) {
    this.path = path;
    this.#db = db;
    this.#pidFile = pidFile;
  }

  /** Locks `lockPath` (creating its directory), or throws CONFIG naming the holder's pid. */
  static acquire(lockPath: string, what: string): DataLock {
    mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
    const pidFile = `${lockPath}.pid`;
    let db: Database.Database;
    try {
      db = new Database(lockPath, { timeout: 0 });
    } catch (err) {
      throw new SignetError('CONFIG', `${what}: cannot open the lock file ${lockPath} (${(err as { code?: string }).code ?? 'error'})`, { cause: err });
    }
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (err) {
      db.close();
      if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw new SignetError('CONFIG', `${what}: cannot lock ${lockPath} (${(err as Error).message})`, { cause: err });
      const holder = readHolder(pidFile);
      throw new SignetError(
        'CONFIG',
        `${what} is in use by another signet (${holder ? `pid ${holder}` : 'pid unknown'}; lock ${lockPath}): one writer per data directory — stop it, or give this one its own data_dir`,
      );
    }
    writeFileSync(pidFile, `${process.pid}\n`, { mode: 0o600 });
    return new DataLock(lockPath, db, pidFile);
  }

  release(): void {
    if (!this.#db.open) return;
    if (readHolder(this.#pidFile) === String(process.pid)) rmSync(this.#pidFile, { force: true });
    this.#db.exec('ROLLBACK');
    this.#db.close();
  }
}

function readHolder(pidFile: string): string | undefined {
  try {
    const pid = readFileSync(pidFile, 'utf8').trim();
    return /^\d{1,10}$/.test(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Locks the data directory and, when they live elsewhere, the ledger and credentials databases
 * (each by a `.lock` file beside it). Released in reverse order; all or none are held.
 */
export function lockDataPaths(dataDir: string, files: string[]): { release(): void } {
  const held: DataLock[] = [];
  try {
    held.push(DataLock.acquire(join(dataDir, 'signet.lock'), `data directory ${dataDir}`));
    for (const file of files) {
      if (dirname(file) === dataDir) continue;
      held.push(DataLock.acquire(`${file}.lock`, `database ${file}`));
    }
  } catch (err) {
    for (const lock of held.reverse()) lock.release();
    throw err;
  }
  return {
    release() {
      for (const lock of held.reverse()) lock.release();
    },
  };
}
