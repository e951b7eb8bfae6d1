// Making keys and versions in Cloud KMS (the driver's generate and rotate capabilities): create,
// wait until Cloud KMS has generated the version (PENDING_GENERATION → ENABLED), load its key.
import { SignetError } from '../../lib/errors.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../contract.js';
import { publicKeyInfo } from '../keys.js';
import { retrying } from './call.js';
import type { CallLimits, GcpKmsClient, VersionInfo } from './client.js';
import { toSignetError } from './status.js';
import { fetchSpki, GCP_ALGORITHMS, versionNumberOf } from './versions.js';

const POLL_MS = 100;

export async function createSigningKey(
  client: GcpKmsClient,
  keyName: string,
  algorithm: KeyAlgorithm,
  protectionLevel: string,
  deadline: number,
): Promise<PublicKeyInfo> {
  const gcpAlgorithm = Object.entries(GCP_ALGORITHMS).find(([, a]) => a === algorithm)![0];
  const match = /^(.+\/keyRings\/[^/]+)\/cryptoKeys\/([^/]+)$/.exec(keyName);
  if (!match) throw new SignetError('INVALID_ARGUMENT', 'gcpkms: generate needs a key name, not a version name', { field: 'key_uri' });
  await call((limits) => client.createCryptoKey(match[1]!, match[2]!, gcpAlgorithm, protectionLevel, limits), deadline, `CreateCryptoKey ${keyName}`);
  return enabledVersionKey(client, `${keyName}/cryptoKeyVersions/1`, algorithm, deadline);
}

export async function createSigningVersion(client: GcpKmsClient, keyName: string, algorithm: KeyAlgorithm, deadline: number): Promise<PublicKeyInfo> {
  const created = await call((limits) => client.createCryptoKeyVersion(keyName, limits), deadline, `CreateCryptoKeyVersion ${keyName}`);
  return enabledVersionKey(client, created.name, algorithm, deadline);
}

async function enabledVersionKey(client: GcpKmsClient, versionName: string, algorithm: KeyAlgorithm, deadline: number): Promise<PublicKeyInfo> {
  let version: VersionInfo;
  for (;;) {
    version = await call((limits) => client.getCryptoKeyVersion(versionName, limits), deadline, `GetCryptoKeyVersion ${versionName}`);
    if (version.state !== 'PENDING_GENERATION') break;
    if (Date.now() + POLL_MS >= deadline) throw new SignetError('UNAVAILABLE', `gcpkms: ${versionName} is still PENDING_GENERATION at the deadline`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  if (version.state !== 'ENABLED') throw new SignetError('FAILED_PRECONDITION', `gcpkms: new version ${versionName} is ${version.state}`);
  const spki = await call((limits) => fetchSpki(client, versionName, algorithm, limits), deadline, `GetPublicKey ${versionName}`);
  return publicKeyInfo(spki, versionNumberOf(versionName));
}

async function call<T>(fn: (limits: CallLimits) => Promise<T>, deadline: number, what: string): Promise<T> {
  try {
    return await retrying(fn, { deadline });
  } catch (err) {
    throw toSignetError(err, what);
  }
}
