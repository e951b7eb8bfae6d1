// The ledger store contract as tests: every LedgerStore (SQLite, PostgreSQL) runs this one suite
// unchanged, so a replica on PostgreSQL reads and writes exactly what a SQLite ledger would.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import type { BatchWrite, LedgerStore } from '../../src/ledger/store.js';

export interface StoreUnderTest {
  /** A new, empty store. */
  open(): Promise<LedgerStore>;
  /** A second handle on the same data, as after a restart. */
  reopen(): Promise<LedgerStore>;
  cleanup(): Promise<void>;
}

const h = (n: number) => new Uint8Array(32).fill(n);

export function batch(from: number, count: number, key?: (i: number) => string | undefined): BatchWrite {
  const entries = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    return { index: i, leafHash: h(i), entry: Buffer.from(`{"i":${i}}`), idempotencyKey: key?.(i) };
  });
  return { entries, nodes: [{ level: 1, index: from / 2, hash: h(200) }], checkpoint: { size: from + count, root: h(100 + from), note: `note ${from + count}\n` } };
}

export function storeConformance(name: string, setup: () => Promise<StoreUnderTest>): void {
  describe(`${name} ledger store (conformance)`, () => {
    let t: StoreUnderTest;
    let store: LedgerStore;
    before(async () => {
      t = await setup();
      store = await t.open();
    });
    after(async () => {
      await store.close();
      await t.cleanup();
    });

    it('when empty, holds no checkpoint and no entries', async () => {
      assert.equal(await store.latestCheckpoint(), undefined);
      assert.equal(await store.entryCount(), 0);
      assert.deepEqual(await store.entries(0, 10), []);
    });

    it('commits entries, nodes and checkpoint together and reads them back', async () => {
      await store.commitBatch(batch(0, 2, (i) => `key-${i}`));
      assert.equal(await store.entryCount(), 2);
      assert.equal((await store.latestCheckpoint())!.size, 2);
      const rows = await store.entries(0, 10);
      assert.deepEqual(rows.map((r) => r.index), [0, 1]);
      assert.deepEqual(Buffer.from(rows[1]!.entry).toString(), '{"i":1}');
      assert.deepEqual(rows.map((r) => Buffer.from(r.leafHash)), [Buffer.from(h(0)), Buffer.from(h(1))]);
      assert.deepEqual((await store.entryBytes(1, 2)).map((b) => Buffer.from(b).toString()), ['{"i":1}']);
      assert.deepEqual(await store.readNodes([{ level: 0, index: 1 }, { level: 1, index: 0 }]), [Buffer.from(h(1)), Buffer.from(h(200))]);
      assert.deepEqual((await store.nodesBetween(1, 0, 5)).map((n) => [n.level, n.index, Buffer.from(n.hash)]), [[1, 0, Buffer.from(h(200))]]);
      assert.equal(await store.indexOfLeaf(h(1)), 1);
      assert.equal(await store.indexOfLeaf(h(9)), undefined);
      assert.equal(await store.indexOfIdempotencyKey('key-0'), 0);
      assert.equal(await store.indexOfIdempotencyKey('nope'), undefined);
      const cp = (await store.checkpointAt(2))!;
      assert.deepEqual([cp.size, Buffer.from(cp.root), cp.note], [2, Buffer.from(h(100)), 'note 2\n']);
      assert.equal(await store.checkpointAt(1), undefined);
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
      assert.equal(await store.checkpointAt(3), undefined);
    });

    it('when a node is missing, readNodes says NOT_FOUND', async () => {
      await assert.rejects(store.readNodes([{ level: 3, index: 9 }]), (e) => isSignetError(e, 'NOT_FOUND'));
      await assert.rejects(store.readNodes([{ level: 0, index: 99 }]), (e) => isSignetError(e, 'NOT_FOUND'));
    });

    it('lists checkpoints between two sizes, and survives a reopen', async () => {
      await store.commitBatch(batch(2, 3));
      assert.deepEqual((await store.checkpointsBetween(1, 5)).map((c) => c.size), [2, 5]);
      assert.deepEqual((await store.checkpointsBetween(3, 4)).map((c) => c.size), []);
      const again = await t.reopen();
      try {
        assert.equal((await again.latestCheckpoint())!.note, 'note 5\n');
        assert.equal(await again.entryCount(), 5);
        assert.equal(await again.indexOfIdempotencyKey('key-1'), 1);
      } finally {
        await again.close();
      }
    });

    it('reads a leaf that appears twice at its lowest index, and a range past the end as what exists', async () => {
      const dup: BatchWrite = { entries: [{ index: 5, leafHash: h(3), entry: Buffer.from('{"i":"again"}') }], nodes: [], checkpoint: { size: 6, root: h(106), note: 'note 6\n' } };
      await store.commitBatch(dup);
      assert.equal(await store.indexOfLeaf(h(3)), 3);
      assert.deepEqual((await store.entries(4, 100)).map((e) => e.index), [4, 5]);
    });
  });
}
