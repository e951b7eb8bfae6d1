// The gcpkms KeyBackend: AsymmetricSign with CRC32C on the way out and every check on the way
// back, the current version cached (rotation picked up when the cache expires), retries in deadline.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import { TtlCache } from '../cache.js';
import type { KeyAlgorithm, SignOptions } from '../contract.js';
import { derToP1363 } from '../keys.js';
import { retrying } from './call.js';
import type { GcpKmsClient, SignAnswer } from './client.js';
import { crc32c } from './crc32c.js';
import { statusOf, Status, toSignetError } from './status.js';
import { fetchSpki, keyNameOf, resolveVersion, type ResolvedVersion } from './versions.js';

const CURRENT = 'current';

export interface BackendLimits {
  /** How long the resolved version and its public key are cached (URI `cache-ttl`). */
  cacheTtlMs: number;
  /** Most AsymmetricSign calls one signMany keeps in flight (URI `max-in-flight`). */
  maxInFlight: number;
}

export class GcpKmsBackend implements KeyBackend {
  readonly driver = 'gcpkms';
  /** The private key never leaves Cloud KMS (SOFTWARE, HSM or EXTERNAL protection alike). */
  readonly hardwareBacked = true;
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly #client: GcpKmsClient;
  /** The URI's name: a key (follows rotation) or one pinned version. */
  readonly #name: string;
  readonly #keyName: string;
  readonly #cache: TtlCache<string, ResolvedVersion>;
  readonly #maxInFlight: number;

  private constructor(client: GcpKmsClient, uri: string, name: string, first: ResolvedVersion, limits: BackendLimits) {
    this.#client = client;
    this.#maxInFlight = limits.maxInFlight;
    this.uri = uri;
    this.#name = name;
    this.#keyName = keyNameOf(name);
    this.algorithm = first.algorithm;
    this.#cache = new TtlCache(limits.cacheTtlMs);
    this.#cache.set(CURRENT, first);
  }

  /** Resolves the version and loads its public key now, so a bad key fails at start-up. */
  static async open(client: GcpKmsClient, uri: string, name: string, limits: BackendLimits, deadline: number): Promise<GcpKmsBackend> {
    const first = await retrying((call) => resolveVersion(client, name, call), { deadline });
    return new GcpKmsBackend(client, uri, name, first, limits);
  }

  current(): { version: string; spki: Uint8Array } {
    const v = this.#cache.peek(CURRENT)!;
    return { version: v.version, spki: v.spki };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    if (!/^\d+$/.test(version)) throw new SignetError('NOT_FOUND', `${this.uri}: no key version "${version}"`);
    const name = `${this.#keyName}/cryptoKeyVersions/${version}`;
    try {
      return await retrying((limits) => fetchSpki(this.#client, name, this.algorithm, limits), {});
    } catch (err) {
      throw toSignetError(err, `GetPublicKey ${name}`);
    }
  }

  async sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    let version = await this.#fresh(options);
    try {
      return await this.#signWith(version, payload, options);
    } catch (err) {
      // A version disabled or destroyed since it was cached: look again once, then sign with the new one.
      const code = statusOf(err);
      if (this.#pinned() || (code !== Status.FAILED_PRECONDITION && code !== Status.NOT_FOUND)) {
        throw toSignetError(err, `AsymmetricSign ${version.name}`);
      }
      const again = await this.#refresh(options);
      if (again.name === version.name) throw toSignetError(err, `AsymmetricSign ${version.name}`);
      version = again;
    }
    try {
      return await this.#signWith(version, payload, options);
    } catch (err) {
      throw toSignetError(err, `AsymmetricSign ${version.name}`);
    }
  }

  /** Cloud KMS has no batch sign: the batch goes out as concurrent calls, at most maxInFlight at once. */
  async signBatch(payloads: Uint8Array[], options: SignOptions): Promise<RawSignature[]> {
    const results = new Array<RawSignature>(payloads.length);
    let next = 0;
    const worker = async () => {
      while (next < payloads.length) {
        const i = next++;
        results[i] = await this.sign(payloads[i]!, options);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#maxInFlight, payloads.length) }, worker));
    return results;
  }

  close(): Promise<void> {
    return this.#client.close();
  }

  async #signWith(version: ResolvedVersion, payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    const checksum = crc32c(payload);
    const ed25519 = this.algorithm === 'Ed25519';
    const answer = await retrying(
      (limits) =>
        this.#client.asymmetricSign(
          ed25519
            ? { name: version.name, data: payload, dataCrc32c: checksum }
            : { name: version.name, digestSha256: payload, digestCrc32c: checksum },
          limits,
        ),
      options,
    );
    checkAnswer(version.name, answer, ed25519);
    return { signature: ed25519 ? Uint8Array.from(answer.signature) : derToP1363(answer.signature), version: version.version };
  }

  #pinned(): boolean {
    return this.#name !== this.#keyName;
  }

  /** The cached version; after the cache expires, the key is resolved again (rotation). */
  #fresh(options: SignOptions): Promise<ResolvedVersion> {
    if (this.#pinned()) return Promise.resolve(this.#cache.peek(CURRENT)!);
    return this.#cache.get(CURRENT, () => this.#resolve(options));
  }

  #refresh(options: SignOptions): Promise<ResolvedVersion> {
    return this.#cache.refresh(CURRENT, () => this.#resolve(options), true);
  }

  async #resolve(options: SignOptions): Promise<ResolvedVersion> {
    const known = new Map<string, Uint8Array>();
    const cached = this.#cache.peek(CURRENT);
    if (cached) known.set(cached.name, cached.spki);
    const next = await retrying((limits) => resolveVersion(this.#client, this.#name, limits, known), options);
    if (next.algorithm !== this.algorithm) {
      throw new SignetError('INTEGRITY', `${this.uri}: new version ${next.name} is ${next.algorithm}, the key was ${this.algorithm}`);
    }
    return next;
  }
}

/** Google's integrity checks on an AsymmetricSign answer: any mismatch and no signature is returned. */
function checkAnswer(versionName: string, answer: SignAnswer, ed25519: boolean): void {
  const fail = (why: string) => new SignetError('INTEGRITY', `gcpkms: AsymmetricSign ${versionName}: ${why}; signature refused`);
  if (ed25519 ? !answer.verifiedDataCrc32c : !answer.verifiedDigestCrc32c) {
    throw fail(`the service did not verify the ${ed25519 ? 'data' : 'digest'} CRC32C (request corrupted in transit)`);
  }
  if (answer.name !== versionName) throw fail(`answer is for "${answer.name}"`);
  if (answer.signatureCrc32c === undefined || answer.signatureCrc32c !== crc32c(answer.signature)) {
    throw fail('signature fails its CRC32C (response corrupted in transit)');
  }
}
