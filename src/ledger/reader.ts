// The ledger's read side: entries, checkpoints and proofs from stored tree nodes, in O(log n).
// Untrusted indices and sizes are checked here, so every reader (gRPC, CLI) refuses them alike.
import { SignetError, invalidArgument, outOfRange } from '../lib/errors.js';
import type { ReceiptBundle } from './contract.js';
import { consistencyProof, inclusionProof } from './merkle.js';
import type { LedgerStore, StoredCheckpoint, StoredEntry } from './store.js';

export const MAX_PAGE = 1000;
/**
 * A page stops before its entries pass this many bytes (entry, leaf hash and framing), so a page
 * of large receipts stays well inside gRPC's default 4 MiB receive limit. It always holds at least
 * one entry (an entry is at most ~17 KiB).
 */
export const MAX_PAGE_BYTES = 1024 * 1024;
/** Bytes a page counts per entry beyond its entry bytes: the 32-byte leaf hash and protobuf framing. */
const ENTRY_OVERHEAD = 48;
/** Rows read per store call while filling a page. */
const PAGE_READ = 64;

export class LedgerReader {
  readonly #store: LedgerStore;

  constructor(store: LedgerStore) {
    this.#store = store;
  }

  get store(): LedgerStore {
    return this.#store;
  }

  /** The latest durable checkpoint (there is always one: size 0 is signed when the ledger is created). */
  async latest(): Promise<StoredCheckpoint> {
    const c = await this.#store.latestCheckpoint();
    if (!c) throw new SignetError('FAILED_PRECONDITION', 'the ledger has no checkpoint yet');
    return c;
  }

  /** `field` names the request field the size came from, for the error. */
  async checkpoint(size?: number, field = 'size'): Promise<StoredCheckpoint> {
    if (size === undefined) return this.latest();
    const latest = await this.latest();
    checkCount(size, field);
    if (size > latest.size) throw outOfRange(field, `${size} is beyond the tree size ${latest.size}`);
    const c = await this.#store.checkpointAt(size);
    if (!c) throw new SignetError('NOT_FOUND', `${field}: no checkpoint was signed at size ${size} (checkpoints are signed once per batch)`, { field });
    return c;
  }

  async entry(index: number): Promise<StoredEntry> {
    checkCount(index, 'index');
    const size = (await this.latest()).size;
    if (index >= size) throw outOfRange('index', `${index} is not below the tree size ${size}`);
    const [e] = await this.#store.entries(index, index + 1);
    if (!e) throw new SignetError('INTEGRITY', `entry ${index} is missing from the store; run VerifyChain`);
    return e;
  }

  /**
   * Entries from `start`: at most `limit` (0: MAX_PAGE, capped at MAX_PAGE), below the tree size,
   * and no more than `maxBytes` of them (at least one). `next` is where the following page starts.
   */
  async entries(start: number, limit: number, maxBytes = MAX_PAGE_BYTES): Promise<{ entries: StoredEntry[]; next: number | undefined }> {
    checkCount(start, 'start');
    checkCount(limit, 'page_size');
    const size = (await this.latest()).size;
    if (start > size) throw outOfRange('start', `${start} is beyond the tree size ${size}`);
    const end = Math.min(size, start + Math.min(limit || MAX_PAGE, MAX_PAGE));
    const entries: StoredEntry[] = [];
    let bytes = 0;
    for (let at = start; at < end; at += PAGE_READ) {
      for (const e of await this.#store.entries(at, Math.min(end, at + PAGE_READ))) {
        const cost = e.entry.length + ENTRY_OVERHEAD;
        if (entries.length > 0 && bytes + cost > maxBytes) return { entries, next: e.index };
        entries.push(e);
        bytes += cost;
      }
    }
    return { entries, next: end < size ? end : undefined };
  }

  async indexOfLeaf(leafHash: Uint8Array): Promise<number> {
    if (leafHash.length !== 32) throw invalidArgument('leaf_hash', `a leaf hash is 32 bytes, got ${leafHash.length}`);
    const index = await this.#store.indexOfLeaf(leafHash);
    if (index === undefined) throw new SignetError('NOT_FOUND', 'leaf_hash: no entry has this leaf hash');
    return index;
  }

  /** Inclusion proof of `index` in the tree of a checkpointed `treeSize` (latest by default). */
  async inclusion(index: number, treeSize?: number): Promise<{ proof: Uint8Array[]; checkpoint: StoredCheckpoint }> {
    checkCount(index, 'index');
    const checkpoint = await this.checkpoint(treeSize, 'tree_size');
    if (index >= checkpoint.size) throw outOfRange('index', `${index} is not below the tree size ${checkpoint.size}`);
    const proof = await inclusionProof(index, checkpoint.size, (a) => this.#store.readNodes(a));
    return { proof, checkpoint };
  }

  /** Consistency proof from any earlier size to a checkpointed `size2` (latest by default). */
  async consistency(size1: number, size2?: number): Promise<{ proof: Uint8Array[]; to: StoredCheckpoint }> {
    checkCount(size1, 'size1');
    if (size2 !== undefined) checkCount(size2, 'size2');
    if (size2 !== undefined && size1 > size2) throw invalidArgument('size1', `${size1} is greater than size2 ${size2}`);
    const to = await this.checkpoint(size2, 'size2');
    if (size1 > to.size) throw invalidArgument('size1', `${size1} is greater than size2 ${to.size}`);
    const proof = await consistencyProof(size1, to.size, (a) => this.#store.readNodes(a));
    return { proof, to };
  }

  /** A receipt bundle for a stored entry, proved against the latest checkpoint. */
  async bundle(index: number): Promise<ReceiptBundle> {
    const { proof, checkpoint } = await this.inclusion(index);
    const [e] = await this.#store.entries(index, index + 1);
    if (!e) throw new SignetError('INTEGRITY', `entry ${index} is missing from the store; run VerifyChain`);
    return { entry: e.entry, index, leafHash: e.leafHash, inclusionProof: proof, checkpoint: checkpoint.note, treeSize: checkpoint.size };
  }
}

/** A non-negative safe integer, or INVALID_ARGUMENT naming the field. */
export function checkCount(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(field, `must be a non-negative integer, got ${value}`);
}
