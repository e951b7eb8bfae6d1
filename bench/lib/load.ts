// A closed-loop load generator: `concurrency` callers, each issuing its next call when the last
// returns, for a fixed time. Reports rate and latency percentiles.
export interface LoadResult {
  ops: number;
  seconds: number;
  rate: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

export async function runLoad(call: (i: number) => Promise<unknown>, options: { concurrency: number; durationMs: number; warmupMs?: number }): Promise<LoadResult> {
  if (options.warmupMs) await runLoad(call, { concurrency: options.concurrency, durationMs: options.warmupMs });
  const latencies: number[] = [];
  let ops = 0;
  let errors = 0;
  const start = performance.now();
  const end = start + options.durationMs;
  let firstError: unknown;
  const worker = async (w: number) => {
    let i = w;
    while (performance.now() < end) {
      const t = performance.now();
      try {
        await call(i);
        ops++;
        latencies.push(performance.now() - t);
      } catch (err) {
        errors++;
        firstError ??= err;
        if (errors > 100) throw firstError;
      }
      i += options.concurrency;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, (_, w) => worker(w)));
  const seconds = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? NaN;
  return { ops, seconds, rate: ops / seconds, p50Ms: pct(0.5), p99Ms: pct(0.99), errors };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function ratioLine(name: string, value: number, target: number, higherIsBetter = true): string {
  const ok = higherIsBetter ? value >= target : value <= target;
  return `${name.padEnd(44)} ${value.toFixed(2).padStart(8)}   target ${higherIsBetter ? '≥' : '≤'} ${target}   ${ok ? 'MET' : 'NOT MET'}`;
}
