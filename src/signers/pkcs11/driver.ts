// The `pkcs11:` driver: keys in any PKCS#11 module (SoftHSM 2, YubiHSM 2, a p11-kit proxy) through
// pkcs11js, opened by RFC 7512 URI; generates keys inside the token and lists what a token holds.
import { randomBytes } from 'node:crypto';
import pkcs11js from 'pkcs11js';
import { SignetError } from '../../lib/errors.js';
import type { KeyGenerator, KeyLister, KeyListing } from '../capabilities.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../contract.js';
import { CustodySigner } from '../custody.js';
import { publicKeyInfo } from '../keys.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import type { KeyUri, Pkcs11KeyUri } from '../uri.js';
import { generationParams, signMechanism } from './attributes.js';
import { pkcs11Config, type Pkcs11Config } from './config.js';
import { pkcs11Failure } from './errors.js';
import { Pkcs11KeyBackend } from './key-backend.js';
import { describeKey, describeObject, findObjects, findPrivateKey, percentId, publicSpki } from './objects.js';
import { leasePool, type PoolLease } from './token-pools.js';

class Pkcs11Driver implements Driver, KeyGenerator, KeyLister {
  readonly scheme = 'pkcs11' as const;

  async open(uri: KeyUri, context: OpenContext) {
    const p11 = uri as Pkcs11KeyUri;
    const config = pkcs11Config(p11, context.env ?? process.env);
    const lease = leasePool(config);
    lease.module.useSignThreads(config.signThreads);
    try {
      const { key, spki, epoch } = await lease.pool.run((session, epoch) => {
        const key = findPrivateKey(lease.module.lib, session, config.key, lease.pool.token.label);
        if (!key.algorithm) {
          throw new SignetError('CONFIG', `${p11.redacted}: key ${describeKey(config.key)} is ${key.unsupported}; Signet signs with Ed25519 or P-256`);
        }
        const mechanism = signMechanism(key.algorithm);
        if (!lease.module.lib.C_GetMechanismList(lease.pool.token.slot).includes(mechanism)) {
          const name = key.algorithm === 'Ed25519' ? 'CKM_EDDSA' : 'CKM_ECDSA';
          throw new SignetError('CONFIG', `token "${lease.pool.token.label}" does not offer ${name}, which ${key.algorithm} keys sign with`);
        }
        return { key, spki: publicSpki(lease.module.lib, session, key, key.algorithm, lease.pool.token.label), epoch };
      });
      const backend = new Pkcs11KeyBackend({
        uri: p11.redacted,
        lease,
        selector: config.key,
        algorithm: key.algorithm!,
        spki,
        handle: key.handle,
        epoch,
      });
      return new CustodySigner(backend);
    } catch (err) {
      await lease.release();
      throw pkcs11Failure(`${p11.redacted}: cannot open the key`, err, 'CONFIG');
    }
  }

