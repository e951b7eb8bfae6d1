// VerifyCredential: signature (current and rotated-out keys), time with skew, audience, exact
// intent, revocation of credential and agent, proof of possession for `cnf`, and single use.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { canonicalize } from '../lib/jcs.js';
import type { LedgerAppender } from '../ledger/contract.js';
import { AgentKeyCache } from './agent-key.js';
import type { Agent, AgentStore } from './agent-store.js';
import type { CredentialStore } from './credential-store.js';
import { canonicalText } from './canonical.js';
import type { ActClaim } from './delegation.js';
import { intentFingerprint, parseIntent, type Intent } from './intent.js';
import { decodeJws, verifyJwsSignature } from './jws.js';
import type { IssuingKeyInfo, IssuingKeys } from './issuing-keys.js';
import type { KeyRing, RingKey } from './key-ring.js';
import { revocationKey, revocationRecord, verificationRecord, type CallOptions } from './ledger-records.js';
import { revocationReason } from './revocation-reason.js';
import { CREDENTIAL_TYP, MAX_AUDIENCE } from './issuer.js';
import { presentationCheck, type PopVerifier, type ProofOfPossession } from './pop.js';

export type VerifyReason =
  | 'ok'
  | 'malformed'
  | 'unknown_kid'
  | 'bad_signature'
  | 'key_revoked'
  | 'outside_key_validity'
  | 'wrong_issuer'
  | 'lifetime_exceeds_max'
  | 'expired'
  | 'not_yet_valid'
  | 'audience_mismatch'
  | 'intent_mismatch'
  | 'revoked'
  | 'unknown_agent'
  | 'agent_revoked'
  | 'pop_required'
  | 'pop_failed'
  | 'already_used';

export interface CredentialClaims {
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
  act?: ActClaim;
}

export interface VerifyInput {
  token: string;
  /** The intent the caller is about to perform. */
  intent: unknown;
  audience: string;
  /** Consume the credential: the first consumer wins, every later one gets already_used. */
  consume?: boolean;
  /**
   * The presenting agent's proof of possession: its signature over
   * presentationSigningString(token, audience, timestamp, nonce). Required when the credential has `cnf`.
   */
  presentation?: ProofOfPossession;
}

export interface VerifyResult {
  valid: boolean;
  reason: VerifyReason;
  detail: string;
  /** Present once the signature verified. */
  claims?: CredentialClaims;
  /** True when this call consumed the credential. */
  consumed: boolean;
}

export interface VerifierDeps {
  ring: KeyRing;
  /** Certified issuing keys (every replica's), when credentials are signed by them. */
  issuing?: IssuingKeys;
  agents: AgentStore;
  credentials: CredentialStore;
  ledger: LedgerAppender;
  /** Checks presentation proofs: the same nonce store and window as issuance proofs. */
  pop: PopVerifier;
  issuer: string;
  skewSeconds: number;
  /** The server's credentials.max_ttl: no credential Signet issued lives longer (plus skew). */
  maxTtlSeconds: number;
  now?: () => number;
}

export class Verifier {
  readonly #d: VerifierDeps;
  readonly #now: () => number;
  readonly #agentKeys = new AgentKeyCache();

  constructor(deps: VerifierDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async verify(input: VerifyInput, options: CallOptions = {}): Promise<VerifyResult> {
    if (typeof input.token !== 'string' || input.token === '') throw invalidArgument('token', 'required');
    canonicalText(input.audience, 'audience', MAX_AUDIENCE);
    const presented = parseIntent(input.intent);
    const result = await this.#check(input.token, presented, input.audience, input.consume === true, input.presentation);
    const c = result.claims;
    try {
      await this.#d.ledger.append(
        verificationRecord({ token: input.token, valid: result.valid, reason: result.reason, jti: c?.jti, agent: c?.sub, audience: input.audience, intent: presented, consumed: result.consumed, caller: options.caller }),
        { deadline: options.deadline },
      );
    } catch (err) {
      // No consumption without its ledger entry: give the credential back so a retry can use it.
      if (result.consumed && c) await this.#d.credentials.unconsume(c.jti).catch(() => {});
      throw err;
    }
    return result;
  }

  /** Revokes one credential by jti; it fails verification from now on. */
  async revoke(jti: string, reason: string, options: { deadline?: number } = {}): Promise<boolean> {
    if (typeof jti !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(jti)) throw invalidArgument('jti', 'required, 1–64 base64url characters');
    const why = revocationReason(reason, 'revoked');
    const fresh = await this.#d.credentials.revoke(jti, this.#now(), why);
    // Recorded even when the store says "already revoked": a retry after a failed append records
    // it, and the idempotency key keeps a second call from recording it twice.
    await this.#d.ledger.append(revocationRecord({ target: 'credential', id: jti, reason: why }), { idempotencyKey: revocationKey('credential', jti), deadline: options.deadline });
    return fresh;
  }

