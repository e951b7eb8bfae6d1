// Proof of possession, for Issue and for presenting a `cnf`-bound credential: the agent signs a
// canonical request string with its Ed25519 key; Signet checks signature, time window, new nonce.
import { createHash, verify as nodeVerify, type KeyObject } from 'node:crypto';
import { decodeBase64url } from '../lib/base64url.js';
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

export type PopFailure = 'pop_missing' | 'pop_malformed' | 'pop_bad_signature' | 'pop_stale_timestamp' | 'pop_replayed_nonce';

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
 * The canonical request string: fixed tag, then method, what is bound (intent_fp for Issue, the
 * token's SHA-256 for a presentation), audience, timestamp, nonce.
 */
export function popSigningString(method: string, bound: string, audience: string, timestamp: number, nonce: string): string {
  return ['SIGNET-POP-V1', method, bound, audience, String(timestamp), nonce].join('\n');
}

export interface PopCheck {
  agentId: string;
  agentKey: KeyObject;
  method: string;
  /** intent_fp for Issue; tokenDigest(token) for a presentation. */
  bound: string;
  audience: string;
  proof: ProofOfPossession | undefined;
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
    const message = Buffer.from(popSigningString(c.method, c.bound, c.audience, p.timestamp, p.nonce), 'utf8');
    let good = false;
    try {
      good = nodeVerify(null, message, c.agentKey, signature);
    } catch {
      good = false;
    }
    // The signature is checked before the nonce is stored, so nobody can burn an agent's nonces.
    if (!good) return fail('pop_bad_signature', 'the signature does not verify with the agent key over this request');
    const now = this.#now();
    if (Math.abs(now - p.timestamp * 1000) > this.#windowMs) {
      return fail('pop_stale_timestamp', `timestamp is outside the ${this.#windowMs / 1000} s window`);
    }
    const fresh = await this.#nonces.remember(`${c.agentId}\n${p.nonce}`, p.timestamp * 1000 + this.#windowMs + 1000);
    if (!fresh) return fail('pop_replayed_nonce', 'this nonce was already used');
    return { ok: true };
  }
}

function fail(reason: PopFailure, detail: string): PopResult {
  return { ok: false, reason, detail };
}
