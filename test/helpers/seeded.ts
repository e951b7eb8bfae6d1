// The one seeded PRNG (mulberry32) for generated test inputs, and the wrappers tests use over it:
// a seed from SIGNET_SEED / SIGNET_TEST_SEED or a fixed default, printed or put into failure messages.
import { randomInt } from 'node:crypto';

/** mulberry32: uniform in [0, 1); the same seed always gives the same sequence. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fixed-seed source: next, int(n) in [0, n), pick. */
export function seeded(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!,
  };
}

export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [lo, hi). */
  int(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  bool(p?: number): boolean;
}

/** The seed comes from SIGNET_SEED or is drawn and printed: reproduce with SIGNET_SEED=<seed>. */
export function seededRng(label: string): Rng {
  const seed = process.env.SIGNET_SEED ? Number(process.env.SIGNET_SEED) : randomInt(2 ** 31);
  console.log(`# ${label}: SIGNET_SEED=${seed}`);
  const next = mulberry32(seed);
  return {
    seed,
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)),
    pick: (items) => items[Math.floor(next() * items.length)]!,
    bool: (p = 0.5) => next() < p,
  };
}

export interface Random {
  readonly seed: number;
  /** [0, 1) */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bool(p?: number): boolean;
}

/** SIGNET_TEST_SEED overrides `defaultSeed`; `withSeed` puts the seed into any failure message. */
export function seededRandom(defaultSeed: number): Random {
  const env = process.env.SIGNET_TEST_SEED;
  const seed = env !== undefined && /^\d+$/.test(env) ? Number(env) >>> 0 : defaultSeed >>> 0;
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return { seed, next, int, pick: (items) => items[int(items.length)]!, bool: (p = 0.5) => next() < p };
}

/** Runs `body`; any failure is rethrown with the seed (and the case) in its message. */
export function withSeed<T>(random: Random, what: string, body: () => T): T {
  try {
    return body();
  } catch (err) {
    throw annotate(err, random, what);
  }
}

/** The async form of withSeed. */
export async function withSeedAsync<T>(random: Random, what: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    throw annotate(err, random, what);
  }
}

function annotate(err: unknown, random: Random, what: string): unknown {
  if (!(err instanceof Error)) return err;
  const note = `[seed ${random.seed}; rerun with SIGNET_TEST_SEED=${random.seed}] ${what}: `;
  err.message = note + err.message;
  // Reporters print the stack, which was written when the error was made.
  if (err.stack) err.stack = note + err.stack;
  return err;
}
