// VerifyChain against an adversary who writes the SQLite file directly: "valid" must mean every
// entry answered for is covered by a checkpoint whose signature was checked.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ledgerCommand } from '../../src/cli/ledger.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { formatCheckpoint, noteVerifierFromPublicKey, signNote } from '../../src/ledger/note.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import { verifyChain, type ChainReport } from '../../src/ledger/verify-chain.js';
import { seededRng, type Rng } from '../helpers/seeded.js';
import { ORIGIN, hexOf, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

// 40 entries in batches of 8: checkpoints at sizes 0, 8, 16, 24, 32, 40.
const ENTRIES = 40;
const leaf = (entry: Uint8Array) => createHash('sha256').update(Buffer.from([0])).update(entry).digest();
const node = (l: Uint8Array, r: Uint8Array) => createHash('sha256').update(Buffer.from([1])).update(l).update(r).digest();

describe('VerifyChain against direct tampering of the SQLite file', () => {
  let t: TempLedgerDir;
  let original: Buffer[];
  let copies = 0;
  before(async () => {
    t = await tempLedgerDir();
    const ledger = await Ledger.open({ path: t.db, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 60_000, maxEntries: 8 } });
    const appended = ledger.appendMany(Array.from({ length: ENTRIES }, (_, i) => receipt(i)));
    await ledger.close();
    await appended;
    const db = new Database(t.db, { readonly: true });
    original = db.prepare('SELECT entry FROM entries ORDER BY idx').pluck().all() as Buffer[];
    db.close();
  });
  after(async () => t.cleanup());

  function copy(): string {
    const path = `${t.dir}/tamper-${++copies}.db`;
    copyFileSync(t.db, path);
    if (existsSync(`${t.db}-wal`)) copyFileSync(`${t.db}-wal`, `${path}-wal`);
    return path;
  }

  /** `handOver`: the store hides its file, so this thread reads and the worker is handed the rows (as for PostgreSQL). */
  async function verify(path: string, range: { start?: number; end?: number } = {}, handOver = false): Promise<ChainReport> {
    const store = new SqliteLedgerStore(path, { readonly: true });
    const seen = handOver ? (new Proxy(store, { get: (s, p) => (p === 'sqlitePath' ? undefined : typeof Reflect.get(s, p) === 'function' ? Reflect.get(s, p).bind(s) : Reflect.get(s, p)) }) as SqliteLedgerStore) : store;
    try {
      return await verifyChain(seen, { ...range, verifiers: [noteVerifierFromPublicKey(ORIGIN, t.pem)], origin: ORIGIN, chunk: 16 });
    } finally {
      await store.close();
    }
  }

  function edit(path: string, change: (db: Database.Database) => void): void {
    const db = new Database(path);
    change(db);
    db.close();
  }

  /** Rewrites entry i to `text`, with its leaf hash and every stored node above it recomputed. */
  function forgeEntry(db: Database.Database, i: number, text: string): void {
    db.prepare('UPDATE entries SET entry = ?, leaf_hash = ? WHERE idx = ?').run(Buffer.from(text), leaf(Buffer.from(text)), i);
    const leaves = db.prepare('SELECT leaf_hash FROM entries ORDER BY idx').pluck().all() as Buffer[];
    let level = leaves;
    for (let l = 1; level.length > 1; l++) {
      const up: Buffer[] = [];
      for (let k = 0; k + 1 < level.length; k += 2) up.push(node(level[k]!, level[k + 1]!));
      up.forEach((h, k) => db.prepare('UPDATE nodes SET hash = ? WHERE level = ? AND idx = ?').run(h, l, k));
      level = up;
    }
  }

  it('when a range between checkpoints holds an entry forged with its leaf hash, the next link and the stored nodes rewritten, the range is not valid', async () => {
    const path = copy();
    edit(path, (db) => {
      const e10 = JSON.parse(original[10]!.toString());
      e10.outcome = 'forged';
      const text = JSON.stringify(Object.fromEntries(Object.entries(e10).sort(([a], [b]) => (a < b ? -1 : 1))));
      forgeEntry(db, 10, text);
      const e11 = JSON.parse(original[11]!.toString());
      e11.prev = leaf(Buffer.from(text)).toString('hex');
      forgeEntry(db, 11, JSON.stringify(Object.fromEntries(Object.entries(e11).sort(([a], [b]) => (a < b ? -1 : 1)))));
    });
    // Entries 9..11 are self-consistent: without the extension to 16, no signature would be checked.
    const report = await verify(path, { start: 9, end: 12 });
    assert.equal(report.valid, false, 'the range is extended to the checkpoint at 16, which the forgery cannot match');
    const intact = await verify(t.db, { start: 9, end: 13 });
    assert.deepEqual([intact.valid, intact.start, intact.end, intact.checkpointsChecked], [true, 9, 16, 1], 'an intact range answers up to the checkpoint covering it');
  });

  it('when forged entries with correct chain links are appended after the last checkpoint, the whole-ledger answer is not valid (server and CLI)', async () => {
    const path = copy();
    edit(path, (db) => {
      let prev = db.prepare('SELECT leaf_hash FROM entries WHERE idx = ?').pluck().get(ENTRIES - 1) as Buffer;
      for (let i = ENTRIES; i < ENTRIES + 3; i++) {
        const text = `{"action":"files.read","agent":"mallory","outcome":"success","prev":"${prev.toString('hex')}","request_sha256":"${hexOf('x')}","resource":"s3://forged/${i}","response_sha256":"${hexOf('y')}","time":"2026-01-01T00:00:00.000Z","type":"receipt","v":1}`;
        prev = leaf(Buffer.from(text));
        db.prepare('INSERT INTO entries (idx, leaf_hash, entry) VALUES (?, ?, ?)').run(i, prev, Buffer.from(text));
      }
    });
    const report = await verify(path);
    assert.deepEqual([report.valid, report.firstBadIndex], [false, ENTRIES]);
    assert.match(report.reason!, /beyond the latest checkpoint/);
    const key = `${t.dir}/pub.pem`;
    writeFileSync(key, t.pem);
    let out = '';
    const code = await ledgerCommand(['verify', '--db', path, '--key', key], { out: (s) => void (out += s), err: () => {}, isTTY: false });
    assert.equal(code, 1);
    assert.match(out, /^invalid: first bad index 40: .*beyond the latest checkpoint/);
  });

  it('when a row with a negative index is added, the whole-ledger answer is not valid', async () => {
    const path = copy();
    edit(path, (db) => db.prepare('INSERT INTO entries (idx, leaf_hash, entry) VALUES (-3, ?, ?)').run(leaf(Buffer.from('{}')), Buffer.from('{}')));
    const report = await verify(path);
    assert.equal(report.valid, false);
    assert.match(report.reason!, /index -3/);
  });

  it('when a checkpoint is re-signed by the ledger key with another origin line, it is reported', async () => {
    const path = copy();
    const db = new Database(path);
    const row = db.prepare('SELECT root FROM checkpoints WHERE size = 16').get() as { root: Buffer };
    const note = await signNote(formatCheckpoint({ origin: 'evil.example/ledger', size: 16, root: row.root }), ORIGIN, t.signer);
    db.prepare('UPDATE checkpoints SET note = ? WHERE size = 16').run(note);
    db.close();
    const report = await verify(path);
    assert.deepEqual([report.valid, report.badCheckpointSize], [false, 16]);
    assert.match(report.reason!, /origin is "evil\.example\/ledger"/);
  });

  /** One row of one table changed the way an adversary with the file would. */
  function tamperOne(db: Database.Database, rng: Rng): string {
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[rng.int(0, c.length)]! ^= 1 << rng.int(0, 8);
      return c;
    };
    const table = rng.pick(['entries', 'entries', 'nodes', 'checkpoints']);
    if (table === 'entries') {
      const i = rng.int(0, ENTRIES);
      const row = db.prepare('SELECT entry, leaf_hash FROM entries WHERE idx = ?').get(i) as { entry: Buffer; leaf_hash: Buffer };
      const how = rng.pick(['entry', 'leaf', 'rehashed', 'delete', 'move', 'duplicate']);
      if (how === 'entry') db.prepare('UPDATE entries SET entry = ? WHERE idx = ?').run(flip(row.entry), i);
      if (how === 'leaf') db.prepare('UPDATE entries SET leaf_hash = ? WHERE idx = ?').run(flip(row.leaf_hash), i);
      if (how === 'rehashed') {
        const e = flip(row.entry);
        db.prepare('UPDATE entries SET entry = ?, leaf_hash = ? WHERE idx = ?').run(e, leaf(e), i);
      }
      if (how === 'delete') db.prepare('DELETE FROM entries WHERE idx = ?').run(i);
      if (how === 'move') db.prepare('UPDATE entries SET idx = ? WHERE idx = ?').run(ENTRIES + rng.int(0, 3), i);
      if (how === 'duplicate') db.prepare('INSERT INTO entries (idx, leaf_hash, entry) VALUES (?, ?, ?)').run(ENTRIES, row.leaf_hash, row.entry);
      return `entries ${how} ${i}`;
    }
    if (table === 'nodes') {
      const rows = db.prepare('SELECT level, idx, hash FROM nodes').all() as Array<{ level: number; idx: number; hash: Buffer }>;
      const n = rng.pick(rows);
      if (rng.bool()) db.prepare('DELETE FROM nodes WHERE level = ? AND idx = ?').run(n.level, n.idx);
      else db.prepare('UPDATE nodes SET hash = ? WHERE level = ? AND idx = ?').run(flip(n.hash), n.level, n.idx);
      return `nodes ${n.level}/${n.idx}`;
    }
    const size = rng.pick([0, 8, 16, 24, 32, 40]);
    const row = db.prepare('SELECT root, note FROM checkpoints WHERE size = ?').get(size) as { root: Buffer; note: string };
    const how = rng.pick(['note', 'root', 'delete']);
    if (how === 'note') db.prepare('UPDATE checkpoints SET note = ? WHERE size = ?').run(flip(Buffer.from(row.note)).toString('latin1'), size);
    if (how === 'root') db.prepare('UPDATE checkpoints SET root = ? WHERE size = ?').run(flip(row.root), size);
    if (how === 'delete') db.prepare('DELETE FROM checkpoints WHERE size = ?').run(size);
    return `checkpoints ${how} ${size}`;
  }

  it('for generated ranges and single-row tamperings, a "valid" answer only ever covers entries exactly as written (seeded)', async () => {
    const rng = seededRng('verify tampering');
    let invalid = 0;
    for (let k = 0; k < 60; k++) {
      const path = copy();
      let what = '';
      edit(path, (db) => (what = tamperOne(db, rng)));
      const whole = rng.bool(0.3);
      const start = whole ? 0 : rng.int(0, ENTRIES);
      const end = whole ? undefined : rng.int(start, ENTRIES + 1);
      let report: ChainReport;
      try {
        report = await verify(path, { start, ...(end === undefined ? {} : { end }) }, k % 2 === 1);
      } catch (err) {
        // The tampering moved the tree's end below the range asked for: refused, not valid.
        assert.match(String((err as { code?: string }).code), /OUT_OF_RANGE|FAILED_PRECONDITION/, `case ${k} (${what}): ${String(err)}`);
        invalid++;
        continue;
      }
      if (!report.valid) {
        invalid++;
        continue;
      }
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT idx, entry FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx').all(report.start, report.end) as Array<{ idx: number; entry: Buffer }>;
      const count = db.prepare('SELECT count(*) FROM entries').pluck().get() as number;
      db.close();
      const label = `case ${k} (${what}, ${k % 2 ? 'rows handed over' : 'worker reads'}, range ${start}..${end ?? 'all'} answered ${report.start}..${report.end})`;
      assert.ok(report.end >= (end ?? ENTRIES), `${label}: the answer covers the range asked for`);
      assert.equal(rows.length, report.end - report.start, `${label}: every entry answered for is there`);
      for (const r of rows) assert.ok(r.entry.equals(original[r.idx]!), `${label}: entry ${r.idx} is as written`);
      if (end === undefined) assert.equal(count, ENTRIES, `${label}: a whole-ledger answer saw every row`);
    }
    assert.ok(invalid > 10, `most tamperings are caught (${invalid} of 60)`);
  });
});
