// Certified issuing keys: a short-lived Ed25519 key, generated and held in memory only, signs
// credentials in process; the custody key signs one certificate per key, and that certificate is
// a ledger entry and in the shared store before the key signs anything.
import { generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import { INTERNAL_IDEMPOTENCY_PREFIX, type LedgerAppender } from '../ledger/contract.js';
import type { SignInput, SignResult } from '../signers/contract.js';
import { jwkThumbprint, toJwk } from '../signers/keys.js';
import { certifyIssuingKey, checkIssuingCert, type IssuingCertClaims } from './issuing-cert.js';
import type { IssuingKeyStore, StoredIssuingCert } from './issuing-key-store.js';
import type { JwsSigner } from './jws.js';
import type { KeyRing } from './key-ring.js';
import { issuingKeyRecord, revocationRecord } from './ledger-records.js';

export interface IssuingKeysOptions {
  /** The custody keys: the current one certifies, current and retired ones check certificates. */
  custody: KeyRing;
  store: IssuingKeyStore;
  ledger: LedgerAppender;
  /** The `iss` of credentials, repeated in every certificate. */
  issuer: string;
  /** How long one issuing key signs, seconds. */
  signSeconds: number;
  /** The longest lifetime of a credential (credentials.max_ttl), seconds. */
  maxTtlSeconds: number;
  /** The next key is certified and published this long before it signs; default min(600, signSeconds / 2). */
  leadSeconds?: number;
  /** Background upkeep every this many ms (rotation ahead of time, other replicas' keys); 0 = none. */
  tickMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** An issuing key whose certificate was checked against a custody key: what verifies its credentials. */
export interface IssuingKeyInfo {
  kid: string;
  alg: 'EdDSA';
  key: KeyObject;
  jwk: IssuingCertClaims['jwk'];
  cert: string;
  /** Seconds: a credential's iat is never before nbf, its exp never after exp. */
  nbf: number;
  exp: number;
  custodyKid: string;
  /** ms since epoch, once revoked. */
  revokedAt?: number;
}

/** One of this process's own keys: it holds the private half until its signing window ends. */
interface OwnKey extends IssuingKeyInfo {
  signUntil: number;
  signer: JwsSigner | undefined;
}

export interface IssuingKeyStats {
  /** Certificates this process had the custody key sign (one custody signature each). */
  certifications: number;
}

const KID = /^[A-Za-z0-9_-]{43}$/;

export class IssuingKeys {
  readonly #o: IssuingKeysOptions;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #lead: number;
  readonly #known = new Map<string, IssuingKeyInfo>();
  #current: OwnKey | undefined;
  #next: OwnKey | undefined;
  #certifying: Promise<OwnKey> | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly stats: IssuingKeyStats = { certifications: 0 };

  private constructor(o: IssuingKeysOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
    this.#log = o.logger ?? silentLogger;
    this.#lead = Math.min(o.leadSeconds ?? 600, Math.floor(o.signSeconds / 2));
  }

  /**
   * Loads the live certificates (every replica's). This process's first key is certified by the
   * first Issue that needs one: a server that issues nothing writes nothing and asks nothing of
   * the custody key.
   */
  static async open(o: IssuingKeysOptions): Promise<IssuingKeys> {
    const keys = new IssuingKeys(o);
    await keys.refresh();
    if (o.tickMs ?? 5000) {
      keys.#timer = setInterval(() => void keys.tick().catch((err) => keys.#log.warn({ err: (err as Error).message }, 'issuing key upkeep failed; retrying')), o.tickMs ?? 5000);
      keys.#timer.unref();
    }
    return keys;
  }

  /**
   * A key to sign a credential issued at `iat` that lives `ttl` seconds (both whole seconds): the
   * current key, the next one once its time has come, or one certified now (the caller then waits
   * for the custody key). Answers the iat to use, never before the key's nbf.
   */
  async signerFor(iat: number, ttl: number): Promise<{ signer: JwsSigner; iat: number }> {
    for (const k of [this.#current, this.#next]) {
      if (k?.signer && k.revokedAt === undefined && iat >= k.nbf && iat < k.signUntil && iat + ttl <= k.exp) {
        if (k === this.#next) this.#promote();
        return { signer: k.signer, iat };
      }
    }
    const key = await this.#certifyNow(iat);
    const at = Math.max(iat, key.nbf);
    if (!key.signer || key.revokedAt !== undefined || at >= key.signUntil || at + ttl > key.exp) {
      throw new SignetError('UNAVAILABLE', 'no issuing key can sign this credential now; retry', { retryAfter: 1 });
    }
    return { signer: key.signer, iat: at };
  }

  /** A key that may verify: known already, or another replica's read from the store and checked. */
  async lookup(kid: string): Promise<IssuingKeyInfo | undefined> {
    const known = this.#known.get(kid);
    if (known) return known;
    if (!KID.test(kid)) return undefined;
    const row = await this.#o.store.get(kid);
    return row && this.#admit(row);
  }

  /** ms since epoch when `kid` was revoked, read from the shared store so every replica agrees at once. */
  async revokedAt(kid: string): Promise<number | undefined> {
    const at = await this.#o.store.revokedAt(kid);
    const known = this.#known.get(kid);
    if (known && at !== undefined) known.revokedAt ??= at;
    return at;
  }

  /** Live, unrevoked keys for the JWKS: this process's current and next first. */
  keys(): IssuingKeyInfo[] {
    const now = this.#nowS();
    const own = [this.#current, this.#next].filter((k): k is OwnKey => k !== undefined);
    const others = [...this.#known.values()].filter((k) => !own.includes(k as OwnKey)).sort((a, b) => b.nbf - a.nbf);
    return [...own, ...others].filter((k) => k.revokedAt === undefined && k.exp >= now);
  }

  get currentKid(): string | undefined {
    return this.#current?.kid;
  }

  /**
   * Revokes an issuing key: its credentials fail verification from now on, on every replica. The
   * store first, then the ledger entry (a retry records it); this process's own key is replaced.
   */
  async revoke(kid: string, reason: string, options: { deadline?: number } = {}): Promise<boolean> {
    if (typeof kid !== 'string' || !KID.test(kid)) throw invalidArgument('kid', 'an issuing key id: 43 base64url characters');
    const key = await this.lookup(kid);
    if (!key) throw new SignetError('NOT_FOUND', `no live issuing key ${kid}`);
    const at = this.#now();
    const fresh = await this.#o.store.revoke(kid, at, reason);
    key.revokedAt ??= at;
    const wasCurrent = this.#current?.kid === kid;
    for (const own of [this.#current, this.#next]) if (own?.kid === kid) own.signer = undefined;
    if (this.#next?.kid === kid) this.#next = undefined;
    if (wasCurrent) this.#current = undefined;
    await this.#o.ledger.append(revocationRecord({ target: 'issuing_key', id: kid, reason }), {
      idempotencyKey: `${INTERNAL_IDEMPOTENCY_PREFIX}revocation:issuing_key:${kid}`,
      deadline: options.deadline,
    });
    this.#log.warn({ kid, reason }, 'issuing key revoked');
    if (wasCurrent) await this.#certifyNow(this.#nowS()).catch((err) => this.#log.warn({ err: (err as Error).message }, 'no replacement issuing key yet; the next Issue tries again'));
    return fresh;
  }

  /**
   * Upkeep: certifies the next key `lead` seconds before the current one stops signing (so cached
   * JWKS documents hold it before it is used), promotes it when its time comes, forgets expired
   * keys, and reads other replicas' certificates.
   */
  async tick(): Promise<void> {
    const now = this.#nowS();
    const cur = this.#current;
    if (cur && !this.#next && now >= cur.signUntil - this.#lead) this.#next = await this.#certify(cur.signUntil);
    if (this.#next && now >= this.#next.nbf) this.#promote();
    if (this.#current && now >= this.#current.signUntil) this.#current.signer = undefined;
    for (const [kid, k] of this.#known) if (k.exp < now) this.#known.delete(kid);
    await this.refresh();
  }

  /** Reads every live certificate from the store (other replicas' keys, revocations). */
  async refresh(): Promise<void> {
    for (const row of await this.#o.store.live(this.#nowS())) {
      const known = this.#known.get(row.kid);
      if (known) {
        if (row.revokedAt !== undefined) known.revokedAt ??= row.revokedAt;
      } else {
        this.#admit(row);
      }
    }
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    for (const own of [this.#current, this.#next]) if (own) own.signer = undefined;
    this.#current = this.#next = undefined;
  }

  /** A stored certificate is trusted only once it verifies with a custody key the ring holds. */
  #admit(row: StoredIssuingCert): IssuingKeyInfo | undefined {
    const checked = checkIssuingCert(row.cert, (kid) => this.#o.custody.find(kid));
    if (typeof checked === 'string') {
      this.#log.warn({ kid: row.kid, why: checked }, 'stored issuing-key certificate refused');
      return undefined;
    }
    const c = checked.claims;
    if (c.sub !== row.kid || c.iss !== this.#o.issuer) return undefined;
    const info: IssuingKeyInfo = { kid: c.sub, alg: 'EdDSA', key: checked.key, jwk: c.jwk, cert: row.cert, nbf: c.nbf, exp: c.exp, custodyKid: c.custody_kid, ...(row.revokedAt === undefined ? {} : { revokedAt: row.revokedAt }) };
    this.#known.set(info.kid, info);
    return info;
  }

  #promote(): void {
    if (this.#current) this.#current.signer = undefined;
    this.#current = this.#next;
    this.#next = undefined;
  }

  /** Certifies a key that signs from `nbf` and makes it current; concurrent callers share one. */
  async #certifyNow(nbf: number): Promise<OwnKey> {
    this.#certifying ??= this.#certify(nbf)
      .then((key) => {
        if (this.#current) this.#current.signer = undefined;
        this.#current = key;
        return key;
      })
      .finally(() => (this.#certifying = undefined));
    return this.#certifying;
  }

  async #certify(nbf: number): Promise<OwnKey> {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const jwk = toJwk(publicKey) as IssuingCertClaims['jwk'];
    const kid = jwkThumbprint(jwk);
    const signUntil = nbf + this.#o.signSeconds;
    const exp = signUntil + this.#o.maxTtlSeconds;
    const custody = await this.#o.custody.issuing();
    const cert = await certifyIssuingKey(custody, { iss: this.#o.issuer, jwk, iat: this.#nowS(), nbf, exp });
    this.stats.certifications++;
    // Recorded and shared before the key signs anything: every credential it signs has a
    // certificate in the ledger, and every replica can find it.
    await this.#o.ledger.append(issuingKeyRecord({ kid, custodyKid: custody.keyId(), nbf, exp, cert }), { idempotencyKey: `${INTERNAL_IDEMPOTENCY_PREFIX}issuing_key:${kid}` });
    await this.#o.store.put(kid, cert, nbf, exp);
    const sign = async (input: SignInput): Promise<SignResult> => {
      if (!input.message) throw new SignetError('INVALID_ARGUMENT', 'an issuing key signs whole messages (PureEdDSA)');
      // On libuv's pool (node:crypto's callback form), not the event loop serving the calls.
      const signature = await new Promise<Buffer>((resolve, reject) => nodeSign(null, input.message!, privateKey, (err, sig) => (err ? reject(err) : resolve(sig))));
      return { signature, algorithm: 'Ed25519', keyId: kid, keyVersion: '1' };
    };
    const own: OwnKey = { kid, alg: 'EdDSA', key: publicKey, jwk, cert, nbf, exp, custodyKid: custody.keyId(), signUntil, signer: { algorithm: 'Ed25519', keyId: () => kid, sign } };
    this.#known.set(kid, own);
    this.#log.info({ kid, custodyKid: own.custodyKid, nbf, signUntil, exp }, 'issuing key certified');
    return own;
  }

  #nowS(): number {
    return Math.floor(this.#now() / 1000);
  }
}
