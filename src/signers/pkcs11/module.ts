// A PKCS#11 module (the .so), loaded and initialised once per path and shared by every key on it;
// finalised when the last user releases it, and initialised again when Cryptoki says it is not.
import { existsSync, realpathSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { SignetError } from '../../lib/errors.js';
import type { SignOptions } from '../contract.js';
import { ckrOf } from './errors.js';
import { SignThreads } from './sign-threads.js';
import { ResetGate, Slots } from './module-gate.js';

/**
 * How many C_Sign calls may run at once on one module: fewer than libuv's threadpool (4 unless
 * UV_THREADPOOL_SIZE says otherwise), so a slow or hung token never takes every thread that fs,
 * dns.lookup and zlib also need.
 */
export function signThreadsFor(env: NodeJS.ProcessEnv): number {
  const size = Number(env.UV_THREADPOOL_SIZE);
  const threads = Number.isInteger(size) && size > 0 ? Math.min(size, 1024) : 4;
  return Math.max(1, threads - 1);
}

export type Pkcs11Lib = pkcs11js.PKCS11;

const loaded = new Map<string, Pkcs11Module>();

export class Pkcs11Module {
  readonly path: string;
  readonly #lib: Pkcs11Lib;
  #refs = 0;
  /** Bumped on every (re)initialisation, so holders of old sessions and handles know they are gone. */
  #generation = 0;
  /** Operations in flight on this module (every pool on it); a reset waits for them. */
  readonly gate = new ResetGate();
  /** C_Sign / C_GenerateKeyPair calls on libuv's worker threads, at most signThreadsFor(env) at once. */
  readonly workerSlots = new Slots(signThreadsFor(process.env));
  /** Worker threads for C_SignInit + C_Sign, when a key asked for them (`sign-threads=N`). */
  #signThreads: SignThreads | undefined;

  private constructor(path: string) {
    this.path = path;
    this.#lib = new pkcs11js.PKCS11();
    try {
      this.#lib.load(path);
    } catch (err) {
      throw new SignetError('CONFIG', `cannot load the PKCS#11 module at ${path}: ${(err as Error).message}`, { cause: err });
    }
    this.#initialize('CONFIG');
  }

  /** The shared module for a path, loaded and initialised on first use. Pair with release(). */
  static acquire(path: string): Pkcs11Module {
    if (!existsSync(path)) {
      throw new SignetError('CONFIG', `PKCS#11 module not found at ${path}; install it or set module-path= in the key URI`);
    }
    // One instance per library, however it is named: two would finalise each other.
    const real = realpathSync(path);
    let module = loaded.get(real);
    if (!module) {
      module = new Pkcs11Module(real);
      loaded.set(real, module);
    }
    module.#refs++;
    return module;
  }

  get lib(): Pkcs11Lib {
    return this.#lib;
  }

  get signThreads(): SignThreads | undefined {
    return this.#signThreads;
  }

  /** Starts `count` signing threads for this module, once; later keys share them. */
  useSignThreads(count: number): void {
    if (count > 0 && !this.#signThreads) this.#signThreads = new SignThreads(this.path, count);
  }

  get generation(): number {
    return this.#generation;
  }

  /**
   * Initialises the module again after CKR_CRYPTOKI_NOT_INITIALIZED or a removed device, unless
   * someone already did so since `seenGeneration`. Every session and handle of the old one is gone.
   * C_Finalize while another thread is inside a Cryptoki call is undefined behaviour: the reset
   * waits until no operation of any pool on this module is in flight, and holds new ones back.
   */
  async reinitialize(seenGeneration: number, finalizeFirst: boolean, options: SignOptions = {}): Promise<void> {
    await this.gate.exclusive(() => {
      if (this.#generation !== seenGeneration) return;
      if (finalizeFirst) {
        try {
          this.#lib.C_Finalize();
        } catch {
          // Already finalised: exactly the state we want before initialising again.
        }
      }
      this.#initialize('UNAVAILABLE');
    }, options);
  }

  /** Drops one user; the last one finalises and unloads the module. */
  release(): void {
    if (--this.#refs > 0) return;
    loaded.delete(this.path);
    void this.#signThreads?.close();
    this.#signThreads = undefined;
    try {
      this.#lib.C_Finalize();
    } catch {
      // A module someone already finalised needs no second finalisation.
    }
    try {
      this.#lib.close();
    } catch {
      // Unloading is best effort; the process may keep the library mapped.
    }
  }

  #initialize(failure: 'CONFIG' | 'UNAVAILABLE'): void {
    try {
      // OS locking: pkcs11js runs C_Sign on libuv worker threads, so the module must lock.
      this.#lib.C_Initialize({ flags: pkcs11js.CKF_OS_LOCKING_OK });
    } catch (err) {
      if (ckrOf(err) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
        const hint = /yubihsm/i.test(this.path) ? '; check YUBIHSM_PKCS11_CONF and that yubihsm-connector answers' : '';
        throw new SignetError(failure, `cannot initialise the PKCS#11 module at ${this.path}: ${ckrOf(err) ?? (err as Error).message}${hint}`, { cause: err });
      }
    }
    this.#generation++;
  }
}
