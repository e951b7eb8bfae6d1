// The issuing key and the keys rotated out of it: credentials verify against any key in the ring,
// and a rotated-out key stays for the longest lifetime of anything it signed, then drops out.
import type { KeyObject } from 'node:crypto';
import type { PublicJwk, PublicKeyInfo, Signer } from '../signers/contract.js';
import { spkiToKeyObject } from '../signers/keys.js';
import { jwsAlgorithm, type JwsAlgorithm } from './jws.js';

export interface RingKey {
  kid: string;
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
}

export class KeyRing {
  #signer: Signer;
  #current: RingKey;
  readonly #retired = new Map<string, RingKey>();
  readonly #retainMs: number;
  readonly #now: () => number;

  private constructor(signer: Signer, current: RingKey, options: KeyRingOptions) {
    this.#signer = signer;
    this.#current = current;
    this.#retainMs = options.retainSeconds * 1000;
    this.#now = options.now ?? Date.now;
  }

  static async open(signer: Signer, options: KeyRingOptions): Promise<KeyRing> {
    return new KeyRing(signer, toRingKey(await signer.publicKey()), options);
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
  addRetired(info: PublicKeyInfo, retiredAt: number): void {
    if (info.keyId === this.#current.kid) return;
    this.#retired.set(info.keyId, { ...toRingKey(info), retiredAt });
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
    this.#retired.set(this.#current.kid, { ...this.#current, retiredAt: this.#now() });
    this.#retired.delete(next.kid);
    this.#current = next;
  }
}

function toRingKey(info: PublicKeyInfo): RingKey {
  return { kid: info.keyId, alg: jwsAlgorithm(info.algorithm), jwk: info.jwk, key: spkiToKeyObject(info.spki) };
}
