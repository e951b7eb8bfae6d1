// Offline receipt verification: a bundle from a real tree and a checkpoint signed through the file
// driver verifies with the public key alone; every tampering is refused with INTEGRITY.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { canonicalBytes } from '../../src/lib/jcs.js';
import type { ReceiptBundle } from '../../src/ledger/contract.js';
import { inclusionProof, leafHash, memoryTree, type MemoryTree } from '../../src/ledger/merkle.js';
import { formatCheckpoint, noteVerifierFromPublicKey, signNote, type NoteVerifier } from '../../src/ledger/note.js';
import { receiptFromJson, receiptToJson, verifyReceipt } from '../../src/ledger/verify.js';
import type { Signer } from '../../src/signers/contract.js';
import { openSigner } from '../../src/signers/index.js';

const ORIGIN = 'signet.example/ledger';
const dir = mkdtempSync(join(tmpdir(), 'signet-verify-'));

function assertIntegrity(fn: () => unknown, message: RegExp): void {
  assert.throws(fn, (e) => {
    assert.ok(isSignetError(e, 'INTEGRITY'), `expected INTEGRITY, got ${String(e)}`);
    assert.match(e.message, message);
    return true;
  });
}

/** A small ledger: hash-chained canonical entries in a memory tree, and one signed checkpoint. */
async function buildLedger(signer: Signer, count: number, tweak?: (i: number, bytes: Uint8Array) => Uint8Array) {
  const tree: MemoryTree = memoryTree();
  const entries: Uint8Array[] = [];
  let prev = '0'.repeat(64);
  for (let i = 0; i < count; i++) {
    let bytes = canonicalBytes({ v: 1, type: 'receipt', time: `2026-11-25T12:00:${String(i % 60).padStart(2, '0')}Z`, agent: `agent-${i}`, action: 'read', resource: `doc/${i}`, prev });
    if (tweak) bytes = tweak(i, bytes);
    entries.push(bytes);
    prev = Buffer.from(tree.appendEntry(bytes)).toString('hex');
  }
  const checkpoint = await signNote(formatCheckpoint({ origin: ORIGIN, size: count, root: tree.root() }), ORIGIN, signer);
  const bundle = async (index: number): Promise<ReceiptBundle> => ({
    entry: entries[index]!,
    index,
    leafHash: leafHash(entries[index]!),
    inclusionProof: await inclusionProof(index, count, tree.read),
    checkpoint,
    treeSize: count,
  });
  return { tree, entries, checkpoint, bundle };
}

