// A small seeded generator (mulberry32) for property tests: SIGNET_TEST_SEED overrides the seed,
// and `withSeed` puts the seed into any failure message so a run can be reproduced.

export interface Random {
  readonly seed: number;
  /** [0, 1) */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  bool(p?: number): boolean;
}

export function seededRandom(defaultSeed: number): Random {
  const env = process.env.SIGNET_TEST_SEED;
  const seed = env !== undefined && /^\d+$/.test(env) ? Number(env) >>> 0 : defaultSeed >>> 0;
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
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
