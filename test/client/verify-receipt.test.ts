// Offline receipt verification with the ledger key alone: bundles from a real Signet server
// verify (wire form, file form, domain form); every single-field corruption, generated from a
// seed, is refused with the check it breaks.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignetClient, verifyReceiptBundle, type ReceiptCheck } from '../../src/client/index.js';
import type { Receipt__Output } from '../../src/gen/signet/v1/Receipt.js';
import { formatVkey } from '../../src/ledger/vkey.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seeded } from '../helpers/seeded.js';
import { generateKeyPairSync } from 'node:crypto';

const ORIGIN = 'signet.test/offline';
const SEED = 20261125;
const hex = (c: string) => c.repeat(64);

type Bundle = { entry: Uint8Array; index: number; treeSize: number; leafHash: Uint8Array; inclusionProof: Uint8Array[]; checkpoint: string };

const fromWire = (r: Receipt__Output): Bundle => ({ entry: Buffer.from(r.entry), index: r.index, treeSize: r.tree_size, leafHash: Buffer.from(r.leaf_hash), inclusionProof: r.inclusion_proof.map((h) => Buffer.from(h)), checkpoint: r.checkpoint });
const flipBit = (bytes: Uint8Array, bit: number): Buffer => {
  const out = Buffer.from(bytes);
  out[Math.floor(bit / 8) % out.length]! ^= 1 << bit % 8;
  return out;
};

