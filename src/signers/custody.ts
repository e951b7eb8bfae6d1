// The custody contract applied to a driver's raw primitive: the same checks, the same digest
// rule and the same signature encoding for every backend.
import { createHash } from 'node:crypto';
import { SignetError, invalidArgument } from '../lib/errors.js';
import type { KeyBackend, RawSignature } from './backend.js';
import {
  MAX_ED25519_MESSAGE_BYTES,
  type KeyAlgorithm,
  type PublicKeyInfo,
  type SignInput,
  type SignOptions,
  type SignResult,
  type Signer,
} from './contract.js';
import { reportsHealth, type BackendState, type BackendStateChange } from './health.js';
import { publicKeyInfo } from './keys.js';
import { OutcomeHealth } from './outcome-health.js';
import { reportSigned } from './telemetry.js';

export class CustodySigner implements Signer {
  readonly #backend: KeyBackend;
  /** version → public key info; versions never change their key, so this never goes stale. */
  readonly #versions = new Map<string, PublicKeyInfo>();
  /** Health judged by call outcomes, for remote backends that do not report their own. */
  #outcomes: OutcomeHealth | undefined;
  /** Present when the backend reports its health (see health.ts); discovered with reportsHealth(). */
  readonly state?: () => BackendState;
  readonly onStateChange?: (listener: (change: BackendStateChange) => void) => () => void;

  constructor(backend: KeyBackend) {
    this.#backend = backend;
    // A backend that knows its health says so; a remote one that does not is judged by its answers;
    // a key in this process's memory is always reachable and reports nothing.
    const health = reportsHealth(backend) ? backend : backend.hardwareBacked ? new OutcomeHealth() : undefined;
    if (health) {
      this.state = () => health.state();
      this.onStateChange = (listener) => health.onStateChange(listener);
    }
    if (health instanceof OutcomeHealth) this.#outcomes = health;
    const { version, spki } = backend.current();
    const info = this.#remember(version, spki);
    if (info.algorithm !== backend.algorithm) {
      throw new SignetError('FAILED_PRECONDITION', `${backend.uri}: driver reports ${backend.algorithm} but the public key is ${info.algorithm}`);
    }
  }

  get driver(): string {
    return this.#backend.driver;
  }
  get uri(): string {
    return this.#backend.uri;
  }
  get algorithm(): KeyAlgorithm {
    return this.#backend.algorithm;
  }
  get hardwareBacked(): boolean {
    return this.#backend.hardwareBacked;
  }

  keyId(): string {
    const { version, spki } = this.#backend.current();
    return (this.#versions.get(version) ?? this.#remember(version, spki)).keyId;
  }

  async publicKey(version?: string): Promise<PublicKeyInfo> {
    const current = this.#backend.current();
    const v = version ?? current.version;
    const known = this.#versions.get(v);
    if (known) return known;
    return this.#remember(v, v === current.version ? current.spki : await this.#backend.spkiOf(v));
  }

  async sign(input: SignInput, options: SignOptions = {}): Promise<SignResult> {
    const payload = this.#payload(input, 'message', 'digest');
    const raw = this.#timed(1, this.#backend.sign(payload, options));
    return this.#result(await (this.#outcomes ? this.#outcomes.track(raw, options.signal) : raw));
  }

  /** Reports the backend call's latency by driver (metrics), whatever its outcome. */
  #timed<T>(count: number, call: Promise<T>): Promise<T> {
    const started = process.hrtime.bigint();
    const done = (ok: boolean) => reportSigned(this.driver, count, Number(process.hrtime.bigint() - started) / 1e9, ok);
    call.then(() => done(true), () => done(false));
    return call;
  }

  async signMany(inputs: SignInput[], options: SignOptions = {}): Promise<SignResult[]> {
    const payloads = inputs.map((input, i) => this.#payload(input, `messages[${i}]`, `digests[${i}]`));
    const all = this.#timed(
      payloads.length,
      this.#backend.signBatch ? this.#backend.signBatch(payloads, options) : Promise.all(payloads.map((p) => this.#backend.sign(p, options))),
    );
    const raws = await (this.#outcomes ? this.#outcomes.track(all, options.signal) : all);
    if (raws.length !== payloads.length) {
      throw new SignetError('INTEGRITY', `${this.uri}: backend returned ${raws.length} signatures for ${payloads.length} inputs`);
    }
    return Promise.all(raws.map((r) => this.#result(r)));
  }

  close(): Promise<void> {
    return this.#backend.close();
  }

  /** The digest contract: Ed25519 signs the message itself; ES256 signs SHA-256 computed here. */
  #payload(input: SignInput, messageField: string, digestField: string): Uint8Array {
    if (input.digest !== undefined) {
      if (this.algorithm === 'Ed25519') {
        throw invalidArgument(digestField, 'an Ed25519 key signs the whole message (PureEdDSA); send the message, not a digest');
      }
      if (input.digest.length !== 32) throw invalidArgument(digestField, `a SHA-256 digest is 32 bytes, got ${input.digest.length}`);
      return input.digest;
    }
    const message = input.message;
    if (!(message instanceof Uint8Array) || message.length === 0) throw invalidArgument(messageField, 'must not be empty');
    if (this.algorithm === 'Ed25519') {
      if (message.length > MAX_ED25519_MESSAGE_BYTES) {
        throw invalidArgument(messageField, `Ed25519 messages are limited to ${MAX_ED25519_MESSAGE_BYTES} bytes, got ${message.length}`);
      }
      return message;
    }
    return createHash('sha256').update(message).digest();
  }

  async #result(raw: RawSignature): Promise<SignResult> {
    if (raw.signature.length !== 64) {
      throw new SignetError('INTEGRITY', `${this.uri}: backend returned a ${raw.signature.length}-byte ${this.algorithm} signature, expected 64`);
    }
    const info = await this.publicKey(raw.version);
    return { signature: raw.signature, algorithm: this.algorithm, keyId: info.keyId, keyVersion: raw.version };
  }

  #remember(version: string, spki: Uint8Array): PublicKeyInfo {
    const info = publicKeyInfo(spki, version);
    this.#versions.set(version, info);
    return info;
  }
}
