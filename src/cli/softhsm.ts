// `signet softhsm init`: a SoftHSM 2 token with the keys Signet's configuration names (default,
// ledger, issuer), made with softhsm2-util and the pkcs11 driver; prints a config that starts as printed.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { SignetError, isSignetError } from '../lib/errors.js';
import type { KeyAlgorithm } from '../signers/index.js';
import { parseCommand, UsageError } from './args.js';

export const SOFTHSM_USAGE = 'usage: signet softhsm init [--dir DIR] [--label signet] [--pin-env SIGNET_PIN] [--module PATH]';
const DEFAULT_MODULE = '/usr/lib/softhsm/libsofthsm2.so';

export interface SoftHsmOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: SoftHsmOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

interface InitArgs {
  dir: string;
  label: string;
  pinEnv: string;
  module: string;
}

const INIT_SPEC = {
  command: 'signet softhsm init',
  usage: `${SOFTHSM_USAGE}

Creates (or keeps) a SoftHSM 2 token in DIR (default .signet/softhsm) with the keys Signet's
configuration names, and prints the environment and a configuration that starts as printed.

options:
  --dir DIR        where the token, softhsm2.conf and the PIN files live (default .signet/softhsm)
  --label LABEL    token label (default signet)
  --pin-env NAME   environment variable that holds (or will be told) the user PIN (default SIGNET_PIN)
  --module PATH    the SoftHSM PKCS#11 module (default ${DEFAULT_MODULE})`,
  options: { dir: { type: 'string' }, label: { type: 'string' }, 'pin-env': { type: 'string' }, module: { type: 'string' } },
} as const;

function initArgs(argv: string[]): InitArgs | 'help' {
  const [action, ...rest] = argv;
  if (action === '--help' || action === '-h') return 'help';
  if (action !== 'init') throw new UsageError(`signet softhsm: ${action ? `unknown action "${action}"` : 'an action is required'} (init; see signet softhsm --help)`);
  const parsed = parseCommand(INIT_SPEC, rest);
  if (parsed.help) return 'help';
  const v = parsed.values;
  const args: InitArgs = { dir: v.dir ?? '.signet/softhsm', label: v.label ?? 'signet', pinEnv: v['pin-env'] ?? 'SIGNET_PIN', module: v.module ?? DEFAULT_MODULE };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args.pinEnv)) throw new UsageError(`signet softhsm init: --pin-env must be an environment variable name, not "${args.pinEnv}"`);
  if (!/^[\w.-]{1,32}$/.test(args.label)) throw new UsageError('signet softhsm init: --label is 1–32 of A-Z a-z 0-9 _ . -');
  args.dir = resolve(args.dir);
  return args;
}

export async function softhsmCommand(argv: string[], io: SoftHsmOutput = consoleOutput): Promise<number> {
  try {
    const args = initArgs(argv);
    if (args === 'help') {
      io.out(INIT_SPEC.usage);
      return 0;
    }
    await init(args, io);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 2;
    }
    if (!isSignetError(err)) throw err;
    io.err(`signet softhsm init: ${err.message}`);
    return err.code === 'CONFIG' ? 2 : 1;
  }
}

async function init(args: InitArgs, io: SoftHsmOutput): Promise<void> {
  if (!existsSync(args.module)) {
    throw new SignetError('CONFIG', `SoftHSM module not found at ${args.module}; install softhsm2 (apt install softhsm2) or pass --module`);
  }
  const tokens = join(args.dir, 'tokens');
  const conf = join(args.dir, 'softhsm2.conf');
  mkdirSync(tokens, { recursive: true, mode: 0o700 });
  if (!existsSync(conf)) {
    writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
    io.out(`wrote ${conf}`);
  }
  // SoftHSM reads SOFTHSM2_CONF when the module initialises: set it before the driver loads it.
  process.env.SOFTHSM2_CONF = conf;
  const pinFile = join(args.dir, 'user-pin');
  const pin = secretFile(pinFile, process.env[args.pinEnv]);
  const soPin = secretFile(join(args.dir, 'so-pin'), undefined);

  if (tokenExists(conf, args.label)) {
    io.out(`token "${args.label}" already exists in ${tokens}`);
  } else {
    softhsmUtil(conf, ['--init-token', '--free', '--label', args.label, '--so-pin', soPin, '--pin', pin]);
    io.out(`initialised token "${args.label}" in ${tokens} (user PIN in ${pinFile}, SO PIN in ${join(args.dir, 'so-pin')}, both mode 0600)`);
  }

  process.env[args.pinEnv] = pin;
  const query = `module-path=${args.module}&pin-source=env:${args.pinEnv}`;
  const uris: Record<string, string> = {};
  for (const [name, alg] of KEYS) {
    const uri = `pkcs11:token=${args.label};object=${name}?${query}`;
    uris[name] = uri;
    io.out(await ensureKey(uri, alg));
  }

  io.out('');
  io.out('environment:');
  io.out(`  export SOFTHSM2_CONF=${conf}`);
  io.out(`  export ${args.pinEnv}="$(cat ${pinFile})"`);
  io.out('');
  io.out(`${CONFIG_HEADER} (save the lines below as signet.yaml, then: signet serve --config signet.yaml)`);
  for (const line of configLines(args.label, uris)) io.out(line);
}

