// Appends leaves to an RFC 6962 tree held as its frontier (one complete subtree per set bit of the
// size), and hands back every node an append completes, so a store keeps each node exactly once.
import { SignetError } from '../lib/errors.js';
import {
  EMPTY_ROOT,
  HASH_SIZE,
  frontierAddresses,
  nodeHash,
  type Hash,
  type NodeAddress,
  type StoredNode,
} from './tree-hash.js';

export class TreeBuilder {
  #size = 0;
  /** Hashes of the frontier's complete subtrees, largest first, and their levels. */
  readonly #hashes: Hash[] = [];
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
      builder.#hashes.push(hash);
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

  /** The frontier hashes, largest subtree first (a copy of the list; the hashes are shared). */
  get frontier(): Hash[] {
    return this.#hashes.slice();
  }

  /**
   * Appends one leaf hash and returns the nodes it completes, leaf (level 0) first, each once:
   * the store writes them and never has to rehash anything to serve proofs.
   */
  append(leaf: Hash): StoredNode[] {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
      throw new SignetError('INVALID_ARGUMENT', `a leaf hash is ${HASH_SIZE} bytes`, { field: 'leaf' });
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new SignetError('OUT_OF_RANGE', 'the tree is full');
    let index = this.#size;
    let level = 0;
    let hash = leaf;
    const completed: StoredNode[] = [{ level, index, hash }];
    const hashes = this.#hashes;
    const levels = this.#levels;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      hash = nodeHash(hashes.pop()!, hash);
      levels.pop();
      level++;
      index = (index - 1) / 2;
      completed.push({ level, index, hash });
    }
    hashes.push(hash);
    levels.push(level);
    this.#size++;
    this.#root = undefined;
    return completed;
  }

  /**
   * Appends one leaf hash without reporting the nodes it completes: for rehashing a range to
   * check roots (VerifyChain), where nothing is stored and no records need allocating.
   */
  extend(leaf: Hash): void {
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_SIZE) {
      throw new SignetError('INVALID_ARGUMENT', `a leaf hash is ${HASH_SIZE} bytes`, { field: 'leaf' });
    }
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new SignetError('OUT_OF_RANGE', 'the tree is full');
    const hashes = this.#hashes;
    const levels = this.#levels;
    let level = 0;
    let hash = leaf;
    while (levels.length > 0 && levels[levels.length - 1] === level) {
      hash = nodeHash(hashes.pop()!, hash);
      levels.pop();
      level++;
    }
    hashes.push(hash);
    levels.push(level);
    this.#size++;
    this.#root = undefined;
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
    for (let i = hashes.length - 2; i >= 0; i--) h = nodeHash(hashes[i]!, h);
    this.#root = h;
    return h;
  }
}
