// Which crypto key version the gcpkms driver signs with, and its public key, fetched with every
// check Google recommends: the version's state and algorithm, the answer's name and PEM CRC32C.
import { SignetError } from '../../lib/errors.js';
import type { KeyAlgorithm } from '../contract.js';
import { algorithmOf, spkiToKeyObject } from '../keys.js';
import type { CallLimits, GcpKmsClient, VersionInfo } from './client.js';
import { crc32c } from './crc32c.js';

/** Cloud KMS algorithms Signet signs with, and what they are in the custody contract. */
export const GCP_ALGORITHMS: Readonly<Record<string, KeyAlgorithm>> = {
  EC_SIGN_ED25519: 'Ed25519',
  EC_SIGN_P256_SHA256: 'ES256',
};

export interface ResolvedVersion {
  /** projects/…/cryptoKeyVersions/N */
  name: string;
  /** N */
  version: string;
  algorithm: KeyAlgorithm;
  spki: Uint8Array;
  protectionLevel: string;
}

const VERSION_SUFFIX = /\/cryptoKeyVersions\/([^/]+)$/;

export function keyNameOf(name: string): string {
  return name.replace(VERSION_SUFFIX, '');
}

export function versionNumberOf(versionName: string): string {
  return VERSION_SUFFIX.exec(versionName)?.[1] ?? '';
}

/**
 * A full version name is used as given (it must be ENABLED). A key name resolves to its primary
 * version if Cloud KMS reports one that is ENABLED, otherwise to its newest ENABLED version: Cloud
 * KMS gives asymmetric keys no primary, so the newest enabled version is the one rotation made.
 */
export async function resolveVersion(
  client: GcpKmsClient,
  name: string,
  limits: CallLimits,
  /** Public keys already fetched (a version's key never changes): no GetPublicKey for these. */
  known: ReadonlyMap<string, Uint8Array> = new Map(),
): Promise<ResolvedVersion> {
  let chosen: VersionInfo;
  if (VERSION_SUFFIX.test(name)) {
    const key = await client.getCryptoKey(keyNameOf(name), limits);
    checkPurpose(name, key.purpose);
    chosen = await client.getCryptoKeyVersion(name, limits);
    if (chosen.state !== 'ENABLED') {
      throw new SignetError('CONFIG', `gcpkms: key version ${name} is ${chosen.state}, not ENABLED`);
    }
  } else {
    const key = await client.getCryptoKey(name, limits);
    checkPurpose(name, key.purpose);
    if (key.primary && key.primary.state === 'ENABLED') {
      chosen = key.primary;
    } else {
      const enabled = await client.listEnabledVersions(name, limits);
      const newest = enabled
        .filter((v) => v.state === 'ENABLED')
        .sort((a, b) => Number(versionNumberOf(b.name)) - Number(versionNumberOf(a.name)))[0];
      if (!newest) throw new SignetError('CONFIG', `gcpkms: key ${name} has no ENABLED version to sign with`);
      chosen = newest;
    }
  }
  const algorithm = contractAlgorithm(chosen.name, chosen.algorithm);
  const spki = known.get(chosen.name) ?? (await fetchSpki(client, chosen.name, algorithm, limits));
  return { name: chosen.name, version: versionNumberOf(chosen.name), algorithm, spki, protectionLevel: chosen.protectionLevel };
}

/** GetPublicKey, refusing an answer for another version or one whose PEM fails its CRC32C. */
export async function fetchSpki(client: GcpKmsClient, versionName: string, expected: KeyAlgorithm | undefined, limits: CallLimits): Promise<Uint8Array> {
  const answer = await client.getPublicKey(versionName, limits);
  if (answer.name !== versionName) {
    throw new SignetError('INTEGRITY', `gcpkms: GetPublicKey answered for "${answer.name}", not ${versionName}`);
  }
  if (answer.pemCrc32c === undefined || answer.pemCrc32c !== crc32c(Buffer.from(answer.pem, 'utf8'))) {
    throw new SignetError('INTEGRITY', `gcpkms: public key of ${versionName} fails its CRC32C check`);
  }
  const algorithm = contractAlgorithm(versionName, answer.algorithm);
  if (expected !== undefined && algorithm !== expected) {
    throw new SignetError('INTEGRITY', `gcpkms: ${versionName} is ${answer.algorithm}, expected ${expected}`);
  }
  let spki: Uint8Array;
  try {
    spki = spkiToKeyObject(pemBody(answer.pem)).export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new SignetError('INTEGRITY', `gcpkms: public key of ${versionName} is not a PEM SubjectPublicKeyInfo`, { cause: err });
  }
  if (algorithmOf(spkiToKeyObject(spki)) !== algorithm) {
    throw new SignetError('INTEGRITY', `gcpkms: public key of ${versionName} does not match its algorithm ${answer.algorithm}`);
  }
  return spki;
}

function checkPurpose(name: string, purpose: string): void {
  if (purpose !== 'ASYMMETRIC_SIGN') {
    throw new SignetError('CONFIG', `gcpkms: key ${keyNameOf(name)} has purpose ${purpose || 'unknown'}, not ASYMMETRIC_SIGN`);
  }
}

function contractAlgorithm(versionName: string, gcpAlgorithm: string): KeyAlgorithm {
  const algorithm = GCP_ALGORITHMS[gcpAlgorithm];
  if (!algorithm) {
    throw new SignetError('CONFIG', `gcpkms: ${versionName} is ${gcpAlgorithm || 'of unknown algorithm'}; Signet signs with EC_SIGN_ED25519 or EC_SIGN_P256_SHA256`);
  }
  return algorithm;
}

function pemBody(pem: string): Uint8Array {
  const match = /-----BEGIN PUBLIC KEY-----([\s\S]+?)-----END PUBLIC KEY-----/.exec(pem);
  if (!match) throw new SignetError('INTEGRITY', 'not a PEM public key');
  return Buffer.from(match[1]!.replace(/\s+/g, ''), 'base64');
}