/** The keys Signet's configuration names: `default` for Sign, `ledger` and `issuer` for Signet itself. */
const KEYS: Array<[string, KeyAlgorithm]> = [
  ['default', 'Ed25519'],
  ['ledger', 'Ed25519'],
  ['issuer', 'Ed25519'],
];

/** The line that introduces the printed configuration; everything after it is the file. */
export const CONFIG_HEADER = 'signet.yaml:';

function configLines(label: string, uris: Record<string, string>): string[] {
  return [
    `# Keys in the SoftHSM token "${label}" (signet softhsm init). The PIN comes from the environment,`,
    '# never from this file. `default` signs for callers (Sign); `ledger` signs checkpoints and',
    '# `issuer` credentials, and Sign refuses those two.',
    'listen: 127.0.0.1:7443',
    'plaintext: true   # loopback only; for any other address give tls.cert and tls.key instead',
    'keys:',
    ...Object.entries(uris).map(([name, uri]) => `  ${name}: "${uri}"`),
    'ledger:',
    '  key: ledger',
    'credentials:',
    '  key: issuer',
  ];
}

/** Generates the key unless the token already holds one with its label. */
async function ensureKey(uri: string, algorithm: KeyAlgorithm): Promise<string> {
  const { canGenerate, canList, driverFor, parseKeyUri } = await import('../signers/index.js');
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canGenerate(driver) || !canList(driver)) throw new SignetError('INTERNAL', 'the pkcs11 driver lacks generate or list');
  const label = parsed.scheme === 'pkcs11' ? parsed.attrs.get('object') : undefined;
  const existing = (await driver.list(parsed)).find((k) => k.label === label);
  if (existing) {
    if (existing.algorithm !== algorithm) {
      throw new SignetError('CONFIG', `token already holds "${label}" as ${existing.algorithm}, not ${algorithm}; remove it or use another --label`);
    }
    return `key "${label}" (${algorithm}) already exists, key id ${existing.keyId ?? '?'}`;
  }
  const info = await driver.generate(parsed, algorithm);
  return `generated key "${label}" (${algorithm}) inside the token: sensitive, not extractable; key id ${info.keyId}`;
}

/** Reads a secret kept in a 0600 file, creating it from `given` or random digits the first time. */
function secretFile(path: string, given: string | undefined): string {
  if (existsSync(path)) {
    const kept = readFileSync(path, 'utf8').trim();
    if (given !== undefined && given !== kept) {
      throw new SignetError('CONFIG', `${path} holds a different PIN than the environment gives; unset the variable or remove ${path}`);
    }
    return kept;
  }
  const value = given ?? randomBytes(8).toString('hex');
  writeFileSync(path, value + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return value;
}

function tokenExists(conf: string, label: string): boolean {
  const out = softhsmUtil(conf, ['--show-slots']);
  return new RegExp(`^\\s*Label:\\s+${label.replace(/[.]/g, '\\.')}\\s*$`, 'm').test(out);
}

function softhsmUtil(conf: string, args: string[]): string {
  try {
    return execFileSync('softhsm2-util', args, { env: { ...process.env, SOFTHSM2_CONF: conf }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new SignetError('CONFIG', 'softhsm2-util not found; install softhsm2 (apt install softhsm2)');
    // Only stderr, and no cause: the error's message quotes the command line, PINs included.
    throw new SignetError('UNAVAILABLE', `softhsm2-util ${args[0]} failed: ${(e.stderr ?? '').trim() || 'no message'}`);
  }
}
