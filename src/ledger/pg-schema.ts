// The ledger's tables on PostgreSQL, as numbered migrations: a version, once released, never
// changes; a later change is a new version. Applied at start-up by src/lib/pg.ts's migrate().
import type { Migration } from '../lib/pg.js';

export const LEDGER_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'entries, nodes, checkpoints',
    sql: `
      CREATE TABLE entries (
        idx bigint PRIMARY KEY CHECK (idx >= 0),
        leaf_hash bytea NOT NULL CHECK (length(leaf_hash) = 32),
        entry bytea NOT NULL,
        idem_key text
      );
      CREATE INDEX entries_leaf ON entries (leaf_hash);
      CREATE UNIQUE INDEX entries_idem ON entries (idem_key) WHERE idem_key IS NOT NULL;
      CREATE TABLE nodes (
        level smallint NOT NULL CHECK (level > 0 AND level < 64),
        idx bigint NOT NULL CHECK (idx >= 0),
        hash bytea NOT NULL CHECK (length(hash) = 32),
        PRIMARY KEY (level, idx)
      );
      CREATE TABLE checkpoints (
        size bigint PRIMARY KEY CHECK (size >= 0),
        root bytea NOT NULL CHECK (length(root) = 32),
        note text NOT NULL
      );`,
  },
  {
    // Keys scoped to the caller and bound to their record (see LedgerStore.findIdempotencyKey):
    // Signet's own `signet:` keys move to its scope (''); callers' keys keep a NULL scope, which no
    // lookup matches, since who wrote them was not recorded.
    version: 2,
    name: 'idempotency keys per caller, bound to content',
    sql: `
      ALTER TABLE entries ADD COLUMN idem_scope text, ADD COLUMN idem_digest bytea CHECK (length(idem_digest) = 32);
      DROP INDEX entries_idem;
      UPDATE entries SET idem_scope = '' WHERE idem_key IS NOT NULL AND left(idem_key, 7) = 'signet:';
      CREATE UNIQUE INDEX entries_idem_scoped ON entries (idem_scope, idem_key) WHERE idem_key IS NOT NULL;`,
  },
];
