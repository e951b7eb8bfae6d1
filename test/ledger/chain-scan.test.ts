import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalBytes } from '../../src/lib/jcs.js';
import { ChainScanner, nodesCompletedBy, type StoredLevel } from '../../src/ledger/chain-scan.js';
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

/** Every interior node TreeBuilder completes, keyed "level/index", and which leaf completed it. */
function builderNodes(entries: Uint8Array[]): Map<string, { hash: Buffer; by: number }> {
  const b = new TreeBuilder();
  const out = new Map<string, { hash: Buffer; by: number }>();
  entries.forEach((e, i) => {
    for (const n of b.append(leafHash(e))) if (n.level > 0) out.set(`${n.level}/${n.index}`, { hash: Buffer.from(n.hash), by: i });
  });
  return out;
}

describe('chain scanner (VerifyChain worker)', () => {
  const entries = chain(50, (i) => (i === 7 ? { big: 'x'.repeat(70_000) } : i % 3 ? { metadata: { prev: 'nested' } } : {}));
  const roots = builderRoots(entries);
  const nodes = builderNodes(entries);
  const leaves = entries.map(independentLeaf);
  /** The stored nodes a chunk completes, as VerifyChain reads them (minus any left out). */
  const stored = (from: number, to: number, edit: (level: number, index: number, h: Buffer) => Buffer | undefined = (_l, _i, h) => h): StoredLevel[] =>
    nodesCompletedBy(from, to).map(({ level, lo, hi }) => {
      const hashes = new Uint8Array((hi - lo) * 32);
      const present = new Uint8Array(hi - lo);
      for (let i = lo; i < hi; i++) {
        const h = edit(level, i, nodes.get(`${level}/${i}`)!.hash);
        if (h) {
          hashes.set(h, (i - lo) * 32);
          present[i - lo] = 1;
        }
      }
      return { level, lo, hashes, present };
    });
  const scanOf = (scanner: ChainScanner, list: Uint8Array[], from: number, to: number, rootsAt: number[], edit?: Parameters<typeof stored>[2]) =>
    scanner.scan(list.slice(from, to), leaves.slice(from, to), stored(from, to, edit), rootsAt);

  it('names exactly the nodes each chunk completes (checked against TreeBuilder)', () => {
    for (const [from, to] of [[0, 20], [20, 50], [21, 32], [0, 1], [7, 8], [31, 32]] as const) {
      const ranged = nodesCompletedBy(from, to).flatMap(({ level, lo, hi }) => Array.from({ length: hi - lo }, (_, k) => `${level}/${lo + k}`));
      const built = [...nodes].filter(([, n]) => n.by >= from && n.by < to).map(([k]) => k);
      assert.deepEqual(ranged.sort(), built.sort(), `chunk ${from}..${to}`);
    }
  });

  it('when a stored node differs or is missing, names it and the chunk position that completed it', async () => {
    const scanner = new ChainScanner({ prev: Buffer.alloc(32), size: 0, frontier: [], levels: [] });
    try {
      const flipped = await scanOf(scanner, entries, 0, 20, [], (level, index, h) => (level === 1 && index === 7 ? Buffer.from(h).fill(0, 0, 1) : h));
      assert.deepEqual([flipped.broken, flipped.leafBad, flipped.badNode], [-1, -1, { at: 15, level: 1, index: 7, missing: false }]);
      const gone = await scanOf(scanner, entries, 20, 50, [], (level, index, h) => (level === 3 && index === 3 ? undefined : h));
      assert.deepEqual(gone.badNode, { at: 11, level: 3, index: 3, missing: true });
    } finally {
      await scanner.close();
    }
  });

  it('when a stored leaf hash differs from the entry bytes, names its position', async () => {
    const scanner = new ChainScanner({ prev: Buffer.alloc(32), size: 0, frontier: [], levels: [] });
    try {
      const wrong = leaves.slice(0, 10);
      wrong[6] = Buffer.alloc(32);
      const r = await scanner.scan(entries.slice(0, 10), wrong, stored(0, 10), []);
      assert.deepEqual([r.broken, r.leafBad, r.badNode], [-1, 6, null]);
    } finally {
      await scanner.close();
    }
  });

  it('computes the same tree roots as TreeBuilder at every size, across chunks', async () => {
    const scanner = new ChainScanner({ prev: Buffer.alloc(32), size: 0, frontier: [], levels: [] });
    try {
      const sizes = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k + 1);
      const a = await scanOf(scanner, entries, 0, 20, sizes(0, 20));
      const b = await scanOf(scanner, entries, 20, 50, sizes(20, 50));
      assert.deepEqual([a.broken, b.broken, a.leafBad, b.leafBad, a.badNode, b.badNode], [-1, -1, -1, -1, null, null]);
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
      const r = await scanOf(scanner, entries, 21, 50, [32, 50]);
      assert.deepEqual([r.broken, r.badNode], [-1, null]);
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
      assert.equal((await scanOf(scanner, swapped, 0, 3, [])).broken, -1);
      assert.equal((await scanOf(scanner, swapped, 3, 10, [])).broken, 1);
    } finally {
      await scanner.close();
    }
  });
});
