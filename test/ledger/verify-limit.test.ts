import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

// VerifyChain scans the whole ledger on a worker thread: a Ledger runs a bounded number at once.
describe('VerifyChain concurrency limit', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());

  it('when a VerifyChain is already running, another is refused at once with RESOURCE_EXHAUSTED and a retry-after', async () => {
    const ledger = await Ledger.open({ path: `${t.dir}/limit-1.db`, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      await ledger.appendMany(Array.from({ length: 10 }, (_, i) => receipt(i)));
      const first = ledger.verifyChain();
      await assert.rejects(ledger.verifyChain(), (e) => isSignetError(e, 'RESOURCE_EXHAUSTED') && e.retryAfter !== undefined && e.retryAfter > 0);
      assert.equal((await first).valid, true);
      assert.equal((await ledger.verifyChain()).valid, true, 'room again once the first has finished');
    } finally {
      await ledger.close();
    }
  });

  it('when a VerifyChain fails, its slot is freed', async () => {
    const ledger = await Ledger.open({ path: `${t.dir}/limit-2.db`, signer: t.signer, origin: ORIGIN });
    try {
      await assert.rejects(ledger.verifyChain({ end: 99 }), (e) => isSignetError(e, 'OUT_OF_RANGE'));
      assert.equal((await ledger.verifyChain()).valid, true);
    } finally {
      await ledger.close();
    }
  });

  it('when maxConcurrentVerifications is 2, two run at once and a third is refused', async () => {
    const ledger = await Ledger.open({ path: `${t.dir}/limit-3.db`, signer: t.signer, origin: ORIGIN, maxConcurrentVerifications: 2 });
    try {
      const two = [ledger.verifyChain(), ledger.verifyChain()];
      await assert.rejects(ledger.verifyChain(), (e) => isSignetError(e, 'RESOURCE_EXHAUSTED'));
      assert.deepEqual((await Promise.all(two)).map((r) => r.valid), [true, true]);
    } finally {
      await ledger.close();
    }
  });
});
