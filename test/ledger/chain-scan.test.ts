import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalBytes } from '../../src/lib/jcs.js';
import { ChainScanner } from '../../src/ledger/chain-scan.js';
import { TreeBuilder, frontierAddresses, leafHash } from '../../src/ledger/merkle.js';

const independentLeaf = (e: Uint8Array) => createHash('sha256').update(Buffer.from([0])).update(e).digest();

function chain(n: number, extra: (i: number) => Record<string, unknown> = () => ({})): Uint8Array[] {
  let prev = Buffer.alloc(32);
  return Array.from({ length: n }, (_, i) => {
    const entry = canonicalBytes({ type: 'receipt', i, prev: prev.toString('hex'), ...extra(i) });
    prev = independentLeaf(entry);
    return entry;
  });
}

/** Roots after each append, by the ledger's own TreeBuilder. */
function builderRoots(entries: Uint8Array[]): Buffer[] {
  const b = new TreeBuilder();
  return entries.map((e) => {
    b.append(leafHash(e));
    return Buffer.from(b.root());
  });
}

describe('chain scanner (VerifyChain worker)', () => {
  const entries = chain(50, (i) => (i === 7 ? { big: 'x'.repeat(70_000) } : i % 3 ? { metadata: { prev: 'nested' } } : {}));
  const roots = builderRoots(entries);

  it('computes the same tree roots as TreeBuilder at every size, across chunks', async () => {
    const scanner = new ChainScanner({ prev: Buffer.alloc(32), size: 0, frontier: [], levels: [] });
    try {
      const sizes = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k + 1);
      const a = await scanner.scan(entries.slice(0, 20), sizes(0, 20));
      const b = await scanner.scan(entries.slice(20), sizes(20, 50));
      assert.deepEqual([a.broken, b.broken], [-1, -1]);
      assert.deepEqual([...a.roots, ...b.roots].map((r) => Buffer.from(r).toString('hex')), roots.map((r) => r.toString('hex')));
    } finally {
      await scanner.close();
    }
  });

  it('resumes from a stored frontier in the middle of the tree', async () => {
    const b = new TreeBuilder();
    for (const e of entries.slice(0, 21)) b.append(leafHash(e));
    const scanner = new ChainScanner({ prev: leafHash(entries[20]!), size: 21, frontier: b.frontier, levels: frontierAddresses(21).map((a) => a.level) });
    try {
      const r = await scanner.scan(entries.slice(21), [32, 50]);
      assert.equal(r.broken, -1);
      assert.deepEqual(r.roots.map((x) => Buffer.from(x)), [roots[31], roots[49]]);
    } finally {
      await scanner.close();
    }
  });

  it('when an entry does not link to the one before, names its position in the chunk', async () => {
    const swapped = [...entries];
    [swapped[4], swapped[5]] = [swapped[5]!, swapped[4]!];
    const scanner = new ChainScanner({ prev: Buffer.alloc(32), size: 0, frontier: [], levels: [] });
    try {
      assert.equal((await scanner.scan(swapped.slice(0, 3), [])).broken, -1);
      assert.equal((await scanner.scan(swapped.slice(3, 10), [])).broken, 1);
    } finally {
      await scanner.close();
    }
  });
});
