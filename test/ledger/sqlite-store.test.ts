import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import type { LedgerStore } from '../../src/ledger/store.js';
import { tempLedgerDir, type TempLedgerDir } from './fixtures.js';
import { storeConformance } from './store-conformance.js';

storeConformance('SQLite', async () => {
  const t = await tempLedgerDir();
  return {
    open: async () => new SqliteLedgerStore(t.db),
    reopen: async () => new SqliteLedgerStore(t.db, { readonly: true }),
    cleanup: () => t.cleanup(),
  };
});

describe('SQLite ledger store', () => {
  let t: TempLedgerDir;
  let store: SqliteLedgerStore;
  before(async () => {
    t = await tempLedgerDir();
    store = new SqliteLedgerStore(t.db);
  });
  after(async () => {
    await store.close();
    await t.cleanup();
  });

  it('commits in WAL mode with synchronous=FULL, on the writer thread and without it', async () => {
    assert.deepEqual(await store.durability(), { journalMode: 'wal', synchronous: 2 });
    const direct = new SqliteLedgerStore(t.db, { writerThread: false });
    assert.deepEqual(await direct.durability(), { journalMode: 'wal', synchronous: 2 });
    await direct.close();
    const db = new Database(t.db, { readonly: true });
    try {
      assert.equal(db.pragma('journal_mode', { simple: true }), 'wal', 'the file itself is in WAL mode');
    } finally {
      db.close();
    }
  });

  it('has one writer: no sequencing hook', () => {
    assert.equal((store as LedgerStore).sequence, undefined);
  });

  it('when opened read-only on a missing file, refuses with CONFIG', () => {
    assert.throws(() => new SqliteLedgerStore(`${t.dir}/absent.db`, { readonly: true }), (e) => isSignetError(e, 'CONFIG'));
  });
});
