// The key ring's memory across restarts: which key issued last and which were rotated out when,
// kept in the credentials database so a restart after a rotation still verifies older tokens.
import { createPublicKey } from 'node:crypto';
import type { KeyAlgorithm, PublicJwk } from '../signers/contract.js';
import { jwkThumbprint } from '../signers/keys.js';
import type { SqliteDatabase } from './sqlite.js';

export interface StoredRingKey {
  kid: string;
  algorithm: KeyAlgorithm;
  jwk: PublicJwk;
  /** ms since epoch; undefined for the key that issues now. */
  retiredAt?: number;
}

export interface RingKeyStore {
  /**
   * Records `key` as the issuing key. Any other key recorded as issuing is retired at `at` (a
   * rotation that happened while Signet was down, or now). Returns every retired key.
   */
  makeCurrent(key: StoredRingKey, at: number): Promise<StoredRingKey[]>;
  /** Records a key rotated out at `at`, unless it is known already. */
  addRetired(key: StoredRingKey, at: number): Promise<void>;
  /** Forgets keys retired before `before` (ms since epoch). */
  prune(before: number): Promise<void>;
}

export interface RingKeyRow {
  kid: string;
  algorithm: string;
  jwk: string;
  retired_at: number | null;
}

export class SqliteRingKeyStore implements RingKeyStore {
  readonly #db: SqliteDatabase;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(`CREATE TABLE IF NOT EXISTS ring_keys (
      kid TEXT PRIMARY KEY, algorithm TEXT NOT NULL, jwk TEXT NOT NULL, retired_at INTEGER);`);
  }

  async makeCurrent(key: StoredRingKey, at: number): Promise<StoredRingKey[]> {
    const run = this.#db.transaction(() => {
      this.#db.prepare('UPDATE ring_keys SET retired_at = ? WHERE retired_at IS NULL AND kid <> ?').run(at, key.kid);
      this.#db
        .prepare(
          `INSERT INTO ring_keys (kid, algorithm, jwk, retired_at) VALUES (?, ?, ?, NULL)
           ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`,
        )
        .run(key.kid, key.algorithm, JSON.stringify(key.jwk));
      return this.#db.prepare<[], RingKeyRow>('SELECT * FROM ring_keys WHERE retired_at IS NOT NULL').all();
    });
    return run().map(ringKeyFromRow).filter((k): k is StoredRingKey => k !== undefined);
  }

  async addRetired(key: StoredRingKey, at: number): Promise<void> {
    this.#db.prepare('INSERT OR IGNORE INTO ring_keys (kid, algorithm, jwk, retired_at) VALUES (?, ?, ?, ?)').run(key.kid, key.algorithm, JSON.stringify(key.jwk), at);
  }

  async prune(before: number): Promise<void> {
    this.#db.prepare('DELETE FROM ring_keys WHERE retired_at IS NOT NULL AND retired_at < ?').run(before);
  }
}

/** A row whose JWK does not hash to its kid, or does not parse, is skipped: never trusted. */
export function ringKeyFromRow(row: RingKeyRow): StoredRingKey | undefined {
  try {
    const jwk = JSON.parse(row.jwk) as PublicJwk;
    if (jwkThumbprint(jwk) !== row.kid) return undefined;
    createPublicKey({ key: { ...jwk }, format: 'jwk' });
    return { kid: row.kid, algorithm: row.algorithm as KeyAlgorithm, jwk, ...(row.retired_at === null ? {} : { retiredAt: row.retired_at }) };
  } catch {
    return undefined;
  }
}
