// Offline check of a Signet credential, for the service it is presented to: the JWS against the
// JWKS, issuer, lifetime, audience, the exact intent about to be performed, and — when the token
// is bound to the agent's key (cnf) — the holder's presentation proof. Revocation and single use
// need the server (VerifyCredential); everything else is here.
import { verify as nodeVerify, createPublicKey, type KeyObject } from 'node:crypto';
import { didKey } from '../credentials/agent-key.js';
import { intentFingerprint, parseIntent, type Intent } from '../credentials/intent.js';
import { checkIssuingCert } from '../credentials/issuing-cert.js';
import { decodeJws, type DecodedJws } from '../credentials/jws.js';
import { presentationSigningString } from '../credentials/pop.js';
import { canonicalize } from '../lib/jcs.js';
import { jwkThumbprint } from '../signers/keys.js';
import type { PublicJwk } from '../signers/contract.js';
import { fail, messageOf, type Verdict } from './verdict.js';

export type CredentialCheck =
  | 'jwks' // the key set given to the verifier is unreadable
  | 'intent' // the intent given to the verifier is not a valid intent
  | 'malformed' // not a compact JWS, not typ JWT, forbidden headers, claims missing or mistyped
  | 'unknown_kid'
  | 'bad_signature'
  | 'untrusted_key' // custodyKeys given: the key is neither one of them nor certified by one
  | 'issuing_cert' // the issuing key's certificate (signet_cert) is missing a custody signature, or does not cover the credential
  | 'wrong_issuer'
  | 'lifetime_exceeds_max'
  | 'expired'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'intent_mismatch'
  | 'pop_required' // bound to a key (cnf) and no presentation proof given
  | 'pop_failed'; // the presentation proof or the holder key does not match

export interface CredentialClaimsOffline {
  iss: string;
  sub: string;
  aud: string | string[];
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  intent: Intent;
  intent_fp: string;
  cnf?: { jkt: string };
  act?: unknown;
  [claim: string]: unknown;
}

export interface Presentation {
  /** The holder's proof: its Ed25519 signature over presentationSigningString(token, audience, timestamp, nonce). */
  proof: { timestamp: number; nonce: string; signature: string };
  /** The holder's public JWK; it must be the key of the token's `sub` (did:key) and of `cnf.jkt`. */
  holderJwk: { kty: string; crv: string; x: string };
}

export interface CredentialExpectations {
  /** {"keys":[…]} as Signet publishes it (GetJwks or /.well-known/jwks.json), text or parsed. */
  jwks: string | { keys: unknown[] };
  /**
   * The custody keys you trust, as a JWKS (pinned out of band). With it, a credential verifies only
   * when signed by one of them (direct mode) or by an issuing key whose certificate (`signet_cert`)
   * one of them signed. Without it, certificates in `jwks` are checked against `jwks`'s own custody keys.
   */
  custodyKeys?: string | { keys: unknown[] };
  issuer: string;
  /** The audience the credential is presented to (you). */
  audience: string;
  /** The intent about to be performed. */
  intent: Intent;
  /** Required when the token carries cnf. */
  presentation?: Presentation;
  /** Refuse tokens that claim to live longer than this (the server's credentials.max_ttl). */
  maxTtlSeconds?: number;
  /** Clock skew allowed, seconds (default 5), for the token's times and the proof's window. */
  skewSeconds?: number;
  /** How old a presentation proof may be, seconds (default 30). */
  popWindowSeconds?: number;
  /** Remembers a proof's nonce; false when it was seen before (replay). Offline verifiers keep their own. */
  rememberNonce?: (nonce: string) => boolean;
  now?: number;
}

export type CredentialVerdict = Verdict<{ claims: CredentialClaimsOffline }, CredentialCheck>;

interface JwksKey {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  key: KeyObject;
  /** An issuing key's certificate. */
  cert?: string;
}

