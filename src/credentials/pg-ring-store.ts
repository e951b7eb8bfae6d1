// The key ring's memory on PostgreSQL, shared by every replica: a rotation one replica records is
// what the others load, so tokens signed by a rotated-out key keep verifying on all of them.
import type pg from 'pg';
import { connect, unavailable } from '../lib/pg.js';
import { ringKeyFromRow, type RingKeyRow, type RingKeyStore, type StoredRingKey } from './ring-store.js';

export class PgRingKeyStore implements RingKeyStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async makeCurrent(key: StoredRingKey, at: number): Promise<StoredRingKey[]> {
    const client = await connect(this.#pool, 'ring key store');
    try {
      await client.query('BEGIN');
      // Replicas recording their key at once take turns: the last to record issues, the rest retire.
      await client.query('LOCK TABLE ring_keys IN SHARE ROW EXCLUSIVE MODE');
      await client.query('UPDATE ring_keys SET retired_at = $1 WHERE retired_at IS NULL AND kid <> $2', [at, key.kid]);
      await client.query(
        `INSERT INTO ring_keys (kid, algorithm, jwk, retired_at) VALUES ($1, $2, $3, NULL)
         ON CONFLICT (kid) DO UPDATE SET retired_at = NULL`,
        [key.kid, key.algorithm, JSON.stringify(key.jwk)],
      );
      const { rows } = await client.query<RingKeyRow>('SELECT kid, algorithm, jwk, retired_at FROM ring_keys WHERE retired_at IS NOT NULL');
      await client.query('COMMIT');
      return rows.map(ringKeyFromRow).filter((k): k is StoredRingKey => k !== undefined);
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      throw unavailable('ring key store: the issuing key was not recorded', err);
    } finally {
      client.release();
    }
  }

  async addRetired(key: StoredRingKey, at: number): Promise<void> {
    await this.#query('INSERT INTO ring_keys (kid, algorithm, jwk, retired_at) VALUES ($1, $2, $3, $4) ON CONFLICT (kid) DO NOTHING', [key.kid, key.algorithm, JSON.stringify(key.jwk), at]);
  }

  async prune(before: number): Promise<void> {
    await this.#query('DELETE FROM ring_keys WHERE retired_at IS NOT NULL AND retired_at < $1', [before]);
  }

  async #query(sql: string, args: unknown[]): Promise<void> {
    try {
      await this.#pool.query(sql, args);
    } catch (err) {
      throw unavailable('ring key store', err);
    }
  }
}
