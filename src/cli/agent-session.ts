// An agent's session with one Signet server: registered once, its ledger key pinned on first use,
// credentials asked with a signed request (so they carry cnf), receipts recorded and checked offline.
import { randomUUID } from 'node:crypto';
import type { AgentKey } from '../client/agent.js';
import type { SignetClient } from '../client/client.js';
import { isSignetClientError } from '../client/errors.js';
import { verifyReceiptBundle, type ReceiptVerdict } from '../client/verify-receipt.js';
import type { Intent } from '../credentials/intent.js';
import type { IssueResponse__Output } from '../gen/signet/v1/IssueResponse.js';
import type { Receipt__Output } from '../gen/signet/v1/Receipt.js';
import { readState, writeState } from './agent-state.js';

export interface AgentSessionOptions {
  client: SignetClient;
  address: string;
  key: AgentKey;
  statePath: string;
  /** Registration details, used once. */
  name: string;
  owner: string;
  groups: string[];
  /** A ledger key given by the operator (PEM or vkey); otherwise pinned on first use. */
  ledgerKey?: string;
}

export interface ReceiptInput {
  action: string;
  resource: string;
  requestSha256: string;
  responseSha256: string;
  jti?: string;
  outcome: string;
  metadata?: Record<string, unknown>;
}

export class AgentSession {
  readonly #o: AgentSessionOptions;
  #registered: Promise<void> | undefined;

  constructor(options: AgentSessionOptions) {
    this.#o = options;
  }

  get key(): AgentKey {
    return this.#o.key;
  }

  get client(): SignetClient {
    return this.#o.client;
  }

  /** Registers the agent key with the server unless it already knows it. Once per process. */
  ensureRegistered(): Promise<void> {
    this.#registered ??= this.#register().catch((err) => {
      this.#registered = undefined;
      throw err;
    });
    return this.#registered;
  }

  async #register(): Promise<void> {
    const { client, key, address, statePath } = this.#o;
    const state = readState(statePath);
    if (state.registered[address] === key.did) return;
    try {
      await client.credentials.registerAgent({ name: this.#o.name, owner: this.#o.owner, groups: this.#o.groups, public_key_jwk: JSON.stringify(key.publicJwk) });
    } catch (err) {
      if (!isSignetClientError(err, 'ALREADY_EXISTS')) throw err;
    }
    const latest = readState(statePath);
    latest.registered[address] = key.did;
    writeState(statePath, latest);
  }

  /** A credential for one intent, asked with the agent's signed request: it comes back bound to the key. */
  async issue(intent: Intent, audience: string, ttlSeconds = 0): Promise<IssueResponse__Output> {
    await this.ensureRegistered();
    return this.#o.client.credentials.issue({
      agent_id: this.#o.key.did,
      intent: { action: intent.action, resource: intent.resource, constraints_json: intent.constraints ? JSON.stringify(intent.constraints) : '' },
      audience,
      ttl_seconds: ttlSeconds,
      pop: this.#o.key.issueProof(intent, audience, { ttlSeconds }),
    });
  }

  /** Appends a receipt under a fresh idempotency key (so the client may retry it safely). */
  async record(r: ReceiptInput): Promise<{ receipt: Receipt__Output; verdict: ReceiptVerdict }> {
    const receipt = await this.#o.client.ledger.appendReceipt({
      receipt: {
        agent: this.#o.key.did,
        action: r.action,
        resource: r.resource,
        request_sha256: r.requestSha256,
        response_sha256: r.responseSha256,
        jti: r.jti ?? '',
        outcome: r.outcome,
        metadata_json: r.metadata ? JSON.stringify(r.metadata) : '',
      },
      idempotency_key: `agent:${randomUUID()}`,
    });
    // Valid is not enough: the receipt must be of this record, not of another agent's or call's.
    const record = {
      type: 'receipt',
      agent: this.#o.key.did,
      action: r.action,
      resource: r.resource,
      request_sha256: r.requestSha256,
      response_sha256: r.responseSha256,
      outcome: r.outcome,
      jti: r.jti || undefined,
      metadata: r.metadata,
    };
    return { receipt, verdict: verifyReceiptBundle(receipt, { keys: await this.ledgerKey() }, { record }) };
  }

  /**
   * The ledger key receipts are checked with: the operator's, or the one the server named the
   * first time (trust on first use), kept in the state file so a later swap is noticed.
   */
  async ledgerKey(): Promise<string> {
    if (this.#o.ledgerKey) return this.#o.ledgerKey;
    const { address, statePath, client } = this.#o;
    const pinned = readState(statePath).ledgerKeys[address];
    if (pinned) return pinned;
    const { keys } = await client.signing.listKeys({});
    const ledger = keys.find((k) => k.purpose.includes('ledger'));
    if (!ledger) throw new Error('the server names no ledger key; give --ledger-key');
    const state = readState(statePath);
    state.ledgerKeys[address] = ledger.spki_pem;
    writeState(statePath, state);
    return ledger.spki_pem;
  }
}
