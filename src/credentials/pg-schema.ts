// The credential state's tables on PostgreSQL, as numbered migrations (a released version never
// changes). The same facts the SQLite tables hold, shared by every replica.
import type { Migration } from '../lib/pg.js';

export const CREDENTIAL_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'agents, single use, consumed, revoked, ring keys, nonces',
    sql: `
      CREATE TABLE agents (
        id text COLLATE "C" PRIMARY KEY, name text NOT NULL, owner text COLLATE "C" NOT NULL, jwk text NOT NULL,
        thumbprint text NOT NULL, groups_json text NOT NULL, labels text NOT NULL, metadata text NOT NULL,
        created_at bigint NOT NULL, revoked_at bigint, revoked_reason text);
      CREATE TABLE agent_groups (
        agent_id text COLLATE "C" NOT NULL REFERENCES agents(id), grp text COLLATE "C" NOT NULL, PRIMARY KEY (grp, agent_id));
      CREATE TABLE single_use (jti text PRIMARY KEY, exp bigint NOT NULL);
      CREATE TABLE consumed (jti text PRIMARY KEY, at bigint NOT NULL, exp bigint NOT NULL);
      CREATE TABLE revoked_credentials (jti text PRIMARY KEY, at bigint NOT NULL, reason text NOT NULL, exp bigint);
      CREATE TABLE ring_keys (kid text PRIMARY KEY, algorithm text NOT NULL, jwk text NOT NULL, retired_at bigint);
      CREATE TABLE nonces (key text PRIMARY KEY, expires_at bigint NOT NULL);
      CREATE INDEX nonces_expiry ON nonces (expires_at);`,
  },
  {
    version: 2,
    name: 'issuing-key certificates',
    sql: `
      CREATE TABLE issuing_keys (
        kid text COLLATE "C" PRIMARY KEY, cert text NOT NULL, nbf bigint NOT NULL, exp bigint NOT NULL,
        revoked_at bigint, revoked_reason text);`,
  },
];
