import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ledgerCommand, type LedgerCommandIo } from '../../src/cli/ledger.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { checkNote, checkReceipt, consistent } from '../ledger/independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from '../ledger/fixtures.js';

function capture(isTTY = false): LedgerCommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('signet ledger', () => {
  let t: TempLedgerDir;
  let key: string;
  before(async () => {
    t = await tempLedgerDir();
    key = `${t.dir}/ledger.pub.pem`;
    writeFileSync(key, t.pem);
    // Batches of exactly 4, 4 and 2 (the last sealed by close): checkpoints at 0, 4, 8 and 10.
    const ledger = await Ledger.open({ path: t.db, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 60_000, maxEntries: 4 } });
    const appended = ledger.appendMany(Array.from({ length: 10 }, (_, i) => receipt(i)));
    await ledger.close();
    await appended;
  });
  after(async () => t.cleanup());

  it('verify: when the ledger is intact, prints valid with counts and exits 0, drawing a progress bar when asked', async () => {
    const io = capture();
    assert.equal(await ledgerCommand(['verify', '--db', t.db, '--key', key, '--progress'], io), 0);
    assert.match(io.stdout, /^valid: entries 0\.\.10 \(10 entries, 4 checkpoints\)/);
    assert.match(io.stderr, /verifying \[#+\] 100% 10\/10/);
  });

  it('verify: when an entry was altered in the file, prints its index and exits 1', async () => {
    const copy = `${t.dir}/tampered.db`;
    copyFileSync(t.db, copy);
    const db = new Database(copy);
    db.prepare("UPDATE entries SET entry = CAST(replace(CAST(entry AS TEXT), 'success', 'failure') AS BLOB) WHERE idx = 6").run();
    db.close();
    const io = capture();
    assert.equal(await ledgerCommand(['verify', '--db', copy, '--key', key], io), 1);
    assert.match(io.stdout, /^invalid: first bad index 6: entry 6/);
  });

  it('verify: when the key is not the ledger key, exits 1 naming the checkpoint', async () => {
    const other = await tempLedgerDir();
    try {
      writeFileSync(`${other.dir}/pub.pem`, other.pem);
      const io = capture();
      assert.equal(await ledgerCommand(['verify', '--db', t.db, '--key', `${other.dir}/pub.pem`], io), 1);
      assert.match(io.stdout, /no signature by a known key/);
    } finally {
      await other.cleanup();
    }
  });

  it('proof --index: prints a receipt bundle JSON that verifies independently', async () => {
    const io = capture();
    assert.equal(await ledgerCommand(['proof', '--db', t.db, '--index', '5', '--size', '8'], io), 0, io.stderr);
    const json = JSON.parse(io.stdout);
    assert.equal(json.format, 'signet-receipt/v1');
    const entry = checkReceipt(
      {
        entry: Buffer.from(json.entry, 'utf8'),
        index: json.index,
        leafHash: Buffer.from(json.leafHash, 'base64'),
        inclusionProof: json.inclusionProof.map((h: string) => Buffer.from(h, 'base64')),
        checkpoint: json.checkpoint,
        treeSize: json.treeSize,
      },
      t.pem,
      ORIGIN,
    );
    assert.deepEqual([json.treeSize, entry.resource], [8, 's3://bucket/object-5']);
  });

  it('proof --consistency: prints a consistency proof that verifies independently', async () => {
    const io = capture();
    assert.equal(await ledgerCommand(['proof', '--db', t.db, '--consistency', '4', '10'], io), 0);
    const json = JSON.parse(io.stdout);
    const proof = json.proof.map((h: string) => Buffer.from(h, 'base64'));
    assert.ok(consistent(4, 10, proof, checkNote(json.checkpoint1, t.pem).root, checkNote(json.checkpoint2, t.pem).root));
  });

  it('when the index is beyond the tree, exits 1 saying so; when arguments are wrong, exits 2 with one line saying what', async () => {
    const beyond = capture();
    assert.equal(await ledgerCommand(['proof', '--db', t.db, '--index', '99'], beyond), 1);
    assert.match(beyond.stderr, /index: 99 is not below the tree size 10/);
    const cases: Array<[string[], RegExp]> = [
      [['verify', '--db', t.db], /--key PUBKEY.pem .*or --server HOST:PORT is required/],
      [['proof', '--db', t.db, '--index', '-1'], /--index/],
      [['proof', '--db', t.db, '--index', '1x'], /--index must be a non-negative integer, not "1x"/],
      [['frobnicate'], /unknown action "frobnicate"/],
      [['proof', '--index', '1'], /--db PATH is required/],
    ];
    for (const [argv, reason] of cases) {
      const io = capture();
      assert.equal(await ledgerCommand(argv, io), 2, argv.join(' '));
      assert.match(io.stderr, reason);
      assert.equal(io.stderr.trimEnd().split('\n').length, 1, io.stderr);
    }
  });
});

describe('signet ledger verify after a key rotation', () => {
  it('when checkpoints were signed by two keys, the current key alone verifies them (the ledger\'s key event vouches for the old one), the old key alone does not', async () => {
    const a = await tempLedgerDir();
    const b = await tempLedgerDir();
    try {
      const keyA = `${a.dir}/a.pub.pem`;
      const keyB = `${b.dir}/b.pub.pem`;
      writeFileSync(keyA, a.pem);
      writeFileSync(keyB, b.pem);
      const first = await Ledger.open({ path: a.db, signer: a.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
      await first.append(receipt(0));
      await first.close();
      const second = await Ledger.open({ path: a.db, signer: b.signer, origin: ORIGIN, previousKeys: [a.pem], batch: { maxDelayMs: 1 } });
      await second.append(receipt(1));
      await second.close();
      const onlyB = capture();
      assert.equal(await ledgerCommand(['verify', '--db', a.db, '--key', keyB], onlyB), 0, onlyB.stdout);
      assert.match(onlyB.stdout, /^valid: entries 0\.\.3 \(3 entries/, 'receipt 0, the key event, receipt 1');
      const onlyA = capture();
      assert.equal(await ledgerCommand(['verify', '--db', a.db, '--key', keyA], onlyA), 1);
      assert.match(onlyA.stdout, /^invalid: first bad index 2: checkpoint at size 3: .*no signature by a known key/);
      const both = capture();
      assert.equal(await ledgerCommand(['verify', '--db', a.db, '--key', keyB, '--key', keyA], both), 0, both.stdout);
    } finally {
      await a.cleanup();
      await b.cleanup();
    }
  });
});
