// The AWS KMS emulator's keys and aliases, and the TrentService operations over them, with the
// checks and error types real KMS applies. Keys are real (node:crypto); nothing here knows HTTP.
import { createPublicKey, generateKeyPairSync, randomUUID, sign as nodeSign, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';

/** An AWS-shaped error: `__type` and message, with the HTTP status AWS uses. */
export class KmsFault extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

type KeySpec = 'ECC_NIST_P256' | 'ECC_NIST_P384' | 'ECC_SECG_P256K1' | 'ECC_NIST_EDWARDS25519' | 'RSA_2048' | 'SYMMETRIC_DEFAULT';
type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

interface StoredKey {
  keyId: string;
  arn: string;
  spec: KeySpec;
  usage: string;
  state: KeyState;
  created: number;
  description: string;
  privateKey: KeyObject | undefined;
  spki: Buffer | undefined;
}

const SPECS: Record<KeySpec, { usages: string[]; signing: string[] }> = {
  ECC_NIST_P256: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_256'] },
  ECC_NIST_P384: { usages: ['SIGN_VERIFY', 'KEY_AGREEMENT'], signing: ['ECDSA_SHA_384'] },
  ECC_SECG_P256K1: { usages: ['SIGN_VERIFY'], signing: ['ECDSA_SHA_256'] },
  ECC_NIST_EDWARDS25519: { usages: ['SIGN_VERIFY'], signing: ['ED25519_SHA_512', 'ED25519_PH_SHA_512'] },
  RSA_2048: { usages: ['SIGN_VERIFY', 'ENCRYPT_DECRYPT'], signing: ['RSASSA_PSS_SHA_256', 'RSASSA_PKCS1_V1_5_SHA_256'] },
  SYMMETRIC_DEFAULT: { usages: ['ENCRYPT_DECRYPT'], signing: [] },
};

/** Real KMS's limit for Sign's Message, RAW or DIGEST. */
const MAX_MESSAGE_BYTES = 4096;

export class KmsKeyStore {
  readonly region: string;
  readonly account: string;
  readonly #keys = new Map<string, StoredKey>();
  readonly #aliases = new Map<string, string>();

  constructor(region: string, account: string) {
    this.region = region;
    this.account = account;
  }

  createKey(input: { KeySpec?: string; KeyUsage?: string; Description?: string }) {
    const spec = (input.KeySpec ?? 'SYMMETRIC_DEFAULT') as KeySpec;
    if (!(spec in SPECS)) throw new KmsFault('ValidationException', `1 validation error detected: Value '${spec}' at 'keySpec' failed to satisfy constraint`);
    const usage = input.KeyUsage ?? (spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY');
    if (!SPECS[spec].usages.includes(usage)) {
      throw new KmsFault('ValidationException', `KeyUsage ${usage} is not compatible with KeySpec ${spec}`);
    }
    const privateKey = generate(spec);
    const keyId = randomUUID();
    const key: StoredKey = {
      keyId,
      arn: `arn:aws:kms:${this.region}:${this.account}:key/${keyId}`,
      spec,
      usage,
      state: 'Enabled',
      created: Date.now() / 1000,
      description: input.Description ?? '',
      privateKey,
      spki: privateKey === undefined ? undefined : publicDer(privateKey),
    };
    this.#keys.set(keyId, key);
    return { KeyMetadata: this.#metadata(key) };
  }

  createAlias(input: { AliasName?: string; TargetKeyId?: string }) {
    const name = this.#aliasName(input.AliasName);
    if (this.#aliases.has(name)) throw new KmsFault('AlreadyExistsException', `An alias with the name ${this.#aliasArn(name)} already exists`);
    this.#aliases.set(name, this.#resolve(input.TargetKeyId, false).keyId);
    return {};
  }

  updateAlias(input: { AliasName?: string; TargetKeyId?: string }) {
    const name = this.#aliasName(input.AliasName);
    if (!this.#aliases.has(name)) throw new KmsFault('NotFoundException', `Alias ${this.#aliasArn(name)} is not found.`);
    this.#aliases.set(name, this.#resolve(input.TargetKeyId, false).keyId);
    return {};
  }

  describeKey(input: { KeyId?: string }) {
    return { KeyMetadata: this.#metadata(this.#resolve(input.KeyId)) };
  }

  disableKey(input: { KeyId?: string }) {
    this.#resolve(input.KeyId, false).state = 'Disabled';
    return {};
  }

  enableKey(input: { KeyId?: string }) {
    this.#resolve(input.KeyId, false).state = 'Enabled';
    return {};
  }

  scheduleKeyDeletion(input: { KeyId?: string }) {
    const key = this.#resolve(input.KeyId, false);
    key.state = 'PendingDeletion';
    return { KeyId: key.arn, KeyState: key.state, DeletionDate: Date.now() / 1000 + 7 * 86400 };
  }

  getPublicKey(input: { KeyId?: string }) {
    const key = this.#resolve(input.KeyId);
    this.#usable(key);
    if (!key.spki) throw new KmsFault('UnsupportedOperationException', `${key.arn} key usage is ENCRYPT_DECRYPT; it has no public key`);
    return {
      KeyId: key.arn,
      PublicKey: key.spki.toString('base64'),
      KeySpec: key.spec,
      CustomerMasterKeySpec: key.spec,
      KeyUsage: key.usage,
      SigningAlgorithms: key.usage === 'SIGN_VERIFY' ? SPECS[key.spec].signing : undefined,
    };
  }

  sign(input: { KeyId?: string; Message?: string; MessageType?: string; SigningAlgorithm?: string }) {
    const key = this.#resolve(input.KeyId);
    if (typeof input.Message !== 'string') throw new KmsFault('ValidationException', "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null");
    const message = Buffer.from(input.Message, 'base64');
    if (message.length < 1 || message.length > MAX_MESSAGE_BYTES) {
      throw new KmsFault(
        'ValidationException',
        `1 validation error detected: Value at 'message' failed to satisfy constraint: Member must have length less than or equal to ${MAX_MESSAGE_BYTES}`,
      );
    }
    const type = input.MessageType ?? 'RAW';
    if (type !== 'RAW' && type !== 'DIGEST') throw new KmsFault('ValidationException', `Value '${type}' at 'messageType' failed to satisfy constraint`);
    this.#usable(key);
    const algorithm = input.SigningAlgorithm ?? '';
    if (key.usage !== 'SIGN_VERIFY' || !SPECS[key.spec].signing.includes(algorithm)) {
      throw new KmsFault('InvalidKeyUsageException', `You cannot use ${key.arn} with signing algorithm ${algorithm || '(none)'}: key usage ${key.usage}, key spec ${key.spec}`);
    }
    return { KeyId: key.arn, SigningAlgorithm: algorithm, Signature: signWith(key, algorithm, type, message).toString('base64') };
  }

  #usable(key: StoredKey) {
    if (key.state === 'Disabled') throw new KmsFault('DisabledException', `${key.arn} is disabled.`);
    if (key.state !== 'Enabled') throw new KmsFault('KMSInvalidStateException', `${key.arn} is pending deletion.`);
  }

  /** Key id, key ARN, alias name or alias ARN → the key, as KMS resolves a KeyId parameter. */
  #resolve(id: string | undefined, aliasesAllowed = true): StoredKey {
    if (!id) throw new KmsFault('ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
    let ref = id;
    const arn = /^arn:aws:kms:([^:]+):(\d{12}):((?:key|alias)\/.+)$/.exec(id);
    if (arn) {
      if (arn[1] !== this.region || arn[2] !== this.account) throw new KmsFault('NotFoundException', `Key '${id}' does not exist`);
      ref = arn[3]!.startsWith('key/') ? arn[3]!.slice(4) : arn[3]!;
    }
    if (ref.startsWith('alias/')) {
      const target = aliasesAllowed ? this.#aliases.get(ref) : undefined;
      if (!target) throw new KmsFault('NotFoundException', `Alias ${this.#aliasArn(ref)} is not found.`);
      ref = target;
    }
    const key = this.#keys.get(ref);
    if (!key) throw new KmsFault('NotFoundException', `Key '${this.#keyArn(ref)}' does not exist`);
    return key;
  }

  #aliasName(name: string | undefined): string {
    if (!name || !/^alias\/[a-zA-Z0-9/_-]+$/.test(name) || name.startsWith('alias/aws/')) {
      throw new KmsFault('ValidationException', `Alias must start with the prefix "alias/" and may not be reserved: ${name ?? '(none)'}`);
    }
    return name;
  }

  #aliasArn(name: string) {
    return `arn:aws:kms:${this.region}:${this.account}:${name}`;
  }

  #keyArn(id: string) {
    return `arn:aws:kms:${this.region}:${this.account}:key/${id}`;
  }

  #metadata(key: StoredKey) {
    return {
      AWSAccountId: this.account,
      KeyId: key.keyId,
      Arn: key.arn,
      CreationDate: key.created,
      Enabled: key.state === 'Enabled',
      Description: key.description,
      KeyUsage: key.usage,
      KeyState: key.state,
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
      CustomerMasterKeySpec: key.spec,
      KeySpec: key.spec,
      SigningAlgorithms: key.usage === 'SIGN_VERIFY' ? SPECS[key.spec].signing : undefined,
      EncryptionAlgorithms: key.usage === 'ENCRYPT_DECRYPT' ? ['SYMMETRIC_DEFAULT'] : undefined,
      MultiRegion: false,
    };
  }
}

function generate(spec: KeySpec): KeyObject | undefined {
  switch (spec) {
    case 'ECC_NIST_P256':
      return generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    case 'ECC_NIST_P384':
      return generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey;
    case 'ECC_SECG_P256K1':
      return generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey;
    case 'ECC_NIST_EDWARDS25519':
      return generateKeyPairSync('ed25519').privateKey;
    case 'RSA_2048':
      return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    case 'SYMMETRIC_DEFAULT':
      return undefined;
  }
}

function publicDer(privateKey: KeyObject): Buffer {
  return createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
}

/** Signs as KMS does: ECDSA answers DER (S not normalised); Ed25519 answers 64 bytes. */
function signWith(key: StoredKey, algorithm: string, type: string, message: Buffer): Buffer {
  const privateKey = key.privateKey!;
  if (algorithm === 'ED25519_SHA_512') {
    if (type !== 'RAW') throw new KmsFault('ValidationException', 'ED25519_SHA_512 requires MessageType RAW');
    return nodeSign(null, message, privateKey);
  }
  if (algorithm === 'ECDSA_SHA_256' && key.spec === 'ECC_NIST_P256') {
    if (type === 'RAW') return nodeSign('sha256', message, privateKey);
    if (message.length !== 32) throw new KmsFault('ValidationException', 'Digest is invalid length for algorithm ECDSA_SHA_256.');
    const d = Buffer.from((privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
    return Buffer.from(p256.sign(message, d, { prehash: false, lowS: false, format: 'der' }));
  }
  if (type === 'RAW' && algorithm.startsWith('ECDSA_SHA_')) return nodeSign(`sha${algorithm.slice(-3)}`, message, privateKey);
  throw new KmsFault('UnsupportedOperationException', `The emulator does not implement ${algorithm} with MessageType ${type}`);
}

