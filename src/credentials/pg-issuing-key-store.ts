// Issuing-key certificates on PostgreSQL, shared by every replica: each replica certifies its own
// issuing key, and every replica verifies every replica's credentials and sees revocations at once.
import type pg from 'pg';
import { unavailable } from '../lib/pg.js';
import { rowToCert, type IssuingKeyStore, type StoredIssuingCert } from './issuing-key-store.js';

const COLUMNS = 'kid, cert, nbf, exp, revoked_at';

export class PgIssuingKeyStore implements IssuingKeyStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async put(kid: string, cert: string, nbf: number, exp: number): Promise<void> {
    await this.#query('INSERT INTO issuing_keys (kid, cert, nbf, exp) VALUES ($1, $2, $3, $4) ON CONFLICT (kid) DO NOTHING', [kid, cert, nbf, exp]);
  }

  async get(kid: string): Promise<StoredIssuingCert | undefined> {
    const { rows } = await this.#query(`SELECT ${COLUMNS} FROM issuing_keys WHERE kid = $1`, [kid]);
    return rows[0] && rowToCert(rows[0]);
  }

  async live(nowSeconds: number): Promise<StoredIssuingCert[]> {
    return (await this.#query(`SELECT ${COLUMNS} FROM issuing_keys WHERE exp >= $1 ORDER BY nbf DESC`, [nowSeconds])).rows.map(rowToCert);
  }

  async revoke(kid: string, at: number, reason: string): Promise<boolean> {
    return (await this.#query('UPDATE issuing_keys SET revoked_at = $1, revoked_reason = $2 WHERE kid = $3 AND revoked_at IS NULL', [at, reason, kid])).rowCount === 1;
  }

  async revokedAt(kid: string): Promise<number | undefined> {
    const { rows } = await this.#query('SELECT revoked_at FROM issuing_keys WHERE kid = $1', [kid]);
    return rows[0]?.revoked_at == null ? undefined : Number(rows[0].revoked_at);
  }

  async prune(nowSeconds: number): Promise<void> {
    await this.#query('DELETE FROM issuing_keys WHERE exp < $1', [nowSeconds]);
  }

  async #query(sql: string, args: unknown[]): Promise<pg.QueryResult> {
    try {
      return await this.#pool.query(sql, args);
    } catch (err) {
      throw unavailable('issuing key store', err);
    }
  }
}