  async #check(token: string, presented: Intent, audience: string, consume: boolean, presentation: ProofOfPossession | undefined): Promise<VerifyResult> {
    const jws = decodeJws(token);
    if (!jws) return refuse('malformed', 'not a compact JWS');
    if (jws.header.typ !== CREDENTIAL_TYP) return refuse('malformed', `typ ${String(jws.header.typ)} is not a credential`);
    const key: RingKey | IssuingKeyInfo | undefined = this.#d.ring.find(jws.header.kid) ?? (await this.#d.issuing?.lookup(jws.header.kid));
    if (!key) return refuse('unknown_kid', `no key ${jws.header.kid} in the key set`);
    if (!verifyJwsSignature(jws, key.key, key.alg)) return refuse('bad_signature', `signature does not verify with key ${key.kid} (${key.alg})`);
    const claims = claimsOf(jws.payload);
    if (!claims) return refuse('malformed', 'claims are missing or of the wrong type');
    const no = (reason: VerifyReason, detail: string) => refuse(reason, detail, claims);
    if ('cert' in key) {
      // A certified issuing key: refused at once once revoked (on any replica), and only within its certificate.
      if ((await this.#d.issuing!.revokedAt(key.kid)) !== undefined) return no('key_revoked', `issuing key ${key.kid} is revoked`);
      if (claims.iat < key.nbf || claims.exp > key.exp) return no('outside_key_validity', `issuing key ${key.kid} signs credentials within ${key.nbf}–${key.exp} only`);
    }
    if (claims.iss !== this.#d.issuer) return no('wrong_issuer', `issued by ${claims.iss}, not ${this.#d.issuer}`);
    // Defence in depth: a token the issuing key signed outside Issue would not respect the cap.
    if (claims.exp - claims.iat > this.#d.maxTtlSeconds + this.#d.skewSeconds) {
      return no('lifetime_exceeds_max', `lives ${claims.exp - claims.iat} s; credentials live at most ${this.#d.maxTtlSeconds} s`);
    }
    const now = this.#now() / 1000;
    if (now > claims.exp + this.#d.skewSeconds) return no('expired', `expired at ${claims.exp}`);
    if (now + this.#d.skewSeconds < claims.nbf) return no('not_yet_valid', `valid from ${claims.nbf}`);
    const auds = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!auds.includes(audience)) return no('audience_mismatch', `issued for ${auds.join(', ')}, presented to ${audience}`);
    // The signed intent_fp must be the presented intent's, and the signed intent the presented one.
    if (intentFingerprint(presented) !== claims.intent_fp || canonicalize(claims.intent) !== canonicalize(presented)) {
      return no('intent_mismatch', `issued for ${claims.intent.action} on ${claims.intent.resource}, presented for ${presented.action} on ${presented.resource}`);
    }
    const status = await this.#d.credentials.status(claims.jti);
    if (status.revoked) return no('revoked', `credential ${claims.jti} is revoked`);
    const agent = await this.#d.agents.get(claims.sub);
    if (!agent) return no('unknown_agent', `agent ${claims.sub} is not registered`);
    if (agent.revokedAt !== undefined) return no('agent_revoked', `agent ${claims.sub} is revoked`);
    // A key-bound credential is good only in the hands of its key's holder. Checked before consuming,
    // so a thief cannot burn a single-use credential.
    if (claims.cnf) {
      if (!presentation) return no('pop_required', 'the credential is bound to the agent key (cnf); a presentation proof is required');
      if (claims.cnf.jkt !== agent.thumbprint) return no('pop_failed', `cnf.jkt ${claims.cnf.jkt} is not the registered key of ${agent.id}`);
      const pop = await this.#d.pop.check(presentationCheck(agent.id, this.#agentKeys.keyOf(agent), token, audience, presentation));
      if (!pop.ok) return no('pop_failed', `${pop.reason}: ${pop.detail}`);
    }
    let consumed = false;
    if (consume || status.singleUse) {
      consumed = await this.#d.credentials.consume(claims.jti, this.#now(), claims.exp);
      if (!consumed) return no('already_used', `credential ${claims.jti} was already used`);
    }
    return { valid: true, reason: 'ok', detail: '', claims, consumed };
  }

}

function refuse(reason: VerifyReason, detail: string, claims?: CredentialClaims): VerifyResult {
  return { valid: false, reason, detail, consumed: false, ...(claims ? { claims } : {}) };
}

function claimsOf(p: Record<string, unknown>): CredentialClaims | undefined {
  const str = (v: unknown) => typeof v === 'string' && v.length > 0;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const aud = p.aud;
  if (!str(p.iss) || !str(p.sub) || !str(p.jti) || !str(p.intent_fp)) return undefined;
  if (!(str(aud) || (Array.isArray(aud) && aud.every(str)))) return undefined;
  if (!num(p.iat) || !num(p.nbf) || !num(p.exp)) return undefined;
  // A cnf that is present but unreadable must not be taken for "no cnf".
  if (p.cnf !== undefined && (typeof p.cnf !== 'object' || p.cnf === null || !str((p.cnf as { jkt?: unknown }).jkt))) return undefined;
  try {
    parseIntent(p.intent);
  } catch (err) {
    if (err instanceof SignetError) return undefined;
    throw err;
  }
  return p as unknown as CredentialClaims;
}
