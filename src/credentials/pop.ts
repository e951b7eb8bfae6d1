// Proof of possession, for Issue and for presenting a `cnf`-bound credential: the agent signs a
// canonical request string with its Ed25519 key; Signet checks signature, time window, new nonce.
import { createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { decodeBase64url } from '../lib/base64url.js';
import { canonicalize } from '../lib/jcs.js';
import type { Actor } from './delegation.js';
import type { NonceStore } from './nonce-store.js';

export type PopMode = 'strict' | 'permissive';

/** The signed request as a caller sends it. */
export interface ProofOfPossession {
  /** Seconds since epoch when the agent signed. */
  timestamp: number;
  /** 16–128 characters of base64url alphabet, never reused. */
  nonce: string;
  /** base64url Ed25519 signature over popSigningString(…). */
  signature: string;
}

export type PopFailure = 'pop_missing' | 'pop_malformed' | 'pop_bad_signature' | 'pop_terms_mismatch' | 'pop_stale_timestamp' | 'pop_replayed_nonce';

export type PopResult = { ok: true } | { ok: false; reason: PopFailure; detail: string };

export const POP_METHOD_ISSUE = 'signet.v1.CredentialService/Issue';
/** The method of a presentation proof: the agent shows a credential that carries `cnf`. */
export const POP_METHOD_PRESENT = 'present';

/** What a presentation proof binds: base64url SHA-256 of the compact token. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('base64url');
}

/** The string an agent signs to present `token` to `audience` (VerifyCredential's `presentation`). */
export function presentationSigningString(token: string, audience: string, timestamp: number, nonce: string): string {
  return popSigningString(POP_METHOD_PRESENT, tokenDigest(token), audience, timestamp, nonce);
}

/**
 * The canonical request string of a presentation: fixed tag, method, what is bound (the token's
 * SHA-256), audience, timestamp, nonce.
 */
export function popSigningString(method: string, bound: string, audience: string, timestamp: number, nonce: string): string {
  return ['SIGNET-POP-V1', method, bound, audience, String(timestamp), nonce].join('\n');
}

/** Everything an Issue request asks for, which the agent's signature must cover. */
export interface IssueTerms {
  /** intent_fp of the intent. */
  intentFp: string;
  audience: string;
  /** As requested: 0 for the server's default. */
  ttlSeconds: number;
  /** The delegation chain as requested, current actor first; empty for none. */
  delegation: readonly Actor[];
}

/**
 * The string an agent signs for Issue: every term the credential will carry that the caller
 * chooses (intent, audience, TTL, delegation), so a caller cannot change one after the agent signed.
 * The delegation line is the JCS of the actor list ([{"sub":…,"iss":…}, …]), empty for none.
 */
export function issueSigningString(terms: IssueTerms, timestamp: number, nonce: string): string {
  const delegation = terms.delegation.length ? canonicalize(terms.delegation.map((a) => (a.iss ? { sub: a.sub, iss: a.iss } : { sub: a.sub }))) : '';
  return ['SIGNET-POP-V2', POP_METHOD_ISSUE, terms.intentFp, terms.audience, String(terms.ttlSeconds), delegation, String(timestamp), nonce].join('\n');
}

export interface PopCheck {
  agentId: string;
  agentKey: KeyObject;
  /** The string the agent must have signed, for the proof's own timestamp and nonce. */
  message(timestamp: number, nonce: string): string;
  /**
   * Strings the agent may have signed instead, each with what differs from this request: when one
   * verifies, the refusal says which terms a caller changed after the agent signed.
   */
  variants?(timestamp: number, nonce: string): Array<{ differs: string; message: string }>;
  proof: ProofOfPossession | undefined;
}

/** Issue: the terms as requested, and the usual ways a caller adds to what the agent signed. */
export function issueCheck(agentId: string, agentKey: KeyObject, terms: IssueTerms, proof: ProofOfPossession | undefined): PopCheck {
  return {
    agentId,
    agentKey,
    proof,
    message: (ts, nonce) => issueSigningString(terms, ts, nonce),
    variants(ts, nonce) {
      const out: Array<{ differs: string; message: string }> = [];
      const ttl = `ttl_seconds (the agent signed 0, the default; the request asks ${terms.ttlSeconds})`;
      const act = `delegation (the agent signed none; the request carries ${terms.delegation.length} actor(s))`;
      if (terms.ttlSeconds !== 0) out.push({ differs: ttl, message: issueSigningString({ ...terms, ttlSeconds: 0 }, ts, nonce) });
      if (terms.delegation.length) out.push({ differs: act, message: issueSigningString({ ...terms, delegation: [] }, ts, nonce) });
      if (terms.ttlSeconds !== 0 && terms.delegation.length) {
        out.push({ differs: `${ttl} and ${act}`, message: issueSigningString({ ...terms, ttlSeconds: 0, delegation: [] }, ts, nonce) });
      }
      const v1 = 'the terms: the agent signed SIGNET-POP-V1, which covers only intent and audience; sign SIGNET-POP-V2 (intent, audience, ttl_seconds, delegation)';
      out.push({ differs: v1, message: popSigningString(POP_METHOD_ISSUE, terms.intentFp, terms.audience, ts, nonce) });
      return out;
    },
  };
}

/** A presentation of `token` to `audience`. */
export function presentationCheck(agentId: string, agentKey: KeyObject, token: string, audience: string, proof: ProofOfPossession | undefined): PopCheck {
  return { agentId, agentKey, proof, message: (ts, nonce) => presentationSigningString(token, audience, ts, nonce) };
}

export class PopVerifier {
  readonly #nonces: NonceStore;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(nonces: NonceStore, options: { windowSeconds?: number; now?: () => number } = {}) {
    this.#nonces = nonces;
    this.#windowMs = (options.windowSeconds ?? 30) * 1000;
    this.#now = options.now ?? Date.now;
  }

  async check(c: PopCheck): Promise<PopResult> {
    const p = c.proof;
    if (!p) return fail('pop_missing', 'the policy requires a signed request (proof of possession)');
    if (!Number.isSafeInteger(p.timestamp) || p.timestamp <= 0) return fail('pop_malformed', 'timestamp must be whole seconds since epoch');
    if (typeof p.nonce !== 'string' || !/^[A-Za-z0-9_-]{16,128}$/.test(p.nonce)) return fail('pop_malformed', 'nonce must be 16–128 base64url characters');
    const signature = typeof p.signature === 'string' && p.signature.length === 86 ? decodeBase64url(p.signature) : undefined;
    if (!signature) return fail('pop_malformed', 'signature must be 64 bytes, canonical base64url (86 characters, unused bits zero)');
    const good = verifies(c.message(p.timestamp, p.nonce), c.agentKey, signature);
    // The signature is checked before the nonce is stored, so nobody can burn an agent's nonces.
    if (!good) {
      const changed = c.variants?.(p.timestamp, p.nonce).find((v) => verifies(v.message, c.agentKey, signature));
      if (changed) return fail('pop_terms_mismatch', `the agent signed other terms than this request carries: ${changed.differs}`);
      return fail('pop_bad_signature', `the signature does not verify with the agent key over this request${c.variants ? "'s intent, audience, ttl_seconds and delegation" : ''}`);
    }
    const now = this.#now();
    if (Math.abs(now - p.timestamp * 1000) > this.#windowMs) {
      return fail('pop_stale_timestamp', `timestamp is outside the ${this.#windowMs / 1000} s window`);
    }
    const fresh = await this.#nonces.remember(`${c.agentId}\n${p.nonce}`, p.timestamp * 1000 + this.#windowMs + 1000);
    if (!fresh) return fail('pop_replayed_nonce', 'this nonce was already used');
    return { ok: true };
  }
}

function verifies(message: string, key: KeyObject, signature: Buffer): boolean {
  try {
    return nodeVerify(null, Buffer.from(message, 'utf8'), key, signature);
  } catch {
    return false;
  }
}

function fail(reason: PopFailure, detail: string): PopResult {
  return { ok: false, reason, detail };
}
