import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { formatVkey } from '../../src/ledger/vkey.js';
import { checkNote } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

// Key rotation of the ledger key (previousKeys) and the start-up check of the latest checkpoint.
describe('ledger key rotation and the start-up checkpoint check', () => {
  let a: TempLedgerDir;
  let b: TempLedgerDir;
  let n = 0;
  before(async () => {
    a = await tempLedgerDir();
    b = await tempLedgerDir('p256');
  });
  after(async () => {
    await a.cleanup();
    await b.cleanup();
  });

  /** A ledger of 5 entries written with key A, closed. */
  async function writtenWithA(): Promise<string> {
    const path = `${a.dir}/rot-${++n}.db`;
    const ledger = await Ledger.open({ path, signer: a.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    await ledger.appendMany(Array.from({ length: 5 }, (_, i) => receipt(i)));
    await ledger.close();
    return path;
  }

  it('when reopened with key B and previousKeys [A as PEM], VerifyChain is valid over checkpoints signed by both keys', async () => {
    const path = await writtenWithA();
    const ledger = await Ledger.open({ path, signer: b.signer, origin: ORIGIN, previousKeys: [a.pem], batch: { maxDelayMs: 1 } });
    try {
      const next = await ledger.append(receipt(5));
      assert.equal(next.index, 6, 'entry 5 is the key event recording B');
      assert.equal(checkNote(next.checkpoint, b.pem).size, 7, 'the new checkpoint is signed with B');
      const report = await ledger.verifyChain();
      assert.deepEqual([report.valid, report.entriesChecked], [true, 7], report.reason);
    } finally {
      await ledger.close();
    }
    // Reopened with B alone: the key event B's checkpoint covers names A as the key before it, so
    // the ledger itself vouches for A's checkpoints.
    const bOnly = await Ledger.open({ path, signer: b.signer, origin: ORIGIN });
    try {
      const report = await bOnly.verifyChain();
      assert.deepEqual([report.valid, report.entriesChecked], [true, 7], report.reason);
    } finally {
      await bOnly.close();
    }
  });

  it('when the previous key is given as a note verifier key (vkey), it is accepted too', async () => {
    const path = await writtenWithA();
    const ledger = await Ledger.open({ path, signer: b.signer, origin: ORIGIN, previousKeys: [formatVkey(ORIGIN, a.pem)] });
    try {
      assert.equal((await ledger.verifyChain()).valid, true);
    } finally {
      await ledger.close();
    }
  });

  it('when a previous key cannot be read, refuses to start with CONFIG naming it', async () => {
    const path = await writtenWithA();
    await assert.rejects(
      Ledger.open({ path, signer: b.signer, origin: ORIGIN, previousKeys: [a.pem, 'not a key'] }),
      (e) => isSignetError(e, 'CONFIG') && e.field === 'ledger.previous_keys[1]',
    );
    await assert.rejects(
      Ledger.open({ path, signer: b.signer, origin: ORIGIN, previousKeys: [formatVkey('other.example/log', a.pem)] }),
      (e) => isSignetError(e, 'CONFIG') && e.field === 'ledger.previous_keys[0]' && /other\.example\/log/.test(e.message),
    );
  });

  it('when reopened with key B and the latest checkpoint signed by A is not vouched for, refuses to start with INTEGRITY', async () => {
    const path = await writtenWithA();
    await assert.rejects(
      Ledger.open({ path, signer: b.signer, origin: ORIGIN }),
      (e) => isSignetError(e, 'INTEGRITY') && /checkpoint at size 5/.test(e.message) && /previous_keys/.test(e.message),
    );
  });

  it('when the latest checkpoint signature was altered in the store, refuses to start with INTEGRITY', async () => {
    const path = await writtenWithA();
    const db = new Database(path);
    const note = db.prepare('SELECT note FROM checkpoints WHERE size = 5').pluck().get() as string;
    const [text, sig] = note.split('\n\n') as [string, string];
    const [dash, name, b64] = sig.trim().split(' ');
    const bytes = Buffer.from(b64!, 'base64');
    bytes[12]! ^= 0x01;
    db.prepare('UPDATE checkpoints SET note = ? WHERE size = 5').run(`${text}\n\n${dash} ${name} ${bytes.toString('base64')}\n`);
    db.close();
    await assert.rejects(
      Ledger.open({ path, signer: a.signer, origin: ORIGIN }),
      (e) => isSignetError(e, 'INTEGRITY') && /checkpoint at size 5: .*does not verify/.test(e.message),
    );
  });
});
