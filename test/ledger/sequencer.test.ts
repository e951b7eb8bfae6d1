import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import { isSignetError, SignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import type { BatchWrite, LedgerStore } from '../../src/ledger/store.js';
import type { Signer } from '../../src/signers/contract.js';
import { checkReceipt } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

const code = (c: string, field?: string) => (e: unknown) => {
  assert.ok(isSignetError(e), `expected a SignetError, got ${String(e)}`);
  assert.equal(e.code, c);
  if (field) assert.equal(e.field, field);
  return true;
};

/** A signer that fails its next `n` signatures, then signs normally. */
function flakySigner(inner: Signer, failures: { n: number }): Signer {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'sign') {
        return async (...args: Parameters<Signer['sign']>) => {
          if (failures.n > 0) {
            failures.n--;
            throw new SignetError('UNAVAILABLE', 'token removed');
          }
          return target.sign(...args);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

/** A store whose next `n` commits fail before writing anything. */
function flakyStore(inner: LedgerStore, failures: { n: number }): LedgerStore {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commitBatch') {
        return async (batch: BatchWrite) => {
          if (failures.n > 0) {
            failures.n--;
            throw new SignetError('UNAVAILABLE', 'disk full');
          }
          return target.commitBatch(batch);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('sequencer', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());
  let n = 0;
  const open = (batch: Record<string, number> = {}, extra: Partial<Parameters<typeof Ledger.open>[0]> = {}) =>
    Ledger.open({ path: `${t.dir}/seq-${++n}.db`, signer: t.signer, origin: ORIGIN, batch, ...extra });

  it('when one call appends many records, they are sealed together under one signature even when the delay has already passed', async () => {
    // max_delay_ms 0: every enqueue would seal at once; a call's records still go in one batch.
    const ledger = await open({ maxDelayMs: 0, maxEntries: 1000 });
    try {
      for (const n of [1, 37, 1000]) {
        const before = ledger.stats.signatures;
        const bundles = await ledger.appendMany(Array.from({ length: n }, (_, i) => receipt(i)));
        assert.equal(ledger.stats.signatures - before, 1, `${n} records, one checkpoint`);
        assert.equal(new Set(bundles.map((b) => b.treeSize)).size, 1);
      }
      const before = ledger.stats.signatures;
      await ledger.appendMany(Array.from({ length: 1001 }, (_, i) => receipt(i)));
      assert.equal(ledger.stats.signatures - before, 2, 'more than max_entries: two batches');
    } finally {
      await ledger.close();
    }
  });

  it('when appends arrive together, they share one batch and one checkpoint signature, and each receipt verifies independently', async () => {
    // Sealed by size (20), never by the timer, so a stalled machine cannot split the batch.
    const ledger = await open({ maxDelayMs: 60_000, maxEntries: 20 });
    try {
      const before = ledger.stats.signatures;
      const bundles = await Promise.all(Array.from({ length: 20 }, (_, i) => ledger.append(receipt(i))));
      assert.equal(ledger.stats.signatures - before, 1);
      assert.equal(ledger.stats.batches, 1);
      assert.deepEqual(bundles.map((b) => b.index).sort((a, b) => a - b), Array.from({ length: 20 }, (_, i) => i));
      let prev = '0'.repeat(64);
      for (const b of [...bundles].sort((x, y) => x.index - y.index)) {
        assert.equal(b.treeSize, 20);
        const entry = checkReceipt(b, t.pem, ORIGIN);
        assert.equal(entry.prev, prev, `entry ${b.index} links to the one before`);
        assert.equal(entry.v, 1);
        assert.match(String(entry.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        prev = Buffer.from(b.leafHash).toString('hex');
      }
    } finally {
      await ledger.close();
    }
  });

  it('when the pool reaches maxEntries, the batch is sealed without waiting for the delay', async () => {
    const ledger = await open({ maxDelayMs: 60_000, maxEntries: 8 });
    try {
      const started = Date.now();
      const bundles = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger.append(receipt(i))));
      assert.ok(Date.now() - started < 5000);
      assert.equal(bundles[0]!.treeSize, 8);
    } finally {
      await ledger.close();
    }
  });

  it('when a batch is larger than maxEntries, it is split into several sealed batches, one signature each', async () => {
    // The delay never fires: batches are sealed by size, and the last, partial one by close().
    const ledger = await open({ maxDelayMs: 60_000, maxEntries: 10 });
    const appended = ledger.appendMany(Array.from({ length: 35 }, (_, i) => receipt(i)));
    await ledger.close();
    const bundles = await appended;
    assert.equal(ledger.stats.batches, 4);
    assert.equal(ledger.stats.signatures, 4);
    assert.deepEqual(new Set(bundles.map((b) => b.treeSize)), new Set([10, 20, 30, 35]));
    for (const b of bundles) checkReceipt(b, t.pem, ORIGIN);
  });

  it('when the pool is over maxPending, appends are refused at once with RESOURCE_EXHAUSTED', async () => {
    const ledger = await open({ maxDelayMs: 2000, maxEntries: 1000, maxPending: 4 });
    try {
      const held = Array.from({ length: 4 }, (_, i) => ledger.append(receipt(i)));
      const started = Date.now();
      await assert.rejects(ledger.append(receipt(99)), code('RESOURCE_EXHAUSTED'));
      await assert.rejects(ledger.appendMany([receipt(100)]), code('RESOURCE_EXHAUSTED'));
      assert.ok(Date.now() - started < 1000, 'refused without waiting for the batch (sealed after 2 s)');
      assert.equal((await Promise.all(held)).length, 4);
      assert.equal((await ledger.append(receipt(5))).index, 4, 'room again once the batch is answered');
    } finally {
      await ledger.close();
    }
  });

  it('when the idempotency lookup throws, the append is not left counted as pending (no permanent RESOURCE_EXHAUSTED)', async () => {
    const lookupFailures = { n: 0 };
    const inner = new SqliteLedgerStore(`${t.dir}/idem-throws.db`);
    const store = new Proxy(inner, {
      get(target, prop) {
        if (prop === 'findIdempotencyKey') {
          return async (scope: string, key: string) => {
            if (lookupFailures.n > 0) {
              lookupFailures.n--;
              throw new SignetError('UNAVAILABLE', 'database is locked');
            }
            return target.findIdempotencyKey(scope, key);
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as LedgerStore;
    const ledger = await Ledger.open({ store, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 2, maxPending: 2 } });
    lookupFailures.n = 2; // after the open, which looks up the ledger's key events
    try {
      await assert.rejects(ledger.append(receipt(0), { idempotencyKey: 'a' }), code('UNAVAILABLE'));
      await assert.rejects(ledger.appendMany([{ record: receipt(1), idempotencyKey: 'b' }]), code('UNAVAILABLE'));
      const after = await ledger.append(receipt(2));
      assert.equal(after.index, 0, 'a plain append still finds room in the pool');
      assert.equal((await ledger.append(receipt(3), { idempotencyKey: 'a' })).index, 1);
    } finally {
      await ledger.close();
    }
  });

  it('when an append is retried with the same idempotency key, it returns the original entry and writes nothing', async () => {
    const ledger = await open({ maxDelayMs: 2 });
    try {
      const first = await ledger.append(receipt(1), { idempotencyKey: 'req-1' });
      await ledger.append(receipt(2));
      const again = await ledger.append(receipt(1), { idempotencyKey: 'req-1' });
      assert.equal(again.index, first.index);
      assert.deepEqual(Buffer.from(again.entry), Buffer.from(first.entry));
      checkReceipt(again, t.pem, ORIGIN);
      assert.equal(ledger.size, 2);
      assert.equal(await ledger.store.entryCount(), 2);
    } finally {
      await ledger.close();
    }
  });

  it('when the same idempotency key arrives twice within one batch, it is written once and both callers get the same receipt', async () => {
    const ledger = await open({ maxDelayMs: 30 });
    try {
      const [a, b, c] = await Promise.all([
        ledger.append(receipt(1), { idempotencyKey: 'k' }),
        ledger.append(receipt(1), { idempotencyKey: 'k' }),
        ledger.appendMany([{ record: receipt(1), idempotencyKey: 'k' }, { record: receipt(2), idempotencyKey: 'other' }]),
      ]);
      assert.equal(a.index, b.index);
      assert.equal(c[0]!.index, a.index);
      assert.equal(ledger.size, 2);
    } finally {
      await ledger.close();
    }
  });

  it('when the checkpoint signature fails, the whole batch is refused, nothing is written, and the next batch takes the same indices', async () => {
    const failures = { n: 0 };
    const ledger = await open({ maxDelayMs: 5 }, { signer: flakySigner(t.signer, failures) });
    try {
      await ledger.append(receipt(0));
      failures.n = 1;
      const refused = await Promise.allSettled([ledger.append(receipt(1)), ledger.append(receipt(2))]);
      for (const r of refused) {
        assert.equal(r.status, 'rejected');
        assert.equal((r as PromiseRejectedResult).reason.code, 'UNAVAILABLE');
      }
      assert.equal(await ledger.store.entryCount(), 1);
      const next = await ledger.append(receipt(3));
      assert.equal(next.index, 1);
      checkReceipt(next, t.pem, ORIGIN);
      assert.equal((await ledger.verifyChain()).valid, true);
    } finally {
      await ledger.close();
    }
  });

  it('when the durable commit fails, no caller in the batch is answered with a receipt and the chain continues intact', async () => {
    const failures = { n: 0 };
    const path = `${t.dir}/commit-fail.db`;
    const ledger = await Ledger.open({ store: flakyStore(new SqliteLedgerStore(path), failures), signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 5 } });
    try {
      await ledger.append(receipt(0));
      failures.n = 1;
      await assert.rejects(ledger.appendMany([receipt(1), receipt(2)]), code('UNAVAILABLE'));
      const next = await ledger.append(receipt(3));
      assert.equal(next.index, 1);
      checkReceipt(next, t.pem, ORIGIN);
      const report = await ledger.verifyChain();
      assert.deepEqual([report.valid, report.entriesChecked], [true, 2]);
    } finally {
      await ledger.close();
    }
  });

  it('when the ledger is closed with appends in the pool, the open batch is finished first', async () => {
    const ledger = await open({ maxDelayMs: 60_000, maxEntries: 1000 });
    const pending = [ledger.append(receipt(0)), ledger.append(receipt(1))];
    await ledger.close();
    const bundles = await Promise.all(pending);
    assert.equal(bundles[1]!.treeSize, 2);
    await assert.rejects(ledger.append(receipt(2)), code('UNAVAILABLE'));
  });

  it('when the ledger is reopened, the chain continues from the last durable entry', async () => {
    const path = `${t.dir}/reopen.db`;
    const first = await Ledger.open({ path, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    const last = (await first.appendMany([receipt(0), receipt(1), receipt(2)]))[2]!;
    await first.close();
    const second = await Ledger.open({ path, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      const next = await second.append(receipt(3));
      assert.equal(next.index, 3);
      const entry = checkReceipt(next, t.pem, ORIGIN);
      assert.equal(entry.prev, Buffer.from(last.leafHash).toString('hex'));
      const report = await second.verifyChain();
      assert.equal(report.valid, true);
      assert.equal(report.entriesChecked, 4);
    } finally {
      await second.close();
    }
  });

  it('when the ledger is reopened under another origin, refuses to start with CONFIG', async () => {
    const path = `${t.dir}/origin.db`;
    await (await Ledger.open({ path, signer: t.signer, origin: ORIGIN })).close();
    await assert.rejects(Ledger.open({ path, signer: t.signer, origin: 'other.example/log' }), code('CONFIG'));
  });

  describe('bad input', () => {
    let ledger: Ledger;
    before(async () => {
      ledger = await open({ maxDelayMs: 1 });
    });
    after(async () => ledger.close());

    it('when the entry type is unknown, refuses with INVALID_ARGUMENT on record.type', async () => {
      await assert.rejects(ledger.append({ ...receipt(0), type: 'payment' as never }), code('INVALID_ARGUMENT', 'record.type'));
    });
    it('when metadata is over 4 KiB, refuses with INVALID_ARGUMENT on record.metadata', async () => {
      await assert.rejects(ledger.append(receipt(0, { metadata: { blob: 'x'.repeat(5000) } })), code('INVALID_ARGUMENT', 'record.metadata'));
    });
    it('when metadata has more than 32 keys, refuses with INVALID_ARGUMENT on record.metadata', async () => {
      const metadata = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, i]));
      await assert.rejects(ledger.append(receipt(0, { metadata })), code('INVALID_ARGUMENT', 'record.metadata'));
    });
    it('when a body hash is not 64 hex characters, refuses naming the field', async () => {
      await assert.rejects(ledger.append(receipt(0, { request_sha256: 'abc' })), code('INVALID_ARGUMENT', 'record.request_sha256'));
    });
    it('when a record sets a field the ledger owns (prev), refuses', async () => {
      await assert.rejects(ledger.append(receipt(0, { prev: '0'.repeat(64) })), code('INVALID_ARGUMENT', 'record.prev'));
    });
    it('when one record of many is bad, none is queued', async () => {
      await assert.rejects(ledger.appendMany([receipt(0), receipt(1, { agent: '' })]), code('INVALID_ARGUMENT', 'records[1].agent'));
      assert.equal(ledger.size, 0);
    });
  });
});
