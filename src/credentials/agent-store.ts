// Durable storage of agents behind an interface (SQLite here; PostgreSQL can implement it later).
// Groups live in their own table so a whole group is revoked in one statement.
import { SignetError } from '../lib/errors.js';
import type { PublicJwk } from '../signers/contract.js';
import type { SqliteDatabase } from './sqlite.js';

export interface Agent {
  /** did:key of the agent's Ed25519 public key. */
  id: string;
  name: string;
  owner: string;
  publicKeyJwk: PublicJwk;
  /** RFC 7638 thumbprint of the public key (the `cnf.jkt` of its credentials). */
  thumbprint: string;
  groups: string[];
  labels: Record<string, string>;
  metadata: Record<string, string>;
  /** ms since epoch. */
  createdAt: number;
  revokedAt?: number;
  revokedReason?: string;
}

export interface AgentPageQuery {
  pageSize: number;
  /** Id of the last agent of the previous page. */
  after?: string;
  group?: string;
  owner?: string;
}

export interface AgentStore {
  /** Throws ALREADY_EXISTS when an agent with this key is registered. */
  insert(agent: Agent): Promise<void>;
  get(id: string): Promise<Agent | undefined>;
  /** Agents ordered by id. */
  list(query: AgentPageQuery): Promise<Agent[]>;
  /** False when the agent was already revoked. */
  revoke(id: string, at: number, reason: string): Promise<boolean>;
  /** Revokes every live agent of the group; returns their ids. */
  revokeGroup(group: string, at: number, reason: string): Promise<string[]>;
}

/** A row of the agents table, as SQLite and PostgreSQL both return it. */
export interface AgentRow {
  id: string;
  name: string;
  owner: string;
  jwk: string;
  thumbprint: string;
  groups_json: string;
  labels: string;
  metadata: string;
  created_at: number;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export class SqliteAgentStore implements AgentStore {
  readonly #db: SqliteDatabase;
  readonly #insert;
  readonly #insertGroup;
  readonly #get;
  readonly #revoke;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    db.exec(`
      CREATE TABLE IF NOT EXISTS agents (
        id TEXT PRIMARY KEY, name TEXT NOT NULL, owner TEXT NOT NULL, jwk TEXT NOT NULL,
        thumbprint TEXT NOT NULL, groups_json TEXT NOT NULL, labels TEXT NOT NULL, metadata TEXT NOT NULL,
        created_at INTEGER NOT NULL, revoked_at INTEGER, revoked_reason TEXT);
      CREATE TABLE IF NOT EXISTS agent_groups (
        agent_id TEXT NOT NULL REFERENCES agents(id), grp TEXT NOT NULL, PRIMARY KEY (grp, agent_id));`);
    this.#insert = db.prepare(
      `INSERT INTO agents (id, name, owner, jwk, thumbprint, groups_json, labels, metadata, created_at)
       VALUES (@id, @name, @owner, @jwk, @thumbprint, @groups_json, @labels, @metadata, @created_at)`,
    );
    this.#insertGroup = db.prepare('INSERT INTO agent_groups (agent_id, grp) VALUES (?, ?)');
    this.#get = db.prepare<[string], AgentRow>('SELECT * FROM agents WHERE id = ?');
    this.#revoke = db.prepare('UPDATE agents SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND revoked_at IS NULL');
  }

  async insert(agent: Agent): Promise<void> {
    const write = this.#db.transaction(() => {
      this.#insert.run({
        id: agent.id,
        name: agent.name,
        owner: agent.owner,
        jwk: JSON.stringify(agent.publicKeyJwk),
        thumbprint: agent.thumbprint,
        groups_json: JSON.stringify(agent.groups),
        labels: JSON.stringify(agent.labels),
        metadata: JSON.stringify(agent.metadata),
        created_at: agent.createdAt,
      });
      for (const g of agent.groups) this.#insertGroup.run(agent.id, g);
    });
    try {
      write();
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') {
        throw new SignetError('ALREADY_EXISTS', `agent ${agent.id} is already registered`, { cause: err });
      }
      throw err;
    }
  }

  async get(id: string): Promise<Agent | undefined> {
    const row = this.#get.get(id);
    return row && agentFromRow(row);
  }

  async list(query: AgentPageQuery): Promise<Agent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    if (query.after) (where.push('a.id > ?'), args.push(query.after));
    if (query.owner) (where.push('a.owner = ?'), args.push(query.owner));
    if (query.group) (where.push('a.id IN (SELECT agent_id FROM agent_groups WHERE grp = ?)'), args.push(query.group));
    const sql = `SELECT a.* FROM agents a ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY a.id LIMIT ?`;
    return (this.#db.prepare(sql).all(...args, query.pageSize) as AgentRow[]).map(agentFromRow);
  }

  async revoke(id: string, at: number, reason: string): Promise<boolean> {
    return this.#revoke.run(at, reason, id).changes === 1;
  }

  async revokeGroup(group: string, at: number, reason: string): Promise<string[]> {
    const run = this.#db.transaction(() => {
      const ids = this.#db
        .prepare<[string], { id: string }>(
          `SELECT a.id FROM agents a JOIN agent_groups g ON g.agent_id = a.id WHERE g.grp = ? AND a.revoked_at IS NULL ORDER BY a.id`,
        )
        .all(group)
        .map((r) => r.id);
      for (const id of ids) this.#revoke.run(at, reason, id);
      return ids;
    });
    return run();
  }
}

export function agentFromRow(row: AgentRow): Agent {
  const agent: Agent = {
    id: row.id,
    name: row.name,
    owner: row.owner,
    publicKeyJwk: JSON.parse(row.jwk) as PublicJwk,
    thumbprint: row.thumbprint,
    groups: JSON.parse(row.groups_json) as string[],
    labels: JSON.parse(row.labels) as Record<string, string>,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    createdAt: row.created_at,
  };
  if (row.revoked_at !== null) {
    agent.revokedAt = row.revoked_at;
    agent.revokedReason = row.revoked_reason ?? '';
  }
  return agent;
}
