// Agents: registration under the did:key of their Ed25519 key, lookup, paging and revocation
// (of one agent or a whole group), each written to the ledger.
import { decodeBase64url } from '../lib/base64url.js';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import { INTERNAL_IDEMPOTENCY_PREFIX, type LedgerAppender } from '../ledger/contract.js';
import { parseAgentJwk } from './agent-key.js';
import type { Agent, AgentStore } from './agent-store.js';
import { registrationRecord, revocationKey, revocationRecord } from './ledger-records.js';
import { revocationReason } from './revocation-reason.js';

export interface RegisterAgentInput {
  name: string;
  /** The agent's Ed25519 public key as a JWK (object or JSON text). */
  publicKeyJwk: unknown;
  owner: string;
  groups?: string[];
  labels?: Record<string, string>;
  metadata?: Record<string, string>;
}

export interface AgentPage {
  agents: Agent[];
  /** Empty when this was the last page. */
  nextPageToken: string;
}

const NAME = /^[A-Za-z0-9_.:@/-]{1,64}$/;
/** Concurrent appends when a group's revocations are recorded (the sequencer batches them). */
const APPEND_CHUNK = 256;

export class AgentRegistry {
  readonly #store: AgentStore;
  readonly #ledger: LedgerAppender;
  readonly #now: () => number;

  constructor(store: AgentStore, ledger: LedgerAppender, now: () => number = Date.now) {
    this.#store = store;
    this.#ledger = ledger;
    this.#now = now;
  }

  async register(input: RegisterAgentInput): Promise<Agent> {
    const key = parseAgentJwk(input.publicKeyJwk);
    const agent: Agent = {
      id: key.did,
      name: text(input.name, 'name', 128),
      owner: text(input.owner, 'owner', 256),
      publicKeyJwk: key.jwk,
      thumbprint: key.thumbprint,
      groups: groups(input.groups ?? []),
      labels: stringMap(input.labels ?? {}, 'labels'),
      metadata: stringMap(input.metadata ?? {}, 'metadata'),
      createdAt: this.#now(),
    };
    if (await this.#store.get(agent.id)) throw new SignetError('ALREADY_EXISTS', `agent ${agent.id} is already registered`);
    // The idempotency key makes a racing second registration of the same key write nothing twice.
    await this.#ledger.append(registrationRecord(agent), { idempotencyKey: `${INTERNAL_IDEMPOTENCY_PREFIX}agent_registration:${agent.id}` });
    await this.#store.insert(agent);
    return agent;
  }

  async get(id: string): Promise<Agent> {
    const agent = await this.#store.get(text(id, 'agent_id', 256));
    if (!agent) throw new SignetError('NOT_FOUND', `agent ${quoted(id)} is not registered`);
    return agent;
  }

  async list(query: { pageSize?: number; pageToken?: string; group?: string; owner?: string }): Promise<AgentPage> {
    const pageSize = Math.min(Math.max(query.pageSize || 100, 1), 1000);
    let after: string | undefined;
    if (query.pageToken) {
      after = decodeBase64url(query.pageToken)?.toString('utf8');
      if (after === undefined || !after.startsWith('did:key:')) throw invalidArgument('page_token', 'is not a token this server gave out');
    }
    const agents = await this.#store.list({ pageSize: pageSize + 1, after, group: query.group || undefined, owner: query.owner || undefined });
    const more = agents.length > pageSize;
    const page = agents.slice(0, pageSize);
    return { agents: page, nextPageToken: more ? Buffer.from(page.at(-1)!.id).toString('base64url') : '' };
  }

  /** Revokes an agent: from this moment every credential it holds fails verification. */
  async revoke(id: string, reason: string): Promise<Agent> {
    const why = revocationReason(reason, 'revoked');
    const agent = await this.get(id);
    await this.#store.revoke(agent.id, this.#now(), why);
    const now = await this.get(id);
    // Recorded even when it was already revoked (a retry after a failed append), once per agent.
    await this.#recordAgentRevocation(now);
    return now;
  }

  /** Revokes every live agent of a group at once; returns the ids revoked now. */
  async revokeGroup(group: string, reason: string): Promise<string[]> {
    const g = text(group, 'group', 64);
    const why = revocationReason(reason, 'group revoked');
    const ids = await this.#store.revokeGroup(g, this.#now(), `group ${g}: ${why}`);
    await this.#ledger.append(revocationRecord({ target: 'group', id: g, reason: why }));
    // Every revoked member is recorded — not only those revoked now, so a retry after a failed
    // append records the rest — one append each under its own key, in bounded chunks.
    let after: string | undefined;
    for (;;) {
      const page = await this.#store.list({ pageSize: 1000, after, group: g });
      const revoked = page.filter((a) => a.revokedAt !== undefined);
      for (let i = 0; i < revoked.length; i += APPEND_CHUNK) {
        await Promise.all(revoked.slice(i, i + APPEND_CHUNK).map((a) => this.#recordAgentRevocation(a)));
      }
      if (page.length < 1000) break;
      after = page.at(-1)!.id;
    }
    return ids;
  }

  async #recordAgentRevocation(agent: Agent): Promise<void> {
    if (agent.revokedAt === undefined) return;
    const record = revocationRecord({ target: 'agent', id: agent.id, reason: agent.revokedReason || 'revoked' });
    await this.#ledger.append(record, { idempotencyKey: revocationKey('agent', agent.id) });
  }
}

function text(value: unknown, field: string, max: number): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidArgument(field, 'required');
  if (value.length > max) throw invalidArgument(field, `at most ${max} characters`);
  return value;
}

function groups(list: unknown): string[] {
  if (!Array.isArray(list)) throw invalidArgument('groups', 'must be a list');
  if (list.length > 32) throw invalidArgument('groups', 'at most 32');
  for (const g of list) if (typeof g !== 'string' || !NAME.test(g)) throw invalidArgument('groups', `${quoted(g)} is not 1–64 of A-Z a-z 0-9 _ . : @ / -`);
  return [...new Set(list as string[])].sort();
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalidArgument(field, 'must be a map of strings');
  const entries = Object.entries(value as object);
  if (entries.length > 32) throw invalidArgument(field, 'at most 32 entries');
  for (const [k, v] of entries) {
    if (!NAME.test(k)) throw invalidArgument(`${field}.${k}`, 'keys are 1–64 of A-Z a-z 0-9 _ . : @ / -');
    if (typeof v !== 'string' || v.length > 256) throw invalidArgument(`${field}.${k}`, 'values are strings of at most 256 characters');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}
