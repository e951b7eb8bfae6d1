// `signet keys generate|list|show|export-public`: key management through whichever driver the URI
// names, using the driver's optional capabilities (generate, list) where it has them.
import { isSignetError } from '../lib/errors.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../signers/index.js';
import { formatVkey } from '../ledger/vkey.js';
import { loadConfig, type SignetConfig } from '../server/config.js';
import { parseCommand, UsageError, type CommandSpec, type Options } from './args.js';
import { isKeyUri } from './public-keys.js';

export const KEYS_USAGE = `usage: signet keys generate URI --alg ed25519|p256
       signet keys list URI
       signet keys show URI
       signet keys export-public NAME|URI [--format pem|jwk|vkey] [--config FILE]
       signet keys rotate NAME|URI [--config FILE]
(signet keys <action> --help for each)`;

export interface KeysOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: KeysOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

const SPECS = {
  generate: {
    command: 'signet keys generate',
    usage: `usage: signet keys generate URI --alg ed25519|p256

Creates a key where the URI points (drivers that can generate: pkcs11, file, gcpkms, azurekms …)
and prints its key id, algorithm, JWK and PEM.`,
    options: { alg: { type: 'string' } },
    positionals: ['URI'],
  },
  list: {
    command: 'signet keys list',
    usage: `usage: signet keys list URI

Lists the keys at the place the URI names: a PKCS#11 token (pkcs11:token=…), a directory of PEM
files (file:///dir/), …`,
    options: {},
    positionals: ['URI'],
  },
  show: {
    command: 'signet keys show',
    usage: `usage: signet keys show URI

Opens the key and prints its driver, whether it is hardware-backed, key id, algorithm, version,
JWK and PEM.`,
    options: {},
    positionals: ['URI'],
  },
  'export-public': {
    command: 'signet keys export-public',
    usage: `usage: signet keys export-public NAME|URI [--format pem|jwk|vkey] [--config FILE] [--name KEYNAME]

Prints a key's public half in the form a verifier takes: pem (SPKI, for signet verify receipt,
signet ledger verify, node:crypto, openssl), jwk (with kid = the RFC 7638 thumbprint and alg, for
JWT libraries), or vkey (a signed-note verifier key, name+keyid+base64, for checkpoint verifiers).
NAME is a key of the configuration (--config FILE, else SIGNET_CONFIG, else the embedded
defaults); a URI opens the key directly.

options:
  --format pem|jwk|vkey   (default pem)
  --config FILE           the configuration whose keys NAME names
  --name KEYNAME          vkey only: the note key name (default: the configuration's ledger.origin)`,
    options: { format: { type: 'string' }, config: { type: 'string' }, name: { type: 'string' } },
    positionals: ['NAME|URI'],
  },
  rotate: {
    command: 'signet keys rotate',
    usage: `usage: signet keys rotate NAME|URI [--config FILE]

Makes a new version of the key in its backend (Google Cloud KMS, Azure Key Vault, Vault Transit),
which becomes the one that signs, while the old versions stay in the backend and keep verifying.
A running Signet picks the new version up when its key cache expires (the URI's cache-ttl):
  - the ledger key: the next batch begins with a key_event entry naming the new key; every
    checkpoint, old or new, keeps verifying;
  - the credentials key: new credentials carry the new kid; a key_event entry records the switch;
    the JWKS lists both keys until credentials signed by the old one have expired;
  - a key for Sign: signatures come back with the new key_version; GetPublicKey serves every version.
Keys without versions (file:, pkcs11:) cannot rotate in place: the command says what to do instead.`,
    options: { config: { type: 'string' } },
    positionals: ['NAME|URI'],
  },
} satisfies Record<string, CommandSpec<Options>>;

type Action = keyof typeof SPECS;