function readJwks(jwks: CredentialExpectations['jwks']): JwksKey[] {
  const set = typeof jwks === 'string' ? (JSON.parse(jwks) as { keys?: unknown }) : jwks;
  if (!set || !Array.isArray(set.keys)) throw new TypeError('a JWKS is {"keys": [...]}');
  return set.keys.flatMap((k) => {
    const j = k as Record<string, unknown>;
    if (typeof j.kid !== 'string' || (j.use !== undefined && j.use !== 'sig')) return [];
    const alg = j.kty === 'OKP' && j.crv === 'Ed25519' ? 'EdDSA' : j.kty === 'EC' && j.crv === 'P-256' ? 'ES256' : undefined;
    if (!alg || (j.alg !== undefined && j.alg !== alg)) return [];
    try {
      const { kty, crv, x, y } = j as unknown as PublicJwk & { y?: string };
      // A key whose kid is not its own thumbprint is not one Signet published.
      if (jwkThumbprint({ kty, crv, x, ...(y === undefined ? {} : { y }) } as PublicJwk) !== j.kid) return [];
      const cert = typeof j.signet_cert === 'string' ? { cert: j.signet_cert } : {};
      return [{ kid: j.kid, alg, key: createPublicKey({ key: { kty, crv, x, ...(y === undefined ? {} : { y }) }, format: 'jwk' }), ...cert }];
    } catch {
      return [];
    }
  });
}

function signatureVerifies(jws: DecodedJws, key: JwksKey): boolean {
  if (jws.header.alg !== key.alg || jws.signature.length !== 64) return false;
  try {
    return key.alg === 'EdDSA'
      ? nodeVerify(null, jws.signingInput, key.key, jws.signature)
      : nodeVerify('sha256', jws.signingInput, { key: key.key, dsaEncoding: 'ieee-p1363' }, jws.signature);
  } catch {
    return false;
  }
}

function claimsOf(p: Record<string, unknown>): CredentialClaimsOffline | string {
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  for (const name of ['iss', 'sub', 'jti', 'intent_fp']) if (!str(p[name])) return `claim ${name} is missing or not a string`;
  if (!(str(p.aud) || (Array.isArray(p.aud) && p.aud.length > 0 && p.aud.every(str)))) return 'claim aud is missing or not a string';
  for (const name of ['iat', 'nbf', 'exp']) if (!num(p[name])) return `claim ${name} is missing or not a number`;
  if (p.cnf !== undefined && (typeof p.cnf !== 'object' || p.cnf === null || !str((p.cnf as { jkt?: unknown }).jkt))) return 'claim cnf is present but has no jkt';
  try {
    parseIntent(p.intent);
  } catch (err) {
    return `claim intent: ${messageOf(err)}`;
  }
  return p as CredentialClaimsOffline;
}

/** Checks a credential offline for the intent about to be performed; says which check failed and why. */
export function verifyCredentialOffline(token: string, expect: CredentialExpectations): CredentialVerdict {
  let keys: JwksKey[];
  try {
    keys = readJwks(expect.jwks);
  } catch (err) {
    return fail('jwks', messageOf(err));
  }
  let custody: JwksKey[];
  try {
    custody = expect.custodyKeys === undefined ? keys.filter((k) => k.cert === undefined) : readJwks(expect.custodyKeys).filter((k) => k.cert === undefined);
  } catch (err) {
    return fail('jwks', `custodyKeys: ${messageOf(err)}`);
  }
  let presented: Intent;
  try {
    presented = parseIntent(expect.intent);
  } catch (err) {
    return fail('intent', messageOf(err));
  }
  const skew = expect.skewSeconds ?? 5;
  // One token, one spelling: base64url with spare bits set would decode to the same signature.
  if (typeof token !== 'string' || token.split('.').some((part) => part.length === 0 || Buffer.from(part, 'base64url').toString('base64url') !== part)) {
    return fail('malformed', 'not three canonical base64url segments');
  }
  const jws = decodeJws(token);
  if (!jws) return fail('malformed', 'not a compact JWS with a JSON header and claims');
  if (jws.header.typ !== 'JWT') return fail('malformed', `typ ${String(jws.header.typ)} is not a credential's (JWT)`);
  const key = keys.find((k) => k.kid === jws.header.kid);
  if (!key) return fail('unknown_kid', `no key ${String(jws.header.kid)} in the JWKS`);
  if (!signatureVerifies(jws, key)) return fail('bad_signature', `the signature does not verify with key ${key.kid} (${key.alg})`);
  const claims = claimsOf(jws.payload);
  if (typeof claims === 'string') return fail('malformed', claims);
  const chain = chainProblem(key, claims, custody, expect.custodyKeys !== undefined);
  if (chain) return fail(chain.check, chain.why);
  if (claims.iss !== expect.issuer) return fail('wrong_issuer', `issued by ${claims.iss}, expected ${expect.issuer}`);
  if (expect.maxTtlSeconds !== undefined && claims.exp - claims.iat > expect.maxTtlSeconds + skew) {
    return fail('lifetime_exceeds_max', `lives ${claims.exp - claims.iat} s; at most ${expect.maxTtlSeconds} s`);
  }
  const nowMs = expect.now ?? Date.now();
  const now = nowMs / 1000;
  if (now > claims.exp + skew) return fail('expired', `expired at ${claims.exp}`);
  if (now + skew < claims.nbf) return fail('not_yet_valid', `valid from ${claims.nbf}`);
  const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!auds.includes(expect.audience)) return fail('audience_mismatch', `issued for ${auds.join(', ')}, presented to ${expect.audience}`);
  if (intentFingerprint(presented) !== claims.intent_fp || canonicalize(claims.intent) !== canonicalize(presented)) {
    return fail('intent_mismatch', `issued for ${claims.intent.action} on ${claims.intent.resource}, about to perform ${presented.action} on ${presented.resource}`);
  }
  if (claims.cnf) {
    const p = expect.presentation;
    if (!p) return fail('pop_required', 'the credential is bound to the agent key (cnf); the holder must present a proof');
    const why = presentationProblem(token, claims, p, expect.audience, nowMs, (expect.popWindowSeconds ?? 30) + skew, expect.rememberNonce);
    if (why) return fail('pop_failed', why);
  }
  return { valid: true, claims };
}

