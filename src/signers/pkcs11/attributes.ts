// PKCS#11 constants pkcs11js has no names for, and the encodings of CKA_EC_PARAMS / CKA_EC_POINT:
// which curve a key is on, and its public point whether the token returns it raw, in an OCTET STRING or a BIT STRING.
import { SignetError } from '../../lib/errors.js';
import type { KeyAlgorithm } from '../contract.js';

/** PKCS#11 3.0 names, absent from pkcs11js 2.1. */
export const CKM_EDDSA = 0x1057;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKK_EC_EDWARDS = 0x40;
export const CKK_EC = 0x3;
export const CKM_ECDSA = 0x1041;
export const CKM_EC_KEY_PAIR_GEN = 0x1040;
/** Session states in which the user is logged in. */
export const CKS_RO_USER_FUNCTIONS = 1;
export const CKS_RW_USER_FUNCTIONS = 3;

/** DER OBJECT IDENTIFIER 1.2.840.10045.3.1.7 (prime256v1 / P-256). */
export const P256_EC_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
/** DER OBJECT IDENTIFIER 1.3.101.112 (id-Ed25519, RFC 8410). */
export const ED25519_EC_PARAMS = Buffer.from('06032b6570', 'hex');
/** DER PrintableString "edwards25519": the curve-name form PKCS#11 3.0 also allows. */
export const ED25519_EC_PARAMS_NAME = Buffer.from('130c656477617264733235353139', 'hex');

/** What Signet can sign with, given CKA_KEY_TYPE and CKA_EC_PARAMS; a description of anything else. */
export function algorithmOfKey(keyType: number, ecParams: Uint8Array | undefined): KeyAlgorithm | { unsupported: string } {
  const params = ecParams ? Buffer.from(ecParams) : undefined;
  if (keyType === CKK_EC_EDWARDS) {
    if (params && (params.equals(ED25519_EC_PARAMS) || params.equals(ED25519_EC_PARAMS_NAME))) return 'Ed25519';
    return { unsupported: `an EdDSA key on a curve other than Ed25519 (params ${params?.toString('hex') ?? 'absent'})` };
  }
  if (keyType === CKK_EC) {
    if (params?.equals(P256_EC_PARAMS)) return 'ES256';
    // Some tokens predate CKK_EC_EDWARDS and label Ed25519 keys CKK_EC with the Ed25519 OID.
    if (params && (params.equals(ED25519_EC_PARAMS) || params.equals(ED25519_EC_PARAMS_NAME))) return 'Ed25519';
    return { unsupported: `an EC key on a curve other than P-256 (params ${params?.toString('hex') ?? 'absent'})` };
  }
  return { unsupported: `a key of type ${keyTypeName(keyType)}` };
}

export function keyTypeName(keyType: number): string {
  const names: Record<number, string> = { 0x0: 'RSA', 0x1: 'DSA', 0x2: 'DH', 0x3: 'EC', 0x1f: 'AES', 0x40: 'EC_EDWARDS', 0x41: 'EC_MONTGOMERY' };
  return names[keyType] ?? `0x${keyType.toString(16)}`;
}

/**
 * The public point of CKA_EC_POINT, in the form Signet builds SPKI from: 32 bytes (Ed25519) or
 * 65 bytes 0x04‖X‖Y (P-256). Tokens answer raw, as a DER OCTET STRING (the standard), or as a
 * DER BIT STRING; lengths tell the three apart without ambiguity.
 */
export function parseEcPoint(value: Uint8Array, algorithm: KeyAlgorithm): Uint8Array {
  const size = algorithm === 'Ed25519' ? 32 : 65;
  const v = Buffer.from(value);
  const ok = (p: Buffer) => (algorithm === 'Ed25519' || p[0] === 0x04 ? Uint8Array.from(p) : undefined);
  let point: Uint8Array | undefined;
  if (v.length === size) point = ok(v);
  else if (v.length === size + 2 && v[0] === 0x04 && v[1] === size) point = ok(v.subarray(2));
  else if (v.length === size + 3 && v[0] === 0x03 && v[1] === size + 1 && v[2] === 0x00) point = ok(v.subarray(3));
  if (!point) {
    throw new SignetError(
      'INTEGRITY',
      `CKA_EC_POINT of ${v.length} bytes is not a ${algorithm} point (raw, OCTET STRING or BIT STRING of ${size} bytes)`,
    );
  }
  return point;
}

/** Parameters for key generation: mechanism, key type and CKA_EC_PARAMS. */
export function generationParams(algorithm: KeyAlgorithm): { mechanism: number; keyType: number; ecParams: Buffer } {
  return algorithm === 'Ed25519'
    ? { mechanism: CKM_EC_EDWARDS_KEY_PAIR_GEN, keyType: CKK_EC_EDWARDS, ecParams: ED25519_EC_PARAMS }
    : { mechanism: CKM_EC_KEY_PAIR_GEN, keyType: CKK_EC, ecParams: P256_EC_PARAMS };
}

/** The signing mechanism: PureEdDSA over the message, or ECDSA over the 32-byte digest. */
export function signMechanism(algorithm: KeyAlgorithm): number {
  return algorithm === 'Ed25519' ? CKM_EDDSA : CKM_ECDSA;
}