export async function keysCommand(argv: string[], io: KeysOutput = consoleOutput): Promise<number> {
  const [action, ...rest] = argv;
  if (action === '--help' || action === '-h') {
    io.out(KEYS_USAGE);
    return 0;
  }
  if (!action || !Object.hasOwn(SPECS, action)) {
    io.err(`signet keys: ${action ? `unknown action "${action}"` : 'an action is required'} (${Object.keys(SPECS).join(', ')}; see signet keys --help)`);
    return 2;
  }
  try {
    const spec = SPECS[action as Action];
    const parsed = parseCommand(spec, rest);
    if (parsed.help) {
      io.out(spec.usage);
      return 0;
    }
    const uri = parsed.positionals[0]!;
    if (action === 'generate') return await generate(uri, (parsed.values as { alg?: string }).alg, io);
    if (action === 'export-public') return await exportPublic(uri, parsed.values as ExportValues, io);
    if (action === 'rotate') return await rotate(uri, (parsed.values as { config?: string }).config, io);
    return action === 'list' ? await list(uri, io) : await show(uri, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 2;
    }
    if (!isSignetError(err)) throw err;
    io.err(`signet keys ${action}: ${err.message}`);
    return err.code === 'CONFIG' || err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

/** The drivers, loaded once arguments are understood (they bring the cloud SDKs). */
function signers() {
  return import('../signers/index.js');
}

function algorithmArg(value: string | undefined): KeyAlgorithm {
  const alg = value?.toLowerCase();
  if (alg === 'ed25519') return 'Ed25519';
  if (alg === 'p256' || alg === 'p-256' || alg === 'es256') return 'ES256';
  throw new UsageError(`signet keys generate: --alg ed25519 or --alg p256 is required${value === undefined ? '' : `, not "${value}"`}`);
}

async function generate(uri: string, alg: string | undefined, io: KeysOutput): Promise<number> {
  const algorithm = algorithmArg(alg);
  const { canGenerate, driverFor, parseKeyUri } = await signers();
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canGenerate(driver)) {
    io.err(`signet keys generate: the ${parsed.scheme} driver cannot generate keys; create the key with the provider's own tools`);
    return 1;
  }
  const info = await driver.generate(parsed, algorithm);
  io.out(`generated ${info.algorithm} key at ${parsed.redacted}`);
  printKey(info, io);
  return 0;
}

async function list(uri: string, io: KeysOutput): Promise<number> {
  const { canList, driverFor, parseKeyUri } = await signers();
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canList(driver)) {
    io.err(`signet keys list: the ${parsed.scheme} driver cannot list keys; open one with \`signet keys show URI\``);
    return 1;
  }
  const keys = await driver.list(parsed);
  if (keys.length === 0) io.out(`no keys at ${parsed.redacted}${parsed.scheme === 'file' ? ' (file: lists the *.pem private keys of a directory)' : ''}`);
  for (const k of keys) io.out(`${k.label}\t${k.algorithm}\t${k.keyId ?? '-'}\t${k.uri}`);
  return 0;
}

async function show(uri: string, io: KeysOutput): Promise<number> {
  const signer = await (await signers()).openSigner(uri);
  try {
    const info = await signer.publicKey();
    io.out(`uri: ${signer.uri}`);
    io.out(`driver: ${signer.driver}`);
    io.out(`hardware-backed: ${signer.hardwareBacked ? 'yes' : 'no'}`);
    printKey(info, io);
  } finally {
    await signer.close();
  }
  return 0;
}

