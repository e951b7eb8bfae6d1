// Agents on PostgreSQL, shared by every replica: the same rows and answers as SqliteAgentStore,
// so a registration or revocation on one replica is what every other replica reads next.
import type pg from 'pg';
import { SignetError } from '../lib/errors.js';
import { connect, unavailable } from '../lib/pg.js';
import type { PublicJwk } from '../signers/contract.js';
import { agentFromRow, type Agent, type AgentPageQuery, type AgentRow, type AgentStore } from './agent-store.js';

export class PgAgentStore implements AgentStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async insert(agent: Agent): Promise<void> {
    const client = await connect(this.#pool, 'agent store');
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO agents (id, name, owner, jwk, thumbprint, groups_json, labels, metadata, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [agent.id, agent.name, agent.owner, JSON.stringify(agent.publicKeyJwk), agent.thumbprint, JSON.stringify(agent.groups), JSON.stringify(agent.labels), JSON.stringify(agent.metadata), agent.createdAt],
      );
      if (agent.groups.length) await client.query('INSERT INTO agent_groups (agent_id, grp) SELECT $1, unnest($2::text[])', [agent.id, agent.groups]);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => {});
      if ((err as { code?: string }).code === '23505' && (err as { constraint?: string }).constraint === 'agents_pkey') {
        throw new SignetError('ALREADY_EXISTS', `agent ${agent.id} is already registered`, { cause: err });
      }
      throw unavailable('agent store: the agent was not registered', err);
    } finally {
      client.release();
    }
  }

  async get(id: string): Promise<Agent | undefined> {
    const row = (await this.#query<AgentRow>('SELECT * FROM agents WHERE id = $1', [id])).rows[0];
    return row && agentFromRow(row);
  }

  async list(query: AgentPageQuery): Promise<Agent[]> {
    const where: string[] = [];
    const args: unknown[] = [];
    const arg = (v: unknown) => (args.push(v), `$${args.length}`);
    if (query.after) where.push(`a.id > ${arg(query.after)}`);
    if (query.owner) where.push(`a.owner = ${arg(query.owner)}`);
    if (query.group) where.push(`a.id IN (SELECT agent_id FROM agent_groups WHERE grp = ${arg(query.group)})`);
    const sql = `SELECT a.* FROM agents a ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY a.id LIMIT ${arg(query.pageSize)}`;
    return (await this.#query<AgentRow>(sql, args)).rows.map(agentFromRow);
  }

  async revoke(id: string, at: number, reason: string): Promise<boolean> {
    return (await this.#query('UPDATE agents SET revoked_at = $1, revoked_reason = $2 WHERE id = $3 AND revoked_at IS NULL', [at, reason, id])).rowCount === 1;
  }

  async revokeGroup(group: string, at: number, reason: string): Promise<string[]> {
    const { rows } = await this.#query<{ id: string }>(
      `UPDATE agents SET revoked_at = $1, revoked_reason = $2
       WHERE revoked_at IS NULL AND id IN (SELECT agent_id FROM agent_groups WHERE grp = $3) RETURNING id`,
      [at, reason, group],
    );
    return rows.map((r) => r.id).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  async #query<R extends pg.QueryResultRow>(sql: string, args: unknown[]): Promise<pg.QueryResult<R>> {
    try {
      return await this.#pool.query<R>(sql, args);
    } catch (err) {
      throw unavailable('agent store', err);
    }
  }
}
