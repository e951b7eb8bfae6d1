// What `signet mcp-gate` does with each tools/call: form the intent, ask Signet to Authorize and
// Issue for the gate's agent, check the credential against the JWKS, forward only then, and record
// a receipt of the call (request and response hashes, credential id, outcome) in the ledger.
import { createHash } from 'node:crypto';
import { isSignetClientError } from '../client/errors.js';
import { verifyCredentialOffline } from '../client/verify-credential.js';
import type { Intent } from '../credentials/intent.js';
import { isSignetError } from '../lib/errors.js';
import { canonicalize } from '../lib/jcs.js';
import { receiptToJson } from '../ledger/receipt-json.js';
import type { AgentSession } from './agent-session.js';
import { intentOfCall, fillTemplate, type GateTarget } from './gate-intent.js';
import type { GateHooks, RpcRequest, RpcResponse } from './gate-proxy.js';

export interface GateOptions {
  session: AgentSession;
  target: GateTarget;
  audience: string;
  ttlSeconds: number;
  /** The credential issuer to expect; absent: the one the first verified credential names. */
  issuer?: string;
  hideDenied: boolean;
  log: (line: string) => void;
}

/** _meta key under which the gate returns the receipt of a forwarded call. */
export const RECEIPT_META = 'signet/receipt';

const wireIntent = (i: Intent) => ({ action: i.action, resource: i.resource, constraints_json: i.constraints ? JSON.stringify(i.constraints) : '' });