describe('verifyReceiptBundle', () => {
  let server: TestServer;
  let signet: SignetClient;
  let pem: string;
  let receipts: Receipt__Output[];

  before(async () => {
    server = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' }, ledger: { origin: ORIGIN } });
    signet = new SignetClient({ address: server.address });
    pem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
    const receipt = (i: number) => ({ agent: `agent-${i}`, action: 'files.read', resource: `s3://b/o-${i}`, request_sha256: hex('a'), response_sha256: hex('b'), outcome: 'success' });
    receipts = (await signet.ledger.appendReceipts({ receipts: Array.from({ length: 13 }, (_, i) => ({ receipt: receipt(i) })) })).receipts;
  });
  after(async () => {
    signet?.close();
    await server?.stop();
  });

  it('accepts every receipt of a batch, as the wire carries it, with the PEM key or the vkey, with the origin', () => {
    const vkey = formatVkey(ORIGIN, pem);
    for (const r of receipts) {
      const verdict = verifyReceiptBundle(r, { keys: pem, origin: ORIGIN });
      assert.ok(verdict.valid, JSON.stringify(verdict));
      assert.equal(verdict.index, r.index);
      assert.equal(verdict.entry.type, 'receipt');
      assert.deepEqual(verdict.signedBy, [ORIGIN]);
      assert.ok(verifyReceiptBundle(r, { keys: vkey }).valid);
    }
  });

  it('accepts the signet-receipt/v1 file form, as text and parsed', async () => {
    const { receiptToJson } = await import('../../src/ledger/receipt-json.js');
    const text = receiptToJson(fromWire(receipts[5]!));
    assert.ok(verifyReceiptBundle(text, { keys: pem, origin: ORIGIN }).valid);
    assert.ok(verifyReceiptBundle(JSON.parse(text), { keys: pem, origin: ORIGIN }).valid);
  });

  it('when the trusted key is another key, checkpoint_signature; when it is unreadable, trusted_key', () => {
    const other = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const v = verifyReceiptBundle(receipts[0]!, { keys: other });
    assert.equal(v.valid ? 'valid' : v.check, 'checkpoint_signature');
    const bad = verifyReceiptBundle(receipts[0]!, { keys: '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n' });
    assert.equal(bad.valid ? 'valid' : bad.check, 'trusted_key');
  });

  it('when the expected origin is another log, origin', () => {
    const v = verifyReceiptBundle(receipts[0]!, { keys: pem, origin: 'signet.test/other' });
    assert.equal(v.valid ? 'valid' : v.check, 'origin');
  });

  it('refuses every generated single-field corruption with the check it breaks', () => {
    const random = seeded(SEED);
    type Corruption = { what: string; expect: ReceiptCheck | ReceiptCheck[]; make: (b: Bundle) => unknown };
    const entryText = (b: Bundle) => Buffer.from(b.entry).toString('utf8');
    const corruptions: Corruption[] = [
      { what: 'index + 1 inside the tree', expect: 'inclusion_proof', make: (b) => ({ ...b, index: (b.index + 1) % b.treeSize }) },
      { what: 'index at or past the size', expect: 'index', make: (b) => ({ ...b, index: b.treeSize + random.int(1000) }) },
      { what: 'index negative / fractional / huge', expect: 'format', make: (b) => ({ ...b, index: random.pick([-1, 0.5, 2 ** 53, Number.NaN]) }) },
      { what: 'tree size changed', expect: 'tree_size', make: (b) => ({ ...b, treeSize: b.treeSize + 1 + random.int(5) }) },
      { what: 'a letter of a string value in the entry replaced by another letter', expect: 'inclusion_proof', make: (b) => {
        const text = entryText(b);
        // Only inside member values without escapes: a letter of a member name can change the
        // member order, and one after a backslash the escape, and either makes the entry
        // non-canonical (check 'entry', tested below) rather than a different canonical entry.
        const at = [...text.matchAll(/:"([^"\\]*)"/g)].flatMap((m) =>
          [...m[1]!.matchAll(/[a-z]/g)].map((l) => m.index! + 2 + l.index!),
        );
        const i = random.pick(at);
        const swapped = text.slice(0, i) + (text[i] === 'q' ? 'r' : 'q') + text.slice(i + 1);
        return { ...b, entry: Buffer.from(swapped), leafHash: undefined };
      } },
      { what: 'whitespace inserted into the entry', expect: 'entry', make: (b) => {
        const text = entryText(b);
        // After a member separator or a name separator: still the same JSON, no longer canonical.
        const at = [...text.matchAll(/[,:](?=["0-9{])/g)].map((m) => m.index! + 1);
        const i = random.pick(at);
        return { ...b, entry: Buffer.from(text.slice(0, i) + random.pick([' ', '\n', '\t']) + text.slice(i)), leafHash: undefined };
      } },
      { what: 'entry truncated', expect: 'entry', make: (b) => ({ ...b, entry: b.entry.subarray(0, 1 + random.int(b.entry.length - 1)), leafHash: undefined }) },
      { what: 'entry is a JSON array', expect: 'entry', make: (b) => ({ ...b, entry: Buffer.from('[1]'), leafHash: undefined }) },
      { what: 'a bit of the leaf hash', expect: 'leaf_hash', make: (b) => ({ ...b, leafHash: flipBit(b.leafHash, random.int(256)) }) },
      { what: 'a bit of one proof hash', expect: 'inclusion_proof', make: (b) => {
        const k = random.int(b.inclusionProof.length);
        return { ...b, inclusionProof: b.inclusionProof.map((h, i) => (i === k ? flipBit(h, random.int(256)) : h)) };
      } },
      { what: 'a proof hash dropped', expect: 'inclusion_proof', make: (b) => {
        const k = random.int(b.inclusionProof.length);
        return { ...b, inclusionProof: b.inclusionProof.filter((_, i) => i !== k) };
      } },
      { what: 'a proof hash added', expect: 'inclusion_proof', make: (b) => ({ ...b, inclusionProof: [...b.inclusionProof, Buffer.alloc(32, random.int(256))] }) },
      { what: 'a proof hash of 31 bytes', expect: 'format', make: (b) => ({ ...b, inclusionProof: [Buffer.alloc(31), ...b.inclusionProof.slice(1)] }) },
      { what: 'the checkpoint root changed', expect: 'checkpoint_signature', make: (b) => {
        const [origin, size, root, ...rest] = b.checkpoint.split('\n');
        const bytes = flipBit(Buffer.from(root!, 'base64'), random.int(256));
        return { ...b, checkpoint: [origin, size, bytes.toString('base64'), ...rest].join('\n') };
      } },
      { what: 'the checkpoint size changed (bundle agrees)', expect: 'checkpoint_signature', make: (b) => ({ ...b, treeSize: b.treeSize + 1, checkpoint: b.checkpoint.replace(`\n${b.treeSize}\n`, `\n${b.treeSize + 1}\n`) }) },
      { what: 'the checkpoint origin changed', expect: 'checkpoint_signature', make: (b) => ({ ...b, checkpoint: b.checkpoint.replace(/^[^\n]+/, 'signet.test/forged') }) },
      { what: 'a bit of the signature', expect: ['checkpoint_signature', 'checkpoint_format'], make: (b) => {
        const line = b.checkpoint.split('\n').at(-2)!;
        const blob = Buffer.from(line.split(' ').at(-1)!, 'base64');
        const flipped = flipBit(blob, 32 + random.int((blob.length - 4) * 8));
        return { ...b, checkpoint: b.checkpoint.replace(line, line.replace(/\S+$/, flipped.toString('base64'))) };
      } },
      { what: 'the signature line removed', expect: ['checkpoint_format', 'checkpoint_signature'], make: (b) => ({ ...b, checkpoint: b.checkpoint.replace(/— [^\n]+\n$/, '') }) },
      { what: 'the checkpoint without its final newline', expect: 'checkpoint_format', make: (b) => ({ ...b, checkpoint: b.checkpoint.slice(0, -1) }) },
      { what: 'the checkpoint is not text', expect: 'format', make: (b) => ({ ...b, checkpoint: 42 }) },
      { what: 'the entry is not bytes', expect: 'format', make: (b) => ({ ...b, entry: entryText(b) }) },
    ];
    let cases = 0;
    for (const c of corruptions) {
      for (let round = 0; round < 8; round++) {
        const r = receipts[random.int(receipts.length)]!;
        const corrupted = c.make(fromWire(r));
        const verdict = verifyReceiptBundle(corrupted as Bundle, { keys: pem, origin: ORIGIN });
        const expected = Array.isArray(c.expect) ? c.expect : [c.expect];
        assert.ok(!verdict.valid && expected.includes(verdict.check), `${c.what} (seed ${SEED}, round ${round}): got ${JSON.stringify(verdict)}`);
        assert.ok(!verdict.valid && verdict.reason.length > 0);
        cases++;
      }
    }
    assert.equal(cases, corruptions.length * 8);
  });
});
