// A token's health: while it is lost (or a key on it is not visible), calls are refused at once with
// UNAVAILABLE and a retry-after, one heal loop retries with backoff, and each key hears once per change.
import { BackendUnavailable, type BackendState, type BackendStateChange } from '../health.js';
import { describeFailure, isPinRefusal } from './errors.js';

/** What one heal attempt found: the token back or why not, and for each key whether it is there. */
export interface HealOutcome {
  /** Undefined when sessions open and the user is logged in again; else the failure. */
  token?: unknown;
  /** Per key: undefined when found again (and the same key), else the failure. */
  keys: Map<KeyWatch, unknown>;
}

export interface HealDelays {
  /** Wait before the first heal attempt (ms); doubles per attempt up to maxMs. */
  firstMs: number;
  maxMs: number;
}

export const DEFAULT_HEAL_DELAYS: HealDelays = { firstMs: 250, maxMs: 2_000 };

type Listener = (change: BackendStateChange) => void;

/** One key's view of its token's health; the key backend checks it before every call. */
export class KeyWatch {
  readonly name: string;
  /** Finds the key again on a fresh session (throws KeyNotVisible when it is not there). */
  readonly probe: (session: Buffer, epoch: number) => void;
  readonly #health: TokenHealth;
  readonly #listeners = new Set<Listener>();
  /** Why the key itself is not visible (the token may be fine), or undefined. */
  missing: string | undefined;
  reported: BackendState = 'ready';
  downSince = 0;

  constructor(health: TokenHealth, name: string, probe: (session: Buffer, epoch: number) => void) {
    this.#health = health;
    this.name = name;
    this.probe = probe;
  }

  state(): BackendState {
    return this.reported;
  }

  onStateChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Throws the refusal while this key cannot sign; nothing is asked of the token meanwhile. */
  check(): void {
    if (this.reported === 'unavailable') throw this.#health.refusal(this);
  }

  /** A call failed again after its one recovery: the key (KeyNotVisible) or the token is lost. */
  lost(err: unknown, keyOnly: boolean): BackendUnavailable {
    if (keyOnly) this.#health.keyLost(this, err);
    else this.#health.tokenLost(err);
    return this.#health.refusal(this);
  }

  refusal(): BackendUnavailable {
    return this.#health.refusal(this);
  }

  close(): void {
    this.#listeners.clear();
    this.#health.unwatch(this);
  }

  notify(change: BackendStateChange): void {
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure is its own; the state change stands.
      }
    }
  }
}

export class TokenHealth {
  readonly #label: () => string;
  readonly #heal: (watches: KeyWatch[]) => Promise<HealOutcome>;
  readonly #delays: HealDelays;
  readonly #watches = new Set<KeyWatch>();
  /** Why the token is lost, or undefined while it answers. */
  #tokenDown: string | undefined;
  /** The PIN was refused during recovery: no more attempts (each would bring a lockout closer). */
  #stuck = false;
  #loop: { attempts: number; delay: number; nextAt: number; timer: NodeJS.Timeout | undefined } | undefined;
  #closed = false;

  constructor(label: () => string, heal: (watches: KeyWatch[]) => Promise<HealOutcome>, delays: HealDelays = DEFAULT_HEAL_DELAYS) {
    this.#label = label;
    this.#heal = heal;
    this.#delays = delays;
  }

  get tokenDown(): boolean {
    return this.#tokenDown !== undefined;
  }

  /** Heal attempts made in the current outage (0 when none is under way). */
  get attempts(): number {
    return this.#loop?.attempts ?? 0;
  }

  watch(name: string, probe: (session: Buffer, epoch: number) => void): KeyWatch {
    const w = new KeyWatch(this, name, probe);
    this.#watches.add(w);
    return w;
  }

  unwatch(w: KeyWatch): void {
    this.#watches.delete(w);
  }

