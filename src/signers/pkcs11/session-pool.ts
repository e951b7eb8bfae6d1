// SessionPool: a bounded pool of sessions on one token — one operation per session, one login per
// token, keep-alive pings under an idle-expiry profile, and a reset when the sessions are gone.
import pkcs11js from 'pkcs11js';
import { SignetError } from '../../lib/errors.js';
import type { SignOptions } from '../contract.js';
import { CKS_RO_USER_FUNCTIONS, CKS_RW_USER_FUNCTIONS } from './attributes.js';
import { ckrOf, needsReinitialize, pkcs11Failure } from './errors.js';
import type { Pkcs11Module } from './module.js';
import { DEFAULT_HEAL_DELAYS, TokenHealth, type HealDelays, type HealOutcome, type KeyWatch } from './token-health.js';
import { trackSessionPool } from '../telemetry.js';
import { findToken, type FoundToken, type TokenSelector } from './token.js';

const CKF_LOGIN_REQUIRED = 0x4;

/** How many sessions a token takes and how long it keeps an idle one. */
export interface PoolProfile {
  name: string;
  maxSessions: number;
  /** Ping idle sessions this often (ms) so the device does not expire them; 0 = never. */
  keepAliveMs: number;
}

export const PROFILES: Record<string, PoolProfile> = {
  default: { name: 'default', maxSessions: 8, keepAliveMs: 0 },
  // YubiHSM 2: 16 sessions per device, each closed by the device after 30 s idle.
  yubihsm: { name: 'yubihsm', maxSessions: 16, keepAliveMs: 20_000 },
};

export interface SessionPoolOptions {
  selector: TokenSelector;
  /** Held in memory only, to log in again after a reset. Never logged. */
  pin: string | undefined;
  profile: PoolProfile;
  maxSessions: number;
  /** Most callers queued for a session; one more is refused with RESOURCE_EXHAUSTED. */
  maxWaiters?: number;
  /** Backoff between heal attempts during an outage. */
  healDelays?: HealDelays;
}

/** How long a heal attempt waits for operations in flight before it may re-initialise the module. */
const RESET_WAIT_MS = 30_000;

export const DEFAULT_MAX_WAITERS = 4096;

interface PooledSession {
  handle: Buffer;
  epoch: number;
  /** Module generation it was opened in: after re-initialisation its handle may name another session. */
  generation: number;
  lastUsed: number;
}

interface Waiter {
  resolve(s: PooledSession): void;
  reject(e: unknown): void;
}

export class SessionPool {
  readonly #module: Pkcs11Module;
  readonly #options: SessionPoolOptions;
  #token: FoundToken;
  #idle: PooledSession[] = [];
  #open = 0;
  #waiters: Waiter[] = [];
  /** Bumped by every reset; sessions and key handles from an older epoch are not used again. */
  #epoch = 0;
  #moduleGeneration: number;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  /** Stops reporting this pool's use to metrics (on close). */
  #untrack: () => void = () => {};
  /** Operations running now; close() waits for them before the module may be finalised. */
  #active = 0;
  #drained: (() => void) | undefined;
  /** The one quick recovery under way (callers that failed in the same epoch wait for it). */
  #recovering: Promise<void> | undefined;
  /** Outages: refusal while the token is lost, and the heal loop that brings it back. */
  readonly health: TokenHealth;

