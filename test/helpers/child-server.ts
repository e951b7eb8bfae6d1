// Spawns test/helpers/server-child.ts: a Signet server in its own process, so a test can read its
// memory, scrape its metrics and watch it exit, while the test process plays the hostile client.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './cli.js';

export interface ChildServer {
  child: ChildProcess;
  port: number;
  metricsPort: number;
  /** process.memoryUsage() of the server after a full GC. */
  memory(): Promise<NodeJS.MemoryUsage>;
  /** The server's event-loop delay (ms) since the last call; resets it. */
  eventLoopDelay(): Promise<{ p50: number; p99: number; max: number; count: number }>;
  /** One value of the Prometheus text exposition, or undefined. */
  metric(name: string, labels?: string): Promise<number | undefined>;
  /** Everything the child printed on stdout so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process is gone. */
  exited: Promise<number | string | null>;
  kill(): void;
}

export async function spawnServerChild(raw: Record<string, unknown>): Promise<ChildServer> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-child-'));
  const config = { metrics: { listen: '127.0.0.1:0' }, ...raw };
  const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', join(REPO, 'test', 'helpers', 'server-child.ts'), JSON.stringify(config), dir], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    env: { ...process.env, SIGNET_LOG_LEVEL: 'silent' },
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string | null>((ok) => child.once('exit', (code, signal) => ok(code ?? signal)));
  void exited.then(() => rmSync(dir, { recursive: true, force: true }));
  const [port, metricsPort] = await new Promise<[number, number]>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`server child did not start; printed: ${out}`)), 60_000);
    const onData = () => {
      const m = /PORT (\d+) METRICS (\d+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      ok([Number(m[1]), Number(m[2])]);
    };
    child.stdout!.on('data', onData);
    void exited.then(() => fail(new Error(`server child exited early; printed: ${out}`)));
  });
  return {
    child,
    port,
    metricsPort,
    memory: () =>
      new Promise((ok) => {
        const onMessage = (m: unknown) => {
          const memory = (m as { memory?: NodeJS.MemoryUsage }).memory;
          if (!memory) return;
          child.off('message', onMessage);
          ok(memory);
        };
        child.on('message', onMessage);
        child.send('memory');
      }),
    eventLoopDelay: () =>
      new Promise((ok) => {
        const onMessage = (m: unknown) => {
          const eld = (m as { eld?: { p50: number; p99: number; max: number; count: number } }).eld;
          if (!eld) return;
          child.off('message', onMessage);
          ok(eld);
        };
        child.on('message', onMessage);
        child.send('eld');
      }),
    async metric(name, labels = '') {
      // A fresh connection each time: a kept-alive one may be closed by the server under our feet.
      const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`, { headers: { connection: 'close' } })).text();
      const line = text.split('\n').find((l) => l.startsWith(labels ? `${name}{${labels}}` : `${name} `));
      return line === undefined ? undefined : Number(line.split(' ').at(-1));
    },
    output: () => out,
    exited,
    kill: () => child.kill('SIGKILL'),
  };
}
