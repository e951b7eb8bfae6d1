import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isSignetError } from '../../src/lib/errors.js';
import { advisoryKey } from '../../src/lib/pg.js';
import { PgLedgerStore } from '../../src/ledger/pg-store.js';
import { LEDGER_MIGRATIONS } from '../../src/ledger/pg-schema.js';
import { migrate, openPool } from '../../src/lib/pg.js';
import { advisoryLockHolders, testSchema, type TestSchema } from '../helpers/postgres.js';
import { batch, storeConformance } from './store-conformance.js';

storeConformance('PostgreSQL', async () => {
  const db = await testSchema('ledger');
  return {
    open: () => PgLedgerStore.open({ url: db.url, schema: db.schema }),
    reopen: () => PgLedgerStore.open({ url: db.url, schema: db.schema }),
    cleanup: () => db.drop(),
  };
});

describe('PostgreSQL ledger store', () => {
  let db: TestSchema;
  before(async () => {
    db = await testSchema('ledger');
  });
  after(async () => db.drop());

  it('when eight replicas open an empty schema at the same instant, the migrations run once and every open succeeds', async () => {
    const stores = await Promise.all(Array.from({ length: 8 }, () => PgLedgerStore.open({ url: db.url, schema: db.schema, poolSize: 2 })));
    try {
      const { rows } = await db.query<{ component: string; version: number }>('SELECT component, version FROM signet_migrations ORDER BY version');
      assert.deepEqual(rows, [{ component: 'ledger', version: 1 }, { component: 'ledger', version: 2 }]);
      await stores[0]!.commitBatch(batch(0, 2));
      assert.equal(await stores[7]!.entryCount(), 2, 'every replica reads what another committed');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('when a version-1 schema holds global idempotency keys, opening moves signet: keys to Signet\'s scope and leaves callers\' keys matching no caller', async () => {
    const old = await testSchema('ledger');
    const pool = openPool({ url: old.url, schema: old.schema, poolSize: 1 });
    try {
      await migrate(pool, old.schema, 'ledger', LEDGER_MIGRATIONS.filter((m) => m.version === 1));
      await old.query("INSERT INTO entries (idx, leaf_hash, entry, idem_key) VALUES (0, $1, '\\x7b7d', 'signet:issuance:x'), (1, $1, '\\x7b7d', 'caller-key')", [Buffer.alloc(32)]);
      const store = await PgLedgerStore.open({ url: old.url, schema: old.schema });
      try {
        assert.deepEqual(await store.findIdempotencyKey('', 'signet:issuance:x'), { index: 0, contentDigest: undefined });
        for (const scope of ['', 'anonymous', 'uri:spiffe://a']) assert.equal(await store.findIdempotencyKey(scope, 'caller-key'), undefined);
        await store.commitBatch({ ...batch(2, 1, () => 'caller-key', 'anonymous'), nodes: [] });
        assert.equal((await store.findIdempotencyKey('anonymous', 'caller-key'))?.index, 2, 'the old key does not block a scoped one');
      } finally {
        await store.close();
      }
    } finally {
      await pool.end();
      await old.drop();
    }
  });

  it('when the schema was migrated by a newer Signet, refuses to open with CONFIG', async () => {
    await db.query("INSERT INTO signet_migrations (component, version, name) VALUES ('ledger', 99, 'from the future')");
    try {
      await assert.rejects(PgLedgerStore.open({ url: db.url, schema: db.schema }), (e) => isSignetError(e, 'CONFIG') && /version 99/.test(e.message));
    } finally {
      await db.query("DELETE FROM signet_migrations WHERE version = 99");
    }
  });

  it('when the sequencing lock is held past lock_timeout, the batch fails with UNAVAILABLE and writes nothing', async () => {
    const store = await PgLedgerStore.open({ url: db.url, schema: db.schema, lockTimeoutMs: 200 });
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      const before = await store.entryCount();
      await store.commitBatch(batch(before, 1));
      assert.deepEqual(await advisoryLockHolders(db, advisoryKey(db.schema, 'ledger-sequence')), [], 'the lock went with the commit');
      // Another session holds the lock a batch takes (as a stuck replica would).
      await holder.query('BEGIN');
      await holder.query('SELECT pg_advisory_xact_lock($1)', [advisoryKey(db.schema, 'ledger-sequence')]);
      const started = Date.now();
      await assert.rejects(store.commitBatch(batch(before + 1, 1)), (e) => isSignetError(e, 'UNAVAILABLE') && /sequencing lock/.test(e.message) && e.retryAfter === 1);
      assert.ok(Date.now() - started < 5000);
      await holder.query('COMMIT');
      assert.equal(await store.entryCount(), before + 1);
    } finally {
      await holder.end();
      await store.close();
    }
  });

  it('when the server is unreachable, open fails with UNAVAILABLE and the message has no password', async () => {
    const err = await PgLedgerStore.open({ url: 'postgres://signet:s3cret-pw@127.0.0.1:1/x', schema: 'nowhere' }).then(
      () => assert.fail('opened'),
      (e: unknown) => e,
    );
    assert.ok(isSignetError(err, 'UNAVAILABLE'), String(err));
    assert.ok(!String((err as Error).message).includes('s3cret-pw'));
  });

  it('when a schema name is not a plain identifier, refuses with CONFIG before connecting', async () => {
    for (const schema of ['Signet', 'a;drop', '1abc', '', 'x'.repeat(64), 'a"b']) {
      await assert.rejects(PgLedgerStore.open({ url: db.url, schema }), (e) => isSignetError(e, 'CONFIG'), schema);
    }
  });
});
