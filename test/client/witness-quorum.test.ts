// "Require N witnesses" means N different witness keys: one key listed under two names cosigns as
// one witness, and a quorum that is not a whole number from 1 to the number of keys is refused
// rather than read as "no witness needed". Offline, with checkpoints made in the test.
import assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { verifyReceiptBundle } from '../../src/client/index.js';
import { formatCheckpoint } from '../../src/ledger/checkpoint.js';
import { cosignatureLine, cosignerOf, formatCosignerVkey } from '../../src/ledger/cosignature.js';
import { noteKeyId } from '../../src/ledger/note.js';
import { leafHash } from '../../src/ledger/tree-hash.js';

const ORIGIN = 'signet.test/quorum';
const raw = (k: KeyObject) => Buffer.from((createPublicKey(k).export({ format: 'jwk' }) as { x: string }).x, 'base64url');

function bundle(cosigners: Array<[string, KeyObject]>) {
  const ledger = generateKeyPairSync('ed25519');
  const entry = Buffer.from('{"agent":"a","type":"receipt"}');
  const root = leafHash(entry);
  const body = formatCheckpoint({ origin: ORIGIN, size: 1, root });
  const blob = Buffer.alloc(68);
  blob.writeUInt32BE(noteKeyId(ORIGIN, 1, raw(ledger.privateKey)), 0);
  sign(null, Buffer.from(body), ledger.privateKey).copy(blob, 4);
  let note = `${body}\n\u2014 ${ORIGIN} ${blob.toString('base64')}\n`;
  for (const [name, key] of cosigners) note += cosignatureLine(body, name, key);
  const pem = createPublicKey(ledger.privateKey).export({ type: 'spki', format: 'pem' }) as string;
  return { receipt: { entry, index: 0, treeSize: 1, leafHash: root, inclusionProof: [], checkpoint: note }, pem };
}

describe('witness quorum in verifyReceiptBundle', () => {
  const w1 = generateKeyPairSync('ed25519').privateKey;
  const w2 = generateKeyPairSync('ed25519').privateKey;
  const vkey = (name: string, k: KeyObject) => formatCosignerVkey(cosignerOf(name, k));

  it('two real witnesses meet a quorum of two', () => {
    const { receipt, pem } = bundle([['w1.example', w1], ['w2.example', w2]]);
    const v = verifyReceiptBundle(receipt, { keys: pem, witnesses: { keys: [vkey('w1.example', w1), vkey('w2.example', w2)], required: 2 } });
    assert.ok(v.valid, JSON.stringify(v));
  });

  it('one witness key under two names counts once: a quorum of two is not met', () => {
    const { receipt, pem } = bundle([['w1.example', w1], ['w1-again.example', w1]]);
    const v = verifyReceiptBundle(receipt, { keys: pem, witnesses: { keys: [vkey('w1.example', w1), vkey('w1-again.example', w1)], required: 2 } });
    assert.equal(v.valid, false);
    assert.equal(!v.valid && v.check, 'witnesses');
  });

  for (const required of [0, -1, Number.NaN, 1.5, 3, undefined, '1', null]) {
    it(`a quorum of ${String(required)} with two witness keys is refused, not read as "enough"`, () => {
      const { receipt, pem } = bundle([['w1.example', w1], ['w2.example', w2]]);
      const v = verifyReceiptBundle(receipt, { keys: pem, witnesses: { keys: [vkey('w1.example', w1), vkey('w2.example', w2)], required: required as number } });
      assert.equal(v.valid, false, JSON.stringify(v));
      assert.equal(!v.valid && v.check, 'witnesses');
    });
  }
});
