// How long batches wait for, and hold, a shared store's sequencing lock: the figures that bound
// a cluster's append rate (docs/scale-out.md), kept as totals and a window of recent holds.

const WINDOW = 2048;

export class SequencingStats {
  batches = 0;
  failed = 0;
  waitMsTotal = 0;
  holdMsTotal = 0;
  holdMsMax = 0;
  readonly #holds: number[] = [];

  record(waitMs: number, holdMs: number): void {
    this.batches++;
    this.waitMsTotal += waitMs;
    this.holdMsTotal += holdMs;
    if (holdMs > this.holdMsMax) this.holdMsMax = holdMs;
    if (this.#holds.length === WINDOW) this.#holds.shift();
    this.#holds.push(holdMs);
  }

  /** The q-quantile (0..1) of the recent lock hold times, ms. */
  holdQuantile(q: number): number {
    if (this.#holds.length === 0) return 0;
    const sorted = [...this.#holds].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  }
}
