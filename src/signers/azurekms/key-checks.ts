// Whether a Key Vault key version can sign for Signet (EC P-256, `sign` in key_ops, enabled, within
// its validity), and its public key as DER SPKI. Key Vault has no Ed25519 keys.
import type { AzureKeyVersion } from './client.js';
import { SignetError } from '../../lib/errors.js';
import { p256Spki } from '../keys.js';

export const NO_ED25519 =
  'Azure Key Vault has no Ed25519 keys; use an EC P-256 key (kty EC or EC-HSM, ES256) or another driver (awskms, gcpkms, hashivault, pkcs11) for Ed25519';

/** Why this version cannot sign, or undefined if it can. */
export function unusableReason(key: AzureKeyVersion, now = new Date()): string | undefined {
  if (key.kty === 'OKP' || key.kty === 'OKP-HSM' || key.crv === 'Ed25519') return NO_ED25519;
  if (key.kty !== 'EC' && key.kty !== 'EC-HSM') return `key type is ${key.kty || 'unknown'}; Signet needs an EC P-256 key (kty EC or EC-HSM)`;
  if (key.crv !== 'P-256') return `curve is ${key.crv ?? 'unknown'}; Signet signs ES256 with P-256 only`;
  if (!key.keyOps.includes('sign')) return `key_ops (${key.keyOps.join(', ') || 'none'}) do not include sign; the key cannot sign`;
  if (!key.enabled) return 'key version is disabled';
  if (key.notBefore && now < key.notBefore) return `key version is not valid before ${key.notBefore.toISOString()}`;
  if (key.expiresOn && now > key.expiresOn) return `key version expired at ${key.expiresOn.toISOString()}`;
  return undefined;
}

/** DER SPKI of an EC P-256 version from its JWK x and y. */
export function spkiOfKey(key: AzureKeyVersion): Uint8Array {
  if (!key.x || !key.y) throw new SignetError('INTEGRITY', `azurekms: key ${key.kid} came back without its public x and y`);
  const pad = (v: Uint8Array | undefined) => {
    const out = new Uint8Array(32);
    if (v) out.set(v.subarray(Math.max(0, v.length - 32)), 32 - Math.min(32, v.length));
    return out;
  };
  return p256Spki(Uint8Array.from([0x04, ...pad(key.x), ...pad(key.y)]));
}

/** True if the key's id (`{vault}/keys/{name}/{version}`) names this key, and this version if one is given. */
export function answersFor(key: AzureKeyVersion, keyName: string, version: string | undefined): boolean {
  let path: string[];
  try {
    path = new URL(key.kid).pathname.split('/').filter(Boolean);
  } catch {
    return false;
  }
  return path[0] === 'keys' && path[1]?.toLowerCase() === keyName.toLowerCase() && path[2] === key.version && (!version || key.version === version);
}
