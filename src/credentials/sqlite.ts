// Opens the credentials SQLite database the way the ledger opens its own: WAL, synchronous=FULL,
// so a registration, revocation or consumption that has answered survives a crash.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignetError } from '../lib/errors.js';

export type SqliteDatabase = Database.Database;

export function openCredentialsDb(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: SqliteDatabase;
  try {
    db = new Database(path);
  } catch (err) {
    throw new SignetError('CONFIG', `credentials database ${path}: cannot open (${(err as Error).message})`, { cause: err });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  return db;
}
