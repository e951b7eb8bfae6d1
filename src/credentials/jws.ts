// Compact JWS (RFC 7515): signed through the custody contract, verified with node:crypto.
// ES256 signatures are P1363 r||s from every driver, which is exactly JWS's encoding.
import { verify as nodeVerify, type KeyObject } from 'node:crypto';
import { decodeBase64url } from '../lib/base64url.js';
import { SignetError, isSignetError } from '../lib/errors.js';
import { parseStrictJson } from '../lib/strict-json.js';
import { MAX_ED25519_MESSAGE_BYTES, type KeyAlgorithm, type SignOptions, type Signer } from '../signers/contract.js';

export type JwsAlgorithm = 'EdDSA' | 'ES256';

export interface JwsHeader {
  alg: JwsAlgorithm;
  typ: string;
  kid: string;
}

export interface DecodedJws {
  header: JwsHeader;
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

export function jwsAlgorithm(algorithm: KeyAlgorithm): JwsAlgorithm {
  return algorithm === 'Ed25519' ? 'EdDSA' : 'ES256';
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What signs a JWS: a custody key, or a certified issuing key held in memory. */
export type JwsSigner = Pick<Signer, 'algorithm' | 'keyId' | 'sign'>;

/** Signs `payload` with `signer`; the header's kid is the key's RFC 7638 thumbprint. */
export async function signJws(signer: JwsSigner, typ: string, payload: object, options?: SignOptions): Promise<string> {
  const header: JwsHeader = { alg: jwsAlgorithm(signer.algorithm), typ, kid: signer.keyId() };
  const signingInput = `${b64(header)}.${b64(payload)}`;
  const message = Buffer.from(signingInput, 'ascii');
  if (signer.algorithm === 'Ed25519' && message.length > MAX_ED25519_MESSAGE_BYTES) {
    throw new SignetError('INVALID_ARGUMENT', `the JWS signing input is ${message.length} bytes; Ed25519 keys sign at most ${MAX_ED25519_MESSAGE_BYTES}`);
  }
  const result = await signer.sign({ message }, options);
  if (result.keyId !== header.kid) {
    // The key rotated between reading its id and signing: the header would name the wrong key.
    throw new SignetError('UNAVAILABLE', 'the issuing key rotated during signing; retry', { retryAfter: 0 });
  }
  return `${signingInput}.${Buffer.from(result.signature).toString('base64url')}`;
}

/** Header and claims: a token is at most 16 KiB, and `act` chains nest at most 8 deep. */
const SEGMENT_JSON_BOUNDS = { maxBytes: 16384, maxDepth: 16 };

/**
 * Splits and decodes a compact JWS without checking its signature. Returns undefined when
 * malformed: every segment must be canonical base64url (one spelling per token: no padding, no
 * '+' or '/', no set unused bits) and header and claims strict JSON (no duplicate members).
 */
export function decodeJws(token: string): DecodedJws | undefined {
  if (typeof token !== 'string' || token.length > 16384) return undefined;
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const bytes = parts.map(decodeBase64url);
  if (bytes.some((b) => b === undefined)) return undefined;
  const [headerBytes, payloadBytes, signature] = bytes as [Buffer, Buffer, Buffer];
  try {
    const header = parseStrictJson(utf8(headerBytes), 'header', SEGMENT_JSON_BOUNDS) as Record<string, unknown>;
    const payload = parseStrictJson(utf8(payloadBytes), 'payload', SEGMENT_JSON_BOUNDS);
    if (typeof header !== 'object' || header === null || Array.isArray(header)) return undefined;
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return undefined;
    if (typeof header.alg !== 'string' || typeof header.kid !== 'string') return undefined;
    // A header that asks for behaviour Signet never uses (crit, embedded keys) is refused.
    if ('crit' in header || 'jwk' in header || 'jku' in header || 'x5u' in header) return undefined;
    return {
      header: header as unknown as JwsHeader,
      payload: payload as Record<string, unknown>,
      signingInput: Buffer.from(`${parts[0]}.${parts[1]}`, 'ascii'),
      signature,
    };
  } catch (err) {
    if (isSignetError(err, 'INVALID_ARGUMENT')) return undefined;
    throw err;
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Invalid UTF-8 would decode to U+FFFD: another spelling of the same claims. */
function utf8(bytes: Buffer): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new SignetError('INVALID_ARGUMENT', 'JWS segment is not UTF-8', { field: 'token' });
  }
}

/** True when the signature verifies with `key` under `alg` (which must be the key's own alg). */
export function verifyJwsSignature(jws: DecodedJws, key: KeyObject, alg: JwsAlgorithm): boolean {
  if (jws.header.alg !== alg || jws.signature.length !== 64) return false;
  try {
    return alg === 'EdDSA'
      ? nodeVerify(null, jws.signingInput, key, jws.signature)
      : nodeVerify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, jws.signature);
  } catch {
    return false;
  }
}
