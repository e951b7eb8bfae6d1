import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import type { BatchWrite } from '../../src/ledger/store.js';
import { tempLedgerDir, type TempLedgerDir } from './fixtures.js';

const h = (n: number) => new Uint8Array(32).fill(n);

function batch(from: number, count: number, key?: (i: number) => string | undefined): BatchWrite {
  const entries = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { index: i, leafHash: h(i), entry: Buffer.from(`{"i":${i}}`), idempotencyKey: key?.(i) };
  });
  return { entries, nodes: [{ level: 1, index: from / 2, hash: h(200) }], checkpoint: { size: from + count, root: h(100 + from), note: `note ${from + count}\n` } };
}

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

  it('commits entries, nodes and checkpoint together and reads them back', async () => {
    await store.commitBatch(batch(0, 2, (i) => `key-${i}`));
    assert.equal(await store.entryCount(), 2);
    assert.equal((await store.latestCheckpoint())!.size, 2);
    const rows = await store.entries(0, 10);
    assert.deepEqual(rows.map((r) => r.index), [0, 1]);
    assert.deepEqual(Buffer.from(rows[1]!.entry).toString(), '{"i":1}');
    assert.deepEqual(await store.readNodes([{ level: 0, index: 1 }, { level: 1, index: 0 }]), [Buffer.from(h(1)), Buffer.from(h(200))]);
    assert.equal(await store.indexOfLeaf(h(1)), 1);
    assert.equal(await store.indexOfIdempotencyKey('key-0'), 0);
    assert.equal(await store.indexOfIdempotencyKey('nope'), undefined);
  });

  it('when any row of a batch cannot be written, none of the batch is (one transaction)', async () => {
    const bad = batch(2, 2);
    bad.entries[1]!.index = 0; // collides with an existing entry
    await assert.rejects(store.commitBatch(bad), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.equal(await store.entryCount(), 2);
    assert.equal((await store.latestCheckpoint())!.size, 2);
    assert.equal((await store.entries(2, 3)).length, 0);
  });

  it('when an idempotency key is already stored, a batch that repeats it is refused whole', async () => {
    await assert.rejects(store.commitBatch(batch(2, 1, () => 'key-0')), (e) => isSignetError(e, 'UNAVAILABLE'));
    assert.equal(await store.entryCount(), 2);
  });

  it('when a node is missing, readNodes says NOT_FOUND', async () => {
    await assert.rejects(store.readNodes([{ level: 3, index: 9 }]), (e) => isSignetError(e, 'NOT_FOUND'));
  });

  it('lists checkpoints between two sizes, and survives a reopen', async () => {
    await store.commitBatch(batch(2, 3));
    assert.deepEqual((await store.checkpointsBetween(1, 5)).map((c) => c.size), [2, 5]);
    const again = new SqliteLedgerStore(t.db, { readonly: true });
    try {
      assert.equal((await again.latestCheckpoint())!.note, 'note 5\n');
      assert.equal(await again.entryCount(), 5);
    } finally {
      await again.close();
    }
  });

  it('when opened read-only on a missing file, refuses with CONFIG', () => {
    assert.throws(() => new SqliteLedgerStore(`${t.dir}/absent.db`, { readonly: true }), (e) => isSignetError(e, 'CONFIG'));
  });
});
