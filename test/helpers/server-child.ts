// A Signet server in a child process, for tests that measure its memory or watch it exit: argv[2]
// is the raw config (JSON, as in YAML), argv[3] a data directory. Prints "PORT n" when serving;
// answers IPC "memory" with process.memoryUsage() after a full GC; SIGTERM shuts it down, after
// which it prints "EXITING" and exits with no forced process.exit.
import { silentLogger } from '../../src/lib/logger.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet } from '../../src/server/start.js';

const [rawJson = '{}', dataDir] = process.argv.slice(2);
const raw = JSON.parse(rawJson) as Record<string, unknown>;
const config = resolveConfig({ listen: '127.0.0.1:0', plaintext: true, ...(dataDir ? { data_dir: dataDir } : {}), ...raw }, { ...process.env, SIGNET_LISTEN: undefined });
const running = await startSignet(config, silentLogger);
process.stdout.write(`PORT ${running.port} METRICS ${running.metricsPort ?? 0}\n`);

process.on('message', (m) => {
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
