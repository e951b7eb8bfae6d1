// One PKCS#11 key's raw signing primitive: C_SignInit + pkcs11js's asynchronous C_Sign on a pooled
// session, so the event loop never waits on the token; one recovery and retry when sessions die,
// and during an outage an immediate UNAVAILABLE while the token's heal loop brings it back.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import type { KeyAlgorithm, SignOptions } from '../contract.js';
import type { BackendState, BackendStateChange, HealthReporter } from '../health.js';
import { signMechanism } from './attributes.js';
import { isRecoverable, KeyNotVisible, pkcs11Failure } from './errors.js';
import { bounded } from './module-gate.js';
import { describeKey, lookupPrivateKey, publicSpki, type KeyObject, type KeySelector } from './objects.js';
import type { KeyWatch } from './token-health.js';
import type { PoolLease } from './token-pools.js';

export class Pkcs11KeyBackend implements KeyBackend, HealthReporter {
  readonly driver = 'pkcs11';
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly hardwareBacked: boolean;
  readonly #lease: PoolLease;
  readonly #selector: KeySelector;
  readonly #spki: Uint8Array;
  readonly #mechanism: number;
  readonly #watch: KeyWatch;
  /** The private key's handle, valid for the pool epoch it was found in. */
  #handle: { handle: Buffer; epoch: number };

  constructor(opts: { uri: string; lease: PoolLease; selector: KeySelector; algorithm: KeyAlgorithm; spki: Uint8Array; handle: Buffer; epoch: number }) {
    this.uri = opts.uri;
    this.#lease = opts.lease;
    this.#selector = opts.selector;
    this.algorithm = opts.algorithm;
    this.#spki = opts.spki;
    this.#mechanism = signMechanism(opts.algorithm);
    this.#handle = { handle: opts.handle, epoch: opts.epoch };
    // SoftHSM keeps keys in this process's memory, encrypted at rest: not hardware, and we say so.
    const token = opts.lease.pool.token;
    this.hardwareBacked = !/softhsm/i.test(`${token.manufacturer} ${token.model}`);
    this.#watch = opts.lease.pool.health.watch(this.uri, (session, epoch) => void this.#keyHandle(session, epoch));
  }

  current() {
    return { version: '1', spki: this.#spki };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    if (version !== '1') throw new SignetError('NOT_FOUND', `${this.uri}: a PKCS#11 key has only version 1`);
    return this.#spki;
  }

  state(): BackendState {
    return this.#watch.state();
  }

  onStateChange(listener: (change: BackendStateChange) => void): () => void {
    return this.#watch.onStateChange(listener);
  }

  async sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    this.#watch.check();
    const pool = this.#lease.pool;
    let seenEpoch = pool.epoch;
    try {
      return await this.#signOnce(payload, options, (e) => (seenEpoch = e));
    } catch (err) {
      if (pool.health.tokenDown) throw this.#watch.refusal();
      if (!isRecoverable(err)) throw pkcs11Failure(`${this.uri}: sign failed`, err);
      await pool.recover(err, seenEpoch, options).catch((e) => {
        throw pool.health.tokenDown ? this.#watch.refusal() : e;
      });
      try {
        return await this.#signOnce(payload, options, () => {});
      } catch (again) {
        if (pool.health.tokenDown) throw this.#watch.refusal();
        if (!isRecoverable(again)) throw pkcs11Failure(`${this.uri}: sign failed after re-opening sessions`, again);
        // Still failing on a fresh session: an outage, which the token's heal loop now handles.
        throw this.#watch.lost(again, again instanceof KeyNotVisible);
      }
    }
  }

