// Nonces seen in signed requests, remembered for the timestamp window so a request cannot be
// replayed. In memory by default; a shared store (for replicas) implements the same interface.
import { SignetError } from '../lib/errors.js';

export interface NonceStore {
  /** True the first time `key` is seen before `expiresAt` (ms since epoch); false on a replay. */
  remember(key: string, expiresAt: number): Promise<boolean>;
}

export class MemoryNonceStore implements NonceStore {
  readonly #seen = new Map<string, number>();
  readonly #max: number;
  readonly #now: () => number;
  #nextSweep = 0;

  constructor(options: { maxEntries?: number; now?: () => number } = {}) {
    this.#max = options.maxEntries ?? 1_000_000;
    this.#now = options.now ?? Date.now;
  }

  async remember(key: string, expiresAt: number): Promise<boolean> {
    const now = this.#now();
    const known = this.#seen.get(key);
    if (known !== undefined && known > now) return false;
    if (this.#seen.size >= this.#max || now >= this.#nextSweep) this.#sweep(now);
    // Forgetting a live nonce would let it replay, so a full store refuses instead.
    if (this.#seen.size >= this.#max) throw new SignetError('RESOURCE_EXHAUSTED', 'too many signed requests in the window; retry shortly', { retryAfter: 1 });
    this.#seen.set(key, expiresAt);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #sweep(now: number): void {
    for (const [k, exp] of this.#seen) if (exp <= now) this.#seen.delete(k);
    this.#nextSweep = now + 1000;
  }
}
