// Issue: policy decision, proof of possession, then a compact JWS for exactly one intent, recorded
// in the ledger and durable before the token is handed back. Refusals are recorded too.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import { silentLogger, type Logger } from '../lib/logger.js';
import type { LedgerAppender } from '../ledger/contract.js';
import { AgentKeyCache } from './agent-key.js';
import type { Agent, AgentStore } from './agent-store.js';
import type { CredentialStore } from './credential-store.js';
import { canonicalText } from './canonical.js';
import { actClaim, actorsOf, type Actor } from './delegation.js';
import { newJti } from './jti.js';
import { intentFingerprint, parseIntent, type Intent } from './intent.js';
import type { IssuingKeys } from './issuing-keys.js';
import { jwsAlgorithm, signJws, type JwsSigner } from './jws.js';
import type { KeyRing } from './key-ring.js';
import { attestationFailureRecord, denialRecord, issuanceRecord, type CallOptions } from './ledger-records.js';
import { authorize } from './policy.js';
import type { PolicySource } from './policy-source.js';
import { issueCheck, type IssueTerms, type PopMode, type PopVerifier, type ProofOfPossession } from './pop.js';

export const CREDENTIAL_TYP = 'JWT';
export const MAX_AUDIENCE = 512;

export interface IssueInput {
  agentId: string;
  intent: unknown;
  audience: string;
  /** Seconds; 0 or absent → the default TTL. Never more than the deciding rule's max_ttl. */
  ttlSeconds?: number;
  /** Actors, current first, when the agent acts for someone else (RFC 8693 `act`). */
  delegation?: Actor[];
  pop?: ProofOfPossession;
}

export interface IssuedCredential {
  token: string;
  jti: string;
  iat: number;
  exp: number;
  intent: Intent;
  intentFp: string;
  kid: string;
  alg: string;
  singleUse: boolean;
  /** True when the request's proof of possession verified and the token carries `cnf`. */
  popVerified: boolean;
  rule: string;
  /** Index of the issuance entry in the ledger. */
  ledgerIndex: number;
}

export interface IssuerDeps {
  ring: KeyRing;
  /** Certified mode: credentials are signed by short-lived issuing keys the custody key certified. */
  issuing?: IssuingKeys;
  agents: AgentStore;
  credentials: CredentialStore;
  policy: PolicySource;
  ledger: LedgerAppender;
  pop: PopVerifier;
  popMode: PopMode;
  issuer: string;
  defaultTtlSeconds: number;
  maxTtlSeconds: number;
  now?: () => number;
  logger?: Logger;
}

export class Issuer {
  readonly #d: IssuerDeps;
  readonly #now: () => number;
  readonly #log: Logger;
  readonly #agentKeys = new AgentKeyCache();

  constructor(deps: IssuerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#log = deps.logger ?? silentLogger;
  }

