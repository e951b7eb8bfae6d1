// One PKCS#11 key's raw signing primitive: C_SignInit + pkcs11js's asynchronous C_Sign on a pooled
// session, so the event loop never waits on the token; one recovery and retry when sessions die.
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import type { KeyAlgorithm, SignOptions } from '../contract.js';
import { signMechanism } from './attributes.js';
import { ckrOf, isRecoverable, pkcs11Failure } from './errors.js';
import { findPrivateKey, type KeySelector } from './objects.js';
import type { PoolLease } from './token-pools.js';

export class Pkcs11KeyBackend implements KeyBackend {
  readonly driver = 'pkcs11';
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly hardwareBacked: boolean;
  readonly #lease: PoolLease;
  readonly #selector: KeySelector;
  readonly #spki: Uint8Array;
  readonly #mechanism: number;
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
  }

  current() {
    return { version: '1', spki: this.#spki };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    if (version !== '1') throw new SignetError('NOT_FOUND', `${this.uri}: a PKCS#11 key has only version 1`);
    return this.#spki;
  }

  async sign(payload: Uint8Array, options: SignOptions): Promise<RawSignature> {
    const pool = this.#lease.pool;
    let seenEpoch = pool.epoch;
    try {
      return await this.#signOnce(payload, options, (e) => (seenEpoch = e));
    } catch (err) {
      if (!isRecoverable(err)) throw pkcs11Failure(`${this.uri}: sign failed`, err);
      try {
        await pool.recover(err, seenEpoch, options);
        return await this.#signOnce(payload, options, () => {});
      } catch (again) {
        if (again instanceof SignetError && again.code !== 'CONFIG') throw again;
        // At run time a token that cannot be reached again is unavailable, not a start-up mistake.
        const why = ckrOf(again) ?? (again instanceof Error ? again.message : String(again));
        throw new SignetError('UNAVAILABLE', `${this.uri}: sign failed (${ckrOf(err)}) and again after re-opening sessions: ${why}`, { cause: again });
      }
    }
  }

  async close(): Promise<void> {
    await this.#lease.release();
  }

  /**
   * One attempt: a worker-thread slot on the module first (so sessions are not held while waiting
   * for one), then a session, C_SignInit and C_SignAsync.
   */
  async #signOnce(payload: Uint8Array, options: SignOptions, seen: (epoch: number) => void): Promise<RawSignature> {
    const { lib, workerSlots } = this.#lease.module;
    await workerSlots.acquire(options);
    try {
      return await this.#lease.pool.run(async (session, epoch) => {
        seen(epoch);
        const key = this.#keyHandle(session, epoch);
        const threads = this.#lease.module.signThreads;
        if (threads) return { signature: await threads.sign(session, key, this.#mechanism, payload), version: '1' };
        lib.C_SignInit(session, { mechanism: this.#mechanism }, key);
        // 72 bytes leaves room for tokens that answer ECDSA in DER; P1363 is what PKCS#11 specifies.
        const signature = await lib.C_SignAsync(session, Buffer.from(payload), Buffer.alloc(72));
        return { signature: Uint8Array.from(signature), version: '1' };
      }, options);
    } finally {
      workerSlots.release();
    }
  }

  /** The private key handle, found again after a reset (handles do not outlive their sessions' epoch). */
  #keyHandle(session: Buffer, epoch: number): Buffer {
    if (this.#handle.epoch === epoch) return this.#handle.handle;
    const found = findPrivateKey(this.#lease.module.lib, session, this.#selector, this.#lease.pool.token.label);
    if (found.algorithm !== this.algorithm) {
      throw new SignetError('INTEGRITY', `${this.uri}: the key found again is ${found.algorithm ?? found.unsupported}, not ${this.algorithm}`);
    }
    this.#handle = { handle: found.handle, epoch };
    return found.handle;
  }
}
