// A small seeded PRNG for generated test inputs: the seed comes from SIGNET_SEED or is drawn and
// printed, so a failing run is reproduced with SIGNET_SEED=<seed>.
import { randomInt } from 'node:crypto';

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  bool(p?: number): boolean;
}

export function seededRng(label: string): Rng {
  const seed = process.env.SIGNET_SEED ? Number(process.env.SIGNET_SEED) : randomInt(2 ** 31);
  console.log(`# ${label}: SIGNET_SEED=${seed}`);
  let a = seed >>> 0;
  const next = () => {
    // mulberry32
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    bool: (p = 0.5) => next() < p,
  };
}