describe('verifyReceipt', () => {
  let signer: Signer;
  let otherSigner: Signer;
  let verifiers: NoteVerifier[];
  let ledger: Awaited<ReturnType<typeof buildLedger>>;

  before(async () => {
    signer = await openSigner(`file://${dir}/ledger.pem?create=true&alg=p256`);
    otherSigner = await openSigner(`file://${dir}/other.pem?create=true&alg=ed25519`);
    verifiers = [noteVerifierFromPublicKey(ORIGIN, (await signer.publicKey()).pem)];
    ledger = await buildLedger(signer, 13);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a good bundle for every index, with the public key alone', async () => {
    for (let index = 0; index < 13; index++) {
      const verified = verifyReceipt(await ledger.bundle(index), verifiers, { origin: ORIGIN });
      assert.equal(verified.index, index);
      assert.equal(verified.treeSize, 13);
      assert.equal(verified.origin, ORIGIN);
      assert.equal(verified.entry.resource, `doc/${index}`);
      assert.deepEqual(verified.verifiedBy, [ORIGIN]);
      assert.deepEqual(Buffer.from(verified.root), Buffer.from(ledger.tree.root()));
    }
  });

  it('when one byte of the entry is flipped, refuses with INTEGRITY', async () => {
    const good = await ledger.bundle(5);
    for (const at of [0, 20, good.entry.length - 2]) {
      const entry = Uint8Array.from(good.entry);
      entry[at]! ^= 0x01;
      assertIntegrity(() => verifyReceipt({ ...good, entry, leafHash: leafHash(entry) }, verifiers), /canonical|inclusion proof/);
      assertIntegrity(() => verifyReceipt({ ...good, entry }, verifiers), /canonical|leaf hash/);
    }
    const entry = canonicalBytes({ ...JSON.parse(Buffer.from(good.entry).toString()), agent: 'agent-X' });
    assertIntegrity(() => verifyReceipt({ ...good, entry, leafHash: leafHash(entry) }, verifiers), /inclusion proof does not lead/);
  });

  it('when the index is wrong, refuses with INTEGRITY', async () => {
    const good = await ledger.bundle(6);
    assertIntegrity(() => verifyReceipt({ ...good, index: 7 }, verifiers), /inclusion proof/);
    assertIntegrity(() => verifyReceipt({ ...good, index: 13 }, verifiers), /not in a tree of size 13/);
    assertIntegrity(() => verifyReceipt({ ...good, index: -1 }, verifiers), /index/);
    assertIntegrity(() => verifyReceipt({ ...good, index: 2 ** 53 }, verifiers), /index/);
  });

  it('when the proof is truncated, extended or has a flipped bit, refuses with INTEGRITY', async () => {
    const good = await ledger.bundle(9);
    assert.ok(good.inclusionProof.length >= 3);
    assertIntegrity(() => verifyReceipt({ ...good, inclusionProof: good.inclusionProof.slice(0, -1) }, verifiers), /inclusion proof/);
    assertIntegrity(() => verifyReceipt({ ...good, inclusionProof: [...good.inclusionProof, good.inclusionProof[0]!] }, verifiers), /inclusion proof/);
    const flipped = good.inclusionProof.map((h, i) => (i === 1 ? Uint8Array.from(h, (b, j) => (j === 0 ? b ^ 0x80 : b)) : h));
    assertIntegrity(() => verifyReceipt({ ...good, inclusionProof: flipped }, verifiers), /inclusion proof/);
    assertIntegrity(() => verifyReceipt({ ...good, inclusionProof: [new Uint8Array(5)] }, verifiers), /32-byte/);
  });

  it('when the checkpoint is signed by another key, refuses with INTEGRITY', async () => {
    const good = await ledger.bundle(2);
    const forged = await signNote(formatCheckpoint({ origin: ORIGIN, size: 13, root: ledger.tree.root() }), ORIGIN, otherSigner);
    assertIntegrity(() => verifyReceipt({ ...good, checkpoint: forged }, verifiers), /no signature by a known key/);
    const otherVerifiers = [noteVerifierFromPublicKey(ORIGIN, (await otherSigner.publicKey()).pem)];
    assertIntegrity(() => verifyReceipt(good, otherVerifiers), /no signature by a known key/);
  });

  it('when the tree size or origin disagrees with the signed checkpoint, refuses with INTEGRITY', async () => {
    const good = await ledger.bundle(3);
    assertIntegrity(() => verifyReceipt({ ...good, treeSize: 12 }, verifiers), /tree size 12 but the signed checkpoint says 13/);
    assertIntegrity(() => verifyReceipt(good, verifiers, { origin: 'signet.example/elsewhere' }), /origin/);
    const tampered = good.checkpoint.replace('\n13\n', '\n14\n');
    assertIntegrity(() => verifyReceipt({ ...good, checkpoint: tampered, treeSize: 14 }, verifiers), /does not verify/);
  });

  it('when the entry is JSON but not canonical, refuses with INTEGRITY even if its proof holds', async () => {
    const sloppy = await buildLedger(signer, 4, (i, bytes) => (i === 2 ? Buffer.from(Buffer.from(bytes).toString().replace('{', '{ ')) : bytes));
    assert.ok(verifyReceipt(await sloppy.bundle(1), verifiers));
    const bundle = await sloppy.bundle(2);
    assertIntegrity(() => verifyReceipt(bundle, verifiers), /not RFC 8785 canonical/);
  });

  it('round-trips through the receipt JSON file form and still verifies', async () => {
    const good = await ledger.bundle(11);
    const text = receiptToJson(good);
    const json = JSON.parse(text);
    assert.equal(json.format, 'signet-receipt/v1');
    assert.equal(json.entry, Buffer.from(good.entry).toString('utf8'));
    assert.equal(json.inclusionProof.length, good.inclusionProof.length);
    const back = receiptFromJson(text);
    assert.deepEqual(Buffer.from(back.entry), Buffer.from(good.entry));
    assert.equal(verifyReceipt(back, verifiers).index, 11);
    const asBase64 = { ...json, entry: undefined, entryBase64: Buffer.from(good.entry).toString('base64') };
    assert.equal(verifyReceipt(receiptFromJson(JSON.stringify(asBase64)), verifiers).index, 11);
  });

  it('when random characters of the receipt file are changed, only coded errors come out and no altered receipt passes', async () => {
    const text = receiptToJson(await ledger.bundle(7));
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const alphabet = '0123456789abcdefABCDEF+/=",:{}[] \\n\u2014-';
    let refused = 0;
    for (let n = 0; n < 300; n++) {
      const chars = [...text];
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        chars[Math.floor(random() * chars.length)] = alphabet[Math.floor(random() * alphabet.length)]!;
      }
      const mutated = chars.join('');
      try {
        verifyReceipt(receiptFromJson(mutated), verifiers);
        // A change that leaves the receipt meaning the same (e.g. JSON whitespace) may still verify.
        const same = receiptFromJson(mutated);
        assert.equal(same.index, 7);
        assert.equal(Buffer.from(same.entry).toString(), Buffer.from(ledger.entries[7]!).toString());
      } catch (err) {
        assert.ok(isSignetError(err, 'INTEGRITY') || isSignetError(err, 'INVALID_ARGUMENT'), `mutation ${n}: ${String(err)}`);
        refused++;
      }
    }
    assert.ok(refused > 250, `${refused} of 300 mutations refused`);
  });

  it('when the receipt file repeats a member (two entries, two indices): INVALID_ARGUMENT on receipt, not the last one silently', async () => {
    const text = receiptToJson(await ledger.bundle(3));
    const forged = text.replace('"index": 3,', '"index": 3,\n  "index": 4,');
    assert.notEqual(forged, text);
    assert.throws(() => receiptFromJson(forged), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'receipt' && /twice/.test(e.message));
  });

  it('when the receipt file is malformed, refuses with INVALID_ARGUMENT naming the field', async () => {
    const json = JSON.parse(receiptToJson(await ledger.bundle(0)));
    const cases: [unknown, string][] = [
      ['not json', 'receipt'],
      [{ ...json, format: 'other' }, 'format'],
      [{ ...json, index: '0' }, 'index'],
      [{ ...json, index: 1.5 }, 'index'],
      [{ ...json, treeSize: -1 }, 'treeSize'],
      [{ ...json, entryBase64: 'AAAA' }, 'entry'],
      [{ ...json, entry: undefined }, 'entry'],
      [{ ...json, inclusionProof: ['AAAA'] }, 'inclusionProof[0]'],
      [{ ...json, inclusionProof: Array(65).fill(json.inclusionProof[0]) }, 'inclusionProof'],
      [{ ...json, leafHash: 'xx' }, 'leafHash'],
      [{ ...json, checkpoint: 5 }, 'checkpoint'],
    ];
    for (const [input, field] of cases) {
      const text = typeof input === 'string' ? input : JSON.stringify(input);
      assert.throws(() => receiptFromJson(text), (e) => {
        assert.ok(isSignetError(e, 'INVALID_ARGUMENT'), String(e));
        assert.equal(e.field, field);
        return true;
      });
    }
  });
});
