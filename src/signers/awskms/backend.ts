// The AWS KMS key backend: signs with the key an id or alias names, resolved through a cache so a
// re-pointed alias (AWS's rotation of asymmetric keys) is picked up when the cache expires.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import type { KeyAlgorithm, SignOptions } from '../contract.js';
import { TtlCache } from '../cache.js';
import { derToP1363 } from '../keys.js';
import { DEFAULT_DEADLINE_MS, withRetry } from '../retry.js';
import type { AwsKmsApi } from './client.js';
import { describeAwsError, retryDecision, toSignetError } from './errors.js';
import { SCHEMES, loadKmsKey, loadKmsPublicKey, type KmsKeyVersion } from './key.js';

export interface AwsKmsBackendOptions {
  /** The key URI with secrets removed. */
  uri: string;
  /** Key id, key ARN, alias name or alias ARN, as given in the URI. */
  keyRef: string;
  region: string | undefined;
  cacheTtlMs: number;
  /** Most Sign calls one signBatch keeps in flight. */
  maxInFlight: number;
  /** Deadline for the calls made at open (ms), and for a previous key's GetPublicKey. */
  openTimeoutMs: number;
  /** Key ids of keys the alias named before (URI `previous-keys=`): versions served besides those seen. */
  previousKeys: string[];
}

const CURRENT = 'current';
/** A KMS key id (the version Signet reports): a UUID, or mrk-… for a multi-Region key. */
export const KEY_ID = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|mrk-[0-9a-f]{32})$/i;

export class AwsKmsKeyBackend implements KeyBackend {
  readonly driver = 'awskms';
  readonly hardwareBacked = true;
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly #api: AwsKmsApi;
  readonly #options: AwsKmsBackendOptions;
  readonly #current: TtlCache<string, KmsKeyVersion>;
  /** key id → SPKI: a KMS key never changes its public key, so these never expire. */
  readonly #spkis = new Map<string, Uint8Array>();

  private constructor(api: AwsKmsApi, options: AwsKmsBackendOptions, first: KmsKeyVersion) {
    this.#api = api;
    this.#options = options;
    this.uri = options.uri;
    this.algorithm = first.algorithm;
    this.#current = new TtlCache(options.cacheTtlMs);
    this.#remember(first);
  }

  /** Loads and checks the key now, so a missing, mistyped or unusable key fails at start-up. */
  static async open(api: AwsKmsApi, options: AwsKmsBackendOptions): Promise<AwsKmsKeyBackend> {
    const first = await call(
      (signal) => loadKmsKey(api, options.keyRef, signal, 'CONFIG'),
      { deadline: Date.now() + options.openTimeoutMs },
      { keyRef: options.keyRef, region: options.region, atOpen: true },
    ).catch((err: unknown) => {
      // At start-up there is no caller: a KMS that stays silent is unavailable, not a missed deadline.
      if (err instanceof SignetError && err.code === 'DEADLINE_EXCEEDED') {
        throw new SignetError('UNAVAILABLE', `awskms: KMS did not answer within open-timeout-ms (${options.openTimeoutMs} ms)`, { cause: err });
      }
      throw err;
    });
    return new AwsKmsKeyBackend(api, options, first);
  }

  current(): { version: string; spki: Uint8Array } {
    const key = this.#current.peek(CURRENT)!;
    return { version: key.keyId, spki: key.spki };
  }

