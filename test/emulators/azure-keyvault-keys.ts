// The key store behind the Azure Key Vault emulator: real node:crypto keys with versions, shaped
// as Key Vault KeyBundles, and ES256 signing over a caller's 32-byte digest (raw r||s, as Azure).
import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';

export type EmulatedKty = 'EC' | 'EC-HSM' | 'RSA' | 'RSA-HSM';

export interface EmulatedKeyOptions {
  kty?: EmulatedKty;
  /** JWK key_ops; default sign + verify. */
  keyOps?: string[];
  enabled?: boolean;
  /** Expiry (seconds since epoch), as the `exp` attribute. */
  expires?: number;
}

export interface EmulatedKeyVersion {
  name: string;
  version: string;
  kty: EmulatedKty;
  keyOps: string[];
  enabled: boolean;
  expires: number | undefined;
  created: number;
  publicKey: KeyObject;
  /** PEM of the public key, for independent verification in tests. */
  publicPem: string;
  /** P-256 private scalar (EC keys only). */
  scalar: Uint8Array | undefined;
}

/** A Key Vault error the HTTP layer turns into `{ error: { code, message } }`. */
export class VaultError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class EmulatedKeyStore {
  readonly #keys = new Map<string, EmulatedKeyVersion[]>();

  /** Creates a key, or a new version of it if the name exists (as Key Vault's create does). */
  create(name: string, options: EmulatedKeyOptions = {}): EmulatedKeyVersion {
    if (!/^[0-9a-zA-Z-]{1,127}$/.test(name)) throw new VaultError(400, 'BadParameter', `Key name ${name} is invalid`);
    const kty = options.kty ?? 'EC';
    const { publicKey, privateKey } = kty.startsWith('EC')
      ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 });
    const version: EmulatedKeyVersion = {
      name,
      version: randomBytes(16).toString('hex'),
      kty,
      keyOps: options.keyOps ?? ['sign', 'verify'],
      enabled: options.enabled ?? true,
      expires: options.expires,
      created: Math.floor(Date.now() / 1000),
      publicKey,
      publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      scalar: kty.startsWith('EC') ? Buffer.from((privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url') : undefined,
    };
    const versions = this.#keys.get(name) ?? [];
    versions.push(version);
    this.#keys.set(name, versions);
    return version;
  }

  /** A new version with the same type and operations as the latest. */
  rotate(name: string): EmulatedKeyVersion {
    const latest = this.get(name);
    return this.create(name, { kty: latest.kty, keyOps: latest.keyOps });
  }

  /** The named version, or the latest when `version` is empty. */
  get(name: string, version?: string): EmulatedKeyVersion {
    const versions = this.#keys.get(name);
    const found = version ? versions?.find((v) => v.version === version) : versions?.at(-1);
    if (!found) {
      const id = version ? `${name}/${version}` : name;
      throw new VaultError(404, 'KeyNotFound', `A key with (name/id) ${id} was not found in this key vault. If you recently deleted this key you may be able to recover it using the correct recovery command. For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182`);
    }
    return found;
  }

  /** Key Vault's SIGN: checks state, operations, algorithm and digest size like the service. */
  sign(name: string, version: string, alg: unknown, value: unknown): Uint8Array {
    const key = this.get(name, version);
    if (!key.enabled) throw new VaultError(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.');
    if (key.expires !== undefined && key.expires < Date.now() / 1000) throw new VaultError(403, 'Forbidden', 'Operation sign is not allowed on an expired key.');
    if (!key.keyOps.includes('sign')) throw new VaultError(403, 'Forbidden', 'Operation sign is not permitted on this key.');
    if (typeof alg !== 'string' || typeof value !== 'string') throw new VaultError(400, 'BadParameter', 'Property alg and value are required.');
    if (!key.scalar) throw new VaultError(400, 'BadParameter', `Algorithm ${alg} is not supported by this emulator for ${key.kty} keys.`);
    if (alg !== 'ES256') throw new VaultError(400, 'BadParameter', `Invalid algorithm ${alg} for a P-256 key; expected ES256.`);
    const digest = Buffer.from(value, 'base64url');
    if (digest.length !== 32) throw new VaultError(400, 'BadParameter', `Invalid digest length ${digest.length} for ES256; expected 32.`);
    return p256.sign(digest, key.scalar, { prehash: false });
  }

  /** The KeyBundle JSON of a version, with its kid under the vault URL. */
  bundle(vaultUrl: string, key: EmulatedKeyVersion): object {
    const jwk = key.publicKey.export({ format: 'jwk' }) as Record<string, string>;
    const material = key.kty.startsWith('EC') ? { crv: 'P-256', x: jwk.x, y: jwk.y } : { n: jwk.n, e: jwk.e };
    return {
      key: { kid: `${vaultUrl}/keys/${key.name}/${key.version}`, kty: key.kty, key_ops: key.keyOps, ...material },
      attributes: {
        enabled: key.enabled,
        ...(key.expires === undefined ? {} : { exp: key.expires }),
        created: key.created,
        updated: key.created,
        recoveryLevel: 'Recoverable+Purgeable',
        recoverableDays: 90,
        exportable: false,
      },
      tags: {},
    };
  }

  setEnabled(name: string, enabled: boolean, version?: string): void {
    this.get(name, version).enabled = enabled;
  }
}