  async issue(input: IssueInput, options: CallOptions = {}): Promise<IssuedCredential> {
    const intent = parseIntent(input.intent);
    const audience = canonicalText(input.audience, 'audience', MAX_AUDIENCE);
    const requested = input.ttlSeconds ?? 0;
    if (!Number.isInteger(requested) || requested < 0) throw invalidArgument('ttl_seconds', 'must be whole seconds, 0 for the default');
    const act = actClaim(input.delegation);
    if (typeof input.agentId !== 'string' || input.agentId === '') throw invalidArgument('agent_id', 'required');

    const agent = await this.#d.agents.get(input.agentId);
    if (!agent) throw new SignetError('NOT_FOUND', `agent ${quoted(input.agentId)} is not registered`);
    if (agent.revokedAt !== undefined) {
      await this.#deny(agent, intent, audience, '', `agent ${agent.id} is revoked`, options);
    }
    const decision = authorize(this.#d.policy.current, agent, intent, audience, actorsOf(act));
    if (!decision.allow) await this.#deny(agent, intent, audience, decision.rule, decision.reason, options);
    const rule = decision.matched!;
    const intentFp = intentFingerprint(intent);

    const terms = { intentFp, audience, ttlSeconds: requested, delegation: input.delegation ?? [] };
    const popVerified = await this.#checkPop(agent, terms, input.pop, rule.requirePop, options);

    const ttl = Math.min(requested || this.#d.defaultTtlSeconds, rule.maxTtlSeconds, this.#d.maxTtlSeconds);
    const { signer, iat } = await this.#signer(Math.floor(this.#now() / 1000), ttl);
    const jti = newJti();
    const claims = {
      iss: this.#d.issuer,
      sub: agent.id,
      aud: audience,
      iat,
      nbf: iat,
      exp: iat + ttl,
      jti,
      intent,
      intent_fp: intentFp,
      ...(popVerified ? { cnf: { jkt: agent.thumbprint } } : {}),
      ...(act ? { act } : {}),
    };
    const token = await signJws(signer, CREDENTIAL_TYP, claims, { deadline: options.deadline });
    if (rule.singleUse) await this.#d.credentials.markSingleUse(jti, claims.exp);
    const receipt = await this.#d.ledger.append(
      issuanceRecord({
        agent: agent.id,
        intent,
        intentFp,
        audience,
        jti,
        exp: claims.exp,
        kid: signer.keyId(),
        rule: rule.name,
        pop: popVerified ? 'verified' : input.pop || rule.requirePop ? 'failed' : 'none',
        singleUse: rule.singleUse,
        actors: actorsOf(act),
        token,
        caller: options.caller,
      }),
      // No idempotency key: the jti is 128 fresh random bits, so a lookup could never hit (and a
      // retried Issue mints a new credential). That saves a store read per Issue.
      { deadline: options.deadline },
    );
    return {
      token,
      jti,
      iat,
      exp: claims.exp,
      intent,
      intentFp,
      kid: signer.keyId(),
      alg: jwsAlgorithm(signer.algorithm),
      singleUse: rule.singleUse,
      popVerified,
      rule: rule.name,
      ledgerIndex: receipt.index,
    };
  }

  /** Certified mode: the in-memory issuing key (no custody call); direct mode: the custody key. */
  async #signer(now: number, ttl: number): Promise<{ signer: JwsSigner; iat: number }> {
    if (this.#d.issuing) return this.#d.issuing.signerFor(now, ttl);
    return { signer: await this.#d.ring.issuing(), iat: now };
  }

  /**
   * True when a proof was given and verified over every term of the request. In strict mode a
   * proof that fails is refused, required or not: the request is not what the agent signed.
   */
  async #checkPop(agent: Agent, terms: IssueTerms, proof: ProofOfPossession | undefined, required: boolean, options: CallOptions): Promise<boolean> {
    if (!proof && !required) return false;
    const result = await this.#d.pop.check(issueCheck(agent.id, this.#agentKeys.keyOf(agent), terms, proof));
    if (result.ok) return true;
    const refuse = this.#d.popMode === 'strict';
    await this.#d.ledger.append(
      attestationFailureRecord({ agent: agent.id, intentFp: terms.intentFp, audience: terms.audience, reason: result.reason, mode: this.#d.popMode, refused: refuse, caller: options.caller }),
      { deadline: options.deadline },
    );
    if (refuse) throw new SignetError('UNAUTHENTICATED', `${result.reason}: ${result.detail}`, { field: 'pop' });
    this.#log.warn({ agent: agent.id, reason: result.reason, mode: this.#d.popMode, required }, 'proof of possession failed; issuing without cnf');
    return false;
  }


  async #deny(agent: Agent, intent: Intent, audience: string, rule: string, reason: string, options: CallOptions): Promise<never> {
    await this.#d.ledger.append(denialRecord({ agent: agent.id, intent, audience, rule, reason, what: 'issue', caller: options.caller }), { deadline: options.deadline });
    throw new SignetError('PERMISSION_DENIED', reason);
  }
}
