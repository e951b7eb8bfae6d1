// Reads a Transit key description (GET MOUNT/keys/NAME) into what the driver needs: the
// algorithm, the latest version and the DER SPKI of every version Vault still lists.
import { createPublicKey } from 'node:crypto';
import { SignetError } from '../../lib/errors.js';
import type { KeyAlgorithm } from '../contract.js';
import { ed25519Spki } from '../keys.js';
import type { TransitKeyData } from './client.js';

export interface TransitKeyInfo {
  type: 'ed25519' | 'ecdsa-p256';
  algorithm: KeyAlgorithm;
  latestVersion: number;
  /** version ("1", "2" …) → DER SPKI */
  versions: ReadonlyMap<string, Uint8Array>;
}

const ALGORITHMS = { ed25519: 'Ed25519', 'ecdsa-p256': 'ES256' } as const;

/** Checks type and usage; a key Signet cannot sign with is a start-up error naming the problem. */
export function parseKeyInfo(where: string, data: TransitKeyData): TransitKeyInfo {
  const type = data.type;
  if (type !== 'ed25519' && type !== 'ecdsa-p256') {
    throw new SignetError('CONFIG', `${where}: key type is ${type ?? 'unknown'}; Signet signs with Transit keys of type ed25519 or ecdsa-p256`);
  }
  if (data.supports_signing !== true) {
    throw new SignetError('CONFIG', `${where}: Vault reports the key does not support signing`);
  }
  const latest = data.latest_version;
  if (!Number.isInteger(latest) || latest! < 1) {
    throw new SignetError('INTEGRITY', `${where}: Vault reported no valid latest_version for the key`);
  }
  const versions = new Map<string, Uint8Array>();
  for (const [version, entry] of Object.entries(data.keys ?? {})) {
    if (typeof entry !== 'object' || typeof entry.public_key !== 'string' || !/^\d+$/.test(version)) continue;
    versions.set(version, spkiOf(where, type, version, entry.public_key));
  }
  if (!versions.has(String(latest))) {
    throw new SignetError('INTEGRITY', `${where}: Vault lists no public key for the latest version ${latest}`);
  }
  return { type, algorithm: ALGORITHMS[type], latestVersion: latest!, versions };
}

/** ed25519: base64 of the raw 32-byte key. ecdsa-p256: a PEM SubjectPublicKeyInfo. */
function spkiOf(where: string, type: TransitKeyInfo['type'], version: string, publicKey: string): Uint8Array {
  try {
    if (type === 'ed25519') return ed25519Spki(Buffer.from(publicKey, 'base64'));
    const key = createPublicKey(publicKey);
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      throw new Error(`not a P-256 key`);
    }
    return key.export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new SignetError('INTEGRITY', `${where}: public key of version ${version} is not a valid ${type} key`, { cause: err });
  }
}
