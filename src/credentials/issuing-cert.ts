// The issuing-key certificate: a compact JWS by the custody key vouching for a short-lived Ed25519
// issuing key (its public JWK, when it may sign, until when what it signed may be valid, for what).
import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { isCanonicalBase64url } from '../lib/base64url.js';
import type { PublicJwk, SignOptions, Signer } from '../signers/contract.js';
import { jwkThumbprint } from '../signers/keys.js';
import { decodeJws, signJws, verifyJwsSignature, type DecodedJws, type JwsAlgorithm } from './jws.js';

export const ISSUING_CERT_TYP = 'signet-issuing-key+jwt';
/** What a certified issuing key may sign: credentials (typ JWT) only, never passports or certificates. */
export const ISSUING_KEY_PURPOSE = 'credentials';

/** The certificate's claims (docs/credentials.md, "Certified issuing keys"). */
export interface IssuingCertClaims {
  iss: string;
  /** The issuing key's kid: the RFC 7638 thumbprint of `jwk`. */
  sub: string;
  jwk: { kty: 'OKP'; crv: 'Ed25519'; x: string };
  purpose: typeof ISSUING_KEY_PURPOSE;
  /** The custody key that signed this certificate (also the JWS header's kid). */
  custody_kid: string;
  iat: number;
  /** First second the key may sign (a credential's iat is never before it). */
  nbf: number;
  /** No credential the key signs is valid past this second (a credential's exp is never after it). */
  exp: number;
}

/** A certificate whose custody signature and shape were checked. */
export interface IssuingCert {
  token: string;
  claims: IssuingCertClaims;
  /** The issuing key, ready for node:crypto. */
  key: KeyObject;
}

export interface CustodyKeyLookup {
  (kid: string): { key: KeyObject; alg: JwsAlgorithm } | undefined;
}

/** The custody key signs the certificate: one custody signature per issuing key. */
export async function certifyIssuingKey(custody: Pick<Signer, 'algorithm' | 'keyId' | 'sign'>, c: Omit<IssuingCertClaims, 'sub' | 'purpose' | 'custody_kid'>, options?: SignOptions): Promise<string> {
  const claims: IssuingCertClaims = { iss: c.iss, sub: jwkThumbprint(c.jwk as PublicJwk), jwk: c.jwk, purpose: ISSUING_KEY_PURPOSE, custody_kid: custody.keyId(), iat: c.iat, nbf: c.nbf, exp: c.exp };
  return signJws(custody, ISSUING_CERT_TYP, claims, options);
}

/**
 * Checks a certificate against the custody keys `custody` knows: canonical JWS, typ, a custody
 * signature, an Ed25519 key whose thumbprint is `sub`, the purpose, and sane times. Returns the
 * certificate, or why it is refused.
 */
export function checkIssuingCert(token: string, custody: CustodyKeyLookup): IssuingCert | string {
  const jws = decodeJws(token);
  if (!jws) return 'the certificate is not a compact JWS';
  if (jws.header.typ !== ISSUING_CERT_TYP) return `the certificate's typ is ${String(jws.header.typ)}, not ${ISSUING_CERT_TYP}`;
  const signer = custody(jws.header.kid);
  if (!signer) return `the certificate is signed by ${jws.header.kid}, which is not a custody key`;
  if (!verifyJwsSignature(jws, signer.key, signer.alg)) return `the certificate's signature does not verify with custody key ${jws.header.kid}`;
  const claims = claimsOf(jws);
  if (typeof claims === 'string') return claims;
  return { token, claims, key: createPublicKey({ key: { ...claims.jwk }, format: 'jwk' }) };
}

function claimsOf(jws: DecodedJws): IssuingCertClaims | string {
  const p = jws.payload;
  const int = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 0;
  if (typeof p.iss !== 'string' || p.iss === '') return 'the certificate has no iss';
  if (p.purpose !== ISSUING_KEY_PURPOSE) return `the certificate's purpose is ${JSON.stringify(p.purpose)}, not ${ISSUING_KEY_PURPOSE}`;
  if (p.custody_kid !== jws.header.kid) return 'the certificate names another custody key than the one that signed it';
  if (!int(p.iat) || !int(p.nbf) || !int(p.exp) || (p.exp as number) <= (p.nbf as number)) return 'the certificate has no valid iat, nbf and exp';
  const jwk = p.jwk as Record<string, unknown> | undefined;
  if (!jwk || typeof jwk !== 'object' || Object.keys(jwk).length !== 3 || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') return 'the certified key is not an Ed25519 public JWK';
  if (typeof jwk.x !== 'string' || jwk.x.length !== 43 || !isCanonicalBase64url(jwk.x)) return "the certified key's x is not 32 bytes of canonical base64url";
  if (jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }) !== p.sub) return "the certificate's sub is not the thumbprint of its key";
  return p as unknown as IssuingCertClaims;
}
