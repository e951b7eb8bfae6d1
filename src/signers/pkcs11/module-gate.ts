// What may run on one PKCS#11 module at once: a reset (C_Finalize + C_Initialize) waits until no
// operation is in flight while new ones wait at the gate; and a cap on concurrent C_Sign calls.
import { SignetError } from '../../lib/errors.js';
import type { SignOptions } from '../contract.js';

/** Counts operations in flight and runs a reset only when there are none. */
export class ResetGate {
  #inFlight = 0;
  #resetting: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  get inFlight(): number {
    return this.#inFlight;
  }
  get resetting(): boolean {
    return this.#resetting !== undefined;
  }

  /** Waits out a reset in progress (up to the caller's deadline), then counts one operation. */
  async enter(options: SignOptions = {}): Promise<void> {
    while (this.#resetting) await bounded(this.#resetting, options, 'a PKCS#11 module reset');
    this.#inFlight++;
  }

  leave(): void {
    if (--this.#inFlight === 0) this.#drained?.();
  }

  /**
   * Closes the gate, waits for the operations in flight to finish, runs `reset` (synchronous, so no
   * other code of this process calls the module meanwhile) and opens the gate again. Calls made
   * during a reset wait for it, then run their own `reset` (which should see there is nothing to do).
   */
  async exclusive(reset: () => void, options: SignOptions = {}): Promise<void> {
    while (this.#resetting) await bounded(this.#resetting, options, 'a PKCS#11 module reset');
    const run = (async () => {
      if (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      this.#drained = undefined;
      reset();
    })();
    const gate = run.then(
      () => undefined,
      () => undefined,
    );
    this.#resetting = gate;
    void gate.then(() => {
      if (this.#resetting === gate) this.#resetting = undefined;
    });
    await bounded(run, options, 'a PKCS#11 module reset');
  }
}

/** A counting semaphore whose waiters give up at their deadline or on abort. */
export class Slots {
  readonly limit: number;
  #used = 0;
  readonly #queue: (() => void)[] = [];

  constructor(limit: number) {
    this.limit = limit;
  }

  get used(): number {
    return this.#used;
  }

  async acquire(options: SignOptions = {}): Promise<void> {
    if (this.#used < this.limit && this.#queue.length === 0) {
      this.#used++;
      return;
    }
    let grant!: () => void;
    const granted = new Promise<void>((resolve) => (grant = resolve));
    const turn = () => {
      this.#used++;
      grant();
    };
    this.#queue.push(turn);
    try {
      await bounded(granted, options, 'a free PKCS#11 signing thread');
    } catch (err) {
      const i = this.#queue.indexOf(turn);
      if (i >= 0) this.#queue.splice(i, 1);
      else this.release(); // granted just as the deadline passed: hand the slot on
      throw err;
    }
  }

  release(): void {
    this.#used--;
    this.#queue.shift()?.();
  }
}

/** Awaits `promise`, but no longer than the caller's deadline or signal allow (it runs on regardless). */
export async function bounded<T>(promise: Promise<T>, options: SignOptions, what: string): Promise<T> {
  if (options.deadline === undefined && !options.signal) return promise;
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const giveUp = new Promise<never>((_, reject) => {
    const fail = () => reject(new SignetError('DEADLINE_EXCEEDED', `deadline passed while waiting for ${what}`));
    if (options.signal?.aborted) return fail();
    onAbort = fail;
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.deadline !== undefined) timer = setTimeout(fail, Math.max(0, options.deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, giveUp]);
  } finally {
    if (timer) clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
  }
}
