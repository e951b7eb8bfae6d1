// The Vault Transit key behind the custody contract: Ed25519 signs the message, ES256 signs the
// digest (prehashed), pinned to the cached latest version; batches go out as one batch_input.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import { TtlCache } from '../cache.js';
import type { KeyAlgorithm, SignOptions } from '../contract.js';
import { derToP1363 } from '../keys.js';
import { withRetry } from '../retry.js';
import { VaultCallError, type TransitClient, type TransitSignature, type TransitSignRequest } from './client.js';
import type { VaultDriverConfig } from './config.js';
import { callError, describe, retryable, startupError, type CallSite } from './errors.js';
import { parseKeyInfo, type TransitKeyInfo } from './key-info.js';

/** Items per batch_input request; larger batches go out as several requests in parallel. */
const MAX_BATCH_ITEMS = 1000;
const DRIVER = 'hashivault';
/** Vault's refusal of a pinned version that rotation (and min_encryption_version) left behind. */
const STALE_VERSION = /requested version for signing is (less than the minimum|higher than the latest)/;

class StaleVersion extends Error {
  constructor(readonly error: SignetError) {
    super(error.message);
  }
}

interface Bounds {
  deadline: number;
  signal: AbortSignal | undefined;
}

export class VaultTransitBackend implements KeyBackend {
  readonly driver = DRIVER;
  /** The private key never leaves Vault. */
  readonly hardwareBacked = true;
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly #client: TransitClient;
  readonly #config: VaultDriverConfig;
  readonly #mount: string;
  readonly #name: string;
  readonly #cache: TtlCache<'key', TransitKeyInfo>;

  private constructor(uri: string, mount: string, name: string, client: TransitClient, config: VaultDriverConfig, info: TransitKeyInfo) {
    this.uri = uri;
    this.#mount = mount;
    this.#name = name;
    this.#client = client;
    this.#config = config;
    this.algorithm = info.algorithm;
    this.#cache = new TtlCache(config.cacheTtlMs);
    this.#cache.set('key', info);
  }

  /** Reads the key now, so a missing key, wrong type or bad token fails at start-up. */
  static async open(uri: string, mount: string, name: string, client: TransitClient, config: VaultDriverConfig): Promise<VaultTransitBackend> {
    const site = { where: uri, path: `${mount}/keys/${name}`, tokenSource: config.tokenSource };
    let info: TransitKeyInfo;
    try {
      info = await readKeyInfo(client, mount, name, site, { deadline: Date.now() + config.defaultTimeoutMs, signal: undefined });
    } catch (err) {
      throw startupError(err, site, config.address);
    }
    return new VaultTransitBackend(uri, mount, name, client, config, info);
  }

  current(): { version: string; spki: Uint8Array } {
    const info = this.#cache.peek('key')!;
    const version = String(info.latestVersion);
    return { version, spki: info.versions.get(version)! };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    const cached = this.#cache.peek('key')!;
    const known = cached.versions.get(version);
    if (known) return known;
    const missing = () => new SignetError('NOT_FOUND', `${this.uri}: Vault lists no version ${version} of the key`);
    // Only a version newer than the cache (rotated since) is worth asking Vault about.
    if (!/^[1-9]\d{0,8}$/.test(version) || Number(version) <= cached.latestVersion) throw missing();
    const info = await this.#cache.refresh('key', () => this.#load(this.#bounds({})), true);
    const spki = info.versions.get(version);
    if (!spki) throw missing();
    return spki;
  }

