import assert from 'node:assert/strict';
import { copyFileSync, existsSync } from 'node:fs';
import { describe, it, before, after } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { noteVerifierFromPublicKey } from '../../src/ledger/note.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import { verifyChain, type ChainReport } from '../../src/ledger/verify-chain.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

// 40 entries sealed in batches of 8: checkpoints at sizes 0, 8, 16, 24, 32, 40.
const ENTRIES = 40;

describe('VerifyChain', () => {
  let t: TempLedgerDir;
  let copies = 0;
  before(async () => {
    t = await tempLedgerDir();
    // Batches sealed by size only (the delay never fires), so checkpoints fall exactly every 8.
    const ledger = await Ledger.open({ path: t.db, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 60_000, maxEntries: 8 } });
    const appended = ledger.appendMany(Array.from({ length: ENTRIES }, (_, i) => receipt(i, i % 5 === 0 ? { metadata: { note: `n${i}`, prev: 'x' } } : {})));
    await ledger.close();
    await appended;
  });
  after(async () => t.cleanup());

  /** A copy of the ledger file, tampered with directly through SQL, then verified. */
  async function tampered(edit: (db: Database.Database) => void, range: { start?: number; end?: number } = {}): Promise<ChainReport> {
    const path = `${t.dir}/copy-${++copies}.db`;
    copyFileSync(t.db, path);
    if (existsSync(`${t.db}-wal`)) copyFileSync(`${t.db}-wal`, `${path}-wal`);
    const db = new Database(path);
    edit(db);
    db.close();
    const store = new SqliteLedgerStore(path);
    try {
      return await verifyChain(store, { ...range, verifiers: [noteVerifierFromPublicKey(ORIGIN, t.pem)], origin: ORIGIN, chunk: 16 });
    } finally {
      await store.close();
    }
  }
  const entryOf = (db: Database.Database, idx: number) => db.prepare('SELECT entry FROM entries WHERE idx = ?').pluck().get(idx) as Buffer;

  it('when nothing was touched, is valid and counts every entry and checkpoint', async () => {
    const progress: number[] = [];
    const store = new SqliteLedgerStore(t.db);
    try {
      const report = await verifyChain(store, { verifiers: [noteVerifierFromPublicKey(ORIGIN, t.pem)], origin: ORIGIN, chunk: 16, onProgress: (done) => progress.push(done) });
      assert.deepEqual(report, { valid: true, start: 0, end: ENTRIES, entriesChecked: ENTRIES, checkpointsChecked: 6 });
      assert.deepEqual(progress, [16, 32, 40]);
    } finally {
      await store.close();
    }
  });

  it('when one byte of a stored entry is flipped, reports that entry', async () => {
    const report = await tampered((db) => {
      const e = Buffer.from(entryOf(db, 13));
      e[e.indexOf('object-13') + 7]! ^= 0x01;
      db.prepare('UPDATE entries SET entry = ? WHERE idx = 13').run(e);
    });
    assert.equal(report.valid, false);
    assert.equal(report.firstBadIndex, 13);
    assert.match(report.reason!, /entry 13/);
    assert.equal(report.entriesChecked, 13);
  });

  it('when an entry is altered and its leaf hash rewritten to match, the broken chain link names the next entry', async () => {
    const { createHash } = await import('node:crypto');
    const report = await tampered((db) => {
      const e = Buffer.from(entryOf(db, 13).toString().replace('files.read', 'files.wipe'));
      const leaf = createHash('sha256').update(Buffer.from([0])).update(e).digest();
      db.prepare('UPDATE entries SET entry = ?, leaf_hash = ? WHERE idx = 13').run(e, leaf);
    });
    assert.equal(report.valid, false);
    assert.equal(report.firstBadIndex, 14);
    assert.match(report.reason!, /prev/);
  });

  it('when only the stored leaf hash of a middle entry is changed, reports that entry', async () => {
    const report = await tampered((db) => db.prepare('UPDATE entries SET leaf_hash = zeroblob(32) WHERE idx = 13').run());
    assert.deepEqual([report.valid, report.firstBadIndex], [false, 13]);
    assert.match(report.reason!, /entry 13: .*leaf hash/);
  });

  it('when a stored tree node is flipped, reports the first entry it covers', async () => {
    const report = await tampered((db) => {
      const hash = Buffer.from(db.prepare('SELECT hash FROM nodes WHERE level = 1 AND idx = 7').pluck().get() as Buffer);
      hash[0]! ^= 0x01;
      db.prepare('UPDATE nodes SET hash = ? WHERE level = 1 AND idx = 7').run(hash);
    });
    assert.deepEqual([report.valid, report.firstBadIndex], [false, 14]);
    assert.match(report.reason!, /tree node at level 1, index 7 .*differs/);
  });

  it('when a stored tree node is deleted, reports it missing at the first entry it covers', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM nodes WHERE level = 3 AND idx = 0').run());
    assert.deepEqual([report.valid, report.firstBadIndex], [false, 0]);
    assert.match(report.reason!, /tree node at level 3, index 0 .*missing/);
  });

  it('when an entry is deleted, reports its index as missing', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM entries WHERE idx = 21').run());
    assert.deepEqual([report.valid, report.firstBadIndex], [false, 21]);
    assert.match(report.reason!, /missing/);
  });

  it('when the last entry is deleted, reports it as missing', async () => {
    const report = await tampered((db) => db.prepare('DELETE FROM entries WHERE idx = ?').run(ENTRIES - 1));
    assert.deepEqual([report.valid, report.firstBadIndex], [false, ENTRIES - 1]);
  });

  it('when two entries are swapped, reports the first of them', async () => {
    const report = await tampered((db) => {
      db.prepare('UPDATE entries SET idx = -1 WHERE idx = 5').run();
      db.prepare('UPDATE entries SET idx = 5 WHERE idx = 6').run();
      db.prepare('UPDATE entries SET idx = 6 WHERE idx = -1').run();
    });
    assert.deepEqual([report.valid, report.firstBadIndex], [false, 5]);
    assert.match(report.reason!, /prev/);
  });

  it('when a checkpoint signature is wrong, reports that checkpoint', async () => {
    const report = await tampered((db) => {
      const note = db.prepare('SELECT note FROM checkpoints WHERE size = 24').pluck().get() as string;
      const [text, sig] = note.split('\n\n') as [string, string];
      const [dash, name, b64] = sig.trim().split(' ');
      const bytes = Buffer.from(b64!, 'base64');
      bytes[10]! ^= 0x01;
      db.prepare('UPDATE checkpoints SET note = ? WHERE size = 24').run(`${text}\n\n${dash} ${name} ${bytes.toString('base64')}\n`);
    });
    assert.deepEqual([report.valid, report.badCheckpointSize, report.firstBadIndex], [false, 24, 23]);
    assert.match(report.reason!, /does not verify/);
  });

  it('when a stored checkpoint root is wrong, reports that checkpoint', async () => {
    const report = await tampered((db) => db.prepare('UPDATE checkpoints SET root = zeroblob(32) WHERE size = 16').run());
    assert.deepEqual([report.valid, report.badCheckpointSize, report.firstBadIndex], [false, 16, 15]);
    assert.match(report.reason!, /root/);
  });

  it('when a checkpoint is signed by another key, reports that it has no known signature', async () => {
    const other = await tempLedgerDir();
    try {
      const report = await tampered(() => {});
      assert.equal(report.valid, true);
      const store = new SqliteLedgerStore(t.db);
      try {
        const wrongKey = await verifyChain(store, { verifiers: [noteVerifierFromPublicKey(ORIGIN, other.pem)], origin: ORIGIN });
        assert.deepEqual([wrongKey.valid, wrongKey.badCheckpointSize], [false, 0]);
        assert.match(wrongKey.reason!, /no signature by a known key/);
      } finally {
        await store.close();
      }
    } finally {
      await other.cleanup();
    }
  });

  it('when asked for a range, checks only that range, starting from the stored tree at its start', async () => {
    const edit = (db: Database.Database) => db.prepare('DELETE FROM entries WHERE idx = 30').run();
    const early = await tampered(edit, { start: 8, end: 24 });
    assert.deepEqual([early.valid, early.entriesChecked, early.checkpointsChecked], [true, 16, 3]);
    const late = await tampered(edit, { start: 24 });
    assert.deepEqual([late.valid, late.firstBadIndex], [false, 30]);
  });

  it('when the range is beyond the tree or inverted, refuses with OUT_OF_RANGE or INVALID_ARGUMENT', async () => {
    const store = new SqliteLedgerStore(t.db);
    const verifiers = [noteVerifierFromPublicKey(ORIGIN, t.pem)];
    try {
      await assert.rejects(verifyChain(store, { verifiers, origin: ORIGIN, end: ENTRIES + 1 }), (e) => isSignetError(e, 'OUT_OF_RANGE'));
      await assert.rejects(verifyChain(store, { verifiers, origin: ORIGIN, start: 10, end: 5 }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'start');
    } finally {
      await store.close();
    }
  });
});