async function rotate(nameOrUri: string, configPath: string | undefined, io: KeysOutput): Promise<number> {
  const byUri = isKeyUri(nameOrUri);
  const config = loadConfig(configPath).config;
  const uri = byUri ? nameOrUri : keyOfConfig(config, nameOrUri, configPath, 'rotate');
  const { canRotate, driverFor, parseKeyUri } = await signers();
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canRotate(driver)) {
    io.err(
      `signet keys rotate: ${parsed.scheme} keys have no versions to rotate in place. Instead: create a new key (signet keys generate), ` +
        `point the name at it in the configuration, and keep the old one verifying — for the ledger key list its public key in ledger.previous_keys ` +
        `(signet keys export-public); a credentials key that changes is kept in the JWKS for credentials.max_ttl after the restart.`,
    );
    return 1;
  }
  const info = await driver.rotate(parsed);
  const name = byUri ? Object.entries(config.keys).find(([, u]) => u === uri)?.[0] : nameOrUri;
  const role =
    name !== undefined && config.ledger.enabled && name === config.ledger.key
      ? 'the ledger key: the next batch begins with a key_event entry naming it; older checkpoints keep verifying'
      : name !== undefined && config.credentials.enabled && name === config.credentials.key
        ? `the credentials key: new credentials carry its kid, a key_event entry records the switch, and the JWKS lists the old key too for ${Math.max(config.credentials.maxTtlSeconds, config.credentials.passportTtlSeconds) + config.credentials.skewSeconds} s (the longest life of what it signed)`
        : 'Sign answers with the new key_version; GetPublicKey serves every version';
  io.out(`rotated ${name ?? parsed.redacted}: version ${info.keyVersion} now signs (key id ${info.keyId}, ${info.algorithm})`);
  io.out(`a running Signet uses it once its key cache expires (the URI's cache-ttl); ${role}`);
  return 0;
}

function keyOfConfig(config: SignetConfig, name: string, configPath: string | undefined, action: string): string {
  const found = Object.hasOwn(config.keys, name) ? config.keys[name] : undefined;
  if (!found) {
    throw new UsageError(`signet keys ${action}: no key named "${name}" in ${configPath ?? process.env.SIGNET_CONFIG ?? 'the embedded defaults'} (keys: ${Object.keys(config.keys).join(', ')}); or give a key URI`);
  }
  return found;
}

interface ExportValues {
  format?: string;
  config?: string;
  name?: string;
}

const FORMATS = ['pem', 'jwk', 'vkey'];

async function exportPublic(nameOrUri: string, values: ExportValues, io: KeysOutput): Promise<number> {
  const format = values.format ?? 'pem';
  if (!FORMATS.includes(format)) throw new UsageError(`signet keys export-public: --format is pem, jwk or vkey, not "${format}"`);
  if (values.name !== undefined && format !== 'vkey') throw new UsageError('signet keys export-public: --name goes with --format vkey');
  const byUri = isKeyUri(nameOrUri);
  // The configuration names keys, and its ledger origin is the vkey's default name.
  const needConfig = !byUri || (format === 'vkey' && values.name === undefined);
  const config = needConfig ? loadConfig(values.config).config : undefined;
  const uri = byUri ? nameOrUri : keyOfConfig(config!, nameOrUri, values.config, 'export-public');
  // Exporting reads a key; it never creates one (a development default says create=true).
  const signer = await (await signers()).openSigner(uri.replace(/^(file:[^?]*\?(?:.*&)?)create=true(&|$)/, '$1').replace(/[?&]$/, ''));
  let info: PublicKeyInfo;
  try {
    info = await signer.publicKey();
  } finally {
    await signer.close();
  }
  if (format === 'pem') io.out(info.pem.trimEnd());
  else if (format === 'jwk') io.out(JSON.stringify({ ...info.jwk, kid: info.keyId, alg: info.algorithm === 'Ed25519' ? 'EdDSA' : 'ES256', use: 'sig' }));
  else io.out(formatVkey(values.name ?? config!.ledger.origin, info.spki));
  return 0;
}

function printKey(info: PublicKeyInfo, io: KeysOutput): void {
  io.out(`key id: ${info.keyId}`);
  io.out(`algorithm: ${info.algorithm}`);
  io.out(`version: ${info.keyVersion}`);
  io.out(`jwk: ${JSON.stringify(info.jwk)}`);
  io.out(info.pem.trimEnd());
}
