// A Signet server in a child process, for tests that measure its memory or watch it exit: argv[2]
// is the raw config (JSON, as in YAML), argv[3] a data directory. Prints "PORT n METRICS m" when
// serving; answers IPC "memory" with process.memoryUsage() after a full GC, and "eld" with its own
// event-loop delay (perf_hooks.monitorEventLoopDelay, ms) since the last "eld"; SIGTERM shuts it
// down, after which it prints "SHUTDOWN …" and exits with no forced process.exit.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { silentLogger } from '../../src/lib/logger.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet } from '../../src/server/start.js';

const [rawJson = '{}', dataDir] = process.argv.slice(2);
const raw = JSON.parse(rawJson) as Record<string, unknown>;
const config = resolveConfig({ listen: '127.0.0.1:0', plaintext: true, ...(dataDir ? { data_dir: dataDir } : {}), ...raw }, { ...process.env, SIGNET_LISTEN: undefined });
const running = await startSignet(config, silentLogger);
process.stdout.write(`PORT ${running.port} METRICS ${running.metricsPort ?? 0}\n`);

const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
process.on('message', (m) => {
  if (m === 'eld') {
    const ms = (ns: number) => Math.round(ns / 1e5) / 10;
    process.send?.({ eld: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), count: delay.count } });
    delay.reset();
  }
  if (m === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ memory: process.memoryUsage() });
  }
});
process.once('SIGTERM', () => {
  const started = Date.now();
  running.shutdown().then(
    () => process.stdout.write(`SHUTDOWN ${Date.now() - started} ms, began at ${started}\n`),
    (err) => process.stdout.write(`SHUTDOWN FAILED ${String(err)}\n`),
  );
  process.disconnect?.();
});