  /**
   * The public key of a version: a key id this signer has seen the key id or alias name, or one
   * listed in previous-keys=. Any other key of the account is not a version of this key: NOT_FOUND,
   * without asking KMS (so a verifier cannot be handed an unrelated key, and costs no KMS call).
   */
  async spkiOf(version: string): Promise<Uint8Array> {
    const known = this.#spkis.get(version);
    if (known) return known;
    if (!KEY_ID.test(version)) throw new SignetError('NOT_FOUND', `awskms: "${version.slice(0, 80)}" is not a KMS key id, so not a version of ${this.#options.keyRef}`);
    const previous = this.#options.previousKeys.find((id) => id.toLowerCase() === version.toLowerCase());
    if (previous === undefined) {
      throw new SignetError(
        'NOT_FOUND',
        `awskms: ${version} is not a version of ${this.#options.keyRef} (not a key it has named since start-up; list older keys in previous-keys=)`,
      );
    }
    const arn = this.#arnOf(previous);
    const spki = await call(
      (signal) => loadKmsPublicKey(this.#api, arn, this.algorithm, signal),
      { deadline: Date.now() + this.#options.openTimeoutMs },
      this.#where(previous),
    );
    this.#spkis.set(version, spki);
    return spki;
  }

  async sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    const key = await this.#resolve(options);
    const scheme = SCHEMES[this.algorithm];
    const out = await call(
      (signal) =>
        this.#api.sign({ keyId: key.arn, message: payload, messageType: scheme.messageType, algorithm: scheme.signingAlgorithm }, signal),
      options,
      this.#where(this.#options.keyRef),
    );
    if (out.keyId !== key.arn || out.algorithm !== scheme.signingAlgorithm) {
      throw new SignetError('INTEGRITY', `awskms: Sign answered for ${out.keyId} with ${out.algorithm}, asked ${key.arn} with ${scheme.signingAlgorithm}`);
    }
    const signature = this.algorithm === 'ES256' ? derToP1363(out.signature) : out.signature;
    return { signature, version: key.keyId };
  }

  /** KMS has no batch Sign: the batch is signed concurrently, at most maxInFlight calls at once. */
  async signBatch(payloads: Uint8Array[], options: SignOptions): Promise<RawSignature[]> {
    const results = new Array<RawSignature>(payloads.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
      while (next < payloads.length && !failed) {
        const i = next++;
        try {
          results[i] = await this.sign(payloads[i]!, options);
        } catch (err) {
          failed = true; // the batch fails as a whole: stop sending the rest
          throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#options.maxInFlight, payloads.length) }, worker));
    return results;
  }

  async close(): Promise<void> {
    this.#api.close();
  }

  /**
   * The key the id or alias names now: cached; refreshed once the cache expires. The refresh gets
   * half the caller's time; if it cannot reach KMS, the last known key signs and is kept for another
   * cache-ttl. A refresh that finds an unusable key stops signing.
   */
  async #resolve(options: SignOptions): Promise<KmsKeyVersion> {
    if (this.#current.isFresh(CURRENT)) return this.#current.peek(CURRENT)!;
    const now = Date.now();
    const deadline = options.deadline ?? now + DEFAULT_DEADLINE_MS;
    const refreshOptions = { deadline: now + Math.max(0, Math.floor((deadline - now) / 2)), signal: options.signal };
    try {
      return await this.#current.refresh(CURRENT, async () => {
        const key = await call(
          (signal) => loadKmsKey(this.#api, this.#options.keyRef, signal, 'FAILED_PRECONDITION'),
          refreshOptions,
          this.#where(this.#options.keyRef),
        );
        if (key.algorithm !== this.algorithm) {
          throw new SignetError(
            'FAILED_PRECONDITION',
            `awskms: ${this.#options.keyRef} now names a ${key.algorithm} key (${key.keyId}), but this signer was opened for ${this.algorithm}`,
          );
        }
        this.#spkis.set(key.keyId, key.spki);
        return key;
      });
    } catch (err) {
      if (err instanceof SignetError && (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED')) {
        const stale = this.#current.peek(CURRENT)!;
        this.#current.set(CURRENT, stale);
        return stale;
      }
      throw err;
    }
  }

  #remember(key: KmsKeyVersion): void {
    this.#current.set(CURRENT, key);
    this.#spkis.set(key.keyId, key.spki);
  }

  /** A key id becomes a full ARN in the current key's account and region, so GetPublicKey finds it. */
  #arnOf(keyId: string): string {
    const current = this.#current.peek(CURRENT)!.arn;
    return `${current.slice(0, current.lastIndexOf(':key/'))}:key/${keyId}`;
  }

  #where(keyRef: string) {
    return { keyRef, region: this.#options.region, atOpen: false };
  }
}

/** One KMS call under Signet's retry policy; final failures become SignetErrors. */
async function call<T>(
  fn: (signal: AbortSignal) => Promise<T>,
  options: SignOptions,
  where: { keyRef: string; region: string | undefined; atOpen: boolean },
): Promise<T> {
  try {
    return await withRetry(({ signal }) => fn(signal), {
      driver: 'awskms',
      deadline: options.deadline,
      signal: options.signal,
      retryable: retryDecision,
      describe: describeAwsError,
    });
  } catch (err) {
    throw toSignetError(err, where);
  }
}
