import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import { recoverState } from '../../src/ledger/recovery.js';
import { checkNote } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

describe('recovery', () => {
  let t: TempLedgerDir;
  let n = 0;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());

  async function ledgerWith(entries: number): Promise<string> {
    const path = `${t.dir}/r-${++n}.db`;
    const ledger = await Ledger.open({ path, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    if (entries > 0) await ledger.appendMany(Array.from({ length: entries }, (_, i) => receipt(i)));
    await ledger.close();
    return path;
  }

  it('when a ledger is created, its size-0 checkpoint is signed with the ledger key', async () => {
    const store = new SqliteLedgerStore(await ledgerWith(0));
    try {
      const c = (await store.latestCheckpoint())!;
      const signed = checkNote(c.note, t.pem);
      assert.deepEqual([c.size, signed.size, signed.origin], [0, 0, ORIGIN]);
      assert.equal(signed.root.toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    } finally {
      await store.close();
    }
  });

  it('when reopened, resumes size, frontier and last leaf from the last checkpoint', async () => {
    const store = new SqliteLedgerStore(await ledgerWith(13));
    try {
      const state = await recoverState(store);
      assert.equal(state.size, 13);
      assert.equal(state.frontier.length, 3); // 8 + 4 + 1
      const [last] = await store.entries(12, 13);
      assert.deepEqual(Buffer.from(state.lastLeaf), Buffer.from(last!.leafHash));
    } finally {
      await store.close();
    }
  });

  it('when the store holds entries beyond its last checkpoint, refuses to resume with INTEGRITY', async () => {
    const path = await ledgerWith(5);
    const db = new Database(path);
    db.prepare('INSERT INTO entries (idx, leaf_hash, entry) VALUES (5, zeroblob(32), x\'7b7d\')').run();
    db.close();
    const store = new SqliteLedgerStore(path);
    try {
      await assert.rejects(recoverState(store), (e) => isSignetError(e, 'INTEGRITY') && /5 is|6 entries/.test(e.message));
    } finally {
      await store.close();
    }
  });

  it('when a stored tree node disagrees with the last checkpoint, refuses to resume with INTEGRITY', async () => {
    const path = await ledgerWith(6);
    const db = new Database(path);
    db.prepare('UPDATE nodes SET hash = zeroblob(32) WHERE level = 2 AND idx = 0').run();
    db.close();
    await assert.rejects(Ledger.open({ path, signer: t.signer, origin: ORIGIN }), (e) => isSignetError(e, 'INTEGRITY') && /root/.test(e.message));
  });
});
