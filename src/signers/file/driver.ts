// The `file:` driver: a software key in a PKCS#8 PEM file, for development and tests only.
// It is not hardware-backed, and says so in ListKeys and in the start-up log.
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { mkdirSync, openSync, readdirSync, readFileSync, statSync, writeSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import { SignetError } from '../../lib/errors.js';
import type { KeyBackend, RawSignature } from '../backend.js';
import type { KeyGenerator, KeyLister, KeyListing } from '../capabilities.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../contract.js';
import { CustodySigner } from '../custody.js';
import { algorithmOf, publicKeyInfo } from '../keys.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import { readSecret } from '../secrets.js';
import type { FileKeyUri, KeyUri } from '../uri.js';

class FileKeyBackend implements KeyBackend {
  readonly driver = 'file';
  readonly hardwareBacked = false;
  readonly uri: string;
  readonly algorithm: KeyAlgorithm;
  readonly #key: KeyObject;
  readonly #p256Scalar: Uint8Array | undefined;
  readonly #spki: Uint8Array;

  constructor(uri: string, key: KeyObject) {
    this.uri = uri;
    this.#key = key;
    this.algorithm = algorithmOf(key);
    this.#spki = createPublicKey(key).export({ type: 'spki', format: 'der' });
    this.#p256Scalar =
      this.algorithm === 'ES256' ? Buffer.from((key.export({ format: 'jwk' }) as { d: string }).d, 'base64url') : undefined;
  }

  current() {
    return { version: '1', spki: this.#spki };
  }

  async spkiOf(version: string): Promise<Uint8Array> {
    if (version !== '1') throw new SignetError('NOT_FOUND', `${this.uri}: a file key has only version 1`);
    return this.#spki;
  }

  async sign(payload: Uint8Array): Promise<RawSignature> {
    if (this.algorithm === 'Ed25519') {
      // On libuv's pool, not the event loop: the ~25 µs of each signature runs beside the calls
      // the main thread is serving.
      const signature = await new Promise<Buffer>((resolve, reject) => nodeSign(null, payload, this.#key, (err, sig) => (err ? reject(err) : resolve(sig))));
      return { signature, version: '1' };
    }
    return { signature: p256.sign(payload, this.#p256Scalar!, { prehash: false, lowS: true }), version: '1' };
  }

  async close(): Promise<void> {}
}

function passphraseOf(uri: FileKeyUri, env: NodeJS.ProcessEnv): string | undefined {
  const source = uri.params.get('passphrase-source');
  if (source) return readSecret(source, `${uri.redacted} passphrase`, env);
  return uri.params.get('passphrase');
}


function algorithmParam(uri: FileKeyUri): KeyAlgorithm {
  const alg = (uri.params.get('alg') ?? 'ed25519').toLowerCase();
  if (alg === 'ed25519') return 'Ed25519';
  if (alg === 'p256' || alg === 'es256' || alg === 'p-256') return 'ES256';
  throw new SignetError('CONFIG', `${uri.redacted}: alg must be ed25519 or p256, not "${alg}"`);
}

/** Writes a new key with mode 0600; refuses to overwrite an existing file. */
function createKeyFile(uri: FileKeyUri, algorithm: KeyAlgorithm, passphrase: string | undefined): KeyObject {
  const { privateKey } =
    algorithm === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const pem = privateKey.export(
    passphrase ? { type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase } : { type: 'pkcs8', format: 'pem' },
  );
  mkdirSync(dirname(uri.path), { recursive: true, mode: 0o700 });
  let fd: number;
  try {
    fd = openSync(uri.path, 'wx', 0o600);
  } catch (err) {
    throw new SignetError('ALREADY_EXISTS', `${uri.redacted}: ${uri.path} already exists`, { cause: err });
  }
  try {
    writeSync(fd, String(pem));
  } finally {
    closeSync(fd);
  }
  return privateKey;
}

function loadKeyFile(uri: FileKeyUri, passphrase: string | undefined): KeyObject {
  const mode = statSync(uri.path).mode;
  if (mode & 0o077) {
    throw new SignetError('CONFIG', `${uri.path}: private key file is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${uri.path}`);
  }
  const pem = readFileSync(uri.path);
  try {
    const key = createPrivateKey({ key: pem, format: 'pem', passphrase });
    algorithmOf(key);
    return key;
  } catch (err) {
    if (err instanceof SignetError) throw new SignetError('CONFIG', `${uri.path}: ${err.message}`);
    const encrypted = pem.includes('ENCRYPTED');
    throw new SignetError(
      'CONFIG',
      encrypted
        ? `${uri.path}: cannot decrypt the key; check passphrase-source`
        : `${uri.path}: not a PKCS#8 PEM private key`,
      { cause: err },
    );
  }
}

function fileExists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

class FileDriver implements Driver, KeyGenerator, KeyLister {
  readonly scheme = 'file' as const;

  async open(uri: KeyUri, context: OpenContext) {
    const fileUri = uri as FileKeyUri;
    const passphrase = passphraseOf(fileUri, context.env ?? process.env);
    let key: KeyObject;
    if (fileExists(fileUri.path)) {
      key = loadKeyFile(fileUri, passphrase);
    } else if (fileUri.params.get('create') === 'true') {
      key = createKeyFile(fileUri, algorithmParam(fileUri), passphrase);
    } else {
      throw new SignetError('CONFIG', `${fileUri.path}: key file does not exist (add ?create=true to create it on first start)`);
    }
    return new CustodySigner(new FileKeyBackend(fileUri.redacted, key));
  }

  /**
   * A directory: its *.pem private keys (not recursive; encrypted ones open with the URI's
   * passphrase, others are skipped). A file: that key.
   */
  async list(uri: KeyUri): Promise<KeyListing[]> {
    const fileUri = uri as FileKeyUri;
    const passphrase = passphraseOf(fileUri, process.env);
    let stat;
    try {
      stat = statSync(fileUri.path);
    } catch (err) {
      throw new SignetError('CONFIG', `${fileUri.path}: no such file or directory; file: URIs list a directory of PEM keys or one key file`, { cause: err });
    }
    if (!stat.isDirectory()) {
      const one = listingOf(fileUri.path, passphrase);
      if (!one) throw new SignetError('CONFIG', `${fileUri.path}: not a PKCS#8 PEM private key${passphrase ? '' : ' (an encrypted key needs passphrase-source)'}`);
      return [one];
    }
    return readdirSync(fileUri.path)
      .filter((name) => name.endsWith('.pem'))
      .sort()
      .map((name) => listingOf(join(fileUri.path, name), passphrase))
      .filter((k): k is KeyListing => k !== undefined);
  }

  async generate(uri: KeyUri, algorithm: KeyAlgorithm): Promise<PublicKeyInfo> {
    const fileUri = uri as FileKeyUri;
    const key = createKeyFile(fileUri, algorithm, passphraseOf(fileUri, process.env));
    return publicKeyInfo(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  }
}

/** A PEM file's key as a listing, or undefined when it is not an (unencrypted) private key. */
function listingOf(path: string, passphrase: string | undefined): KeyListing | undefined {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: readFileSync(path), format: 'pem', passphrase });
  } catch {
    return undefined;
  }
  let info: PublicKeyInfo;
  try {
    info = publicKeyInfo(createPublicKey(key).export({ type: 'spki', format: 'der' }));
  } catch {
    return { uri: `file://${path}`, label: path, algorithm: 'unsupported' };
  }
  return { uri: `file://${path}`, label: path, algorithm: info.algorithm, keyId: info.keyId };
}

registerDriver(new FileDriver());
