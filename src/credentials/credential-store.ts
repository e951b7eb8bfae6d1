// Durable state of issued credentials: which are single-use, which were consumed, which revoked.
// Consumption is one INSERT on a primary key, so of any number of racing consumers exactly one wins.
import type { SqliteDatabase } from './sqlite.js';

export interface CredentialStore {
  /** Records at issuance that a credential may be used once; `exp` in seconds since epoch. */
  markSingleUse(jti: string, exp: number): Promise<void>;
  isSingleUse(jti: string): Promise<boolean>;
  /** True for the first consumer of `jti`, false for every later one. */
  consume(jti: string, at: number, exp: number): Promise<boolean>;
  /** Undoes a consume whose ledger entry could not be written, so a retry can consume it. */
  unconsume(jti: string): Promise<void>;
  /** False when the credential was already revoked. */
  revoke(jti: string, at: number, reason: string, exp?: number): Promise<boolean>;
  isRevoked(jti: string): Promise<boolean>;
  /** Both facts a verification needs, in one read. */
  status(jti: string): Promise<{ revoked: boolean; singleUse: boolean }>;
  /** Forgets credentials that expired before `nowSeconds` (they fail on `exp` anyway). */
  prune(nowSeconds: number): Promise<number>;
}

export class SqliteCredentialStore implements CredentialStore {
  readonly #db: SqliteDatabase;
  readonly #markSingleUse;
  readonly #isSingleUse;
  readonly #consume;
  readonly #unconsume;
  readonly #revoke;
  readonly #isRevoked;
  readonly #status;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS single_use (jti TEXT PRIMARY KEY, exp INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS consumed (jti TEXT PRIMARY KEY, at INTEGER NOT NULL, exp INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS revoked_credentials (
        jti TEXT PRIMARY KEY, at INTEGER NOT NULL, reason TEXT NOT NULL, exp INTEGER);`);
    this.#markSingleUse = db.prepare('INSERT OR IGNORE INTO single_use (jti, exp) VALUES (?, ?)');
    this.#isSingleUse = db.prepare('SELECT 1 FROM single_use WHERE jti = ?').pluck();
    this.#consume = db.prepare('INSERT OR IGNORE INTO consumed (jti, at, exp) VALUES (?, ?, ?)');
    this.#unconsume = db.prepare('DELETE FROM consumed WHERE jti = ?');
    this.#revoke = db.prepare('INSERT OR IGNORE INTO revoked_credentials (jti, at, reason, exp) VALUES (?, ?, ?, ?)');
    this.#isRevoked = db.prepare('SELECT 1 FROM revoked_credentials WHERE jti = ?').pluck();
    this.#status = db.prepare<[string, string], { revoked: number; single_use: number }>(
      `SELECT EXISTS (SELECT 1 FROM revoked_credentials WHERE jti = ?) AS revoked, EXISTS (SELECT 1 FROM single_use WHERE jti = ?) AS single_use`,
    );
  }

  async markSingleUse(jti: string, exp: number): Promise<void> {
    this.#markSingleUse.run(jti, exp);
  }

  async isSingleUse(jti: string): Promise<boolean> {
    return this.#isSingleUse.get(jti) !== undefined;
  }

  async consume(jti: string, at: number, exp: number): Promise<boolean> {
    return this.#consume.run(jti, at, exp).changes === 1;
  }

  async unconsume(jti: string): Promise<void> {
    this.#unconsume.run(jti);
  }

  async revoke(jti: string, at: number, reason: string, exp?: number): Promise<boolean> {
    return this.#revoke.run(jti, at, reason, exp ?? null).changes === 1;
  }

  async isRevoked(jti: string): Promise<boolean> {
    return this.#isRevoked.get(jti) !== undefined;
  }

  async status(jti: string): Promise<{ revoked: boolean; singleUse: boolean }> {
    const row = this.#status.get(jti, jti)!;
    return { revoked: row.revoked === 1, singleUse: row.single_use === 1 };
  }

  async prune(nowSeconds: number): Promise<number> {
    const run = this.#db.transaction(() => {
      let n = 0;
      // A consumed jti is kept past exp by a margin: a skewed verifier must still see it consumed.
      const cutoff = nowSeconds - 3600;
      n += this.#db.prepare('DELETE FROM single_use WHERE exp < ?').run(cutoff).changes;
      n += this.#db.prepare('DELETE FROM consumed WHERE exp < ?').run(cutoff).changes;
      n += this.#db.prepare('DELETE FROM revoked_credentials WHERE exp IS NOT NULL AND exp < ?').run(cutoff).changes;
      return n;
    });
    return run();
  }
}
