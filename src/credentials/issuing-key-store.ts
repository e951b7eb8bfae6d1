// Where issuing-key certificates are kept so every replica finds every live issuing key, and an
// issuing key's revocation is seen by all of them at once. Rows are only caches of certificates:
// each is checked against the custody key before it is trusted.
import type { SqliteDatabase } from './sqlite.js';

export interface StoredIssuingCert {
  kid: string;
  /** The certificate (compact JWS by the custody key). */
  cert: string;
  /** Seconds since epoch, as in the certificate. */
  nbf: number;
  exp: number;
  /** ms since epoch, when revoked. */
  revokedAt?: number;
}

export interface IssuingKeyStore {
  /** Records a certificate (idempotent on kid). */
  put(kid: string, cert: string, nbf: number, exp: number): Promise<void>;
  get(kid: string): Promise<StoredIssuingCert | undefined>;
  /** Certificates whose exp is at or after `nowSeconds`, revoked ones included. */
  live(nowSeconds: number): Promise<StoredIssuingCert[]>;
  /** Marks `kid` revoked; false when it was already revoked or is unknown. */
  revoke(kid: string, at: number, reason: string): Promise<boolean>;
  /** ms since epoch of the revocation, or undefined. */
  revokedAt(kid: string): Promise<number | undefined>;
  /** Forgets certificates that expired before `nowSeconds`. */
  prune(nowSeconds: number): Promise<void>;
}

interface Row {
  kid: string;
  cert: string;
  nbf: number;
  exp: number;
  revoked_at: number | null;
}

export const rowToCert = (r: Row): StoredIssuingCert => ({ kid: r.kid, cert: r.cert, nbf: Number(r.nbf), exp: Number(r.exp), ...(r.revoked_at === null ? {} : { revokedAt: Number(r.revoked_at) }) });

export class SqliteIssuingKeyStore implements IssuingKeyStore {
  readonly #put;
  readonly #get;
  readonly #live;
  readonly #revoke;
  readonly #revokedAt;
  readonly #prune;

  constructor(db: SqliteDatabase) {
    db.exec(`CREATE TABLE IF NOT EXISTS issuing_keys (
      kid TEXT PRIMARY KEY, cert TEXT NOT NULL, nbf INTEGER NOT NULL, exp INTEGER NOT NULL,
      revoked_at INTEGER, revoked_reason TEXT);`);
    this.#put = db.prepare('INSERT OR IGNORE INTO issuing_keys (kid, cert, nbf, exp) VALUES (?, ?, ?, ?)');
    this.#get = db.prepare<[string], Row>('SELECT kid, cert, nbf, exp, revoked_at FROM issuing_keys WHERE kid = ?');
    this.#live = db.prepare<[number], Row>('SELECT kid, cert, nbf, exp, revoked_at FROM issuing_keys WHERE exp >= ? ORDER BY nbf DESC');
    this.#revoke = db.prepare('UPDATE issuing_keys SET revoked_at = ?, revoked_reason = ? WHERE kid = ? AND revoked_at IS NULL');
    this.#revokedAt = db.prepare<[string], number | null>('SELECT revoked_at FROM issuing_keys WHERE kid = ?').pluck();
    this.#prune = db.prepare('DELETE FROM issuing_keys WHERE exp < ?');
  }

  async put(kid: string, cert: string, nbf: number, exp: number): Promise<void> {
    this.#put.run(kid, cert, nbf, exp);
  }

  async get(kid: string): Promise<StoredIssuingCert | undefined> {
    const row = this.#get.get(kid);
    return row && rowToCert(row);
  }

  async live(nowSeconds: number): Promise<StoredIssuingCert[]> {
    return this.#live.all(nowSeconds).map(rowToCert);
  }

  async revoke(kid: string, at: number, reason: string): Promise<boolean> {
    return this.#revoke.run(at, reason, kid).changes === 1;
  }

  async revokedAt(kid: string): Promise<number | undefined> {
    return this.#revokedAt.get(kid) ?? undefined;
  }

  async prune(nowSeconds: number): Promise<void> {
    this.#prune.run(nowSeconds);
  }
}
