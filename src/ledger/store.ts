// The ledger store contract: readers, and one sequencer per process writing. A store that several
// processes share (PostgreSQL) also sequences each batch under its own cluster-wide lock.
import type { NodeAddress } from './merkle.js';

export interface StoredEntry {
  index: number;
  /** RFC 6962 leaf hash of `entry`, as written by the sequencer. */
  leafHash: Uint8Array;
  /** The canonical entry bytes (JCS, UTF-8). */
  entry: Uint8Array;
}

/**
 * An idempotency key as the store keeps it. Keys live in a scope: the caller identity the server
 * passes down (an opaque string, compared byte for byte), or SIGNET_SCOPE ('') for Signet's own
 * entries. (scope, key) is unique across the store; two scopes may hold the same key.
 */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  /** SHA-256 of the JCS of the record as handed in (before v, time, prev): the content the key is bound to. */
  contentDigest: Uint8Array;
}

/** What a store answers for a (scope, key) it holds. */
export interface IdempotencyHit {
  index: number;
  /** Absent only for keys written before keys were bound to content (migrated Signet-scope rows). */
  contentDigest: Uint8Array | undefined;
}

export interface EntryWrite extends StoredEntry {
  idempotency?: IdempotencyClaim | undefined;
}

/** A complete subtree hash; level-0 nodes (leaves) live with their entries, not here. */
export interface StoredNode extends NodeAddress {
  hash: Uint8Array;
}

export interface StoredCheckpoint {
  size: number;
  root: Uint8Array;
  /** The signed note, text. */
  note: string;
}

/** Everything one sealed batch writes; a store commits it in one durable transaction or not at all. */
export interface BatchWrite {
  entries: EntryWrite[];
  nodes: StoredNode[];
  checkpoint: StoredCheckpoint;
}

export interface LedgerStore {
  /** Writes the batch atomically and durably; resolves only once it would survive a crash. */
  commitBatch(batch: BatchWrite): Promise<void>;
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  checkpointAt(size: number): Promise<StoredCheckpoint | undefined>;
  /** Checkpoints with from ≤ size ≤ to, by size. */
  checkpointsBetween(from: number, to: number): Promise<StoredCheckpoint[]>;
  /** Entries with start ≤ index < end, by index. Missing rows are simply absent. */
  entries(start: number, end: number): Promise<StoredEntry[]>;
  /** Just the entry bytes of start ≤ index < end, by index: the verifier's scan. Missing rows are absent. */
  entryBytes(start: number, end: number): Promise<Uint8Array[]>;
  /** Hashes at the given addresses (level 0 = leaf hashes), in order; throws NOT_FOUND for a gap. */
  readNodes(addresses: NodeAddress[]): Promise<Uint8Array[]>;
  /** Stored nodes at `level` (≥ 1) with from ≤ index < to, by index. Missing rows are simply absent. */
  nodesBetween(level: number, from: number, to: number): Promise<StoredNode[]>;
  indexOfLeaf(leafHash: Uint8Array): Promise<number | undefined>;
  /**
   * The entry written under `key` in `scope`, or undefined. Exact match on both strings (no case
   * folding, no normalisation); a key in another scope is never returned. A store must refuse a
   * batch that would write a (scope, key) it already holds (a unique constraint), and keep each
   * key's contentDigest with it. (Was indexOfIdempotencyKey(key) before keys were scoped.)
   */
  findIdempotencyKey(scope: string, key: string): Promise<IdempotencyHit | undefined>;
  /** One past the highest stored entry index (0 when empty). */
  entryCount(): Promise<number>;
  close(): Promise<void>;
  /**
   * Optional: a SQLite file another thread may open read-only. VerifyChain's worker then reads the
   * rows itself (entries, nodes, checkpoints tables as in sqlite-store.ts), so a scan neither reads
   * nor hashes on the event loop. Networked stores leave it out (their reads are asynchronous).
   */
  readonly sqlitePath?: string | undefined;
  /**
   * Present on a store several Signet processes write at once (PostgreSQL). Runs `build` while
   * holding the store's cluster-wide sequencing lock, on a view of the chain as committed, and
   * commits the batch it returns in the same transaction; the commit or rollback ends the lock. A
   * store without it has one writer, whose sequencer state is the truth.
   */
  sequence?<T>(build: (view: SequencingView) => Promise<SequencedWrite<T>>): Promise<T>;
}

/** What a batch sees of a shared store inside its sequencing transaction. */
export interface SequencingView {
  latestCheckpoint(): Promise<StoredCheckpoint | undefined>;
  entryCount(): Promise<number>;
  readNodes(addresses: NodeAddress[]): Promise<Uint8Array[]>;
  /** What the store holds for each of `keys` in `scope` (absent when not stored); see findIdempotencyKey. */
  idempotencyHits(scope: string, keys: readonly string[]): Promise<Map<string, IdempotencyHit>>;
}

export interface SequencedWrite<T> {
  /** Rows to commit with the lock held; none when the batch turned out to have nothing new. */
  write?: BatchWrite;
  value: T;
}
