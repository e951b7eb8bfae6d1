import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UNPACK_BATCH_SOURCE, packBatch } from '../../src/ledger/batch-pack.js';
import type { BatchWrite } from '../../src/ledger/store.js';
import { largestPowerAtMost } from '../../src/ledger/tree-hash.js';
import { seededRandom, withSeed, type Random } from '../helpers/seeded.js';

const unpack = new Function(`${UNPACK_BATCH_SOURCE}; return unpackBatch;`)() as (ab: ArrayBuffer) => BatchWrite;

const TEXT = ['', 'a', 'signet:issuance:x', 'uri:spiffe://example.org/ü', '雪', '😀 key', 'x'.repeat(300)];
const bytes = (r: Random, n: number) => Uint8Array.from({ length: n }, () => r.int(256));

function batch(r: Random): BatchWrite {
  const entries = Array.from({ length: r.int(40) }, (_, i) => ({
    index: r.bool(0.2) ? 2 ** 52 + i : r.int(1e9),
    leafHash: bytes(r, 32),
    entry: bytes(r, r.int(2000)),
    idempotency: r.bool(0.4) ? { key: r.pick(TEXT), scope: r.pick(TEXT), contentDigest: bytes(r, 32) } : undefined,
  }));
  const nodes = Array.from({ length: r.int(40) }, () => ({ level: 1 + r.int(62), index: r.int(2 ** 40), hash: bytes(r, 32) }));
  return { entries, nodes, checkpoint: { size: r.int(2 ** 50), root: bytes(r, 32), note: `signet.test/ledger\n${r.int(1e6)}\n${r.pick(TEXT)}\n\n— signet.test/ledger AAAA\n` } };
}

const plain = (b: BatchWrite) => ({
  entries: b.entries.map((e) => ({ index: e.index, leafHash: [...e.leafHash], entry: [...e.entry], idempotency: e.idempotency && { ...e.idempotency, contentDigest: [...e.idempotency.contentDigest] } })),
  nodes: b.nodes.map((n) => ({ level: n.level, index: n.index, hash: [...n.hash] })),
  checkpoint: { ...b.checkpoint, root: [...b.checkpoint.root] },
});

describe('the batch handed to the SQLite writer thread', () => {
  it('unpacks to exactly the batch that was packed (300 generated batches: unicode keys and scopes, empty entries, 2^52 indices)', () => {
    const r = seededRandom(0x5eed_ba7c);
    for (let k = 0; k < 300; k++) {
      const b = batch(r);
      withSeed(r, `batch ${k}`, () => assert.deepEqual(plain(unpack(packBatch(b))), plain(b)));
    }
  });

  it('is a buffer of its own, so moving it to the writer copies nothing and leaves nothing shared', () => {
    const b = batch(seededRandom(7));
    const packed = packBatch(b);
    const { port1 } = new MessageChannel();
    port1.postMessage(packed, [packed]);
    assert.equal(packed.byteLength, 0, 'detached: transferred, not cloned');
    port1.close();
  });
});

describe('largestPowerAtMost', () => {
  it('agrees with the definition from 1 to 2^53 - 1', () => {
    const slow = (n: number) => {
      let k = 1;
      while (k * 2 <= n) k *= 2;
      return k;
    };
    const r = seededRandom(11);
    const cases = [1, 2, 3, 4, 5, 2 ** 31 - 1, 2 ** 31, 2 ** 31 + 1, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1, ...Array.from({ length: 5000 }, () => 1 + Math.floor(r.next() * 2 ** (1 + r.int(53))))];
    for (const n of cases) if (n >= 1 && n <= 2 ** 53 - 1) assert.equal(largestPowerAtMost(n), slow(n), `n = ${n}`);
  });
});
