#!/usr/bin/env node
// The `signet` command: serve, and the operator tools (keys, softhsm, ledger, verify, health).
import { SignetError } from '../lib/errors.js';
import { UsageError } from './args.js';

const USAGE = `usage: signet <command> [options]      (signet <command> --help for its options)

commands:
  serve [--config FILE]            run the gRPC service (embedded defaults without a config file)
  keys generate|list|show|export-public …
                                   manage keys through any driver
  softhsm init [--dir DIR]         create a SoftHSM token and keys for local development
  ledger verify|proof …            verify a ledger database, print proofs
  verify receipt FILE --key KEY    verify a receipt offline
  health [--addr HOST:PORT]        ask a running Signet for its health (grpc.health.v1), for probes
  mcp [--server HOST:PORT]         MCP server on stdio: the agent's own identity and Signet's tools
  mcp-gate [options] -- CMD ARGS…  gate an MCP tool server: Signet authorizes and records every call
  monitor --ledger-key FILE …      follow a ledger, prove it append-only, cosign as a witness
  version                          print the version

environment: SIGNET_CONFIG, SIGNET_LISTEN, SIGNET_KEY_<NAME>=URI, SIGNET_LOG_LEVEL, SIGNET_DATA_DIR,
             SIGNET_LEDGER_PATH, SIGNET_TLS_CERT, SIGNET_TLS_KEY, SIGNET_TLS_CLIENT_CA, SIGNET_METRICS_LISTEN`;

type Command = (argv: string[]) => Promise<number>;

// Each command loads its modules when it runs: `signet ledger verify` and every `--help` start
// without loading the cloud SDKs that only the drivers need.
const COMMANDS: Record<string, Command> = {
  serve: async (argv) => (await import('./serve.js')).serveCommand(argv),
  keys: async (argv) => (await import('./keys.js')).keysCommand(argv),
  softhsm: async (argv) => (await import('./softhsm.js')).softhsmCommand(argv),
  ledger: async (argv) => (await import('./ledger.js')).ledgerCommand(argv),
  verify: async (argv) => (await import('./verify.js')).verifyCommand(argv),
  health: async (argv) => (await import('./health.js')).healthCommand(argv),
  mcp: async (argv) => (await import('./mcp.js')).mcpCommand(argv),
  'mcp-gate': async (argv) => (await import('./mcp-gate.js')).mcpGateCommand(argv),
  monitor: async (argv) => (await import('./monitor.js')).monitorCommand(argv),
  version: async (argv) => {
    if (argv.length === 1 && (argv[0] === '--help' || argv[0] === '-h')) {
      console.log('usage: signet version');
      return 0;
    }
    if (argv.length > 0) throw new UsageError(`signet version: unexpected argument "${argv[0]}" (see signet version --help)`);
    console.log('signet 0.1.0');
    return 0;
  },
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    (name ? console.log : console.error)(USAGE);
    return name ? 0 : 2;
  }
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    console.error(`signet: unknown command "${name}" (see signet --help)`);
    return 2;
  }
  return command(rest);
}

// `signet keys show … | head`: a reader that stops early is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exitCode = 2;
    } else if (err instanceof SignetError) {
      console.error(`signet: ${err.message}`);
      process.exitCode = err.code === 'CONFIG' || err.code === 'INVALID_ARGUMENT' ? 2 : 1;
    } else {
      console.error('signet: unexpected error:', err);
      process.exitCode = 1;
    }
  },
);
