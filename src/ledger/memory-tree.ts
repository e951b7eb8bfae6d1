// An in-memory tree: a TreeBuilder plus a Map of every completed node, with a NodeReader over it.
// For tests and tools; the stores keep the same nodes in SQLite or PostgreSQL.
import { SignetError } from '../lib/errors.js';
import { TreeBuilder } from './tree-builder.js';
import { leafHash, type Hash, type NodeAddress, type NodeReader, type StoredNode } from './tree-hash.js';

export interface MemoryTree {
  /** Reads stored complete subtrees; a missing node is an INTEGRITY error, as in a real store. */
  readonly read: NodeReader;
  readonly size: number;
  root(): Hash;
  /** Appends a leaf hash; returns the nodes it completed. */
  appendLeaf(leaf: Hash): StoredNode[];
  /** Appends an entry (hashing it as an RFC 6962 leaf); returns its leaf hash. */
  appendEntry(entry: Uint8Array): Hash;
  /** Stores nodes computed elsewhere (e.g. by another TreeBuilder). */
  put(nodes: StoredNode[]): void;
  /** Every address read so far, in order, for tests that count reads. */
  readonly reads: NodeAddress[][];
}

const keyOf = (level: number, index: number): string => `${level}/${index}`;

export function memoryTree(): MemoryTree {
  const nodes = new Map<string, Hash>();
  const builder = new TreeBuilder();
  const reads: NodeAddress[][] = [];
  const put = (completed: StoredNode[]): void => {
    for (const n of completed) nodes.set(keyOf(n.level, n.index), n.hash);
  };
  return {
    reads,
    get size() {
      return builder.size;
    },
    root: () => builder.root(),
    read: async (addresses) => {
      reads.push(addresses);
      return addresses.map(({ level, index }) => {
        const hash = nodes.get(keyOf(level, index));
        if (!hash) throw new SignetError('INTEGRITY', `no stored node at level ${level}, index ${index}`);
        return hash;
      });
    },
    appendLeaf(leaf) {
      const completed = builder.append(leaf);
      put(completed);
      return completed;
    },
    appendEntry(entry) {
      const leaf = leafHash(entry);
      put(builder.append(leaf));
      return leaf;
    },
    put,
  };
}
