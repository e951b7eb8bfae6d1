// The Vault Transit emulator's key store: named keys with versions, real key pairs from
// node:crypto, and signatures shaped as Transit makes them (vault:vN:…, asn1 or jws marshaling).
import { createHash, generateKeyPairSync, generateKeySync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';

export type TransitKeyType = 'ed25519' | 'ecdsa-p256' | 'aes256-gcm96';

interface Version {
  created: string;
  privateKey: KeyObject;
  /** ed25519: base64 of the raw key; ecdsa-p256: PEM SPKI; aes: none. */
  publicKey: string | undefined;
}

/** An error Vault answers with a status and its `errors` array. */
export class TransitError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

export interface SignParams {
  input: unknown;
  keyVersion: number;
  hashAlgorithm: string;
  prehashed: boolean;
  marshaling: string;
}

const HASHES: Record<string, string> = { 'sha2-224': 'sha224', 'sha2-256': 'sha256', 'sha2-384': 'sha384', 'sha2-512': 'sha512' };

export class TransitKey {
  readonly versions: Version[] = [];
  /** 0: any version may sign; otherwise versions below it are refused, as in Vault. */
  minEncryptionVersion = 0;

  constructor(readonly name: string, readonly type: TransitKeyType) {
    this.rotate();
  }

  get latest(): number {
    return this.versions.length;
  }

  get signs(): boolean {
    return this.type !== 'aes256-gcm96';
  }

  rotate(): void {
    const created = new Date().toISOString();
    if (this.type === 'aes256-gcm96') {
      this.versions.push({ created, privateKey: generateKeySync('aes', { length: 256 }), publicKey: undefined });
    } else if (this.type === 'ed25519') {
      const { privateKey, publicKey } = generateKeyPairSync('ed25519');
      const raw = Buffer.from((publicKey.export({ format: 'jwk' }) as { x: string }).x, 'base64url');
      this.versions.push({ created, privateKey, publicKey: raw.toString('base64') });
    } else {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
      this.versions.push({ created, privateKey, publicKey: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
    }
  }

  /** The `data` of GET /v1/transit/keys/:name. */
  describe(): Record<string, unknown> {
    const keys = Object.fromEntries(
      this.versions.map((v, i) => [
        String(i + 1),
        v.publicKey === undefined
          ? Math.floor(Date.parse(v.created) / 1000)
          : { creation_time: v.created, name: this.type === 'ed25519' ? 'ed25519' : 'P-256', public_key: v.publicKey },
      ]),
    );
    return {
      name: this.name,
      type: this.type,
      keys,
      latest_version: this.latest,
      min_available_version: 0,
      min_decryption_version: 1,
      min_encryption_version: this.minEncryptionVersion,
      deletion_allowed: false,
      derived: false,
      exportable: false,
      allow_plaintext_backup: false,
      imported_key: false,
      supports_encryption: !this.signs,
      supports_decryption: !this.signs,
      supports_derivation: this.type !== 'ecdsa-p256',
      supports_signing: this.signs,
    };
  }

  /** One Transit signature, or a TransitError with Vault's message. */
  sign(p: SignParams): { signature: string; key_version: number } {
    if (typeof p.input !== 'string') throw new TransitError(400, 'missing input');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(p.input)) throw new TransitError(400, 'unable to decode input as base64: illegal base64 data');
    const input = Buffer.from(p.input, 'base64');
    const version = p.keyVersion === 0 ? this.latest : p.keyVersion;
    if (version > this.latest) throw new TransitError(400, 'requested version for signing is higher than the latest key version');
    if (version < 1) throw new TransitError(400, 'invalid key version');
    if (this.minEncryptionVersion > 0 && version < this.minEncryptionVersion) {
      throw new TransitError(400, 'requested version for signing is less than the minimum encryption key version');
    }
    const key = this.versions[version - 1]!.privateKey;
    let body: string;
    if (this.type === 'ed25519') {
      body = nodeSign(null, input, key).toString('base64');
    } else {
      const digest = p.prehashed ? input : createHash(HASHES[p.hashAlgorithm]!).update(input).digest();
      const scalar = Buffer.from((key.export({ format: 'jwk' }) as { d: string }).d, 'base64url');
      // Go's crypto/ecdsa, which Vault uses, neither normalises s nor signs deterministically.
      const der = p.marshaling === 'asn1';
      const sig = p256.sign(digest, scalar, { prehash: false, lowS: false, extraEntropy: true, format: der ? 'der' : 'compact' });
      body = der ? Buffer.from(sig).toString('base64') : Buffer.from(sig).toString('base64url');
    }
    return { signature: `vault:v${version}:${body}`, key_version: version };
  }
}