  async sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    return this.#pinned(options, async (info, bounds) => {
      const data = await this.#signRequest({ ...this.#common(info), input: base64(payload) }, bounds);
      return this.#decode(data, info.latestVersion, 'signature');
    });
  }

  async signBatch(payloads: Uint8Array[], options: SignOptions): Promise<RawSignature[]> {
    if (payloads.length === 0) return [];
    const chunks: Uint8Array[][] = [];
    for (let i = 0; i < payloads.length; i += MAX_BATCH_ITEMS) chunks.push(payloads.slice(i, i + MAX_BATCH_ITEMS));
    return this.#pinned(options, async (info, bounds) => {
      const answers = await Promise.all(chunks.map((chunk, c) => this.#signChunk(chunk, c * MAX_BATCH_ITEMS, info, bounds)));
      return answers.flat();
    });
  }

  async #signChunk(chunk: Uint8Array[], offset: number, info: TransitKeyInfo, bounds: Bounds): Promise<RawSignature[]> {
    const data = await this.#signRequest({ ...this.#common(info), batch_input: chunk.map((p) => ({ input: base64(p) })) }, bounds);
    const results = data.batch_results;
    if (!Array.isArray(results) || results.length !== chunk.length) {
      throw new SignetError('INTEGRITY', `${this.uri}: Vault answered ${Array.isArray(results) ? results.length : 'no'} batch results for ${chunk.length} inputs`);
    }
    return results.map((r, i) => {
      if (r.error) {
        const error = new SignetError('FAILED_PRECONDITION', `${this.uri}: Vault refused batch item ${offset + i}: ${r.error.slice(0, 300)}`);
        throw STALE_VERSION.test(r.error) ? new StaleVersion(error) : error;
      }
      return this.#decode(r, info.latestVersion, `batch_results[${offset + i}]`);
    });
  }

  /**
   * Runs a signing call pinned to the cached latest version. If Vault no longer signs with that
   * version (min_encryption_version raised after a rotation), reads the key again and retries once.
   */
  async #pinned<T>(options: SignOptions, call: (info: TransitKeyInfo, bounds: Bounds) => Promise<T>): Promise<T> {
    const bounds = this.#bounds(options);
    try {
      return await call(await this.#info(bounds), bounds);
    } catch (err) {
      if (!(err instanceof StaleVersion)) throw err;
      const fresh = await this.#cache.refresh('key', () => this.#load(bounds));
      return call(fresh, bounds).catch((again) => {
        throw again instanceof StaleVersion ? again.error : again;
      });
    }
  }

  async close(): Promise<void> {
    this.#client.close();
  }

  #bounds(options: SignOptions): Bounds {
    return { deadline: options.deadline ?? Date.now() + this.#config.defaultTimeoutMs, signal: options.signal };
  }

  /** Cached key metadata; after the TTL, one shared refresh picks up a rotation. */
  #info(bounds: Bounds): Promise<TransitKeyInfo> {
    return this.#cache.get('key', () => this.#load(bounds));
  }

  async #load(bounds: Bounds): Promise<TransitKeyInfo> {
    const site = this.#site('keys');
    const info = await readKeyInfo(this.#client, this.#mount, this.#name, site, bounds).catch((err) => {
      throw callError(err, site);
    });
    if (info.algorithm !== this.algorithm) {
      throw new SignetError('FAILED_PRECONDITION', `${this.uri}: the Vault key is now ${info.type}, it was opened as ${this.algorithm}`);
    }
    return info;
  }

  /** Pins the version Signet reports as current, so keyId and the signature always agree. */
  #common(info: TransitKeyInfo): TransitSignRequest {
    const pinned = { key_version: info.latestVersion };
    if (this.algorithm === 'Ed25519') return pinned;
    return { ...pinned, prehashed: true, hash_algorithm: 'sha2-256', marshaling_algorithm: this.#config.marshaling };
  }

  async #signRequest(request: TransitSignRequest, bounds: Bounds) {
    const site = this.#site('sign');
    try {
      return await withRetry(
        (attempt) => this.#client.sign(this.#mount, this.#name, request, { timeoutMs: attempt.transportTimeoutMs(), signal: attempt.signal }),
        { driver: DRIVER, deadline: bounds.deadline, signal: bounds.signal, retryable, describe },
      );
    } catch (err) {
      const error = callError(err, site);
      throw err instanceof VaultCallError && err.status === 400 && STALE_VERSION.test(err.errors[0] ?? '') ? new StaleVersion(error) : error;
    }
  }

  /** `vault:vN:BASE64` → N and the 64-byte signature (DER → P1363 for asn1 marshaling). */
  #decode(answer: TransitSignature, pinned: number, field: string): RawSignature {
    const match = /^vault:v(\d+):([A-Za-z0-9+/_=-]+)$/.exec(answer.signature ?? '');
    if (!match) throw new SignetError('INTEGRITY', `${this.uri}: Vault's ${field} is not of the form vault:vN:…`);
    const version = Number(match[1]);
    if (version !== pinned || (answer.key_version !== undefined && answer.key_version !== version)) {
      throw new SignetError('INTEGRITY', `${this.uri}: Vault signed with version ${version} (key_version ${answer.key_version ?? 'absent'}), Signet asked for ${pinned}`);
    }
    const body = match[2]!;
    let signature: Uint8Array;
    if (this.algorithm === 'ES256' && this.#config.marshaling === 'asn1') {
      signature = derToP1363(Buffer.from(body, 'base64'));
    } else {
      const url = this.algorithm === 'ES256'; // jws marshaling is base64url without padding
      if (url ? !/^[A-Za-z0-9_-]+$/.test(body) : !/^[A-Za-z0-9+/]+={0,2}$/.test(body)) {
        throw new SignetError('INTEGRITY', `${this.uri}: Vault's ${field} is not ${url ? 'base64url' : 'base64'}`);
      }
      signature = Buffer.from(body, url ? 'base64url' : 'base64');
    }
    return { signature, version: String(version) };
  }

  #site(op: 'keys' | 'sign'): CallSite {
    return { where: this.uri, path: `${this.#mount}/${op}/${this.#name}`, tokenSource: this.#config.tokenSource };
  }
}

async function readKeyInfo(client: TransitClient, mount: string, name: string, site: CallSite, bounds: Bounds): Promise<TransitKeyInfo> {
  const data = await withRetry(
    (attempt) => client.readKey(mount, name, { timeoutMs: attempt.transportTimeoutMs(), signal: attempt.signal }),
    { driver: DRIVER, deadline: bounds.deadline, signal: bounds.signal, retryable, describe },
  );
  return parseKeyInfo(site.where, data);
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
