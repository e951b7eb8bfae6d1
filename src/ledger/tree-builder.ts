// Appends leaves to an RFC 6962 tree held as its frontier (one complete subtree per set bit of the
// size), and hands back every node an append completes, so a store keeps each node exactly once.
import { SignetError } from '../lib/errors.js';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  frontierAddresses,
  hashToLatin1,
  nodeHashLatin1,
  type Hash,
  type NodeAddress,
  type StoredNode,
} from './tree-hash.js';

function checkLeaf(leaf: unknown): asserts leaf is Hash {
  if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
    throw new SignetError('INVALID_ARGUMENT', `a leaf hash is ${HASH_SIZE} bytes`, { field: 'leaf' });
  }
}

export class TreeBuilder {
  #size = 0;
  /**
   * The frontier's complete subtrees, largest first: their hashes as latin1 strings (see
   * tree-hash.ts: no Buffer per intermediate node) and their levels.
   */
  readonly #hashes: string[] = [];
  readonly #levels: number[] = [];
  #root: Hash | undefined = EMPTY_ROOT;

  /** Resumes a tree of `size` leaves from its frontier hashes, largest subtree first. */
  static fromFrontier(size: number, frontier: Hash[]): TreeBuilder {
    const addresses = frontierAddresses(size);
    if (!Array.isArray(frontier) || frontier.length !== addresses.length) {
      throw new SignetError('INTEGRITY', `a tree of size ${size} has ${addresses.length} frontier nodes, got ${frontier?.length}`);
    }
    const builder = new TreeBuilder();
    for (let i = 0; i < addresses.length; i++) {
      const hash = frontier[i];
      if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
        throw new SignetError('INTEGRITY', `frontier node ${i} of a tree of size ${size} is not a ${HASH_SIZE}-byte hash`);
      }
      builder.#hashes.push(hashToLatin1(hash));
      builder.#levels.push(addresses[i]!.level);
    }
    builder.#size = size;
    builder.#root = undefined;
    return builder;
  }

  /** The complete subtrees a store reads to resume a tree of `size` leaves, largest first. */
  static frontierAddresses(size: number): NodeAddress[] {
    return frontierAddresses(size);
  }

  get size(): number {
    return this.#size;
  }

  /** The frontier hashes, largest subtree first (new Buffers). */
  get frontier(): Hash[] {
    return this.#hashes.map((h) => Buffer.from(h, 'latin1'));
  }

  /**
   * Appends one leaf hash and returns the nodes it completes, leaf (level 0) first, each once:
   * the store writes them and never has to rehash anything to serve proofs.
   */
  append(leaf: Hash): StoredNode[] {
    checkLeaf(leaf);
    this.#checkRoom();
    let index = this.#size;
    const completed: StoredNode[] = [{ level: 0, index, hash: leaf }];
    const hashes = this.#hashes;
    const levels = this.#levels;
    let level = 0;
    let hash = hashToLatin1(leaf);
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      hash = nodeHashLatin1(hashes.pop()!, hash);
      levels.pop();
      level++;
      index = (index - 1) / 2;
      completed.push({ level, index, hash: Buffer.from(hash, 'latin1') });
    }
    this.#push(hash, level);
    return completed;
  }

  /**
   * Appends one leaf hash without reporting the nodes it completes: for rehashing a range to
   * check roots (VerifyChain), where nothing is stored and no records need allocating.
   */
  extend(leaf: Hash): void {
    checkLeaf(leaf);
    this.extendLatin1(hashToLatin1(leaf));
  }

  /** As `extend`, for a leaf hash already held as a latin1 string (from `leafHashLatin1`). */
  extendLatin1(leaf: string): void {
    if (typeof leaf !== 'string' || leaf.length !== HASH_SIZE) {
      throw new SignetError('INVALID_ARGUMENT', `a leaf hash is ${HASH_SIZE} latin1 characters`, { field: 'leaf' });
    }
    this.#checkRoom();
    const hashes = this.#hashes;
    const levels = this.#levels;
    let level = 0;
    let hash = leaf;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      hash = nodeHashLatin1(hashes.pop()!, hash);
      levels.pop();
      level++;
    }
    this.#push(hash, level);
  }

  /** Appends several leaves; returns all nodes they complete, in append order. */
  appendAll(leaves: Hash[]): StoredNode[] {
    const out: StoredNode[] = [];
    for (const leaf of leaves) {
      for (const node of this.append(leaf)) out.push(node);
    }
    return out;
  }

  /** The RFC 6962 root of the current tree (cached until the next append). */
  root(): Hash {
    if (this.#root) return this.#root;
    const hashes = this.#hashes;
    if (hashes.length === 0) return EMPTY_ROOT;
    let h = hashes[hashes.length - 1]!;
    for (let i = hashes.length - 2; i >= 0; i--) h = nodeHashLatin1(hashes[i]!, h);
    this.#root = Buffer.from(h, 'latin1');
    return this.#root;
  }

  #checkRoom(): void {
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new SignetError('OUT_OF_RANGE', 'the tree is full');
  }

  #push(hash: string, level: number): void {
    this.#hashes.push(hash);
    this.#levels.push(level);
    this.#size++;
    this.#root = undefined;
  }
}