  /** Finds the token and logs in on a first session, so a wrong PIN fails here, at start-up. */
  constructor(module: Pkcs11Module, options: SessionPoolOptions) {
    this.#module = module;
    this.#options = options;
    this.#moduleGeneration = module.generation;
    this.#token = findToken(module.lib, options.selector, module.path);
    this.health = new TokenHealth(() => this.#token.label, (watches) => this.#heal(watches), options.healDelays ?? DEFAULT_HEAL_DELAYS);
    if (this.#token.flags & CKF_LOGIN_REQUIRED && options.pin === undefined) {
      throw new SignetError('CONFIG', `token "${this.#token.label}" requires a PIN: add pin-source=env:NAME or pin-source=file:/path to the key URI`);
    }
    this.#release(this.#openSession());
    this.#untrack = trackSessionPool({ token: this.#token.label, maxSessions: options.maxSessions, size: () => this.size });
    if (options.profile.keepAliveMs > 0) {
      this.#timer = setInterval(() => this.#keepAlive(), Math.max(1000, options.profile.keepAliveMs / 2));
      this.#timer.unref();
    }
  }

  get token(): FoundToken {
    return this.#token;
  }
  get epoch(): number {
    return this.#epoch;
  }
  get size(): { open: number; idle: number; waiting: number } {
    return { open: this.#open, idle: this.#idle.length, waiting: this.#waiters.length };
  }

  /**
   * Runs `fn` on a session of its own. A session whose operation failed is closed, not reused
   * (it may hold an unfinished operation); `fn` learns the epoch, to cache key handles by it.
   */
  async run<T>(fn: (session: Buffer, epoch: number) => Promise<T> | T, options: SignOptions = {}): Promise<T> {
    // While the token is lost, nothing is asked of it: the heal loop alone probes it.
    if (this.health.tokenDown) throw this.health.refusal();
    return this.#run(fn, options);
  }

  async #run<T>(fn: (session: Buffer, epoch: number) => Promise<T> | T, options: SignOptions = {}): Promise<T> {
    // Counted on the module from before a session is taken until it is back: a reset waits for it.
    const gate = this.#module.gate;
    await gate.enter(options);
    try {
      const session = await this.#acquire(options);
      this.#active++;
      let ok = false;
      try {
        const result = await fn(session.handle, session.epoch);
        ok = true;
        return result;
      } finally {
        if (ok) this.#release(session);
        else this.#discard(session);
        if (--this.#active === 0) this.#drained?.();
      }
    } finally {
      gate.leave();
    }
  }

  /** Runs `fn` on a fresh read/write session outside the pool (key generation), then closes it. */
  async runReadWrite<T>(fn: (session: Buffer) => Promise<T> | T): Promise<T> {
    if (this.#closed) throw new SignetError('UNAVAILABLE', 'the PKCS#11 key was closed');
    if (this.health.tokenDown) throw this.health.refusal();
    const gate = this.#module.gate;
    await gate.enter();
    try {
      const session = this.#openSession(true);
      this.#active++;
      try {
        return await fn(session.handle);
      } finally {
        this.#discard(session);
        if (--this.#active === 0) this.#drained?.();
      }
    } finally {
      gate.leave();
    }
  }

  /**
   * After an error that invalidated sessions (see errors.ts): closes every session of the epoch
   * the failure was seen in, finds the token again (its slot may have changed) and logs in. Once per
   * epoch, however many callers failed: later ones wait for it. After a removed device, re-opening
   * is tried first; the module is finalised and initialised again only if that fails (or Cryptoki is
   * not initialised), and then only once no operation on the module is in flight (see
   * Pkcs11Module.reinitialize). If the token still does not answer, it is lost: this throws the
   * outage's UNAVAILABLE, and the heal loop takes over.
   */
  async recover(err: unknown, seenEpoch: number, options: SignOptions = {}): Promise<void> {
    if (this.#closed) throw new SignetError('FAILED_PRECONDITION', 'the PKCS#11 key is closed');
    if (this.health.tokenDown) throw this.health.refusal();
    if (seenEpoch === this.#epoch) {
      const recovering = this.#recoverNow(err, options);
      this.#recovering = recovering;
      void recovering.then(
        () => undefined,
        () => undefined,
      ).then(() => {
        if (this.#recovering === recovering) this.#recovering = undefined;
      });
      try {
        await recovering;
      } catch (again) {
        // The caller's own deadline while a reset waited says nothing about the token.
        if (again instanceof SignetError && again.code === 'DEADLINE_EXCEEDED') throw again;
        this.health.tokenLost(again);
        for (const w of this.#waiters.splice(0)) w.reject(this.health.refusal());
        throw this.health.refusal();
      }
      return;
    }
    if (this.#recovering) await this.#recovering.catch(() => undefined);
    if (this.health.tokenDown) throw this.health.refusal();
  }

  async #recoverNow(err: unknown, options: SignOptions): Promise<void> {
    this.#epoch++;
    for (const s of this.#idle.splice(0)) this.#closeQuietly(s);
    let cause = err;
    if (this.#module.generation === this.#moduleGeneration && ckrOf(err) !== 'CKR_CRYPTOKI_NOT_INITIALIZED') {
      try {
        this.#reopen();
        return;
      } catch (again) {
        if (!needsReinitialize(err) && !needsReinitialize(again)) throw again;
        if (needsReinitialize(again)) cause = again;
      }
    }
    await this.#module.reinitialize(this.#moduleGeneration, ckrOf(cause) !== 'CKR_CRYPTOKI_NOT_INITIALIZED', options);
    this.#moduleGeneration = this.#module.generation;
    this.#reopen();
  }

  /**
   * One attempt of the heal loop, to the state a fresh process would start in: every session of
   * this pool dropped, the module finalised and initialised again (SoftHSM reads its token
   * directory only then), the token found, a session opened and logged in, and each key found
   * again by its probe. The pool refuses other calls meanwhile; probes bypass that refusal.
   */
  async #heal(watches: KeyWatch[]): Promise<HealOutcome> {
    const keys = new Map<KeyWatch, unknown>();
    if (this.#closed) return { token: new SignetError('UNAVAILABLE', 'the PKCS#11 key was closed'), keys };
    try {
      this.#epoch++;
      for (const s of this.#idle.splice(0)) this.#closeQuietly(s);
      await this.#module.reinitialize(this.#moduleGeneration, true, { deadline: Date.now() + RESET_WAIT_MS });
      this.#moduleGeneration = this.#module.generation;
      this.#reopen();
    } catch (err) {
      return { token: err, keys };
    }
    for (const w of watches) {
      try {
        await this.#run((session, epoch) => w.probe(session, epoch));
        keys.set(w, undefined);
      } catch (err) {
        keys.set(w, err);
      }
    }
    return { keys };
  }

  /**
   * Someone else (another token's pool on this module) initialised the module again: every session
   * and key handle of the old generation is gone, and an old handle may now name another pool's
   * session. A new epoch: idle sessions are dropped (not closed: that could close someone else's),
   * checked-out ones are dropped when they come back, key handles are found again.
   */
  #adoptGeneration(): void {
    this.#epoch++;
    for (const s of this.#idle.splice(0)) this.#closeQuietly(s);
    this.#moduleGeneration = this.#module.generation;
  }

  /** Finds the token again and, within maxSessions, opens (and logs in on) a first fresh session. */
  #reopen(): void {
    this.#token = findToken(this.#module.lib, this.#options.selector, this.#module.path);
    // Sessions checked out before the reset still count until they come back (and are closed):
    // open a first fresh one (and log in) only if that stays within maxSessions.
    if (this.#open < this.#options.maxSessions) this.#release(this.#openSession());
    this.#serveWaiters();
  }

  /** Refuses new work, fails waiters, and resolves once running operations have finished. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#untrack();
    if (this.#timer) clearInterval(this.#timer);
    this.health.close();
    for (const w of this.#waiters.splice(0)) w.reject(new SignetError('UNAVAILABLE', 'the PKCS#11 key was closed'));
    for (const s of this.#idle.splice(0)) this.#closeQuietly(s);
    if (this.#active > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
  }

  async #acquire(options: SignOptions): Promise<PooledSession> {
    if (this.#closed) throw new SignetError('UNAVAILABLE', 'the PKCS#11 key was closed');
    if (this.#moduleGeneration !== this.#module.generation) this.#adoptGeneration();
    // Callers already queued go first: a newcomer takes an idle or new session only if none wait.
    if (this.#waiters.length === 0) {
      const idle = this.#idle.pop();
      if (idle) return idle;
      if (this.#open < this.#options.maxSessions) return this.#openSession();
    }
    const waiting = this.#wait(options);
    this.#serveWaiters();
    return waiting;
  }

  #wait(options: SignOptions): Promise<PooledSession> {
    const maxWaiters = this.#options.maxWaiters ?? DEFAULT_MAX_WAITERS;
    if (this.#waiters.length >= maxWaiters) {
      return Promise.reject(
        new SignetError('RESOURCE_EXHAUSTED', `all ${this.#options.maxSessions} PKCS#11 sessions are busy and ${maxWaiters} callers already wait (max-waiters)`),
      );
    }
    return new Promise<PooledSession>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        resolve: (s) => (done(), resolve(s)),
        reject: (e) => (done(), reject(e)),
      };
      const giveUp = (error: SignetError) => {
        const i = this.#waiters.indexOf(waiter);
        if (i >= 0) this.#waiters.splice(i, 1);
        waiter.reject(error);
      };
      const onAbort = () => giveUp(new SignetError('DEADLINE_EXCEEDED', 'cancelled while waiting for a PKCS#11 session'));
      if (options.signal?.aborted) return onAbort();
      options.signal?.addEventListener('abort', onAbort, { once: true });
      if (options.deadline !== undefined) {
        timer = setTimeout(
          () => giveUp(new SignetError('DEADLINE_EXCEEDED', `all ${this.#options.maxSessions} PKCS#11 sessions stayed busy until the deadline`)),
          Math.max(0, options.deadline - Date.now()),
        );
      }
      this.#waiters.push(waiter);
    });
  }

  #release(session: PooledSession): void {
    if (this.#closed || session.epoch !== this.#epoch) return this.#discard(session);
    session.lastUsed = Date.now();
    const waiter = this.#waiters.shift();
    if (waiter) waiter.resolve(session);
    else this.#idle.push(session);
  }

  /** Closes a session and, if callers wait, opens sessions in its place for them. */
  #discard(session: PooledSession): void {
    this.#closeQuietly(session);
    this.#serveWaiters();
  }

  /**
   * Opens sessions for waiting callers, first come first served, while the pool has room. If the
   * token refuses one, every waiter gets that error (and its own recovery and retry): none is left
   * queued with nothing to wake it.
   */
  #serveWaiters(): void {
    while (!this.#closed && this.#waiters.length > 0 && this.#open < this.#options.maxSessions) {
      let session: PooledSession;
      try {
        session = this.#openSession();
      } catch (err) {
        for (const w of this.#waiters.splice(0)) w.reject(err);
        return;
      }
      this.#waiters.shift()!.resolve(session);
    }
  }

  #openSession(readWrite = false): PooledSession {
    const lib = this.#module.lib;
    const flags = pkcs11js.CKF_SERIAL_SESSION | (readWrite ? pkcs11js.CKF_RW_SESSION : 0);
    let handle: Buffer;
    try {
      handle = lib.C_OpenSession(this.#token.slot, flags);
    } catch (err) {
      throw pkcs11Failure(`cannot open a session on token "${this.#token.label}"`, err);
    }
    this.#open++;
    const session = { handle, epoch: this.#epoch, generation: this.#module.generation, lastUsed: Date.now() };
    try {
      this.#login(handle);
    } catch (err) {
      this.#closeQuietly(session);
      throw err;
    }
    return session;
  }

  /** Logs in unless the token already is (login is per token, not per session). */
  #login(handle: Buffer): void {
    const pin = this.#options.pin;
    if (pin === undefined) return;
    const lib = this.#module.lib;
    const state = lib.C_GetSessionInfo(handle).state;
    if (state === CKS_RO_USER_FUNCTIONS || state === CKS_RW_USER_FUNCTIONS) return;
    try {
      lib.C_Login(handle, pkcs11js.CKU_USER, pin);
    } catch (err) {
      const ckr = ckrOf(err);
      if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') return;
      const label = this.#token.label;
      if (ckr === 'CKR_PIN_INCORRECT') {
        throw new SignetError('CONFIG', `wrong PIN for token "${label}" (CKR_PIN_INCORRECT); check the key URI's pin-source`, { cause: err });
      }
      if (ckr === 'CKR_PIN_LOCKED') {
        throw new SignetError('CONFIG', `the user PIN of token "${label}" is locked (CKR_PIN_LOCKED); an SO must reset it`, { cause: err });
      }
      if (ckr === 'CKR_PIN_LEN_RANGE' || ckr === 'CKR_PIN_INVALID') {
        throw new SignetError('CONFIG', `the PIN for token "${label}" is not acceptable to the token (${ckr}); check the key URI's pin-source`, { cause: err });
      }
      throw pkcs11Failure(`cannot log in to token "${label}"`, err);
    }
  }

  /** Pings idle sessions (C_GetSessionInfo) before the device expires them; drops dead ones. */
  #keepAlive(): void {
    const due = Date.now() - this.#options.profile.keepAliveMs / 2;
    for (const s of [...this.#idle]) {
      if (s.lastUsed > due) continue;
      try {
        this.#module.lib.C_GetSessionInfo(s.handle);
        s.lastUsed = Date.now();
      } catch {
        this.#idle.splice(this.#idle.indexOf(s), 1);
        this.#closeQuietly(s);
      }
    }
  }

  #closeQuietly(session: PooledSession): void {
    this.#open--;
    if (session.generation !== this.#module.generation) return;
    try {
      this.#module.lib.C_CloseSession(session.handle);
    } catch {
      // The session is already gone (closed by the device, a reset or C_CloseAllSessions).
    }
  }
}
