// The tools `signet mcp` offers an MCP host: credentials for the agent's own key, verification,
// receipts, the chain, public keys and who the agent is. Each answers JSON, or a tool error with
// the reason (code, field, detail) and never a stack trace.
import { createHash } from 'node:crypto';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { isSignetClientError } from '../client/errors.js';
import { decodeJws } from '../credentials/jws.js';
import { isSignetError } from '../lib/errors.js';
import { receiptToJson } from '../ledger/receipt-json.js';
import type { AgentSession } from './agent-session.js';
import { verifyCheckpointNote } from './checkpoint-trust.js';

const SHA256_HEX = z.string().regex(/^[0-9a-f]{64}$/, 'SHA-256 as 64 lowercase hex characters');
const constraints = z.record(z.string(), z.unknown()).optional().describe('JSON object narrowing the intent (part of its fingerprint)');

export interface ToolContext {
  session: AgentSession;
  address: string;
  keySource: string;
  defaultAudience: string;
}

function ok(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/** An MCP tool error carrying the reason: the status, the field at fault, the server's words. */
export function toolError(err: unknown): CallToolResult {
  let text: string;
  if (isSignetClientError(err)) {
    text = `${err.code}: ${err.message.replace(/^\S+: /, '')}${err.field ? ` (field ${err.field})` : ''}${err.retryAfter !== undefined ? ` (retry after ${err.retryAfter} s)` : ''}`;
  } else if (isSignetError(err)) {
    // Refused here, before anything was sent (e.g. a resource Signet would refuse too).
    text = `${err.code}: ${err.message}${err.field ? ` (field ${err.field})` : ''}`;
  } else {
    text = err instanceof Error ? err.message : String(err);
  }
  return { content: [{ type: 'text', text }], isError: true };
}

const guard =
  <A>(fn: (args: A) => Promise<CallToolResult>) =>
  async (args: A): Promise<CallToolResult> => {
    try {
      return await fn(args);
    } catch (err) {
      return toolError(err);
    }
  };

const bytesHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export function registerAgentTools(server: McpServer, ctx: ToolContext): void {
  const { session } = ctx;

  server.registerTool(
    'request_credential',
    {
      description: 'Ask Signet for a short-lived credential for ONE intent (an action on a resource), bound to this agent\'s key. Present it to the service that performs the action.',
      inputSchema: {
        action: z.string().min(1).describe('e.g. "repo:read" or "tools/call"'),
        resource: z.string().min(1).describe('e.g. "github.com/acme/app"'),
        constraints,
        ttl_seconds: z.number().int().min(0).max(86_400).optional().describe('lifetime; 0 or absent for the default (60 s), capped by policy'),
        audience: z.string().min(1).optional().describe(`who the credential is for (default "${ctx.defaultAudience}")`),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guard(async (a) => {
      const intent = { action: a.action, resource: a.resource, ...(a.constraints && Object.keys(a.constraints).length ? { constraints: a.constraints } : {}) };
      const issued = await session.issue(intent, a.audience ?? ctx.defaultAudience, a.ttl_seconds ?? 0);
      return ok({
        credential: issued.token,
        jti: issued.jti,
        expires_at: new Date(issued.expires_at * 1000).toISOString(),
        intent_fp: issued.intent_fp,
        bound_to_agent_key: issued.pop_verified,
        single_use: issued.single_use,
        rule: issued.rule,
        ledger_index: issued.ledger_index,
      });
    }),
  );

  server.registerTool(
    'verify_credential',
    {
      description: 'Ask Signet whether a credential is valid for an intent and audience (signature, time, intent, revocation). For a credential bound to this agent\'s key, the agent\'s presentation proof is sent along.',
      inputSchema: {
        credential: z.string().min(1),
        action: z.string().min(1),
        resource: z.string().min(1),
        constraints,
        audience: z.string().min(1).optional(),
        consume: z.boolean().optional().describe('spend it (single use): of racing consumers exactly one succeeds'),
      },
      annotations: { readOnlyHint: false, openWorldHint: false },
    },
    guard(async (a) => {
      const audience = a.audience ?? ctx.defaultAudience;
      const res = await session.client.credentials.verifyCredential({
        token: a.credential,
        intent: { action: a.action, resource: a.resource, constraints_json: a.constraints && Object.keys(a.constraints).length ? JSON.stringify(a.constraints) : '' },
        audience,
        consume: a.consume === true,
        presentation: session.key.presentationProof(a.credential, audience),
      });
      return ok({ valid: res.valid, reason: res.reason, detail: res.detail, agent_id: res.agent_id, jti: res.jti, consumed: res.consumed, ...(res.expires_at ? { expires_at: new Date(res.expires_at * 1000).toISOString() } : {}) });
    }),
  );

  server.registerTool(
    'record_receipt',
    {
      description: 'Record what this agent did in Signet\'s tamper-evident ledger: the action, the resource, SHA-256 of the request and the response (never the bodies), the credential used. Returns a receipt that verifies offline.',
      inputSchema: {
        action: z.string().min(1),
        resource: z.string().min(1),
        request_sha256: SHA256_HEX,
        response_sha256: SHA256_HEX,
        credential: z.string().optional().describe('the credential (token) used; its jti is recorded, never the token'),
        jti: z.string().optional().describe('or the credential id directly'),
        outcome: z.string().min(1).max(64).optional().describe('success (default), failure, error …'),
        metadata: z.record(z.string(), z.unknown()).optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    guard(async (a) => {
      let jti = a.jti;
      if (a.credential) {
        const claims = decodeJws(a.credential)?.payload;
        if (typeof claims?.jti !== 'string') throw new Error('credential: not a Signet credential (no jti)');
        if (jti && jti !== claims.jti) throw new Error('credential and jti name two different credentials');
        jti = claims.jti;
      }
      const { receipt, verdict } = await session.record({ action: a.action, resource: a.resource, requestSha256: a.request_sha256, responseSha256: a.response_sha256, outcome: a.outcome ?? 'success', ...(jti ? { jti } : {}), ...(a.metadata ? { metadata: a.metadata } : {}) });
      if (!verdict.valid) throw new Error(`Signet answered a receipt that does not verify with the pinned ledger key: ${verdict.check}: ${verdict.reason}`);
      const bundle = JSON.parse(receiptToJson({ entry: receipt.entry, index: receipt.index, leafHash: receipt.leaf_hash, inclusionProof: receipt.inclusion_proof, checkpoint: receipt.checkpoint, treeSize: receipt.tree_size }));
      return ok({ index: receipt.index, tree_size: receipt.tree_size, verified_offline: true, receipt: bundle });
    }),
  );

  server.registerTool(
    'verify_chain',
    {
      description: 'Ask Signet to recompute the ledger (or a range) — hashes, chain links, roots, checkpoint signatures — and check its latest checkpoint against the pinned ledger key.',
      inputSchema: {
        start: z.number().int().min(0).optional(),
        end: z.number().int().min(0).optional().describe('one past the last index; absent for the whole ledger'),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async (a) => {
      const report = await session.client.ledger.verifyChain({ start: a.start ?? 0, ...(a.end !== undefined ? { end: a.end } : {}) }, { deadlineMs: 120_000 });
      const checkpoint = await session.client.ledger.getCheckpoint({});
      const signed = verifyCheckpointNote(checkpoint.note, await session.ledgerKey());
      return ok({
        valid: report.valid && signed.valid,
        server_report: { valid: report.valid, start: report.start, end: report.end, entries_checked: report.entries_checked, checkpoints_checked: report.checkpoints_checked, ...(report.first_bad_index !== undefined ? { first_bad_index: report.first_bad_index } : {}), reason: report.reason },
        latest_checkpoint: { size: checkpoint.size, root_hex: bytesHex(checkpoint.root), signature_verified_with_pinned_key: signed.valid, ...(signed.valid ? {} : { why: signed.reason }) },
      });
    }),
  );

  server.registerTool(
    'get_public_key',
    {
      description: 'Public keys: a named Signet key (SPKI PEM and JWK), or without a name every key Signet serves, plus this agent\'s own public key and the credential JWKS.',
      inputSchema: { key: z.string().min(1).optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async (a) => {
      const shape = (k: { name: string; key_id: string; algorithm: string; spki_pem: string; jwk_json: string; purpose: string; hardware_backed: boolean }) => ({
        name: k.name, key_id: k.key_id, algorithm: k.algorithm, purpose: k.purpose, hardware_backed: k.hardware_backed, spki_pem: k.spki_pem, jwk: JSON.parse(k.jwk_json || '{}'),
      });
      if (a.key) {
        const { public_key } = await session.client.signing.getPublicKey({ key: a.key });
        return ok({ key: shape(public_key!) });
      }
      const [{ keys }, jwks] = await Promise.all([session.client.signing.listKeys({}), session.client.credentials.getJwks({})]);
      return ok({ keys: keys.map(shape), credential_jwks: JSON.parse(jwks.jwks_json), agent: { id: session.key.did, jwk: session.key.publicJwk, thumbprint: session.key.thumbprint } });
    }),
  );

  server.registerTool(
    'whoami',
    {
      description: 'This agent\'s identity: its did:key, key thumbprint (cnf.jkt), where its key lives, and how Signet knows it (name, owner, groups, revoked).',
      inputSchema: {},
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    guard(async () => {
      await session.ensureRegistered();
      const agent = await session.client.credentials.getAgent({ agent_id: session.key.did });
      return ok({
        agent_id: session.key.did,
        key_thumbprint: session.key.thumbprint,
        public_jwk: session.key.publicJwk,
        key_source: ctx.keySource,
        server: ctx.address,
        registered: { name: agent.name, owner: agent.owner, groups: agent.groups, labels: agent.labels, revoked: agent.revoked, ...(agent.revoked ? { revoked_reason: agent.revoked_reason } : {}) },
        ledger_key_sha256: createHash('sha256').update(await session.ledgerKey()).digest('hex'),
      });
    }),
  );
}
