// The azurekms KeyBackend: ES256 signatures from one Key Vault key, its versions' public keys
// cached, the latest version followed (or one pinned), every call retried inside the deadline.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import { TtlCache } from '../cache.js';
import type { SignOptions } from '../contract.js';
import { DEFAULT_DEADLINE_MS, withRetry, type Attempt } from '../retry.js';
import type { AzureKeyClient, AzureKeyVersion } from './client.js';
import { describeAzureError, retryDecision, toSignetError } from './errors.js';
import { answersFor, spkiOfKey, unusableReason } from './key-checks.js';

/** Most of a caller's time a metadata re-read may take before signing goes on with the known version. */
const REFRESH_BUDGET_MS = 2_000;
/** How long after a failed re-read the next one waits (or the cache TTL, if shorter). */
const REFRESH_BACKOFF_MS = 30_000;

export interface AzureBackendConfig {
  /** The key URI without secrets. */
  uri: string;
  keyName: string;
  client: AzureKeyClient;
  /** A version named in the URI: always used. Otherwise the latest, re-read after the cache TTL. */
  pinnedVersion: string | undefined;
  cacheTtlMs: number;
  /** Most sign calls one signBatch keeps in flight (Key Vault has no batch sign). */
  maxInFlight: number;
}

export class AzureKeyBackend implements KeyBackend {
  readonly driver = 'azurekms';
  readonly algorithm = 'ES256' as const;
  /** Key Vault keys never leave the service (EC-HSM keys never leave its HSMs). */
  readonly hardwareBacked = true;
  readonly uri: string;
  readonly #config: AzureBackendConfig;
  readonly #latest: TtlCache<'latest', AzureKeyVersion>;
  /** version → SPKI; a version's key never changes, so these never go stale. */
  readonly #spki = new Map<string, Uint8Array>();
  #current: AzureKeyVersion;
  /** After a failed re-read of the latest version, none is tried again before this time. */
  #nextRefresh = 0;

  /** `first` is the version loaded at open, already checked by the driver. */
  constructor(config: AzureBackendConfig, first: AzureKeyVersion) {
    this.#config = config;
    this.uri = config.uri;
    this.#latest = new TtlCache(config.cacheTtlMs);
    this.#current = first;
    this.#spki.set(first.version, spkiOfKey(first));
    if (!config.pinnedVersion) this.#latest.set('latest', first);
  }

  current(): { version: string; spki: Uint8Array } {
    return { version: this.#current.version, spki: this.#spki.get(this.#current.version)! };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    const known = this.#spki.get(version);
    if (known) return known;
    const key = await this.#call((a) => this.#config.client.getKey(version, a.signal), {});
    this.#checkIdentity(key, version);
    if (key.kty !== 'EC' && key.kty !== 'EC-HSM') throw new SignetError('FAILED_PRECONDITION', `azurekms: ${this.uri}: version ${version} is ${key.kty}, not EC P-256`);
    const spki = spkiOfKey(key);
    this.#spki.set(version, spki);
    return spki;
  }

  async sign(digest: Uint8Array, options: SignOptions): Promise<RawSignature> {
    const key = await this.#signingKey(options);
    const reason = unusableReason(key);
    if (reason) throw new SignetError('FAILED_PRECONDITION', `azurekms: ${this.uri}: version ${key.version}: ${reason}`);
    const signature = await this.#call((a) => this.#config.client.signDigest(key, digest, a.signal), options);
    if (signature.length !== 64) {
      throw new SignetError('INTEGRITY', `azurekms: ${this.uri}: Key Vault returned a ${signature.length}-byte ES256 signature, expected raw r||s of 64`);
    }
    return { signature, version: key.version };
  }

  /** Key Vault has no batch sign: the batch is signed concurrently, at most maxInFlight at once. */
  async signBatch(digests: Uint8Array[], options: SignOptions): Promise<RawSignature[]> {
    const results = new Array<RawSignature>(digests.length);
    let next = 0;
    const worker = async () => {
      while (next < digests.length) {
        const i = next++;
        results[i] = await this.sign(digests[i]!, options);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#config.maxInFlight, digests.length) }, worker));
    return results;
  }

  async close(): Promise<void> {
    this.#config.client.close();
  }

  /**
   * The pinned version, or the latest: re-read once the cache expires (one read in flight). A
   * re-read gets at most half the caller's time, up to REFRESH_BUDGET_MS; if it fails, the last known
   * version keeps signing and the next re-read waits, so a throttled or failing vault is not asked
   * for metadata before every signature.
   */
  async #signingKey(options: SignOptions): Promise<AzureKeyVersion> {
    if (this.#config.pinnedVersion) return this.#current;
    if (!this.#latest.isFresh('latest') && Date.now() >= this.#nextRefresh) {
      const now = Date.now();
      const deadline = now + Math.min(REFRESH_BUDGET_MS, ((options.deadline ?? now + DEFAULT_DEADLINE_MS) - now) / 2);
      try {
        await this.#latest.refresh('latest', async () => {
          const latest = await this.#call((a) => this.#config.client.getKey(undefined, a.signal), { deadline, signal: options.signal });
          this.#checkIdentity(latest, undefined);
          return latest;
        });
      } catch {
        this.#nextRefresh = Date.now() + Math.min(this.#config.cacheTtlMs, REFRESH_BACKOFF_MS);
      }
    }
    const key = this.#latest.peek('latest')!;
    if (key.version !== this.#current.version && unusableReason(key) === undefined) {
      this.#spki.set(key.version, spkiOfKey(key));
      this.#current = key;
    }
    return key;
  }

  /** Key Vault answered for the key we asked about (the kid names it, and the version if pinned). */
  #checkIdentity(key: AzureKeyVersion, version: string | undefined): void {
    if (!answersFor(key, this.#config.keyName, version)) {
      throw new SignetError('INTEGRITY', `azurekms: ${this.uri}: Key Vault answered with key ${key.kid}, not the key asked for`);
    }
  }

  async #call<T>(fn: (attempt: Attempt) => Promise<T>, options: SignOptions): Promise<T> {
    try {
      return await withRetry(fn, {
        driver: `azurekms ${this.uri}`,
        deadline: options.deadline,
        signal: options.signal,
        retryable: retryDecision,
        describe: describeAzureError,
      });
    } catch (err) {
      throw toSignetError(err, this.uri);
    }
  }
}