/**
 * The chain from a custody key to the credential's key: an issuing key needs a certificate signed by
 * a custody key, naming this key, for these credentials' issuer, covering the credential's iat..exp.
 */
function chainProblem(key: JwksKey, claims: CredentialClaimsOffline, custody: JwksKey[], pinned: boolean): { check: CredentialCheck; why: string } | undefined {
  if (key.cert === undefined) {
    if (pinned && !custody.some((c) => c.kid === key.kid)) return { check: 'untrusted_key', why: `key ${key.kid} is not a trusted custody key and carries no certificate` };
    return undefined;
  }
  const cert = checkIssuingCert(key.cert, (kid) => custody.find((c) => c.kid === kid));
  if (typeof cert === 'string') return { check: 'issuing_cert', why: cert };
  const c = cert.claims;
  if (c.sub !== key.kid) return { check: 'issuing_cert', why: `the certificate is for key ${c.sub}, not ${key.kid}` };
  if (c.iss !== claims.iss) return { check: 'issuing_cert', why: `the certificate is for issuer ${c.iss}, not ${claims.iss}` };
  if (claims.iat < c.nbf || claims.exp > c.exp) return { check: 'issuing_cert', why: `the certificate covers credentials within ${c.nbf}–${c.exp} only` };
  return undefined;
}

function presentationProblem(
  token: string,
  claims: CredentialClaimsOffline,
  p: Presentation,
  audience: string,
  nowMs: number,
  windowSeconds: number,
  rememberNonce: ((nonce: string) => boolean) | undefined,
): string | undefined {
  const jwk = p.holderJwk;
  if (!jwk || jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(jwk.x)) return 'holder key is not an Ed25519 JWK';
  const raw = Buffer.from(jwk.x, 'base64url');
  if (raw.toString('base64url') !== jwk.x) return 'holder key x is not canonical base64url';
  if (jwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x }) !== claims.cnf!.jkt) return 'the holder key is not the one the credential is bound to (cnf.jkt)';
  if (didKey(raw) !== claims.sub) return `the holder key is not the key of ${claims.sub}`;
  const proof = p.proof;
  if (!proof || !Number.isSafeInteger(proof.timestamp) || typeof proof.nonce !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(proof.nonce) || typeof proof.signature !== 'string' || !/^[A-Za-z0-9_-]{86}$/.test(proof.signature)) {
    return 'pop_malformed: the proof needs a timestamp, a 16–128 character nonce and a base64url signature';
  }
  let good = false;
  try {
    const message = Buffer.from(presentationSigningString(token, audience, proof.timestamp, proof.nonce), 'utf8');
    good = nodeVerify(null, message, createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' }), Buffer.from(proof.signature, 'base64url'));
  } catch {
    good = false;
  }
  if (!good) return 'pop_bad_signature: the proof does not verify with the holder key over this token and audience';
  if (Math.abs(nowMs / 1000 - proof.timestamp) > windowSeconds) return `pop_stale_timestamp: the proof is outside the ${windowSeconds} s window`;
  if (rememberNonce && !rememberNonce(proof.nonce)) return 'pop_replayed_nonce: this proof was presented before';
  return undefined;
}
