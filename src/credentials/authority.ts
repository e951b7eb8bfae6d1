// The credentials domain assembled: agents, policy, Issue / Verify, passports and the key ring,
// behind one object the gRPC handlers call. No gRPC here.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import type { LedgerAppender } from '../ledger/contract.js';
import type { AgentRegistry } from './agents.js';
import type { AgentStore } from './agent-store.js';
import { canonicalText } from './canonical.js';
import { parseIntent } from './intent.js';
import { MAX_AUDIENCE, type Issuer } from './issuer.js';
import { jwksOf, type Jwks } from './jwks.js';
import type { IssuingKeys } from './issuing-keys.js';
import type { KeyRing } from './key-ring.js';
import { denialRecord, type CallOptions } from './ledger-records.js';
import type { Passports } from './passport.js';
import { revocationReason } from './revocation-reason.js';
import { authorize, mcpToolIntent, type Decision } from './policy.js';
import type { PolicySource } from './policy-source.js';
import type { Verifier } from './verifier.js';

export type AuthorizeQuestion =
  | { agentId: string; intent: unknown; audience?: string }
  | { agentId: string; mcp: { server: string; tool: string }; audience?: string };

export interface AuthorityParts {
  agents: AgentRegistry;
  agentStore: AgentStore;
  issuer: Issuer;
  verifier: Verifier;
  passports: Passports;
  policy: PolicySource;
  ring: KeyRing;
  /** Present in certified mode. */
  issuing?: IssuingKeys;
  ledger: LedgerAppender;
  close(): Promise<void>;
}

export class CredentialAuthority {
  readonly agents: AgentRegistry;
  readonly issuer: Issuer;
  readonly verifier: Verifier;
  readonly passports: Passports;
  readonly policy: PolicySource;
  readonly ring: KeyRing;
  /** The certified issuing keys (certified mode); undefined when the custody key signs every credential. */
  readonly issuing: IssuingKeys | undefined;
  readonly #agentStore: AgentStore;
  readonly #ledger: LedgerAppender;
  readonly #close: () => Promise<void>;

  constructor(parts: AuthorityParts) {
    this.agents = parts.agents;
    this.issuer = parts.issuer;
    this.verifier = parts.verifier;
    this.passports = parts.passports;
    this.policy = parts.policy;
    this.ring = parts.ring;
    this.issuing = parts.issuing;
    this.#agentStore = parts.agentStore;
    this.#ledger = parts.ledger;
    this.#close = parts.close;
  }

  /** ALLOW or DENY with the deciding rule and why, without issuing anything. Denials are recorded. */
  async authorize(q: AuthorizeQuestion, options: CallOptions = {}): Promise<Decision> {
    let intent;
    if ('mcp' in q) {
      const { server, tool } = q.mcp;
      for (const [field, name] of [['mcp.server', server], ['mcp.tool', tool]] as const) {
        if (canonicalText(name, field, 256).includes('/') || name.includes(' ')) throw invalidArgument(field, 'no "/" or spaces');
      }
      intent = parseIntent(mcpToolIntent(server, tool), 'mcp');
    } else {
      intent = parseIntent(q.intent);
    }
    const agent = await this.#agentStore.get(q.agentId);
    if (!agent) throw new SignetError('NOT_FOUND', `agent ${quoted(q.agentId)} is not registered`);
    const audience = q.audience ? canonicalText(q.audience, 'audience', MAX_AUDIENCE) : undefined;
    const decision: Decision =
      agent.revokedAt !== undefined ? { allow: false, rule: '', reason: `agent ${agent.id} is revoked` } : authorize(this.policy.current, agent, intent, audience);
    if (!decision.allow) {
      await this.#ledger.append(denialRecord({ agent: agent.id, intent, audience, rule: decision.rule, reason: decision.reason, what: 'authorize', caller: options.caller }), { deadline: options.deadline });
    }
    return decision;
  }

  jwks(): Jwks {
    return jwksOf(this.ring, this.issuing);
  }

  /** Revokes a certified issuing key: its credentials fail verification at once, on every replica. */
  async revokeIssuingKey(kid: string, reason: string, options: { deadline?: number } = {}): Promise<boolean> {
    if (!this.issuing) throw new SignetError('FAILED_PRECONDITION', 'credentials are signed by the custody key directly (credentials.signing: direct); there are no issuing keys');
    return this.issuing.revoke(kid, revocationReason(reason, 'revoked'), options);
  }

  close(): Promise<void> {
    return this.#close();
  }
}
