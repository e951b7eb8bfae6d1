// Offline consistency between two signed checkpoints of a real Signet ledger: proofs the server
// gives verify with the ledger key; every generated single-field corruption is refused with the
// check it breaks, naming which checkpoint is at fault.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SignetClient, verifyConsistency, type ConsistencyCheck, type ConsistencyInput } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seeded } from '../helpers/seeded.js';

const ORIGIN = 'signet.test/consistency';
const SEED = 4242;
const hex = (c: string) => c.repeat(64);
const receipt = (i: number) => ({ receipt: { agent: `a${i}`, action: 'x', resource: `r/${i}`, request_sha256: hex('1'), response_sha256: hex('2'), outcome: 'success' } });

describe('verifyConsistency', () => {
  let server: TestServer;
  let otherLog: TestServer;
  let signet: SignetClient;
  let pem: string;
  let otherPem: string;
  const proofs: ConsistencyInput[] = [];
  let foreign: string;

  before(async () => {
    server = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' }, ledger: { origin: ORIGIN } });
    otherLog = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' }, ledger: { origin: 'signet.test/other' } });
    signet = new SignetClient({ address: server.address });
    pem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
    otherPem = (await otherLog.running.keys.byName('ledger')!.signer.publicKey()).pem;
    const sizes: number[] = [];
    for (const n of [1, 2, 5, 8, 3]) {
      const res = await signet.ledger.appendReceipts({ receipts: Array.from({ length: n }, (_, i) => receipt(i)) });
      sizes.push(res.receipts[0]!.tree_size);
    }
    for (let i = 0; i < sizes.length; i++) {
      for (let j = i; j < sizes.length; j++) {
        const from = await signet.ledger.getCheckpoint({ size: sizes[i]! });
        const proof = await signet.ledger.getConsistencyProof({ size1: sizes[i]!, size2: sizes[j]! });
        proofs.push({ from: from.note, to: proof.checkpoint, proof: proof.proof.map((h) => Buffer.from(h)) });
      }
    }
    const o = new SignetClient({ address: otherLog.address });
    await o.ledger.appendReceipts({ receipts: [receipt(0), receipt(1), receipt(2)] });
    foreign = (await o.ledger.getCheckpoint({})).note;
    o.close();
  });
  after(async () => {
    signet?.close();
    await server?.stop();
    await otherLog?.stop();
  });

  it('accepts every proof between checkpoints the server signed (bytes or base64), equal sizes included', () => {
    for (const p of proofs) {
      const v = verifyConsistency(p, { keys: pem, origin: ORIGIN });
      assert.ok(v.valid, JSON.stringify(v));
      assert.ok(verifyConsistency({ ...p, proof: p.proof.map((h) => Buffer.from(h as Uint8Array).toString('base64')) }, { keys: pem }).valid);
    }
  });

  it('when the checkpoints are of two logs, origin; when the newer is smaller, sizes', () => {
    const p = proofs.find((x) => x.proof.length > 0)!;
    const v = verifyConsistency({ ...p, to: foreign }, { keys: [pem, otherPem] });
    assert.equal(v.valid ? 'valid' : v.check, 'origin');
    const back = verifyConsistency({ from: p.to, to: p.from, proof: p.proof }, { keys: pem });
    assert.equal(back.valid ? 'valid' : back.check, 'sizes');
  });

  it('refuses every generated single-field corruption with the check it breaks', () => {
    const random = seeded(SEED);
    const nonEmpty = proofs.filter((p) => p.proof.length > 0);
    const flip = (h: Uint8Array) => {
      const out = Buffer.from(h);
      out[random.int(32)]! ^= 1 << random.int(8);
      return out;
    };
    const rootChanged = (note: string) => {
      const lines = note.split('\n');
      lines[2] = flip(Buffer.from(lines[2]!, 'base64')).toString('base64');
      return lines.join('\n');
    };
    const corruptions: [string, ConsistencyCheck, 'from' | 'to' | undefined, (p: ConsistencyInput) => ConsistencyInput][] = [
      ['a bit of a proof hash', 'consistency_proof', undefined, (p) => {
        const k = random.int(p.proof.length);
        return { ...p, proof: p.proof.map((h, i) => (i === k ? flip(h as Uint8Array) : h)) };
      }],
      ['a proof hash dropped', 'consistency_proof', undefined, (p) => ({ ...p, proof: p.proof.slice(0, -1) })],
      ['a proof hash added', 'consistency_proof', undefined, (p) => ({ ...p, proof: [...p.proof, Buffer.alloc(32, random.int(256))] })],
      ['a 33-byte proof hash', 'format', undefined, (p) => ({ ...p, proof: [Buffer.alloc(33), ...p.proof.slice(1)] })],
      ['the older root', 'checkpoint_signature', 'from', (p) => ({ ...p, from: rootChanged(p.from) })],
      ['the newer root', 'checkpoint_signature', 'to', (p) => ({ ...p, to: rootChanged(p.to) })],
      ['the newer signature removed', 'checkpoint_format', 'to', (p) => ({ ...p, to: p.to.replace(/— [^\n]+\n$/, '') })],
      ['the older note cut short', 'checkpoint_format', 'from', (p) => ({ ...p, from: p.from.slice(0, -1) })],
    ];
    for (const [what, check, which, make] of corruptions) {
      for (let round = 0; round < 8; round++) {
        const v = verifyConsistency(make(random.pick(nonEmpty)), { keys: pem, origin: ORIGIN });
        assert.ok(!v.valid && v.check === check, `${what} (seed ${SEED}, round ${round}): ${JSON.stringify(v)}`);
        if (which) assert.equal(v.which, which);
      }
    }
  });
});
