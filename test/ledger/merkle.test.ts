// RFC 6962 tree maths: the transparency-dev vectors, randomised proofs against the reference root,
// one-bit flips, the TreeBuilder's stored nodes, and O(log n) reads per proof.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { mulberry32 } from '../helpers/seeded.js';
import {
  EMPTY_ROOT,
  TreeBuilder,
  consistencyProof,
  frontierAddresses,
  inclusionProof,
  inclusionProofs,
  leafHash,
  leafHashLatin1,
  memoryTree,
  nodeHash,
  rootAt,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
  type Hash,
  type NodeAddress,
  type NodeReader,
} from '../../src/ledger/merkle.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const vectors = resolve(repo, 'test/fixtures/rfc6962');

const b64 = (s: string | null | undefined): Uint8Array => Buffer.from(s ?? '', 'base64');
const hex = (h: Uint8Array): string => Buffer.from(h).toString('hex');
const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

function caseFiles(kind: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.json')) out.push(path);
    }
  };
  walk(join(vectors, kind));
  return out;
}


function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const copy = Uint8Array.from(h);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

function assertCode(err: unknown, code: string): true {
  assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
  assert.equal(err.code, code);
  return true;
}

describe('RFC 6962 hashing', () => {
  it('hashes leaves as SHA-256(0x00‖entry) and nodes as SHA-256(0x01‖left‖right)', () => {
    const entry = Buffer.from('signet');
    assert.equal(hex(leafHash(entry)), hex(sha256(new Uint8Array([0]), entry)));
    const l = leafHash(Buffer.from('l'));
    const r = leafHash(Buffer.from('r'));
    assert.equal(hex(nodeHash(l, r)), hex(sha256(new Uint8Array([1]), l, r)));
    assert.equal(hex(EMPTY_ROOT), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('matches the reference roots and leaf hashes of roots.json at every size', async () => {
    const data = JSON.parse(readFileSync(join(vectors, 'roots.json'), 'utf8')) as {
      leafInputsHex: string[];
      rootHashesHexBySize: string[];
      leafHashesHex: string[];
    };
    const leaves = data.leafInputsHex.map((h) => leafHash(Buffer.from(h, 'hex')));
    assert.deepEqual(leaves.map(hex), data.leafHashesHex);
    const tree = memoryTree();
    assert.equal(hex(tree.root()), data.rootHashesHexBySize[0]);
    for (let size = 1; size <= leaves.length; size++) {
      tree.appendLeaf(leaves[size - 1]!);
      const want = data.rootHashesHexBySize[size];
      assert.equal(hex(rootFromLeaves(leaves.slice(0, size))), want, `reference root at size ${size}`);
      assert.equal(hex(tree.root()), want, `TreeBuilder root at size ${size}`);
      assert.equal(hex(await rootAt(size, tree.read)), want, `rootAt from stored nodes at size ${size}`);
    }
  });
});

describe('RFC 6962 test vectors (transparency-dev/merkle)', () => {
  it('accepts every happy inclusion case and rejects every broken one', () => {
    const files = caseFiles('inclusion');
    assert.ok(files.length >= 90, `found only ${files.length} inclusion cases in ${vectors}`);
    let happy = 0;
    for (const file of files) {
      const c = JSON.parse(readFileSync(file, 'utf8'));
      const got = verifyInclusion(b64(c.leafHash), c.leafIdx, c.treeSize, (c.proof ?? []).map(b64), b64(c.root));
      assert.equal(got, !c.wantErr, `${file.slice(vectors.length + 1)} (${c.desc}) should be ${c.wantErr ? 'rejected' : 'accepted'}`);
      if (!c.wantErr) happy++;
    }
    assert.ok(happy >= 5, 'the happy paths were exercised');
  });

  it('accepts every happy consistency case and rejects every broken one', () => {
    const files = caseFiles('consistency');
    assert.ok(files.length >= 90, `found only ${files.length} consistency cases in ${vectors}`);
    let happy = 0;
    for (const file of files) {
      const c = JSON.parse(readFileSync(file, 'utf8'));
      const got = verifyConsistency(c.size1, c.size2, (c.proof ?? []).map(b64), b64(c.root1), b64(c.root2));
      assert.equal(got, !c.wantErr, `${file.slice(vectors.length + 1)} (${c.desc}) should be ${c.wantErr ? 'rejected' : 'accepted'}`);
      if (!c.wantErr) happy++;
    }
    assert.ok(happy >= 5, 'the happy paths were exercised');
  });
});

describe('proof generation against the vectors', () => {
  it('builds exactly the happy-path proofs of the vectors from the eight reference leaves', async () => {
    const data = JSON.parse(readFileSync(join(vectors, 'roots.json'), 'utf8')) as { leafInputsHex: string[] };
    const tree = memoryTree();
    for (const h of data.leafInputsHex) tree.appendEntry(Buffer.from(h, 'hex'));
    let compared = 0;
    for (const file of [...caseFiles('inclusion'), ...caseFiles('consistency')]) {
      const c = JSON.parse(readFileSync(file, 'utf8'));
      if (c.wantErr) continue;
      const want = (c.proof ?? []).map((p: string) => hex(b64(p)));
      if ('leafIdx' in c) {
        if (c.treeSize > 8 || b64(c.leafHash).length !== 32 || hex(b64(c.leafHash)) !== hex(leafHash(Buffer.from(data.leafInputsHex[c.leafIdx]!, 'hex')))) continue;
        assert.deepEqual((await inclusionProof(c.leafIdx, c.treeSize, tree.read)).map(hex), want, file);
      } else {
        if (c.size2 > 8 || c.size1 === 0 || hex(b64(c.root2)) !== hex(await rootAt(c.size2, tree.read))) continue;
        assert.deepEqual((await consistencyProof(c.size1, c.size2, tree.read)).map(hex), want, file);
      }
      compared++;
    }
    assert.ok(compared >= 8, `compared ${compared} happy-path proofs`);
  });
});

describe('proofs from stored nodes, randomised (seed 6962)', () => {
  const random = mulberry32(6962);
  const MAX = 2048;
  const tree = memoryTree();
  const leaves: Hash[] = [];
  for (let i = 0; i < MAX; i++) leaves.push(tree.appendEntry(Buffer.from(`entry ${i} ${random()}`)));
  // Every index of these trees; the whole run stays near a second on a loaded two-core machine.
  const sizes = [1, 2, 3, 5, 8, 9, 255, 256, MAX, ...Array.from({ length: 2 }, () => 1 + Math.floor(random() * MAX))];
  const roots = new Map<number, Hash>();
  const rootOf = (size: number): Hash => {
    if (!roots.has(size)) roots.set(size, rootFromLeaves(leaves.slice(0, size)));
    return roots.get(size)!;
  };

  it('every inclusion proof verifies against the reference root, for random sizes up to 2048', async () => {
    let checked = 0;
    for (const size of sizes) {
      const root = rootOf(size);
      for (let index = 0; index < size; index++) {
        const proof = await inclusionProof(index, size, tree.read);
        assert.ok(verifyInclusion(leaves[index]!, index, size, proof, root), `index ${index} in size ${size}`);
        checked++;
      }
    }
    assert.ok(checked > 2048);
  });

  it('every consistency proof between random pairs of sizes verifies', async () => {
    const picks = Array.from({ length: 12 }, () => 1 + Math.floor(random() * MAX)).sort((x, y) => x - y);
    let pairs = 0;
    for (let i = 0; i < picks.length; i++) {
      for (let j = i; j < picks.length; j++) {
        const [a, b] = [picks[i]!, picks[j]!];
        const proof = await consistencyProof(a, b, tree.read);
        assert.ok(verifyConsistency(a, b, proof, rootOf(a), rootOf(b)), `consistency ${a} → ${b}`);
        if (a < b) assert.equal(verifyConsistency(a, b, proof, rootOf(b), rootOf(a)), false, 'swapped roots are refused');
        pairs++;
      }
    }
    assert.equal(pairs, 78);
    for (const [a, b] of [
      [1, 2],
      [1, MAX],
      [MAX - 1, MAX],
      [1024, 2048],
      [1023, 1025],
      [5, 5],
    ] as const) {
      assert.ok(verifyConsistency(a, b, await consistencyProof(a, b, tree.read), rootOf(a), rootOf(b)), `consistency ${a} → ${b}`);
    }
  });

  it('when any one bit of any proof hash is flipped, the proof is refused', async () => {
    for (let n = 0; n < 20; n++) {
      const size = 2 + Math.floor(random() * (MAX - 1));
      const index = Math.floor(random() * size);
      const proof = await inclusionProof(index, size, tree.read);
      const root = rootOf(size);
      for (let k = 0; k < proof.length; k++) {
        const bit = Math.floor(random() * 256);
        const broken = proof.map((h, i) => (i === k ? flipBit(h, bit) : h));
        assert.equal(verifyInclusion(leaves[index]!, index, size, broken, root), false, `inclusion ${index}/${size} hash ${k} bit ${bit}`);
      }
      assert.equal(verifyInclusion(flipBit(leaves[index]!, 3), index, size, proof, root), false, 'flipped leaf');
      assert.equal(verifyInclusion(leaves[index]!, index, size, proof, flipBit(root, 200)), false, 'flipped root');
      assert.equal(verifyInclusion(leaves[index]!, index, size, proof.slice(0, -1), root), false, 'truncated proof');
      assert.equal(verifyInclusion(leaves[index]!, index, size, [...proof, proof[0]!], root), false, 'extended proof');
      if (index + 1 < size) assert.equal(verifyInclusion(leaves[index]!, index + 1, size, proof, root), false, 'wrong index');
    }
    for (let n = 0; n < 20; n++) {
      const b = 3 + Math.floor(random() * (MAX - 2));
      const a = 1 + Math.floor(random() * (b - 2));
      const proof = await consistencyProof(a, b, tree.read);
      for (let k = 0; k < proof.length; k++) {
        const bit = Math.floor(random() * 256);
        const broken = proof.map((h, i) => (i === k ? flipBit(h, bit) : h));
        assert.equal(verifyConsistency(a, b, broken, rootOf(a), rootOf(b)), false, `consistency ${a}→${b} hash ${k} bit ${bit}`);
      }
      assert.equal(verifyConsistency(a, b, proof, flipBit(rootOf(a), 7), rootOf(b)), false, 'flipped root1');
      assert.equal(verifyConsistency(a, b, proof, rootOf(a), flipBit(rootOf(b), 7)), false, 'flipped root2');
      assert.equal(verifyConsistency(a + 1, b, proof, rootOf(a), rootOf(b)), false, 'wrong size1');
    }
  });
});

describe('TreeBuilder', () => {
  it('stores each completed node once, each equal to the reference hash of its leaf range, at every size', () => {
    const random = mulberry32(7);
    const builder = new TreeBuilder();
    const leaves: Hash[] = [];
    const stored = new Map<string, Hash>();
    for (let size = 1; size <= 300; size++) {
      const leaf = leafHash(Buffer.from(`leaf ${size} ${random()}`));
      leaves.push(leaf);
      const nodes = builder.append(leaf);
      assert.deepEqual({ level: nodes[0]!.level, index: nodes[0]!.index }, { level: 0, index: size - 1 });
      for (const { level, index, hash } of nodes) {
        const key = `${level}/${index}`;
        assert.ok(!stored.has(key), `node ${key} handed out twice`);
        stored.set(key, hash);
        const span = 2 ** level;
        assert.ok((index + 1) * span <= size, `node ${key} is complete at size ${size}`);
        assert.equal(hex(hash), hex(rootFromLeaves(leaves.slice(index * span, (index + 1) * span))), `node ${key}`);
      }
      assert.equal(builder.size, size);
      assert.equal(hex(builder.root()), hex(rootFromLeaves(leaves)), `root at size ${size}`);
      const frontier = frontierAddresses(size).map(({ level, index }) => stored.get(`${level}/${index}`)!);
      assert.deepEqual(builder.frontier.map(hex), frontier.map(hex), `frontier at size ${size}`);
    }
    // Every complete subtree of a 300-leaf tree was handed out: 300 leaves, 150 pairs, 75 quads …
    let expected = 0;
    for (let span = 1; span <= 300; span *= 2) expected += Math.floor(300 / span);
    assert.equal(stored.size, expected);
  });

  it('resumes from a stored frontier at any size and goes on to the same roots', () => {
    const leaves = Array.from({ length: 300 }, (_, i) => leafHash(Buffer.from(`r${i}`)));
    const whole = new TreeBuilder();
    const frontiers: Hash[][] = [[]];
    for (const leaf of leaves) {
      whole.append(leaf);
      frontiers.push(whole.frontier);
    }
    for (const at of [0, 1, 2, 5, 64, 127, 200, 299]) {
      const resumed = TreeBuilder.fromFrontier(at, frontiers[at]!);
      assert.equal(hex(resumed.root()), hex(rootFromLeaves(leaves.slice(0, at))), `resumed root at ${at}`);
      resumed.appendAll(leaves.slice(at));
      assert.equal(hex(resumed.root()), hex(whole.root()), `resumed at ${at} then appended to 300`);
    }
  });

  it('extend and extendLatin1 (no records) reach the same roots and frontier as append', () => {
    const recorded = new TreeBuilder();
    const quiet = new TreeBuilder();
    const text = new TreeBuilder();
    for (let i = 0; i < 200; i++) {
      const entry = Buffer.from(`q${i}`);
      const leaf = leafHash(entry);
      assert.equal(Buffer.from(leafHashLatin1(entry), 'latin1').toString('hex'), hex(sha256(new Uint8Array([0]), entry)));
      recorded.append(leaf);
      quiet.extend(leaf);
      text.extendLatin1(leafHashLatin1(entry));
      assert.equal(hex(quiet.root()), hex(recorded.root()), `root at ${i + 1}`);
      assert.equal(hex(text.root()), hex(rootFromLeaves(Array.from({ length: i + 1 }, (_, j) => leafHash(Buffer.from(`q${j}`))))), `latin1 root at ${i + 1}`);
    }
    assert.deepEqual(quiet.frontier.map(hex), recorded.frontier.map(hex));
    assert.deepEqual(text.frontier.map(hex), recorded.frontier.map(hex));
    assert.equal(quiet.size, 200);
    assert.throws(() => text.extendLatin1('short'), (e) => assertCode(e, 'INVALID_ARGUMENT'));
  });

  it('when the frontier does not fit the size, refuses with INTEGRITY', () => {
    const h = leafHash(Buffer.from('x'));
    assert.throws(() => TreeBuilder.fromFrontier(3, [h]), (e) => assertCode(e, 'INTEGRITY'));
    assert.throws(() => TreeBuilder.fromFrontier(1, [new Uint8Array(31)]), (e) => assertCode(e, 'INTEGRITY'));
    assert.throws(() => TreeBuilder.fromFrontier(-1, []), (e) => assertCode(e, 'INVALID_ARGUMENT'));
    assert.throws(() => new TreeBuilder().append(new Uint8Array(5)), (e) => assertCode(e, 'INVALID_ARGUMENT'));
  });
});

describe('reads per proof', () => {
  /** A reader over no tree at all: answers any address with a fixed hash, and records calls. */
  function countingReader(size: number): { read: NodeReader; calls: NodeAddress[][] } {
    const calls: NodeAddress[][] = [];
    const read: NodeReader = async (addresses) => {
      calls.push(addresses);
      for (const { level, index } of addresses) {
        assert.ok(Number.isSafeInteger(level) && Number.isSafeInteger(index) && level >= 0 && index >= 0, 'a sane address');
        assert.ok((index + 1) * 2 ** level <= size, `node (${level}, ${index}) is a complete subtree of a tree of size ${size}`);
      }
      return addresses.map(({ level, index }) => sha256(Buffer.from(`${level}/${index}`)));
    };
    return { read, calls };
  }

  it('reads at most 2·log2(n) stored nodes in one batch for proofs and roots, even at n near 2^50', async () => {
    const random = mulberry32(99);
    for (const size of [2048, 2049, 1_000_003, 2 ** 40 + 12345, 2 ** 50 - 1, Number.MAX_SAFE_INTEGER]) {
      const bound = 2 * Math.ceil(Math.log2(size)) + 1;
      for (let n = 0; n < 20; n++) {
        const index = n === 0 ? size - 1 : Math.floor(random() * size);
        const { read, calls } = countingReader(size);
        const proof = await inclusionProof(index, size, read);
        assert.equal(calls.length, 1, 'one batched read');
        assert.ok(calls[0]!.length <= bound, `inclusion ${index}/${size} read ${calls[0]!.length} nodes, bound ${bound}`);
        assert.ok(proof.length <= Math.ceil(Math.log2(size)));
        const size1 = 1 + Math.floor(random() * (size - 1));
        const c = countingReader(size);
        await consistencyProof(size1, size, c.read);
        assert.equal(c.calls.length, 1, 'one batched read');
        assert.ok(c.calls[0]!.length <= bound, `consistency ${size1}→${size} read ${c.calls[0]!.length} nodes`);
      }
      const r = countingReader(size);
      await rootAt(size, r.read);
      assert.ok(r.calls[0]!.length <= Math.ceil(Math.log2(size)) + 1);
    }
  });

  it('proves a batch of neighbouring leaves with one read of each shared node', async () => {
    const tree = memoryTree();
    const leaves: Hash[] = [];
    for (let i = 0; i < 1000; i++) leaves.push(tree.appendEntry(Buffer.from(`b${i}`)));
    const root = rootFromLeaves(leaves);
    const indices = Array.from({ length: 64 }, (_, i) => 936 + i);
    tree.reads.length = 0;
    const proofs = await inclusionProofs(indices, 1000, tree.read);
    assert.equal(tree.reads.length, 1, 'one batched read');
    const keys = tree.reads[0]!.map(({ level, index }) => `${level}/${index}`);
    assert.equal(new Set(keys).size, keys.length, 'no node asked for twice');
    // A batch of b neighbours shares all but about 2b + 2·log2(n) nodes; alone they would read ~10 each.
    assert.ok(keys.length <= 2 * 64 + 2 * 10, `${keys.length} nodes for 64 proofs`);
    for (let i = 0; i < indices.length; i++) {
      assert.deepEqual(proofs[i]!.map(hex), (await inclusionProof(indices[i]!, 1000, tree.read)).map(hex));
      assert.ok(verifyInclusion(leaves[indices[i]!]!, indices[i]!, 1000, proofs[i]!, root));
    }
    await assert.rejects(inclusionProofs([5, 1000], 1000, tree.read), (e) => assertCode(e, 'OUT_OF_RANGE'));
    assert.deepEqual(await inclusionProofs([], 1000, tree.read), []);
  });

  it('reads a real 2048-leaf tree in O(log n): 1 call per proof and at most 22 nodes', async () => {
    const tree = memoryTree();
    for (let i = 0; i < 2048; i++) tree.appendEntry(Buffer.from(`n${i}`));
    tree.reads.length = 0;
    for (const [index, size] of [
      [0, 2048],
      [2047, 2048],
      [1000, 1999],
      [5, 6],
    ] as const) {
      await inclusionProof(index, size, tree.read);
    }
    assert.equal(tree.reads.length, 4);
    assert.ok(tree.reads.every((addresses) => addresses.length <= 22));
  });
});

describe('untrusted sizes and indices', () => {
  const tree = memoryTree();
  for (let i = 0; i < 10; i++) tree.appendEntry(Buffer.from([i]));

  it('when an index or size is negative, fractional, NaN or beyond 2^53, refuses with INVALID_ARGUMENT', async () => {
    for (const bad of [-1, 1.5, Number.NaN, Infinity, 2 ** 53, '3' as unknown as number]) {
      await assert.rejects(inclusionProof(bad, 10, tree.read), (e) => assertCode(e, 'INVALID_ARGUMENT'));
      await assert.rejects(inclusionProof(0, bad, tree.read), (e) => assertCode(e, 'INVALID_ARGUMENT'));
      await assert.rejects(consistencyProof(bad, 10, tree.read), (e) => assertCode(e, 'INVALID_ARGUMENT'));
      await assert.rejects(rootAt(bad, tree.read), (e) => assertCode(e, 'INVALID_ARGUMENT'));
      assert.equal(verifyInclusion(leafHash(Buffer.from([0])), bad, 10, [], tree.root()), false);
      assert.equal(verifyConsistency(bad, 10, [tree.root()], tree.root(), tree.root()), false);
    }
  });

  it('when the index is not below the size, refuses with OUT_OF_RANGE', async () => {
    await assert.rejects(inclusionProof(10, 10, tree.read), (e) => assertCode(e, 'OUT_OF_RANGE'));
    await assert.rejects(consistencyProof(11, 10, tree.read), (e) => assertCode(e, 'OUT_OF_RANGE'));
  });

  it('when asked for a consistency proof from the empty tree, refuses with INVALID_ARGUMENT', async () => {
    await assert.rejects(consistencyProof(0, 10, tree.read), (e) => assertCode(e, 'INVALID_ARGUMENT'));
  });

  it('when a store answers too few or malformed hashes, refuses with INTEGRITY', async () => {
    await assert.rejects(inclusionProof(3, 10, async (a) => a.slice(1).map(() => new Uint8Array(32))), (e) => assertCode(e, 'INTEGRITY'));
    await assert.rejects(inclusionProof(3, 10, async (a) => a.map(() => new Uint8Array(31))), (e) => assertCode(e, 'INTEGRITY'));
    await assert.rejects(inclusionProof(3, 20, tree.read), (e) => assertCode(e, 'INTEGRITY'));
  });
});
