// One Signet replica as a child process, for the scale-out tests: the real start-up (config →
// startSignet) with the ledger and credential state on PostgreSQL. argv[2] is the config as JSON
// (snake_case, as in YAML); prints "PORT n" once serving, "CLOSED" after a graceful SIGTERM.
import { createLogger } from '../../src/lib/logger.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet } from '../../src/server/start.js';

const raw = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const config = resolveConfig(raw, { ...process.env, SIGNET_LISTEN: undefined, SIGNET_DATA_DIR: undefined });
const running = await startSignet(config, createLogger(process.env.SIGNET_LOG_LEVEL ?? 'silent'));
process.stdout.write(`PORT ${running.port}\n`);
// The test that started this replica holds an IPC channel open: when it goes, so does the replica.
process.once('disconnect', () => process.exit(1));
process.once('SIGTERM', () => {
  void running.shutdown().then(() => {
    process.stdout.write('CLOSED\n');
    process.exit(0);
  });
});
