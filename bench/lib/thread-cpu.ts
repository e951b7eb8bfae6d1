// Server CPU by thread, from /proc: main, libuv pool, worker threads (the SQLite writer), and the
// rest (V8's platform threads: concurrent GC and compilation), with GC pauses on the main thread.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const viaTsx = import.meta.url.endsWith('.ts');

/** Node arguments that preload the probe into a server child; pass `env` too. */
export function probeArgs(file: string): { args: string[]; env: Record<string, string> } {
  const probe = join(here, `thread-probe.${viaTsx ? 'ts' : 'js'}`);
  return { args: viaTsx ? ['--import', 'tsx', '--import', probe] : ['--import', probe], env: { SIGNET_BENCH_THREADS: file } };
}

export interface ThreadCpu {
  /** µs of CPU by class of thread. */
  main: number;
  pool: number;
  workers: number;
  v8: number;
  /** ms of main-thread GC pauses (part of `main`). */
  gcPauseMs: number;
  total: number;
}

interface Snapshot {
  ticks: Map<number, number>;
  gcMs: number;
}

const TICK_US = 1e6 / 100; // USER_HZ

function snapshot(pid: number, probeFile: string): Snapshot {
  const ticks = new Map<number, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks.set(Number(tid), Number(fields[11]) + Number(fields[12]));
    } catch {
      // the thread ended between listing and reading
    }
  }
  const gc = [...readFileSync(probeFile, 'utf8').matchAll(/^gc ([\d.]+)$/gm)].pop();
  return { ticks, gcMs: gc ? Number(gc[1]) : 0 };
}

/** Measures `run` and splits the child's CPU time over it by thread class. */
export async function cpuByThread<T>(pid: number, probeFile: string, run: () => Promise<T>): Promise<{ result: T; cpu: ThreadCpu }> {
  // The probe writes its GC line every 250 ms: wait for a fresh one at both ends.
  await new Promise((r) => setTimeout(r, 300));
  const before = snapshot(pid, probeFile);
  const result = await run();
  await new Promise((r) => setTimeout(r, 300));
  const after = snapshot(pid, probeFile);
  const text = readFileSync(probeFile, 'utf8');
  const ids = (kind: string) => new Set([...text.matchAll(new RegExp(`^${kind} (\\d+)$`, 'gm'))].map((m) => Number(m[1])));
  const [main, uv, workers] = [ids('main'), ids('uv'), ids('worker')];
  const cpu: ThreadCpu = { main: 0, pool: 0, workers: 0, v8: 0, gcPauseMs: after.gcMs - before.gcMs, total: 0 };
  for (const [tid, t] of after.ticks) {
    const us = (t - (before.ticks.get(tid) ?? 0)) * TICK_US;
    const cls = main.has(tid) ? 'main' : uv.has(tid) ? 'pool' : workers.has(tid) ? 'workers' : 'v8';
    cpu[cls] += us;
    cpu.total += us;
  }
  return { result, cpu };
}

/** "main 62 · pool 0 · writer 17 · V8 9 µs/call (GC pauses 4)" */
export function perCall(cpu: ThreadCpu, calls: number, workerName = 'writer'): string {
  const f = (us: number) => (us / calls).toFixed(us / calls < 10 ? 1 : 0);
  return `server CPU µs/call: main ${f(cpu.main)} · pool ${f(cpu.pool)} · ${workerName} ${f(cpu.workers)} · V8 ${f(cpu.v8)} = ${f(cpu.total)} (GC pauses ${f(cpu.gcPauseMs * 1000)})`;
}
