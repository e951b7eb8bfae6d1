// Interleaved rounds: every figure measured once per round, in the same order, for several rounds;
// each reported as the median of its rounds, so a change in the machine's load hits all alike.
import { type LoadResult } from './load.js';
import { cpuByThread, type ThreadCpu } from './thread-cpu.js';

export interface RoundFigure {
  name: string;
  run(): Promise<LoadResult>;
  /** Units per completed call (signatures in a SignBatch call, receipts in an AppendReceipts call). */
  unitsPerCall?: number;
  /** The server process to split CPU time for, with its thread probe file. */
  server?: { pid: number; probe: string };
}

export interface RoundResult {
  name: string;
  /** Medians over rounds; rate in units/s. */
  rate: number;
  p50Ms: number;
  p99Ms: number;
  rounds: LoadResult[];
  /** CPU summed over every round, and the units it served. */
  cpu?: ThreadCpu;
  units: number;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function interleave(rounds: number, figures: RoundFigure[], log?: (line: string) => void): Promise<Map<string, RoundResult>> {
  const out = new Map<string, { loads: LoadResult[]; cpu?: ThreadCpu; units: number }>();
  for (let r = 0; r < rounds; r++) {
    for (const f of figures) {
      const slot = out.get(f.name) ?? { loads: [], units: 0 };
      out.set(f.name, slot);
      let load: LoadResult;
      if (f.server) {
        const { result, cpu } = await cpuByThread(f.server.pid, f.server.probe, f.run);
        load = result;
        slot.cpu = slot.cpu ? addCpu(slot.cpu, cpu) : cpu;
      } else {
        load = await f.run();
      }
      slot.loads.push(load);
      slot.units += load.ops * (f.unitsPerCall ?? 1);
    }
    log?.(`  round ${r + 1}/${rounds}: ${figures.map((f) => `${f.name} ${Math.round(out.get(f.name)!.loads.at(-1)!.rate * (f.unitsPerCall ?? 1))}/s`).join(' · ')}`);
  }
  const results = new Map<string, RoundResult>();
  for (const f of figures) {
    const { loads, cpu, units } = out.get(f.name)!;
    results.set(f.name, {
      name: f.name,
      rate: median(loads.map((l) => l.rate)) * (f.unitsPerCall ?? 1),
      p50Ms: median(loads.map((l) => l.p50Ms)),
      p99Ms: median(loads.map((l) => l.p99Ms)),
      rounds: loads,
      ...(cpu ? { cpu } : {}),
      units,
    });
  }
  return results;
}

function addCpu(a: ThreadCpu, b: ThreadCpu): ThreadCpu {
  return { main: a.main + b.main, pool: a.pool + b.pool, workers: a.workers + b.workers, v8: a.v8 + b.v8, gcPauseMs: a.gcPauseMs + b.gcPauseMs, total: a.total + b.total };
}

/** The best rate a server can reach when each call costs both a no-op call and the backend's own work. */
export function compositionBound(noopRate: number, backendRate: number): number {
  return 1 / (1 / noopRate + 1 / backendRate);
}
