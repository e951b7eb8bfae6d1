// Passports: a longer-lived signed document about an agent (key, owner, groups, policy digest)
// that third parties verify offline with the JWKS; the online check also fails once it is revoked.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import { INTERNAL_IDEMPOTENCY_PREFIX, type LedgerAppender } from '../ledger/contract.js';
import type { PublicJwk } from '../signers/contract.js';
import type { AgentStore } from './agent-store.js';
import { newJti } from './jti.js';
import { decodeJws, signJws, verifyJwsSignature } from './jws.js';
import type { KeyRing } from './key-ring.js';
import { denialRecord, passportIssuanceRecord, type CallOptions } from './ledger-records.js';
import type { PolicySource } from './policy-source.js';

export const PASSPORT_TYP = 'signet-passport+jwt';
export const MAX_PASSPORT_TTL_SECONDS = 7 * 86_400;

export interface PassportClaims {
  iss: string;
  sub: string;
  iat: number;
  nbf: number;
  exp: number;
  jti: string;
  agent: { id: string; name: string; jwk: PublicJwk; owner: string; groups: string[]; labels: Record<string, string> };
  /** SHA-256 (hex) of the policy in force when the passport was issued. */
  policy_digest: string;
}

export type PassportReason = 'ok' | 'malformed' | 'unknown_kid' | 'bad_signature' | 'wrong_issuer' | 'expired' | 'not_yet_valid' | 'unknown_agent' | 'agent_revoked';

export interface PassportVerdict {
  valid: boolean;
  reason: PassportReason;
  detail: string;
  claims?: PassportClaims;
}

export interface PassportDeps {
  ring: KeyRing;
  agents: AgentStore;
  policy: PolicySource;
  ledger: LedgerAppender;
  issuer: string;
  defaultTtlSeconds: number;
  skewSeconds: number;
  now?: () => number;
}

export class Passports {
  readonly #d: PassportDeps;
  readonly #now: () => number;

  constructor(deps: PassportDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async issue(agentId: string, ttlSeconds = 0, options: CallOptions = {}): Promise<{ token: string; claims: PassportClaims; ledgerIndex: number }> {
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 0) throw invalidArgument('ttl_seconds', 'must be whole seconds, 0 for the default');
    const agent = await this.#d.agents.get(agentId);
    if (!agent) throw new SignetError('NOT_FOUND', `agent ${quoted(agentId)} is not registered`);
    if (agent.revokedAt !== undefined) {
      const reason = `agent ${agent.id} is revoked`;
      await this.#d.ledger.append(denialRecord({ agent: agent.id, intent: { action: 'passport', resource: agent.id }, rule: '', reason, what: 'passport', caller: options.caller }), { deadline: options.deadline });
      throw new SignetError('PERMISSION_DENIED', reason);
    }
    const iat = Math.floor(this.#now() / 1000);
    const policy = this.#d.policy.current;
    const claims: PassportClaims = {
      iss: this.#d.issuer,
      sub: agent.id,
      iat,
      nbf: iat,
      exp: iat + Math.min(ttlSeconds || this.#d.defaultTtlSeconds, MAX_PASSPORT_TTL_SECONDS),
      jti: newJti(),
      agent: { id: agent.id, name: agent.name, jwk: agent.publicKeyJwk, owner: agent.owner, groups: agent.groups, labels: agent.labels },
      policy_digest: policy.digest,
    };
    const signer = await this.#d.ring.issuing();
    const token = await signJws(signer, PASSPORT_TYP, claims, { deadline: options.deadline });
    const receipt = await this.#d.ledger.append(
      passportIssuanceRecord({ agent: agent.id, jti: claims.jti, exp: claims.exp, kid: signer.keyId(), policyDigest: policy.digest, token, caller: options.caller }),
      { idempotencyKey: `${INTERNAL_IDEMPOTENCY_PREFIX}passport:${claims.jti}`, deadline: options.deadline },
    );
    return { token, claims, ledgerIndex: receipt.index };
  }

  /** Offline checks (signature, issuer, time) and, when `online`, the agent's current status. */
  async verify(token: string, online: boolean): Promise<PassportVerdict> {
    if (typeof token !== 'string' || token === '') throw invalidArgument('token', 'required');
    const jws = decodeJws(token);
    if (!jws || jws.header.typ !== PASSPORT_TYP) return no('malformed', 'not a Signet passport');
    const key = this.#d.ring.find(jws.header.kid);
    if (!key) return no('unknown_kid', `no key ${jws.header.kid} in the key set`);
    if (!verifyJwsSignature(jws, key.key, key.alg)) return no('bad_signature', `signature does not verify with key ${key.kid}`);
    const c = jws.payload as unknown as PassportClaims;
    if (typeof c.sub !== 'string' || typeof c.exp !== 'number' || typeof c.nbf !== 'number' || typeof c.agent !== 'object' || c.agent === null) {
      return no('malformed', 'claims are missing or of the wrong type');
    }
    if (c.iss !== this.#d.issuer) return no('wrong_issuer', `issued by ${String(c.iss)}`, c);
    const now = this.#now() / 1000;
    if (now > c.exp + this.#d.skewSeconds) return no('expired', `expired at ${c.exp}`, c);
    if (now + this.#d.skewSeconds < c.nbf) return no('not_yet_valid', `valid from ${c.nbf}`, c);
    if (online) {
      const agent = await this.#d.agents.get(c.sub);
      if (!agent) return no('unknown_agent', `agent ${c.sub} is not registered`, c);
      if (agent.revokedAt !== undefined) return no('agent_revoked', `agent ${c.sub} is revoked`, c);
    }
    return { valid: true, reason: 'ok', detail: online ? 'signature, time and agent status checked' : 'signature and time checked (offline)', claims: c };
  }
}

function no(reason: PassportReason, detail: string, claims?: PassportClaims): PassportVerdict {
  return { valid: false, reason, detail, ...(claims ? { claims } : {}) };
}
