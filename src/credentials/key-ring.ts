// The issuing key and the keys rotated out of it: credentials verify against any key in the ring,
// and a rotated-out key stays for the longest lifetime of anything it signed, then drops out.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { KeyAlgorithm, PublicJwk, PublicKeyInfo, Signer } from '../signers/contract.js';
import { spkiToKeyObject } from '../signers/keys.js';
import { jwsAlgorithm, type JwsAlgorithm } from './jws.js';
import type { RingKeyStore, StoredRingKey } from './ring-store.js';

export interface RingKey {
  kid: string;
  algorithm: KeyAlgorithm;
  alg: JwsAlgorithm;
  jwk: PublicJwk;
  key: KeyObject;
  /** ms since epoch when the key stopped issuing; undefined for the current key. */
  retiredAt?: number;
}

export interface KeyRingOptions {
  /** How long a rotated-out key keeps verifying, seconds (the maximum TTL of what it signed). */
  retainSeconds: number;
  now?: () => number;
  /** Where the ring remembers its keys across restarts; without it, rotated-out keys live in memory only. */
  store?: RingKeyStore;
  /** Told of each rotation once, when this process sees it (a new backend version, or a new key at start-up). */
  onRotate?: (from: RingKey, to: RingKey) => Promise<void>;
}

export class KeyRing {
  #signer: Signer;
  #current: RingKey;
  readonly #retired = new Map<string, RingKey>();
  readonly #retainMs: number;
  readonly #now: () => number;
  readonly #store: RingKeyStore | undefined;
  readonly #onRotate: ((from: RingKey, to: RingKey) => Promise<void>) | undefined;

  private constructor(signer: Signer, current: RingKey, options: KeyRingOptions) {
    this.#signer = signer;
    this.#current = current;
    this.#retainMs = options.retainSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    this.#onRotate = options.onRotate;
  }

  /**
   * Opens the ring on `signer`. With a store, keys rotated out before (in this process or an
   * earlier one) come back, and a different issuing key than last time counts as a rotation now.
   */
  static async open(signer: Signer, options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(signer, toRingKey(await signer.publicKey()), options);
    await ring.#remember();
    return ring;
  }

  /** The signer that issues now; notices a backend-side rotation (a new primary version). */
  async issuing(): Promise<Signer> {
    if (this.#signer.keyId() !== this.#current.kid) await this.#adopt(this.#signer);
    return this.#signer;
  }

  /** Replaces the issuing key; the previous one verifies for the retention period. */
  async rotate(signer: Signer): Promise<void> {
    this.#signer = signer;
    await this.#adopt(signer);
  }

  /** Adds a key that was rotated out before this process started (from configuration). */
  async addRetired(info: PublicKeyInfo, retiredAt: number): Promise<void> {
    if (info.keyId === this.#current.kid) return;
    const key = { ...toRingKey(info), retiredAt };
    this.#retired.set(info.keyId, key);
    await this.#store?.addRetired(stored(key), retiredAt);
  }

  /** A key that may verify now: the current one or a rotated-out one still within retention. */
  find(kid: string): RingKey | undefined {
    if (kid === this.#current.kid) return this.#current;
    const key = this.#retired.get(kid);
    if (!key) return undefined;
    if (this.#now() - key.retiredAt! > this.#retainMs) {
      this.#retired.delete(kid);
      return undefined;
    }
    return key;
  }

  /** Every key that may verify now, current first. */
  keys(): RingKey[] {
    const live = [...this.#retired.keys()].map((kid) => this.find(kid)).filter((k): k is RingKey => k !== undefined);
    return [this.#current, ...live];
  }

  get currentKid(): string {
    return this.#current.kid;
  }

  async #adopt(signer: Signer): Promise<void> {
    const next = toRingKey(await signer.publicKey());
    if (next.kid === this.#current.kid) return;
    const previous = { ...this.#current, retiredAt: this.#now() };
    this.#retired.set(previous.kid, previous);
    this.#retired.delete(next.kid);
    this.#current = next;
    await this.#remember();
    await this.#onRotate?.(previous, next);
  }

  /** Records the current key as issuing (retiring the one recorded before) and loads the retired. */
  async #remember(): Promise<void> {
    if (!this.#store) return;
    const now = this.#now();
    await this.#store.prune(now - this.#retainMs);
    for (const k of await this.#store.makeCurrent(stored(this.#current), now)) {
      if (k.kid === this.#current.kid || k.retiredAt === undefined) continue;
      if (this.#retired.has(k.kid)) continue;
      const retired = { kid: k.kid, algorithm: k.algorithm, alg: jwsAlgorithm(k.algorithm), jwk: k.jwk, key: createPublicKey({ key: { ...k.jwk }, format: 'jwk' }), retiredAt: k.retiredAt };
      this.#retired.set(k.kid, retired);
      // Retired just now: the key changed while Signet was down (a new key or version at start-up).
      if (k.retiredAt === now) await this.#onRotate?.(retired, this.#current);
    }
  }
}

function toRingKey(info: PublicKeyInfo): RingKey {
  return { kid: info.keyId, algorithm: info.algorithm, alg: jwsAlgorithm(info.algorithm), jwk: info.jwk, key: spkiToKeyObject(info.spki) };
}

function stored(key: RingKey): StoredRingKey {
  return { kid: key.kid, algorithm: key.algorithm, jwk: key.jwk };
}
