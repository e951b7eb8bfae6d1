// Public-key encodings shared by every driver: SPKI ⇄ JWK, RFC 7638 thumbprints, DER → P1363.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { SignetError } from '../lib/errors.js';
import type { KeyAlgorithm, PublicJwk, PublicKeyInfo } from './contract.js';

const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const P256_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a8648ce3d030107034200', 'hex');

/** Builds the full public-key description (PEM, JWK, thumbprint) from DER SPKI. */
export function publicKeyInfo(spki: Uint8Array, keyVersion = '1'): PublicKeyInfo {
  const key = spkiToKeyObject(spki);
  const algorithm = algorithmOf(key);
  const jwk = toJwk(key);
  return {
    algorithm,
    keyId: jwkThumbprint(jwk),
    keyVersion,
    spki: Uint8Array.from(spki),
    pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    jwk,
  };
}

export function spkiToKeyObject(spki: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (err) {
    throw new SignetError('INTEGRITY', 'public key is not a valid DER SubjectPublicKeyInfo', { cause: err });
  }
}

export function algorithmOf(key: KeyObject): KeyAlgorithm {
  if (key.asymmetricKeyType === 'ed25519') return 'Ed25519';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') return 'ES256';
  const detail = key.asymmetricKeyType === 'ec' ? `ec ${key.asymmetricKeyDetails?.namedCurve}` : key.asymmetricKeyType;
  throw new SignetError('FAILED_PRECONDITION', `key type ${detail} is not supported; Signet signs with Ed25519 or ECDSA P-256`);
}

export function toJwk(key: KeyObject): PublicJwk {
  const jwk = key.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y?: string };
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return { kty: 'OKP', crv: 'Ed25519', x: jwk.x };
  if (jwk.kty === 'EC' && jwk.crv === 'P-256') return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y! };
  throw new SignetError('FAILED_PRECONDITION', `JWK ${jwk.kty}/${jwk.crv} is not supported`);
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
export function jwkThumbprint(jwk: PublicJwk): string {
  const canonical =
    jwk.kty === 'OKP'
      ? `{"crv":"${jwk.crv}","kty":"OKP","x":"${jwk.x}"}`
      : `{"crv":"${jwk.crv}","kty":"EC","x":"${jwk.x}","y":"${jwk.y}"}`;
  return createHash('sha256').update(canonical).digest('base64url');
}

/** SPKI for a raw Ed25519 public key (32 bytes). */
export function ed25519Spki(raw: Uint8Array): Uint8Array {
  if (raw.length !== 32) throw new SignetError('INTEGRITY', `Ed25519 public key is ${raw.length} bytes, expected 32`);
  return Buffer.concat([ED25519_SPKI_PREFIX, raw]);
}

/** SPKI for an uncompressed P-256 point (65 bytes, 0x04‖X‖Y). */
export function p256Spki(point: Uint8Array): Uint8Array {
  if (point.length !== 65 || point[0] !== 0x04) {
    throw new SignetError('INTEGRITY', `P-256 public point is ${point.length} bytes, expected 65 uncompressed`);
  }
  return Buffer.concat([P256_SPKI_PREFIX, point]);
}

/** Converts a DER ECDSA-Sig-Value (SEQUENCE { r INTEGER, s INTEGER }) to P1363 r||s. */
export function derToP1363(der: Uint8Array, size = 32): Uint8Array {
  const fail = (why: string) => new SignetError('INTEGRITY', `ECDSA signature is not valid DER: ${why}`);
  let i = 0;
  if (der[i++] !== 0x30) throw fail('no SEQUENCE');
  let len = der[i++]!;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n !== 1) throw fail('bad length');
    len = der[i++]!;
  }
  if (len !== der.length - i) throw fail('length mismatch');
  const out = new Uint8Array(size * 2);
  for (let k = 0; k < 2; k++) {
    if (der[i++] !== 0x02) throw fail('no INTEGER');
    const n = der[i++]!;
    if (n === 0 || n > size + 1 || i + n > der.length) throw fail('bad INTEGER length');
    let v = der.subarray(i, i + n);
    i += n;
    while (v.length > 0 && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw fail('INTEGER too large');
    out.set(v, k * size + (size - v.length));
  }
  if (i !== der.length) throw fail('trailing bytes');
  return out;
}

/** Converts P1363 r||s to DER, for verifiers that want DER. */
export function p1363ToDer(sig: Uint8Array): Uint8Array {
  const half = sig.length / 2;
  const int = (v: Uint8Array) => {
    let i = 0;
    while (i < v.length - 1 && v[i] === 0) i++;
    let b = v.subarray(i);
    if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
    return Buffer.concat([Buffer.from([0x02, b.length]), b]);
  };
  const body = Buffer.concat([int(sig.subarray(0, half)), int(sig.subarray(half))]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
}
