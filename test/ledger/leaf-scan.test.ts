import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalBytes } from '../../src/lib/jcs.js';
import { LeafScanner } from '../../src/ledger/leaf-scan.js';
import { leafHash } from '../../src/ledger/merkle.js';

const independentLeaf = (e: Uint8Array) => createHash('sha256').update(Buffer.from([0])).update(e).digest();

function chain(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): Uint8Array[] {
  let prev = Buffer.alloc(32);
  return Array.from({ length: n }, (_, i) => {
    const entry = canonicalBytes({ type: 'receipt', i, prev: prev.toString('hex'), ...extra(i) });
    prev = independentLeaf(entry);
    return entry;
  });
}

describe('leaf scanner (VerifyChain worker)', () => {
  it('computes the RFC 6962 leaf hash of every entry, across chunks, as merkle.leafHash does', async () => {
    const entries = chain(50, (i) => (i === 7 ? { big: 'x'.repeat(70_000) } : i % 3 ? { metadata: { prev: 'nested' } } : {}));
    const scanner = new LeafScanner(Buffer.alloc(32));
    try {
      const a = await scanner.scan(entries.slice(0, 20));
      const b = await scanner.scan(entries.slice(20));
      const leaves = Buffer.concat([a.leaves, b.leaves]);
      entries.forEach((e, i) => {
        assert.deepEqual(leaves.subarray(i * 32, i * 32 + 32), independentLeaf(e));
        assert.deepEqual(leaves.subarray(i * 32, i * 32 + 32), Buffer.from(leafHash(e)));
      });
      assert.deepEqual([a.broken, b.broken], [-1, -1]);
    } finally {
      await scanner.close();
    }
  });

  it('when an entry does not link to the one before, names its position in the chunk', async () => {
    const entries = chain(10);
    [entries[4], entries[5]] = [entries[5]!, entries[4]!];
    const scanner = new LeafScanner(Buffer.alloc(32));
    try {
      assert.equal((await scanner.scan(entries.slice(0, 3))).broken, -1);
      assert.equal((await scanner.scan(entries.slice(3))).broken, 1);
    } finally {
      await scanner.close();
    }
  });
});
