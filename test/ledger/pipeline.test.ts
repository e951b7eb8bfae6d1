import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isSignetError, SignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import type { BatchWrite, LedgerStore } from '../../src/ledger/store.js';
import type { Signer } from '../../src/signers/contract.js';
import { checkReceipt } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

/** A store whose commits wait until the test opens their gate (an fsync that takes as long as the test wants). */
function gatedStore(inner: LedgerStore, events: string[]) {
  const gates: Array<{ open(fail?: boolean): void }> = [];
  let calls = 0;
  let armed = false;
  const waiting: Array<() => void> = [];
  const store = new Proxy(inner, {
    get(target, prop) {
      if (prop === 'commitBatch') {
        return async (batch: BatchWrite) => {
          if (!armed) return target.commitBatch(batch); // the genesis checkpoint at open, and after the test
          const n = ++calls;
          events.push(`commit ${n} start (${batch.entries.length} entries)`);
          const fail = await new Promise<boolean>((resolve) => {
            gates[n] = { open: (f = false) => resolve(f) };
            for (const w of waiting.splice(0)) w();
          });
          if (fail) {
            events.push(`commit ${n} failed`);
            throw new SignetError('UNAVAILABLE', 'disk full');
          }
          await target.commitBatch(batch);
          events.push(`commit ${n} durable`);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
  /** Resolves once commit `n` has started and waits at its gate. */
  const started = async (n: number) => {
    while (!gates[n]) await new Promise<void>((r) => waiting.push(r));
    return gates[n]!;
  };
  /** Stops gating and opens every waiting gate (so a failed assertion cannot hang close()). */
  const release = () => {
    armed = false;
    for (const g of gates) g?.open();
  };
  return { store, started, arm: () => void (armed = true), release };
}

/** A signer that logs each checkpoint signature. */
function loggingSigner(inner: Signer, events: string[]): Signer {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'sign') {
        return async (...args: Parameters<Signer['sign']>) => {
          events.push(`sign ${events.filter((e) => e.startsWith('sign')).length + 1}`);
          return target.sign(...args);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

const settled = () => new Promise((r) => setImmediate(r));

describe('sequencer pipeline (group commit)', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(() => t.cleanup());

  it('while batch N is being committed, batch N+1 is sealed and signed; each is answered only after its own commit, in index order', async () => {
    const events: string[] = [];
    const { store, started, arm, release } = gatedStore(new SqliteLedgerStore(`${t.dir}/pipeline.db`), events);
    const ledger = await Ledger.open({ store, signer: loggingSigner(t.signer, events), origin: ORIGIN, batch: { maxDelayMs: 1 } });
    arm();
    try {
      events.length = 0;
      const answered: string[] = [];
      const a = ledger.append(receipt(0)).then((b) => (answered.push('a'), b));
      const gate1 = await started(1);
      const b = ledger.appendMany([receipt(1), receipt(2)]).then((x) => (answered.push('b'), x));
      // N+1 is sealed at once (no timer: a commit is running) and its checkpoint signed meanwhile.
      while (!events.includes('sign 2')) await settled();
      assert.deepEqual(events, ['sign 1', 'commit 1 start (1 entries)', 'sign 2']);
      await settled();
      assert.deepEqual(answered, [], 'nothing answered before its commit');
      gate1.open();
      const first = await a;
      const gate2 = await started(2);
      await settled();
      assert.deepEqual(answered, ['a'], 'batch N+1 waits for its own commit');
      gate2.open();
      const second = await b;
      assert.deepEqual(answered, ['a', 'b']);
      assert.deepEqual([first.index, second[0]!.index, second[1]!.index], [0, 1, 2]);
      assert.equal(second[0]!.treeSize, 3);
      for (const bundle of [first, ...second]) checkReceipt(bundle, t.pem, ORIGIN);
      assert.equal((await ledger.verifyChain()).valid, true);
    } finally {
      release();
      await ledger.close();
    }
  });

  it('when commit N fails, batch N+1 sealed on top of it is refused too, nothing of either is written, and later appends take their indices', async () => {
    const events: string[] = [];
    const { store, started, arm, release } = gatedStore(new SqliteLedgerStore(`${t.dir}/pipeline-fail.db`), events);
    const ledger = await Ledger.open({ store, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    arm();
    try {
      const zero = ledger.append(receipt(0));
      (await started(1)).open();
      assert.equal((await zero).index, 0);
      const a = ledger.append(receipt(1));
      const gate = await started(2);
      const b = ledger.appendMany([receipt(2), receipt(3)]);
      while (ledger.stats.signatures < 3) await settled();
      gate.open(true);
      for (const p of [a, b]) await assert.rejects(p, (e) => isSignetError(e, 'UNAVAILABLE'));
      assert.equal(ledger.size, 1);
      const c = ledger.append(receipt(4));
      (await started(3)).open();
      const next = await c;
      assert.equal(next.index, 1);
      checkReceipt(next, t.pem, ORIGIN);
      const report = await ledger.verifyChain();
      assert.deepEqual([report.valid, report.entriesChecked], [true, 2]);
    } finally {
      release();
      await ledger.close();
    }
  });

  it('an idle ledger waits at most maxDelayMs for company; under load what waited during a commit is sealed as soon as it ends', async () => {
    const ledger = await Ledger.open({ path: `${t.dir}/group.db`, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 60_000, maxEntries: 4096 } });
    try {
      const first = ledger.append(receipt(-1));
      // Idle: the first append waits for company (the timer, here 60 s), so nothing is sealed yet …
      await new Promise((r) => setTimeout(r, 20));
      assert.equal(ledger.stats.batches, 0);
      // … and closing seals it.
      await ledger.close();
      assert.equal((await first).index, 0);
    } finally {
      await ledger.close();
    }
    const busy = await Ledger.open({ path: `${t.dir}/group-busy.db`, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 2 } });
    try {
      let i = 0;
      await Promise.all(Array.from({ length: 64 }, async () => {
        for (let k = 0; k < 8; k++) await busy.append(receipt(i++));
      }));
      assert.equal(busy.stats.entries, 512);
      assert.ok(busy.stats.batches < 512 / 4, `${busy.stats.batches} batches for 512 appends`);
      assert.equal(busy.stats.signatures, busy.stats.batches);
      assert.equal((await busy.verifyChain()).valid, true);
    } finally {
      await busy.close();
    }
  });
});
