import assert from 'node:assert/strict';
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { ledgerCommand } from '../../src/cli/ledger.js';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { loadKeyEvents } from '../../src/ledger/key-events.js';
import { splitNote, noteVerifierFromPublicKey } from '../../src/ledger/note.js';
import { checkNote, checkReceipt } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';
import { RotatingSigner } from './rotating-signer.js';

/** Every checkpoint is signed by a key version recorded by a key event at a smaller index (or the genesis key). */
async function everyKeyRecordedFirst(ledger: Ledger, pems: string[]): Promise<void> {
  const events = await loadKeyEvents(ledger.store);
  const latest = (await ledger.store.latestCheckpoint())!;
  for (const c of await ledger.store.checkpointsBetween(0, latest.size)) {
    const ids = splitNote(c.note).signatures.map((s) => s.keyId);
    const v = pems.findIndex((pem) => ids.includes(noteVerifierFromPublicKey(ORIGIN, pem).keyId));
    assert.ok(v >= 0, `checkpoint ${c.size} is signed by a known version`);
    if (v === 0) continue; // the genesis version
    const spki = Buffer.from((await import('node:crypto')).createPublicKey(pems[v]!).export({ type: 'spki', format: 'der' }));
    const event = events.find((e) => Buffer.from(e.key.spki).equals(spki));
    assert.ok(event && event.index < c.size, `version ${v + 1} is recorded before the checkpoint at ${c.size}`);
  }
}

describe('ledger key events (a KMS key that rotates by itself)', () => {
  let versions: TempLedgerDir[];
  let n = 0;
  before(async () => {
    versions = [await tempLedgerDir(), await tempLedgerDir('p256'), await tempLedgerDir()];
  });
  after(async () => {
    for (const v of versions) await v.cleanup();
  });
  const rotating = () => new RotatingSigner(versions.map((v) => v.signer));
  const pems = () => versions.map((v) => v.pem);
  const path = () => `${versions[0]!.dir}/keys-${++n}.db`;

  it('when the key rotates under a running ledger, the next batch starts with a key event and VerifyChain stays valid', async () => {
    const signer = rotating();
    const ledger = await Ledger.open({ path: path(), signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      await ledger.appendMany([receipt(0), receipt(1)]);
      signer.rotate();
      const after = await ledger.append(receipt(2));
      assert.equal(after.index, 3, 'entry 2 is the key event');
      checkReceipt(after, versions[1]!.pem, ORIGIN);
      const [event] = await ledger.store.entries(2, 3);
      const recorded = JSON.parse(Buffer.from(event!.entry).toString());
      assert.deepEqual([recorded.type, recorded.event, recorded.key.key_version, recorded.previous.key_version], ['key_event', 'ledger_key', '2', '1']);
      const report = await ledger.verifyChain();
      assert.deepEqual([report.valid, report.entriesChecked], [true, 4], report.reason);
      await everyKeyRecordedFirst(ledger, pems());
    } finally {
      await ledger.close();
    }
  });

  it('when the key rotates while a batch is being signed, the batch is built again with the key event for the version that signed', async () => {
    const signer = rotating();
    const ledger = await Ledger.open({ path: path(), signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      await ledger.append(receipt(0));
      signer.beforeSign = () => {
        signer.beforeSign = undefined;
        signer.rotate();
      };
      const b = await ledger.append(receipt(1));
      assert.equal(checkNote(b.checkpoint, versions[1]!.pem).size, 3);
      await everyKeyRecordedFirst(ledger, pems());
      assert.equal((await ledger.verifyChain()).valid, true);
    } finally {
      await ledger.close();
    }
  });

  it('when the key rotated again while the ledger was closed, it opens (the backend confirms the recorded version), records the new one, and verifies', async () => {
    const signer = rotating();
    const p = path();
    const first = await Ledger.open({ path: p, signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    await first.append(receipt(0));
    signer.rotate();
    await first.append(receipt(1));
    await first.close();
    signer.rotate(); // offline
    const again = await Ledger.open({ path: p, signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      const r = await again.append(receipt(2));
      checkReceipt(r, versions[2]!.pem, ORIGIN);
      const events = await loadKeyEvents(again.store);
      assert.deepEqual(events.map((e) => [e.key.version, e.previous?.version]), [['2', '1'], ['3', '2']]);
      const report = await again.verifyChain();
      assert.deepEqual([report.valid, report.checkpointsChecked], [true, 4], report.reason);
      await everyKeyRecordedFirst(again, pems());
    } finally {
      await again.close();
    }
    // Offline, with only the newest version's public key: the ledger vouches for the older ones.
    const key = `${versions[0]!.dir}/v3.pem`;
    writeFileSync(key, versions[2]!.pem);
    let out = '';
    assert.equal(await ledgerCommand(['verify', '--db', p, '--key', key], { out: (s) => void (out += s), err: () => {}, isTTY: false }), 0, out);
  });

  it('when an adversary with the file appends its own key event and signs with its own key, the ledger refuses to open and VerifyChain is not valid', async () => {
    const attacker = await tempLedgerDir();
    try {
      const p = path();
      const genuine = await Ledger.open({ path: p, signer: versions[0]!.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
      await genuine.appendMany([receipt(0), receipt(1)]);
      await genuine.close();
      const forged = `${p}.forged`;
      copyFileSync(p, forged);
      if (existsSync(`${p}-wal`)) copyFileSync(`${p}-wal`, `${forged}-wal`);
      // The adversary runs Signet's own code with its key: a key event naming the genuine key as previous.
      const tool = await Ledger.open({ path: forged, signer: attacker.signer, origin: ORIGIN, previousKeys: [versions[0]!.pem], batch: { maxDelayMs: 1 } });
      await tool.append(receipt(99, { outcome: 'forged' }));
      await tool.close();
      await assert.rejects(Ledger.open({ path: forged, signer: versions[0]!.signer, origin: ORIGIN }), (e) => isSignetError(e, 'INTEGRITY'));
      const key = `${attacker.dir}/genuine.pem`;
      writeFileSync(key, versions[0]!.pem);
      let out = '';
      assert.equal(await ledgerCommand(['verify', '--db', forged, '--key', key], { out: (s) => void (out += s), err: () => {}, isTTY: false }), 1);
      assert.match(out, /^invalid: first bad index 3: checkpoint at size 4: .*no signature by a known key/);
    } finally {
      await attacker.cleanup();
    }
  });
});
