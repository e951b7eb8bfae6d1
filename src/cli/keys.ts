// `signet keys generate|list|show URI`: key management through whichever driver the URI names,
// using the driver's optional capabilities (generate, list) where it has them.
import { isSignetError } from '../lib/errors.js';
import { canGenerate, canList, driverFor, openSigner, parseKeyUri, type KeyAlgorithm, type PublicKeyInfo } from '../signers/index.js';

export const KEYS_USAGE = `usage: signet keys generate URI --alg ed25519|p256
       signet keys list URI
       signet keys show URI`;

export interface KeysOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: KeysOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

export async function keysCommand(argv: string[], io: KeysOutput = consoleOutput): Promise<number> {
  const [action, uri, ...rest] = argv;
  if (!action || !uri || !['generate', 'list', 'show'].includes(action)) {
    io.err(KEYS_USAGE);
    return 2;
  }
  try {
    if (action === 'generate') return await generate(uri, rest, io);
    if (rest.length > 0) {
      io.err(`signet keys ${action}: unexpected arguments ${rest.join(' ')}\n${KEYS_USAGE}`);
      return 2;
    }
    return action === 'list' ? await list(uri, io) : await show(uri, io);
  } catch (err) {
    if (!isSignetError(err)) throw err;
    io.err(`signet keys ${action}: ${err.message}`);
    return err.code === 'CONFIG' || err.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}

function algorithmArg(rest: string[]): KeyAlgorithm | undefined {
  const i = rest.indexOf('--alg');
  const value = i >= 0 ? rest[i + 1] : undefined;
  if (i < 0 || rest.length !== 2) return undefined;
  const alg = value?.toLowerCase();
  if (alg === 'ed25519') return 'Ed25519';
  if (alg === 'p256' || alg === 'p-256' || alg === 'es256') return 'ES256';
  return undefined;
}

async function generate(uri: string, rest: string[], io: KeysOutput): Promise<number> {
  const algorithm = algorithmArg(rest);
  if (!algorithm) {
    io.err(`signet keys generate: --alg ed25519 or --alg p256 is required\n${KEYS_USAGE}`);
    return 2;
  }
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
  const parsed = parseKeyUri(uri);
  const driver = driverFor(parsed);
  if (!canList(driver)) {
    io.err(`signet keys list: the ${parsed.scheme} driver cannot list keys; open one with \`signet keys show URI\``);
    return 1;
  }
  const keys = await driver.list(parsed);
  if (keys.length === 0) io.out(`no keys at ${parsed.redacted}`);
  for (const k of keys) io.out(`${k.label}\t${k.algorithm}\t${k.keyId ?? '-'}\t${k.uri}`);
  return 0;
}

async function show(uri: string, io: KeysOutput): Promise<number> {
  const signer = await openSigner(uri);
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

function printKey(info: PublicKeyInfo, io: KeysOutput): void {
  io.out(`key id: ${info.keyId}`);
  io.out(`algorithm: ${info.algorithm}`);
  io.out(`version: ${info.keyVersion}`);
  io.out(`jwk: ${JSON.stringify(info.jwk)}`);
  io.out(info.pem.trimEnd());
}
