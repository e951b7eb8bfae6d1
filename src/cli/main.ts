#!/usr/bin/env node
// The `signet` command: serve, and the operator tools (keys, softhsm, ledger, verify).
import './threadpool.js';
import { SignetError } from '../lib/errors.js';
import { createLogger } from '../lib/logger.js';
import { loadConfig } from '../server/config.js';
import { startSignet } from '../server/start.js';
import { keysCommand } from './keys.js';
import { ledgerCommand } from './ledger.js';
import { softhsmCommand } from './softhsm.js';
import { verifyCommand } from './verify.js';

const USAGE = `usage: signet <command> [options]

commands:
  serve [--config FILE]            run the gRPC service (embedded defaults without a config file)
  keys generate|list|show URI      manage keys through any driver
  softhsm init [--dir DIR]         create a SoftHSM token and keys for local development
  ledger verify|proof …            verify a ledger database, print proofs
  verify receipt FILE --key PEM    verify a receipt offline
  mcp [--server HOST:PORT]         MCP server on stdio: the agent's own identity and Signet's tools
  mcp-gate [options] -- CMD ARGS…  gate an MCP tool server: Signet authorizes and records every call
  version                          print the version

environment: SIGNET_CONFIG, SIGNET_LISTEN, SIGNET_KEY_<NAME>=URI, SIGNET_LOG_LEVEL, SIGNET_DATA_DIR,
             SIGNET_LEDGER_PATH, SIGNET_TLS_CERT, SIGNET_TLS_KEY, SIGNET_TLS_CLIENT_CA, SIGNET_METRICS_LISTEN`;

async function serve(argv: string[]): Promise<number> {
  const i = argv.indexOf('--config');
  const configPath = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && !configPath) throw new SignetError('CONFIG', '--config needs a file path');
  const { config, source } = loadConfig(configPath);
  const logger = createLogger(config.log.level);
  logger.info({ config: source }, 'starting signet');
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
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  logger.flush();
  return 0;
}

type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  serve,
  keys: (argv) => keysCommand(argv),
  softhsm: (argv) => softhsmCommand(argv),
  ledger: (argv) => ledgerCommand(argv),
  verify: (argv) => verifyCommand(argv),
  // Loaded on demand: the MCP SDK is not needed to serve.
  mcp: async (argv) => (await import('./mcp.js')).mcpCommand(argv),
  'mcp-gate': async (argv) => (await import('./mcp-gate.js')).mcpGateCommand(argv),
  version: async () => {
    console.log('signet 0.1.0');
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`signet: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  return command(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof SignetError) {
      console.error(`signet: ${err.message}`);
      process.exitCode = err.code === 'CONFIG' || err.code === 'INVALID_ARGUMENT' ? 2 : 1;
    } else {
      console.error('signet: unexpected error:', err);
      process.exitCode = 1;
    }
  },
);