function sha256Of(value: unknown): string {
  let text: string;
  try {
    text = canonicalize(value);
  } catch {
    text = JSON.stringify(value) ?? 'null';
  }
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The tool's own _meta, without the gate's keys ("signet/…"): only the gate speaks under them. */
function toolMeta(result: Record<string, unknown>): Record<string, unknown> {
  const meta = result._meta;
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return {};
  return Object.fromEntries(Object.entries(meta).filter(([k]) => !k.startsWith('signet/')));
}

function reasonOf(err: unknown): string {
  if (isSignetClientError(err)) return `${err.code}: ${err.message.replace(/^\S+: /, '')}${err.field ? ` (field ${err.field})` : ''}`;
  if (isSignetError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

export class ToolCallGate implements GateHooks {
  readonly #o: GateOptions;
  #jwks: string | undefined;
  #issuer: string | undefined;
  readonly #listDecisions = new Map<string, { allowed: boolean; at: number }>();

  constructor(options: GateOptions) {
    this.#o = options;
    this.#issuer = options.issuer;
  }

  async onToolCall(request: RpcRequest, forward: () => Promise<RpcResponse>): Promise<RpcResponse> {
    const { session, audience } = this.#o;
    const refuse = (text: string, meta: Record<string, unknown> = {}): RpcResponse => ({
      jsonrpc: '2.0',
      id: request.id,
      result: { content: [{ type: 'text', text }], isError: true, _meta: { 'signet/refused': meta } },
    });
    const params = request.params ?? {};
    let call;
    try {
      call = intentOfCall(this.#o.target, params.name, params.arguments);
    } catch (err) {
      return refuse(`signet mcp-gate refused the call before asking Signet: ${reasonOf(err)}`);
    }
    const { intent } = call;
    const what = `${intent.action} on ${intent.resource}`;
    let jti: string;
    try {
      await session.ensureRegistered();
      const decision = await session.client.credentials.authorize({ agent_id: session.key.did, intent: wireIntent(intent), audience });
      if (decision.decision !== 'ALLOW') {
        this.#o.log(`denied ${what}: ${decision.reason}`);
        return refuse(`Signet denied ${what}: ${decision.reason}${decision.rule ? ` (rule ${decision.rule})` : ''}. The denial is recorded in Signet's ledger.`, {
          decision: decision.decision,
          rule: decision.rule,
          reason: decision.reason,
          resource: intent.resource,
        });
      }
      const issued = await session.issue(intent, audience, this.#o.ttlSeconds);
      const checked = await this.#verify(issued.token, intent);
      if (!checked.valid) return refuse(`signet mcp-gate: the credential Signet issued does not verify (${checked.check}: ${checked.reason}); the call was not forwarded`);
      jti = issued.jti;
    } catch (err) {
      this.#o.log(`refused ${what}: ${reasonOf(err)}`);
      return refuse(`Signet refused ${what}: ${reasonOf(err)}`);
    }
    const response = await forward();
    const outcome = response.error ? 'error' : response.result?.isError === true ? 'tool_error' : 'success';
    try {
      const { receipt, verdict } = await session.record({
        action: intent.action,
        resource: intent.resource,
        requestSha256: call.requestSha256,
        responseSha256: sha256Of(response.error ? { error: response.error } : response.result),
        jti,
        outcome,
        metadata: { via: 'mcp-gate', server: this.#o.target.server, args_sha256: call.argsSha256 },
      });
      if (!verdict.valid) this.#o.log(`receipt ${receipt.index} does not verify with the pinned ledger key: ${verdict.check}: ${verdict.reason}`);
      if (response.result) {
        const bundle = JSON.parse(receiptToJson({ entry: receipt.entry, index: receipt.index, leafHash: receipt.leaf_hash, inclusionProof: receipt.inclusion_proof, checkpoint: receipt.checkpoint, treeSize: receipt.tree_size }));
        response.result = { ...response.result, _meta: { ...toolMeta(response.result), [RECEIPT_META]: bundle } };
      }
    } catch (err) {
      // The call happened; its answer goes back. That it went unrecorded is said loudly.
      this.#o.log(`the receipt of ${what} could not be recorded: ${reasonOf(err)}`);
      if (response.result) response.result = { ...response.result, _meta: { ...toolMeta(response.result), 'signet/receipt_error': reasonOf(err) } };
    }
    return response;
  }

  /** Checks Signet's credential with Signet's published key, for exactly the call about to be made. */
  async #verify(token: string, intent: Intent) {
    const { session, audience } = this.#o;
    for (let attempt = 0; attempt < 2; attempt++) {
      if (!this.#jwks || attempt > 0) this.#jwks = (await session.client.credentials.getJwks({})).jwks_json;
      const issuer = this.#issuer ?? (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8') || '{}') as { iss?: string }).iss ?? '';
      const verdict = verifyCredentialOffline(token, {
        jwks: this.#jwks,
        issuer,
        audience,
        intent,
        presentation: { proof: session.key.presentationProof(token, audience), holderJwk: session.key.publicJwk },
      });
      if (verdict.valid) {
        this.#issuer ??= issuer;
        return verdict;
      }
      if (verdict.check !== 'unknown_kid') return verdict;
    }
    return { valid: false as const, check: 'unknown_kid' as const, reason: 'the issuing key is not in the JWKS' };
  }

  /** Hides tools whose resource does not depend on arguments and which the policy denies. */
  onToolList = async (result: Record<string, unknown>): Promise<Record<string, unknown>> => {
    if (!this.#o.hideDenied || !Array.isArray(result.tools)) return result;
    const { session, audience, target } = this.#o;
    await session.ensureRegistered();
    const kept = [];
    for (const tool of result.tools as { name: string }[]) {
      const template = target.templates.get(tool.name) ?? target.templates.get('*');
      if (template && template.parts.some((p) => 'field' in p)) {
        kept.push(tool);
        continue;
      }
      const cached = this.#listDecisions.get(tool.name);
      let allowed = cached && Date.now() - cached.at < 60_000 ? cached.allowed : undefined;
      if (allowed === undefined) {
        const resource = template ? fillTemplate(template, {}) : `mcp://${target.server}/${tool.name}`;
        // Asked without argument constraints: the policy decides on action and resource.
        const decision = await session.client.credentials.authorize({ agent_id: session.key.did, intent: { action: tool.name, resource }, audience });
        allowed = decision.decision === 'ALLOW';
        this.#listDecisions.set(tool.name, { allowed, at: Date.now() });
      }
      if (allowed) kept.push(tool);
    }
    return { ...result, tools: kept };
  };
}
