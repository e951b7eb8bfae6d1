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
const digest = (n: number) => new Uint8Array(32).fill(255 - n);

/** Entries from..from+count; `key(i)` names entry i's idempotency key in `scope` (its digest: 255 − i). */
export function batch(from: number, count: number, key?: (i: number) => string | undefined, scope = 'uri:spiffe://a'): BatchWrite {
  const entries = Array.from({ length: count }, (_, k) => {
    const i = from + k;
    const named = key?.(i);
    return { index: i, leafHash: h(i), entry: Buffer.from(`{"i":${i}}`), idempotency: named === undefined ? undefined : { scope, key: named, contentDigest: digest(i) } };
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
      assert.deepEqual(await store.findIdempotencyKey('uri:spiffe://a', 'key-0'), { index: 0, contentDigest: Buffer.from(digest(0)) });
      assert.equal(await store.findIdempotencyKey('uri:spiffe://a', 'nope'), undefined);
      for (const other of ['uri:spiffe://b', 'URI:spiffe://a', 'uri:spiffe://a ', '', 'anonymous']) {
        assert.equal(await store.findIdempotencyKey(other, 'key-0'), undefined, `a key is found only in its own scope, not in ${JSON.stringify(other)}`);
      }
      assert.equal(await store.findIdempotencyKey('uri:spiffe://a', 'KEY-0'), undefined, 'keys compare exactly');
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

    it('when an idempotency key is already stored in its scope, a batch that repeats it is refused whole', async () => {
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
        assert.equal((await again.findIdempotencyKey('uri:spiffe://a', 'key-1'))?.index, 1);
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

    it('holds the same key in two scopes as two entries', async () => {
      const size = await store.entryCount();
      const one = (i: number, scope: string): BatchWrite => ({ ...batch(i, 1, () => 'key-0', scope), nodes: [] });
      await store.commitBatch(one(size, 'uri:spiffe://b'));
      assert.equal((await store.findIdempotencyKey('uri:spiffe://b', 'key-0'))?.index, size);
      assert.equal((await store.findIdempotencyKey('uri:spiffe://a', 'key-0'))?.index, 0);
      await store.commitBatch(one(size + 1, ''));
      assert.equal((await store.findIdempotencyKey('', 'key-0'))?.index, size + 1, "Signet's own scope ('') is a scope like any other");
    });
  });
}
