// Where the credential state lives: one SQLite file for a single process, or PostgreSQL shared by
// every replica (agents, single use, revocations, ring keys, issuing-key certificates and nonces).
import type pg from 'pg';
import { migrate, openPool, type PgOptions } from '../lib/pg.js';
import { SqliteAgentStore, type AgentStore } from './agent-store.js';
import { SqliteCredentialStore, type CredentialStore } from './credential-store.js';
import { SqliteIssuingKeyStore, type IssuingKeyStore } from './issuing-key-store.js';
import type { NonceStore } from './nonce-store.js';
import { PgAgentStore } from './pg-agent-store.js';
import { PgCredentialStore } from './pg-credential-store.js';
import { PgIssuingKeyStore } from './pg-issuing-key-store.js';
import { PgNonceStore } from './pg-nonce-store.js';
import { PgRingKeyStore } from './pg-ring-store.js';
import { CREDENTIAL_MIGRATIONS } from './pg-schema.js';
import { SqliteRingKeyStore, type RingKeyStore } from './ring-store.js';
import { openCredentialsDb } from './sqlite.js';

export interface CredentialStateStores {
  agents: AgentStore;
  credentials: CredentialStore;
  ring: RingKeyStore;
  /** Certificates of the short-lived issuing keys (certified mode), every replica's. */
  issuing: IssuingKeyStore;
  /** A shared nonce store when the state is shared; undefined means per-process memory is right. */
  nonces: NonceStore | undefined;
  close(): Promise<void>;
}

export function openSqliteState(path: string): CredentialStateStores {
  const db = openCredentialsDb(path);
  return {
    agents: new SqliteAgentStore(db),
    credentials: new SqliteCredentialStore(db),
    ring: new SqliteRingKeyStore(db),
    issuing: new SqliteIssuingKeyStore(db),
    nonces: undefined,
    close: async () => void db.close(),
  };
}

/** Connects, migrates (safe when replicas start together) and opens the shared stores. */
export async function openPgState(options: PgOptions, now: () => number): Promise<CredentialStateStores> {
  const pool: pg.Pool = openPool(options);
  try {
    await migrate(pool, options.schema, 'credentials', CREDENTIAL_MIGRATIONS);
  } catch (err) {
    await pool.end().catch(() => {});
    throw err;
  }
  return {
    agents: new PgAgentStore(pool),
    credentials: new PgCredentialStore(pool),
    ring: new PgRingKeyStore(pool),
    issuing: new PgIssuingKeyStore(pool),
    nonces: new PgNonceStore(pool, { now }),
    close: () => pool.end(),
  };
}
