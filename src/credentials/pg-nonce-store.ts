// Signed-request nonces on PostgreSQL, so a request one replica accepted is a replay at every other.
// One INSERT … ON CONFLICT per nonce: of replicas racing with the same nonce, exactly one wins.
import type pg from 'pg';
import { unavailable } from '../lib/pg.js';
import type { NonceStore } from './nonce-store.js';

/** Expired nonces are deleted at most this often (ms), by whichever replica notices first. */
const SWEEP_EVERY_MS = 10_000;

export class PgNonceStore implements NonceStore {
  readonly #pool: pg.Pool;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(pool: pg.Pool, options: { now?: () => number } = {}) {
    this.#pool = pool;
    this.#now = options.now ?? Date.now;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const now = this.#now();
    if (now >= this.#nextSweep) {
      this.#nextSweep = now + SWEEP_EVERY_MS;
      void this.#pool.query('DELETE FROM nonces WHERE expires_at <= $1', [now]).catch(() => {});
    }
    try {
      // A row whose window has passed may be taken again (the MemoryNonceStore does the same).
      const { rowCount } = await this.#pool.query(
        `INSERT INTO nonces (key, expires_at) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE nonces.expires_at <= $3`,
        [key, expiresAt, now],
      );
      return rowCount === 1;
    } catch (err) {
      throw unavailable('nonce store', err);
    }
  }
}