  /**
   * A batch on as many lanes as the module has signing threads: each lane takes its thread slot, a
   * session and one deadline watch once, and signs its share one after another (C_SignInit +
   * C_Sign each) — not a slot, a session and a timer per signature. Whatever a lane could not sign
   * (a session died, the token faltered) is signed one by one through sign(), which recovers as a
   * lone call does. The deadline stops the lanes from taking more.
   */
  async signBatch(payloads: Uint8Array[], options: SignOptions): Promise<RawSignature[]> {
    this.#watch.check();
    const { lib, workerSlots } = this.#lease.module;
    const out: Array<RawSignature | undefined> = new Array(payloads.length);
    let next = 0;
    let stopped = false;
    const lane = async () => {
      await workerSlots.acquire(options);
      try {
        await this.#lease.pool.run(async (session, epoch) => {
          const key = this.#keyHandle(session, epoch);
          const threads = this.#lease.module.signThreads;
          while (!stopped && next < payloads.length) {
            const i = next++;
            const payload = payloads[i]!;
            if (threads) {
              out[i] = { signature: await threads.sign(session, key, this.#mechanism, payload), version: '1' };
            } else {
              lib.C_SignInit(session, { mechanism: this.#mechanism }, key);
              const signature = await lib.C_SignAsync(session, Buffer.from(payload), Buffer.alloc(72));
              out[i] = { signature: Uint8Array.from(signature), version: '1' };
            }
          }
        }, options);
      } finally {
        workerSlots.release();
      }
    };
    const lanes = Math.max(1, Math.min(payloads.length, workerSlots.limit));
    const failures = await Promise.all(Array.from({ length: lanes }, () => bounded(lane(), options, 'the token to answer').then(() => undefined, (err: unknown) => err)));
    stopped = true;
    const deadline = failures.find((e) => e instanceof SignetError && e.code === 'DEADLINE_EXCEEDED');
    if (deadline) throw deadline;
    const missing: number[] = [];
    for (let i = 0; i < out.length; i++) if (!out[i]) missing.push(i);
    await Promise.all(missing.map(async (i) => void (out[i] = await this.sign(payloads[i]!, options))));
    return out as RawSignature[];
  }

  async close(): Promise<void> {
    this.#watch.close();
    await this.#lease.release();
  }

  /**
   * One attempt: a worker-thread slot on the module first (so sessions are not held while waiting
   * for one), then a session, C_SignInit and C_SignAsync. A token that stops answering keeps its
   * thread, slot and session until it answers (closing a session under a running call is undefined
   * behaviour), but the caller stops waiting at its deadline.
   */
  async #signOnce(payload: Uint8Array, options: SignOptions, seen: (epoch: number) => void): Promise<RawSignature> {
    const { lib, workerSlots } = this.#lease.module;
    await workerSlots.acquire(options);
    const operation = this.#lease.pool
      .run(async (session, epoch) => {
        seen(epoch);
        const key = this.#keyHandle(session, epoch);
        const threads = this.#lease.module.signThreads;
        if (threads) return { signature: await threads.sign(session, key, this.#mechanism, payload), version: '1' };
        lib.C_SignInit(session, { mechanism: this.#mechanism }, key);
        // 72 bytes leaves room for tokens that answer ECDSA in DER; P1363 is what PKCS#11 specifies.
        const signature = await lib.C_SignAsync(session, Buffer.from(payload), Buffer.alloc(72));
        return { signature: Uint8Array.from(signature), version: '1' };
      }, options)
      .finally(() => workerSlots.release());
    return bounded(operation, options, 'the token to answer');
  }

  /**
   * The private key handle, found again after a reset (handles do not outlive their sessions'
   * epoch). At run time a key that is not there, or not the same key, is not visible: the token is
   * unwell or was swapped, never "create one".
   */
  #keyHandle(session: Buffer, epoch: number): Buffer {
    if (this.#handle.epoch === epoch) return this.#handle.handle;
    const { lib } = this.#lease.module;
    const label = this.#lease.pool.token.label;
    const found = lookupPrivateKey(lib, session, this.#selector, label);
    if (!found) throw new KeyNotVisible(`the private key with ${describeKey(this.#selector)} is not visible on token "${label}"`);
    if (found.algorithm !== this.algorithm || !Buffer.from(this.#publicSpki(session, found, label)).equals(this.#spki)) {
      throw new KeyNotVisible(`the key with ${describeKey(this.#selector)} on token "${label}" is not the key Signet opened (another public key)`);
    }
    this.#handle = { handle: found.handle, epoch };
    return found.handle;
  }

  /** The public half's SPKI; a public key object that is not there now is not visible either. */
  #publicSpki(session: Buffer, key: KeyObject, label: string): Uint8Array {
    try {
      return publicSpki(this.#lease.module.lib, session, key, this.algorithm, label);
    } catch (err) {
      if (err instanceof SignetError) throw new KeyNotVisible(err.message);
      throw err;
    }
  }
}
