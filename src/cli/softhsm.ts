// `signet softhsm init`: a SoftHSM 2 token and an Ed25519 and a P-256 key for local development,
// made with softhsm2-util and the pkcs11 driver; prints what it did and the lines to configure Signet.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve, join } from 'node:path';
import { SignetError, isSignetError } from '../lib/errors.js';
import { canGenerate, canList, driverFor, parseKeyUri, type KeyAlgorithm } from '../signers/index.js';

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

function parseArgs(argv: string[]): InitArgs | undefined {
  const [action, ...rest] = argv;
  if (action !== 'init' || rest.length % 2 !== 0) return undefined;
  const args: InitArgs = { dir: '.signet/softhsm', label: 'signet', pinEnv: 'SIGNET_PIN', module: DEFAULT_MODULE };
  for (let i = 0; i < rest.length; i += 2) {
    const [flag, value] = [rest[i]!, rest[i + 1]!];
    if (flag === '--dir') args.dir = value;
    else if (flag === '--label') args.label = value;
    else if (flag === '--pin-env') args.pinEnv = value;
    else if (flag === '--module') args.module = value;
    else return undefined;
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(args.pinEnv) || !/^[\w.-]{1,32}$/.test(args.label)) return undefined;
  args.dir = resolve(args.dir);
  return args;
}

export async function softhsmCommand(argv: string[], io: SoftHsmOutput = consoleOutput): Promise<number> {
  const args = parseArgs(argv);
  if (!args) {
    io.err(SOFTHSM_USAGE);
    return 2;
  }
  try {
    await init(args, io);
    return 0;
  } catch (err) {
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
  for (const [name, alg] of [
    ['ed25519', 'Ed25519'],
    ['p256', 'ES256'],
  ] as [string, KeyAlgorithm][]) {
    const uri = `pkcs11:token=${args.label};object=signet-${name}?${query}`;
    uris[name] = uri;
    io.out(await ensureKey(uri, alg));
  }

  io.out('');
  io.out('environment:');
  io.out(`  export SOFTHSM2_CONF=${conf}`);
  io.out(`  export ${args.pinEnv}="$(cat ${pinFile})"`);
  io.out('');
  io.out('config (signet.yaml):');
  io.out('  keys:');
  for (const [name, uri] of Object.entries(uris)) io.out(`    ${name}: "${uri}"`);
}

/** Generates the key unless the token already holds one with its label. */
async function ensureKey(uri: string, algorithm: KeyAlgorithm): Promise<string> {
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