  /**
   * Generates a key pair inside the token: private half CKA_TOKEN, CKA_SENSITIVE, not extractable,
   * sign only; public half verify only.
   */
  async generate(uri: KeyUri, algorithm: KeyAlgorithm): Promise<PublicKeyInfo> {
    const p11 = uri as Pkcs11KeyUri;
    const config = pkcs11Config(p11, process.env);
    if (config.key.label === undefined) {
      throw new SignetError('CONFIG', `${p11.redacted}: name the new key with object=LABEL`);
    }
    return withLease(config, async (lease) => {
      const { lib } = lease.module;
      const token = lease.pool.token.label;
      const id = config.key.id ?? randomBytes(config.profile.name === 'yubihsm' ? 2 : 16);
      const label = config.key.label!;
      const clash = await lease.pool.run((s) =>
        findObjects(lib, s, [{ type: pkcs11js.CKA_LABEL, value: label }]).length + findObjects(lib, s, [{ type: pkcs11js.CKA_ID, value: Buffer.from(id) }]).length,
      );
      if (clash > 0) throw new SignetError('ALREADY_EXISTS', `token "${token}" already holds an object with label "${label}" or id ${percentId(id)}`);
      const { mechanism, keyType, ecParams } = generationParams(algorithm);
      const common = [
        { type: pkcs11js.CKA_TOKEN, value: true },
        { type: pkcs11js.CKA_KEY_TYPE, value: keyType },
        { type: pkcs11js.CKA_LABEL, value: label },
        { type: pkcs11js.CKA_ID, value: Buffer.from(id) },
      ];
      // Every usage attribute is set, not left to the token's defaults (SoftHSM's give a new private
      // key CKA_DECRYPT and CKA_UNWRAP): the private half signs and does nothing else; the public
      // half verifies and does nothing else.
      const publicTemplate = [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PUBLIC_KEY },
        { type: pkcs11js.CKA_EC_PARAMS, value: ecParams },
        { type: pkcs11js.CKA_PRIVATE, value: false },
        ...usage(PUBLIC_USAGE, pkcs11js.CKA_VERIFY),
      ];
      const privateTemplate = [
        ...common,
        { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
        { type: pkcs11js.CKA_PRIVATE, value: true },
        { type: pkcs11js.CKA_SENSITIVE, value: true },
        { type: pkcs11js.CKA_EXTRACTABLE, value: false },
        ...usage(PRIVATE_USAGE, pkcs11js.CKA_SIGN),
      ];
      try {
        await lease.module.workerSlots.acquire();
        try {
          await lease.pool.runReadWrite((s) => lib.C_GenerateKeyPairAsync(s, { mechanism }, publicTemplate, privateTemplate));
        } finally {
          lease.module.workerSlots.release();
        }
      } catch (err) {
        throw pkcs11Failure(`cannot generate an ${algorithm} key on token "${token}"`, err);
      }
      const spki = await lease.pool.run((s) => publicSpki(lib, s, findPrivateKey(lib, s, { label, id }, token), algorithm, token));
      return publicKeyInfo(spki);
    });
  }

  /** Every private key on the token, with a URI that opens it (same module and PIN source). */
  async list(uri: KeyUri): Promise<KeyListing[]> {
    const p11 = uri as Pkcs11KeyUri;
    const config = pkcs11Config(p11, process.env, false);
    return withLease(config, (lease) =>
      lease.pool.run((s) => {
        const { lib } = lease.module;
        const token = lease.pool.token.label;
        return findObjects(lib, s, [{ type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY }]).map((h): KeyListing => {
          const key = describeObject(lib, s, h);
          const listing: KeyListing = { uri: listingUri(p11, token, key.label, key.id), label: key.label, algorithm: key.algorithm ?? 'unsupported' };
          if (key.algorithm) {
            try {
              listing.keyId = publicKeyInfo(publicSpki(lib, s, key, key.algorithm, token)).keyId;
            } catch {
              // A private key without a readable public half is still listed, without a key id.
            }
          }
          return listing;
        });
      }),
    );
  }
}

/** The usage attributes of each half of a generated key pair; exactly one of them is true. */
const PRIVATE_USAGE = [pkcs11js.CKA_SIGN, pkcs11js.CKA_SIGN_RECOVER, pkcs11js.CKA_DECRYPT, pkcs11js.CKA_UNWRAP, pkcs11js.CKA_DERIVE];
const PUBLIC_USAGE = [pkcs11js.CKA_VERIFY, pkcs11js.CKA_VERIFY_RECOVER, pkcs11js.CKA_ENCRYPT, pkcs11js.CKA_WRAP, pkcs11js.CKA_DERIVE];

function usage(all: number[], allowed: number): pkcs11js.Template {
  return all.map((type) => ({ type, value: type === allowed }));
}

async function withLease<T>(config: Pkcs11Config, fn: (lease: PoolLease) => Promise<T>): Promise<T> {
  const lease = leasePool(config);
  try {
    return await fn(lease);
  } finally {
    await lease.release();
  }
}

/** pkcs11:token=…;object=…;id=…?<the query of the listing URI>, secrets left out. */
function listingUri(from: Pkcs11KeyUri, token: string, label: string, id: Uint8Array): string {
  const path = [`token=${enc(token)}`, `object=${enc(label)}`];
  if (id.length > 0) path.push(`id=${percentId(id)}`);
  const query = [...from.params].filter(([k]) => k !== 'pin-value').map(([k, v]) => `${k}=${enc(v)}`);
  return `pkcs11:${path.join(';')}${query.length ? `?${query.join('&')}` : ''}`;
}

function enc(s: string): string {
  return encodeURIComponent(s).replace(/%2F/gi, '/').replace(/%3A/gi, ':');
}

registerDriver(new Pkcs11Driver());
