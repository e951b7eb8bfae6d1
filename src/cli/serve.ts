// `signet serve [--config FILE]`: loads the configuration, starts the service, re-reads the TLS
// files on SIGHUP, and shuts down gracefully on SIGTERM or SIGINT.
import { createLogger } from '../lib/logger.js';
import { loadConfig } from '../server/config.js';
import { parseCommand } from './args.js';

export const SERVE_USAGE = `usage: signet serve [--config FILE]

Runs the gRPC service. Without --config (or SIGNET_CONFIG) it serves on the embedded defaults:
127.0.0.1:7443, software keys and a SQLite ledger in .signet/.

options:
  --config FILE   YAML or JSON configuration (examples/signet.yaml documents every setting)
  -h, --help      this help`;

const SPEC = { command: 'signet serve', usage: SERVE_USAGE, options: { config: { type: 'string' } } } as const;

export async function serveCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(SERVE_USAGE);
    return 0;
  }
  const { config, source } = loadConfig(parsed.values.config);
  const logger = createLogger(config.log.level);
  logger.info({ config: source }, 'starting signet');
  const { startSignet } = await import('../server/start.js');
  const running = await startSignet(config, logger);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'signal received');
      running.shutdown().then(resolve, (err) => {
        logger.error({ err }, 'shutdown failed');
        resolve();
      });
    };
    // SIGHUP re-reads the TLS files (they are also watched); connections already open are kept.
    process.on('SIGHUP', () => {
      if (!config.tls) logger.info('SIGHUP: no TLS configured, nothing to reload');
      else if (!running.reloadTls('SIGHUP')) logger.info('SIGHUP: TLS files unchanged (or unusable: see above)');
    });
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.flush();
  return 0;
}
