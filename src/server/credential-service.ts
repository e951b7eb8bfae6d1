// gRPC handlers of signet.v1.CredentialService: translate the wire to the credentials domain
// and back. Validation and decisions live in src/credentials; handlers only reshape.
import { invalidArgument } from '../lib/errors.js';
import { parseStrictJson } from '../lib/strict-json.js';
import { CONSTRAINTS_JSON_BOUNDS, type Agent, type CredentialAuthority } from '../credentials/index.js';
import type { Agent as WireAgent } from '../gen/signet/v1/Agent.js';
import type { AuthorizeRequest__Output } from '../gen/signet/v1/AuthorizeRequest.js';
import type { AuthorizeResponse } from '../gen/signet/v1/AuthorizeResponse.js';
import type { GetAgentRequest__Output } from '../gen/signet/v1/GetAgentRequest.js';
import type { GetJwksResponse } from '../gen/signet/v1/GetJwksResponse.js';
import type { Intent__Output } from '../gen/signet/v1/Intent.js';
import type { IssuePassportRequest__Output } from '../gen/signet/v1/IssuePassportRequest.js';
import type { IssuePassportResponse } from '../gen/signet/v1/IssuePassportResponse.js';
import type { IssueRequest__Output } from '../gen/signet/v1/IssueRequest.js';
import type { IssueResponse } from '../gen/signet/v1/IssueResponse.js';
import type { ListAgentsRequest__Output } from '../gen/signet/v1/ListAgentsRequest.js';
import type { ListAgentsResponse } from '../gen/signet/v1/ListAgentsResponse.js';
import type { RegisterAgentRequest__Output } from '../gen/signet/v1/RegisterAgentRequest.js';
import type { RevokeAgentRequest__Output } from '../gen/signet/v1/RevokeAgentRequest.js';
import type { RevokeCredentialRequest__Output } from '../gen/signet/v1/RevokeCredentialRequest.js';
import type { RevokeCredentialResponse } from '../gen/signet/v1/RevokeCredentialResponse.js';
import type { RevokeIssuingKeyRequest__Output } from '../gen/signet/v1/RevokeIssuingKeyRequest.js';
import type { RevokeIssuingKeyResponse } from '../gen/signet/v1/RevokeIssuingKeyResponse.js';
import type { RevokeGroupRequest__Output } from '../gen/signet/v1/RevokeGroupRequest.js';
import type { RevokeGroupResponse } from '../gen/signet/v1/RevokeGroupResponse.js';
import type { VerifyCredentialRequest__Output } from '../gen/signet/v1/VerifyCredentialRequest.js';
import type { VerifyCredentialResponse } from '../gen/signet/v1/VerifyCredentialResponse.js';
import type { VerifyPassportRequest__Output } from '../gen/signet/v1/VerifyPassportRequest.js';
import type { VerifyPassportResponse } from '../gen/signet/v1/VerifyPassportResponse.js';
import { requireAgentAllowed } from './interceptors.js';
import type { CallContext, ServiceModule } from './service.js';

export interface CredentialServiceDeps {
  credentials: CredentialAuthority;
}