  /** The error for a call refused during an outage: UNAVAILABLE, never "no such key". */
  refusal(w?: KeyWatch): BackendUnavailable {
    const who = w ? `${w.name}: ` : '';
    const label = this.#label();
    if (this.#stuck) {
      return new BackendUnavailable(
        `${who}token "${label}" refused the PIN when Signet logged in again (${this.#tokenDown}); not retrying, so as not to lock the PIN: restart Signet with the right PIN`,
      );
    }
    const retryAfter = this.#loop ? Math.max(1, Math.ceil((this.#loop.nextAt - Date.now()) / 1000)) : 1;
    const what = this.#tokenDown !== undefined || !w?.missing
      ? `token "${label}" is unavailable (${this.#tokenDown ?? 'recovering'})`
      : `the key is not visible on token "${label}" although it was when Signet opened it (${w.missing})`;
    return new BackendUnavailable(`${who}${what}; recovering, retry in ${retryAfter} s`, { retryAfter });
  }

  tokenLost(err: unknown): void {
    if (this.#closed) return;
    if (this.#tokenDown === undefined) this.#tokenDown = describeFailure(err);
    if (isPinRefusal(err)) this.#giveUp(err);
    this.#publish();
    this.#start();
  }

  keyLost(w: KeyWatch, err: unknown): void {
    if (this.#closed) return;
    w.missing ??= describeFailure(err);
    this.#publish();
    this.#start();
  }

  close(): void {
    this.#closed = true;
    if (this.#loop?.timer) clearTimeout(this.#loop.timer);
    this.#loop = undefined;
  }

  #giveUp(err: unknown): void {
    this.#stuck = true;
    this.#tokenDown = describeFailure(err);
    if (this.#loop?.timer) clearTimeout(this.#loop.timer);
    this.#loop = undefined;
  }

  #start(): void {
    if (this.#loop || this.#stuck || this.#closed) return;
    this.#loop = { attempts: 0, delay: this.#delays.firstMs, nextAt: 0, timer: undefined };
    this.#schedule(this.#delays.firstMs);
  }

  #schedule(ms: number): void {
    const loop = this.#loop!;
    loop.nextAt = Date.now() + ms;
    loop.timer = setTimeout(() => void this.#attempt(), ms);
    loop.timer.unref();
  }

  async #attempt(): Promise<void> {
    const loop = this.#loop;
    if (!loop || this.#closed) return;
    loop.timer = undefined;
    loop.attempts++;
    let outcome: HealOutcome;
    try {
      outcome = await this.#heal([...this.#watches]);
    } catch (err) {
      outcome = { token: err, keys: new Map() };
    }
    if (this.#closed || this.#loop !== loop) return;
    if (outcome.token !== undefined) {
      if (isPinRefusal(outcome.token)) this.#giveUp(outcome.token);
      else this.#tokenDown ??= describeFailure(outcome.token);
    } else {
      this.#tokenDown = undefined;
      for (const w of this.#watches) {
        if (!outcome.keys.has(w)) continue;
        const err = outcome.keys.get(w);
        w.missing = err === undefined ? undefined : describeFailure(err);
      }
    }
    const healed = this.#tokenDown === undefined && [...this.#watches].every((w) => w.missing === undefined);
    this.#publish(loop.attempts);
    if (this.#stuck) return;
    if (healed) {
      this.#loop = undefined;
      return;
    }
    loop.delay = Math.min(loop.delay * 2, this.#delays.maxMs);
    // ±20 % so replicas sharing one network HSM do not retry in step.
    this.#schedule(Math.round(loop.delay * (0.8 + Math.random() * 0.4)));
  }

  /** Tells each key whose state changed, once. */
  #publish(attempts = this.#loop?.attempts ?? 0): void {
    const now = Date.now();
    for (const w of this.#watches) {
      const state: BackendState = this.#tokenDown !== undefined || w.missing !== undefined ? 'unavailable' : 'ready';
      if (state === w.reported) continue;
      w.reported = state;
      if (state === 'unavailable') {
        w.downSince = now;
        const reason = this.#tokenDown !== undefined ? `token "${this.#label()}" lost: ${this.#tokenDown}` : `key not visible on token "${this.#label()}": ${w.missing}`;
        const every = this.#delays.maxMs / 1000;
        w.notify(
          this.#stuck
            ? { state, reason, recovery: 'not retrying, so as not to lock the PIN: restart with the right PIN' }
            : { state, reason, retryEverySeconds: every, recovery: `retrying every ${every} s` },
        );
      } else {
        w.notify({ state, downMs: now - w.downSince, attempts });
      }
    }
  }
}
