// What Signet needs to know about a KMS key before it signs with it: spec, usage and state checked,
// the public key loaded. AWS keys have no versions, so a key's id is its "version".
import type { MessageType, SigningAlgorithmSpec } from '@aws-sdk/client-kms';
import { SignetError, type SignetErrorCode } from '../../lib/errors.js';
import type { KeyAlgorithm } from '../contract.js';
import { algorithmOf, spkiToKeyObject } from '../keys.js';
import type { AwsKmsApi, KmsKeyDescription } from './client.js';

/** The key behind a key id or alias at one moment. */
export interface KmsKeyVersion {
  /** The key id (a UUID): the version reported with each signature. */
  keyId: string;
  arn: string;
  algorithm: KeyAlgorithm;
  spki: Uint8Array;
}

export interface KmsSigningScheme {
  keySpec: 'ECC_NIST_EDWARDS25519' | 'ECC_NIST_P256';
  signingAlgorithm: SigningAlgorithmSpec;
  /** Ed25519 signs the message itself (RAW, ≤ 4096 bytes); ES256 signs Signet's SHA-256 digest. */
  messageType: MessageType;
}

export const SCHEMES: Record<KeyAlgorithm, KmsSigningScheme> = {
  Ed25519: { keySpec: 'ECC_NIST_EDWARDS25519', signingAlgorithm: 'ED25519_SHA_512', messageType: 'RAW' },
  ES256: { keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256', messageType: 'DIGEST' },
};

/**
 * DescribeKey + GetPublicKey, with every check that makes a key unusable for Signet. `code` is
 * CONFIG at start-up and FAILED_PRECONDITION when a refresh (say, a re-pointed alias) finds a bad key.
 */
export async function loadKmsKey(
  api: AwsKmsApi,
  keyRef: string,
  signal: AbortSignal,
  code: SignetErrorCode,
): Promise<KmsKeyVersion> {
  const described = await api.describeKey(keyRef, signal);
  const algorithm = checkDescription(described, keyRef, code);
  const pub = await api.getPublicKey(described.arn, signal);
  if (pub.keyId !== undefined && pub.keyId !== described.arn) {
    throw new SignetError('INTEGRITY', `awskms: GetPublicKey for ${described.arn} answered for ${pub.keyId}`);
  }
  return { keyId: described.keyId, arn: described.arn, algorithm, spki: checkPublicKey(pub.spki, algorithm, keyRef, code) };
}

/** The public key of one key id (an older "version"), for verifying its signatures. */
export async function loadKmsPublicKey(api: AwsKmsApi, arn: string, algorithm: KeyAlgorithm, signal: AbortSignal): Promise<Uint8Array> {
  const pub = await api.getPublicKey(arn, signal);
  if (pub.keyId !== undefined && pub.keyId !== arn) {
    throw new SignetError('INTEGRITY', `awskms: GetPublicKey for ${arn} answered for ${pub.keyId}`);
  }
  return checkPublicKey(pub.spki, algorithm, arn, 'FAILED_PRECONDITION');
}

function checkDescription(d: KmsKeyDescription, keyRef: string, code: SignetErrorCode): KeyAlgorithm {
  const fail = (why: string) => new SignetError(code, `awskms: key ${keyRef} ${why}`);
  if (!d.keyId || !d.arn) throw new SignetError('INTEGRITY', `awskms: DescribeKey for ${keyRef} returned no key id or ARN`);
  if (d.keyUsage !== 'SIGN_VERIFY') throw fail(`has KeyUsage ${d.keyUsage ?? 'unknown'}; Signet needs a SIGN_VERIFY key`);
  const algorithm = (Object.keys(SCHEMES) as KeyAlgorithm[]).find((a) => SCHEMES[a].keySpec === d.keySpec);
  if (!algorithm) throw fail(`has KeySpec ${d.keySpec ?? 'unknown'}; Signet signs with ECC_NIST_EDWARDS25519 or ECC_NIST_P256`);
  if (d.keyState !== 'Enabled') throw fail(`is ${d.keyState ?? 'in an unknown state'}, not Enabled`);
  const wanted = SCHEMES[algorithm].signingAlgorithm;
  if (d.signingAlgorithms.length > 0 && !d.signingAlgorithms.includes(wanted)) {
    throw fail(`does not offer ${wanted} (offers ${d.signingAlgorithms.join(', ')})`);
  }
  return algorithm;
}

function checkPublicKey(spki: Uint8Array, algorithm: KeyAlgorithm, keyRef: string, code: SignetErrorCode): Uint8Array {
  const actual = algorithmOf(spkiToKeyObject(spki));
  if (actual !== algorithm) throw new SignetError(code, `awskms: key ${keyRef} has a ${actual} public key, expected ${algorithm}`);
  return spki;
}