export function credentialService({ credentials: c }: CredentialServiceDeps): ServiceModule {
  // Entries the call writes record who asked (issuance, denial, verification …; docs/credentials.md).
  const opts = (context: CallContext) => ({ deadline: context.deadline, caller: context.caller });
  return {
    protoFile: 'signet/v1/credentials.proto',
    serviceName: 'signet.v1.CredentialService',
    handlers: {
      async RegisterAgent(r: RegisterAgentRequest__Output): Promise<WireAgent> {
        const agent = await c.agents.register({ name: r.name, publicKeyJwk: r.public_key_jwk, owner: r.owner, groups: r.groups, labels: r.labels, metadata: r.metadata });
        return toWireAgent(agent);
      },

      async GetAgent(r: GetAgentRequest__Output): Promise<WireAgent> {
        return toWireAgent(await c.agents.get(r.agent_id));
      },

      async ListAgents(r: ListAgentsRequest__Output): Promise<ListAgentsResponse> {
        const page = await c.agents.list({ pageSize: r.page_size, pageToken: r.page_token, group: r.group, owner: r.owner });
        return { agents: page.agents.map(toWireAgent), next_page_token: page.nextPageToken };
      },

      async RevokeAgent(r: RevokeAgentRequest__Output): Promise<WireAgent> {
        return toWireAgent(await c.agents.revoke(r.agent_id, r.reason));
      },

      async RevokeGroup(r: RevokeGroupRequest__Output): Promise<RevokeGroupResponse> {
        return { agent_ids: await c.agents.revokeGroup(r.group, r.reason) };
      },

      async Authorize(r: AuthorizeRequest__Output, context): Promise<AuthorizeResponse> {
        requireAgentAllowed(context, r.agent_id, 'agent_id');
        const base = { agentId: r.agent_id, audience: r.audience };
        let d;
        if (r.question === 'mcp_tool') d = await c.authorize({ ...base, mcp: { server: r.mcp_tool!.server, tool: r.mcp_tool!.tool } }, opts(context));
        else if (r.question === 'intent') d = await c.authorize({ ...base, intent: fromWireIntent(r.intent!, 'intent') }, opts(context));
        else throw invalidArgument('question', 'give intent or mcp_tool');
        const m = d.allow ? d.matched : undefined;
        return { decision: d.allow ? 'ALLOW' : 'DENY', rule: d.rule, reason: d.reason, max_ttl_seconds: m?.maxTtlSeconds ?? 0, require_pop: m?.requirePop ?? false, single_use: m?.singleUse ?? false };
      },

      async Issue(r: IssueRequest__Output, context): Promise<IssueResponse> {
        requireAgentAllowed(context, r.agent_id, 'agent_id');
        if (!r.intent) throw invalidArgument('intent', 'required');
        const issued = await c.issuer.issue(
          {
            agentId: r.agent_id,
            intent: fromWireIntent(r.intent, 'intent'),
            audience: r.audience,
            ttlSeconds: r.ttl_seconds,
            delegation: r.delegation.map((a) => ({ sub: a.sub, ...(a.iss ? { iss: a.iss } : {}) })),
            pop: r.pop ? { timestamp: r.pop.timestamp, nonce: r.pop.nonce, signature: r.pop.signature } : undefined,
          },
          opts(context),
        );
        return {
          token: issued.token,
          jti: issued.jti,
          issued_at: issued.iat,
          expires_at: issued.exp,
          intent_fp: issued.intentFp,
          kid: issued.kid,
          alg: issued.alg,
          single_use: issued.singleUse,
          pop_verified: issued.popVerified,
          rule: issued.rule,
          ledger_index: issued.ledgerIndex,
        };
      },

      async VerifyCredential(r: VerifyCredentialRequest__Output, context): Promise<VerifyCredentialResponse> {
        if (!r.intent) throw invalidArgument('intent', 'required');
        const presentation = r.presentation ? { timestamp: r.presentation.timestamp, nonce: r.presentation.nonce, signature: r.presentation.signature } : undefined;
        const v = await c.verifier.verify({ token: r.token, intent: fromWireIntent(r.intent, 'intent'), audience: r.audience, consume: r.consume, presentation }, opts(context));
        return {
          valid: v.valid,
          reason: v.reason,
          detail: v.detail,
          agent_id: v.claims?.sub ?? '',
          jti: v.claims?.jti ?? '',
          expires_at: v.claims?.exp ?? 0,
          claims_json: v.claims ? JSON.stringify(v.claims) : '',
          consumed: v.consumed,
        };
      },

      async RevokeCredential(r: RevokeCredentialRequest__Output, context): Promise<RevokeCredentialResponse> {
        return { revoked: await c.verifier.revoke(r.jti, r.reason, opts(context)) };
      },

      async RevokeIssuingKey(r: RevokeIssuingKeyRequest__Output, context): Promise<RevokeIssuingKeyResponse> {
        const revoked = await c.revokeIssuingKey(r.kid, r.reason, opts(context));
        return { revoked, current_kid: c.issuing?.currentKid ?? '' };
      },

      async GetJwks(): Promise<GetJwksResponse> {
        return { jwks_json: JSON.stringify(c.jwks()) };
      },

      async IssuePassport(r: IssuePassportRequest__Output, context): Promise<IssuePassportResponse> {
        requireAgentAllowed(context, r.agent_id, 'agent_id');
        const p = await c.passports.issue(r.agent_id, r.ttl_seconds, opts(context));
        return { token: p.token, jti: p.claims.jti, expires_at: p.claims.exp, policy_digest: p.claims.policy_digest, ledger_index: p.ledgerIndex };
      },

      async VerifyPassport(r: VerifyPassportRequest__Output): Promise<VerifyPassportResponse> {
        const v = await c.passports.verify(r.token, r.online);
        return { valid: v.valid, reason: v.reason, detail: v.detail, claims_json: v.claims ? JSON.stringify(v.claims) : '' };
      },
    },
    async close() {
      await c.close();
    },
  };
}

function fromWireIntent(i: Intent__Output, field: string): unknown {
  const constraints = i.constraints_json ? parseStrictJson(i.constraints_json, `${field}.constraints_json`, CONSTRAINTS_JSON_BOUNDS) : undefined;
  return { action: i.action, resource: i.resource, ...(constraints === undefined ? {} : { constraints }) };
}

function toWireAgent(a: Agent): WireAgent {
  return {
    id: a.id,
    name: a.name,
    owner: a.owner,
    public_key_jwk: JSON.stringify(a.publicKeyJwk),
    key_thumbprint: a.thumbprint,
    groups: a.groups,
    labels: a.labels,
    metadata: a.metadata,
    created_at: Math.floor(a.createdAt / 1000),
    revoked: a.revokedAt !== undefined,
    revoked_at: a.revokedAt === undefined ? 0 : Math.floor(a.revokedAt / 1000),
    revoked_reason: a.revokedReason ?? '',
  };
}
