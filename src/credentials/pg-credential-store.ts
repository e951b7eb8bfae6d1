// Issued credentials' state on PostgreSQL, shared by every replica. Consumption is one INSERT on a
// primary key: of any number of replicas racing to consume one jti, exactly one wins.
import type pg from 'pg';
import { unavailable } from '../lib/pg.js';
import type { CredentialStore } from './credential-store.js';

/** A consumed jti is kept past exp by this margin: a skewed verifier must still see it consumed. */
const KEEP_AFTER_EXP_S = 3600;

export class PgCredentialStore implements CredentialStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async markSingleUse(jti: string, exp: number): Promise<void> {
    await this.#query('INSERT INTO single_use (jti, exp) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, exp]);
  }

  async isSingleUse(jti: string): Promise<boolean> {
    return (await this.#query('SELECT 1 FROM single_use WHERE jti = $1', [jti])).rowCount === 1;
  }

  async consume(jti: string, at: number, exp: number): Promise<boolean> {
    return (await this.#query('INSERT INTO consumed (jti, at, exp) VALUES ($1, $2, $3) ON CONFLICT (jti) DO NOTHING', [jti, at, exp])).rowCount === 1;
  }

  async unconsume(jti: string): Promise<void> {
    await this.#query('DELETE FROM consumed WHERE jti = $1', [jti]);
  }

  async revoke(jti: string, at: number, reason: string, exp?: number): Promise<boolean> {
    return (await this.#query('INSERT INTO revoked_credentials (jti, at, reason, exp) VALUES ($1, $2, $3, $4) ON CONFLICT (jti) DO NOTHING', [jti, at, reason, exp ?? null])).rowCount === 1;
  }

  async isRevoked(jti: string): Promise<boolean> {
    return (await this.#query('SELECT 1 FROM revoked_credentials WHERE jti = $1', [jti])).rowCount === 1;
  }

  async status(jti: string): Promise<{ revoked: boolean; singleUse: boolean }> {
    const { rows } = await this.#query<{ revoked: boolean; single_use: boolean }>(
      'SELECT EXISTS (SELECT 1 FROM revoked_credentials WHERE jti = $1) AS revoked, EXISTS (SELECT 1 FROM single_use WHERE jti = $1) AS single_use',
      [jti],
    );
    return { revoked: rows[0]!.revoked, singleUse: rows[0]!.single_use };
  }

  async prune(nowSeconds: number): Promise<number> {
    const cutoff = nowSeconds - KEEP_AFTER_EXP_S;
    const { rows } = await this.#query<{ n: number }>(
      `WITH a AS (DELETE FROM single_use WHERE exp < $1 RETURNING 1),
            b AS (DELETE FROM consumed WHERE exp < $1 RETURNING 1),
            c AS (DELETE FROM revoked_credentials WHERE exp IS NOT NULL AND exp < $1 RETURNING 1)
       SELECT (SELECT count(*) FROM a) + (SELECT count(*) FROM b) + (SELECT count(*) FROM c) AS n`,
      [cutoff],
    );
    return Number(rows[0]!.n);
  }

  async #query<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, args);
    } catch (err) {
      throw unavailable('credential store', err);
    }
  }
}
