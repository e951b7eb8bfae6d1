// `signet verify receipt FILE --key PUBKEY.pem`: exit 0 with "valid: …" for a good receipt file,
// 1 with the reason for a bad one or the wrong key, 2 for bad usage.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { verifyCommand, type CommandOutput } from '../../src/cli/verify.js';
import { canonicalBytes } from '../../src/lib/jcs.js';
import { inclusionProof, leafHash, memoryTree } from '../../src/ledger/merkle.js';
import { formatCheckpoint, signNote } from '../../src/ledger/note.js';
import { receiptToJson } from '../../src/ledger/verify.js';
import { formatVkey } from '../../src/ledger/vkey.js';
import { openSigner } from '../../src/signers/index.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-cli-verify-'));

function capture(): CommandOutput & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

describe('signet verify receipt', () => {
  const paths = { receipt: join(dir, 'receipt.json'), key: join(dir, 'ledger.pub.pem'), otherKey: join(dir, 'other.pub.pem'), bad: join(dir, 'bad.json') };

  before(async () => {
    for (const alg of ['ed25519', 'p256']) {
      const signer = await openSigner(`file://${dir}/${alg}.pem?create=true&alg=${alg}`);
      writeFileSync(alg === 'ed25519' ? paths.key : paths.otherKey, (await signer.publicKey()).pem);
      if (alg !== 'ed25519') continue;
      const tree = memoryTree();
      const entries = Array.from({ length: 6 }, (_, i) => canonicalBytes({ type: 'receipt', n: i }));
      for (const e of entries) tree.appendEntry(e);
      const checkpoint = await signNote(formatCheckpoint({ origin: 'signet.example/ledger', size: 6, root: tree.root() }), 'signet.example/ledger', signer);
      const bundle = { entry: entries[4]!, index: 4, leafHash: leafHash(entries[4]!), inclusionProof: await inclusionProof(4, 6, tree.read), checkpoint, treeSize: 6 };
      writeFileSync(paths.receipt, receiptToJson(bundle));
      writeFileSync(paths.bad, receiptToJson({ ...bundle, index: 3 }));
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('when the receipt and key are good, prints "valid: index 4 in tree of size 6" and exits 0', async () => {
    const io = capture();
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', paths.key], io), 0);
    assert.deepEqual(io.stdout, ['valid: index 4 in tree of size 6']);
    assert.deepEqual(io.stderr, []);
    const again = capture();
    assert.equal(await verifyCommand(['receipt', '--key', paths.key, paths.receipt, '--origin', 'signet.example/ledger'], again), 0);
  });

  it('when the key is given as a signed-note verifier key (name+keyid+base64), verifies the same', async () => {
    const vkeyPath = join(dir, 'ledger.vkey');
    writeFileSync(vkeyPath, formatVkey('signet.example/ledger', readFileSync(paths.key, 'utf8')) + '\n');
    const io = capture();
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', vkeyPath], io), 0, io.stderr.join());
    assert.deepEqual(io.stdout, ['valid: index 4 in tree of size 6']);
    writeFileSync(vkeyPath, formatVkey('someone.else/ledger', readFileSync(paths.key, 'utf8')) + '\n');
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', vkeyPath], capture()), 1);
  });

  it('when the receipt was tampered with, exits 1 with the reason', async () => {
    const io = capture();
    assert.equal(await verifyCommand(['receipt', paths.bad, '--key', paths.key], io), 1);
    assert.match(io.stderr.join('\n'), /^invalid: receipt does not verify: the inclusion proof/);
    assert.deepEqual(io.stdout, []);
  });

  it('when the key is not the ledger key, exits 1', async () => {
    const io = capture();
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', paths.otherKey], io), 1);
    assert.match(io.stderr[0]!, /no signature by a known key/);
  });

  it('when the origin differs from --origin, exits 1', async () => {
    const io = capture();
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', paths.key, '--origin', 'other.example/log'], io), 1);
    assert.match(io.stderr[0]!, /origin/);
  });

  it('when a file is missing or not a key, exits 1', async () => {
    const missing = capture();
    assert.equal(await verifyCommand(['receipt', join(dir, 'absent.json'), '--key', paths.key], missing), 1);
    const notKey = capture();
    assert.equal(await verifyCommand(['receipt', paths.receipt, '--key', paths.receipt], notKey), 1);
    assert.match(notKey.stderr[0]!, /^invalid: /);
  });

  it('when the usage is wrong, exits 2 with one line saying what', async () => {
    const cases: Array<[string[], RegExp]> = [
      [[], /what to verify is required/],
      [['credential'], /unknown thing to verify "credential"/],
      [['receipt'], /FILE is required/],
      [['receipt', paths.receipt], /--key PUBKEY.pem .*or --server HOST:PORT is required/],
      [['receipt', paths.receipt, '--key'], /--key needs a value/],
      [['receipt', 'a', 'b', '--key', 'k'], /unexpected argument "b"/],
      [['receipt', 'a', '--bogus', 'x'], /unknown option --bogus/],
    ];
    for (const [argv, reason] of cases) {
      const io = capture();
      assert.equal(await verifyCommand(argv, io), 2, argv.join(' '));
      assert.equal(io.stderr.length, 1);
      assert.match(io.stderr[0]!, reason);
    }
  });
});
