// The batching sequencer: appends wait in a bounded pool; one sealing at a time assigns indices,
// signs one checkpoint, commits durably, and only then answers every caller in the batch.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import type { AppendOptions, LedgerAppender, LedgerRecord, ReceiptBundle } from './contract.js';
import { TreeBuilder, frontierAddresses, inclusionProof, leafHash, type NodeAddress } from './merkle.js';
import { formatCheckpoint, signNote } from './note.js';
import type { LedgerReader } from './reader.js';
import { entryBytes, validateRecord } from './records.js';
import type { EntryWrite, LedgerStore, StoredCheckpoint, StoredNode } from './store.js';

export interface BatchOptions {
  /** Longest an append waits in the pool before its batch is sealed. */
  maxDelayMs: number;
  /** A batch is sealed as soon as the pool holds this many appends. */
  maxEntries: number;
  /** Appends waiting or being sealed beyond this are refused at once with RESOURCE_EXHAUSTED. */
  maxPending: number;
}

export const DEFAULT_BATCH: BatchOptions = { maxDelayMs: 5, maxEntries: 4096, maxPending: 65536 };

/** Where the chain stands after the last durable batch. */
export interface SequencerState {
  size: number;
  /** Hashes at frontierAddresses(size). */
  frontier: Uint8Array[];
  /** Leaf hash of entry size-1 (32 zero bytes when empty). */
  lastLeaf: Uint8Array;
  checkpoint: StoredCheckpoint;
}

export interface AppendItem {
  record: LedgerRecord;
  idempotencyKey?: string | undefined;
  /** How the caller names this record in errors (default `records[i]`), e.g. `receipts[2].receipt`. */
  field?: string;
  /** How the caller names the idempotency key in errors. */
  keyField?: string;
}

export interface SequencerStats {
  batches: number;
  signatures: number;
  entries: number;
  failedBatches: number;
}

export interface SequencerOptions {
  store: LedgerStore;
  reader: LedgerReader;
  signer: Signer;
  origin: string;
  state: SequencerState;
  batch?: Partial<BatchOptions>;
  /** Reloads the state from the store after a failed commit (the store may hold more or less than thought). */
  reload: () => Promise<SequencerState>;
  now?: () => number;
}

interface Pending {
  record: LedgerRecord;
  key: string | undefined;
  resolve(bundle: ReceiptBundle): void;
  reject(err: unknown): void;
}

export const MAX_IDEMPOTENCY_KEY = 128;

export class Sequencer implements LedgerAppender {
  readonly #store: LedgerStore;
  readonly #reader: LedgerReader;
  readonly #signer: Signer;
  readonly #origin: string;
  readonly #batch: BatchOptions;
  readonly #reload: () => Promise<SequencerState>;
  readonly #now: () => number;
  #state: SequencerState;
  #pool: Pending[] = [];
  #firstArrival = 0;
  #timer: NodeJS.Timeout | undefined;
  #sealing: Promise<void> | undefined;
  #inFlight = 0;
  #closing = false;
  readonly #keys = new Map<string, Promise<ReceiptBundle>>();
  readonly stats: SequencerStats = { batches: 0, signatures: 0, entries: 0, failedBatches: 0 };

  constructor(options: SequencerOptions) {
    this.#store = options.store;
    this.#reader = options.reader;
    this.#signer = options.signer;
    this.#origin = options.origin;
    this.#state = options.state;
    this.#reload = options.reload;
    this.#now = options.now ?? Date.now;
    this.#batch = { ...DEFAULT_BATCH, ...options.batch };
  }

  /** Size and checkpoint of the last durable batch. */
  get state(): Readonly<SequencerState> {
    return this.#state;
  }

  /** Appends waiting in the pool or being sealed. */
  get pending(): number {
    return this.#inFlight;
  }

  append(record: LedgerRecord, options: AppendOptions = {}): Promise<ReceiptBundle> {
    try {
      const validated = validateRecord(record, 'record');
      checkKey(options.idempotencyKey, 'idempotency_key');
      this.#admit(1);
      return this.#submit({ record: validated, idempotencyKey: options.idempotencyKey });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Appends many; each item may carry its own idempotency key. All are validated before any is queued. */
  appendMany(records: Array<LedgerRecord | AppendItem>, options: AppendOptions = {}): Promise<ReceiptBundle[]> {
    try {
      return this.#appendMany(records, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  #appendMany(records: Array<LedgerRecord | AppendItem>, options: AppendOptions): Promise<ReceiptBundle[]> {
    const items = records.map((r, i) => {
      const item: AppendItem = isItem(r) ? r : { record: r };
      const field = item.field ?? `records[${i}]`;
      const record = validateRecord(item.record, field);
      checkKey(item.idempotencyKey, item.keyField ?? `${field}.idempotency_key`);
      return { record, idempotencyKey: item.idempotencyKey };
    });
    if (options.idempotencyKey !== undefined && items.length === 1 && items[0]!.idempotencyKey === undefined) {
      items[0]!.idempotencyKey = options.idempotencyKey;
    }
    this.#admit(items.length);
    return Promise.all(items.map((item) => this.#submit(item)));
  }

  /** Stops taking appends and seals what is in the pool; resolves when every batch is answered. */
  async close(): Promise<void> {
    this.#closing = true;
    while (this.#pool.length > 0 || this.#sealing) {
      if (this.#sealing) await this.#sealing;
      else this.#sealNow();
    }
  }

  #admit(n: number): void {
    if (this.#closing) throw new SignetError('UNAVAILABLE', 'the ledger is shutting down', { retryAfter: 1 });
    if (this.#inFlight + n > this.#batch.maxPending) {
      throw new SignetError('RESOURCE_EXHAUSTED', `the ledger's append pool is full (${this.#inFlight} pending, limit ${this.#batch.maxPending}); retry shortly`, { retryAfter: 1 });
    }
    this.#inFlight += n;
  }

  #submit(item: AppendItem): Promise<ReceiptBundle> {
    const key = item.idempotencyKey;
    if (key === undefined) return this.#enqueue(item.record, undefined);
    const same = this.#keys.get(key);
    if (same) {
      this.#inFlight--;
      return same;
    }
    const result = (async () => {
      let index: number | undefined;
      try {
        index = await this.#store.indexOfIdempotencyKey(key);
      } catch (err) {
        this.#inFlight--; // counted by #admit but never queued
        throw err;
      }
      if (index !== undefined) {
        this.#inFlight--;
        return this.#reader.bundle(index);
      }
      return this.#enqueue(item.record, key);
    })();
    this.#keys.set(key, result);
    const forget = () => this.#keys.delete(key);
    result.then(forget, forget);
    return result;
  }

  #enqueue(record: LedgerRecord, key: string | undefined): Promise<ReceiptBundle> {
    return new Promise<ReceiptBundle>((resolve, reject) => {
      if (this.#pool.length === 0) this.#firstArrival = this.#now();
      this.#pool.push({ record, key, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#sealing || this.#pool.length === 0) return;
    const waited = this.#now() - this.#firstArrival;
    if (this.#pool.length >= this.#batch.maxEntries || waited >= this.#batch.maxDelayMs || this.#closing) {
      this.#sealNow();
    } else if (!this.#timer) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, this.#batch.maxDelayMs - waited);
    }
  }

  #sealNow(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pool.splice(0, this.#batch.maxEntries);
    if (this.#pool.length > 0) this.#firstArrival = this.#now();
    this.#sealing = this.#seal(batch).finally(() => {
      this.#inFlight -= batch.length;
      this.#sealing = undefined;
      this.#schedule();
    });
  }

  async #seal(batch: Pending[]): Promise<void> {
    const start = this.#state;
    let bundles: ReceiptBundle[];
    try {
      bundles = await this.#sealBatch(batch, start);
    } catch (err) {
      this.stats.failedBatches++;
      const reason = err instanceof SignetError ? err : new SignetError('UNAVAILABLE', 'the batch could not be sealed; nothing was written', { cause: err });
      for (const p of batch) p.reject(reason);
      this.#state = await this.#reload().catch(() => start);
      return;
    }
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(bundles[i]!);
  }

  async #sealBatch(batch: Pending[], start: SequencerState): Promise<ReceiptBundle[]> {
    const builder = TreeBuilder.fromFrontier(start.size, start.frontier);
    const known = new Map<number, Uint8Array>();
    const addresses = frontierAddresses(start.size);
    addresses.forEach((a, i) => known.set(nodeKey(a), start.frontier[i]!));

    const time = this.#now();
    const entries: EntryWrite[] = [];
    const nodes: StoredNode[] = [];
    let prev = start.lastLeaf;
    for (let i = 0; i < batch.length; i++) {
      const index = start.size + i;
      const entry = entryBytes(batch[i]!.record, time, hex(prev));
      const leaf = leafHash(entry);
      for (const n of builder.append(leaf)) {
        known.set(nodeKey(n), n.hash);
        if (n.level > 0) nodes.push(n);
      }
      entries.push({ index, leafHash: leaf, entry, idempotencyKey: batch[i]!.key });
      prev = leaf;
    }
    const size = start.size + batch.length;
    const root = builder.root();
    const note = await signNote(formatCheckpoint({ origin: this.#origin, size, root }), this.#origin, this.#signer);
    this.stats.signatures++;
    const checkpoint: StoredCheckpoint = { size, root, note };
    await this.#store.commitBatch({ entries, nodes, checkpoint });

    this.#state = { size, frontier: builder.frontier, lastLeaf: prev, checkpoint };
    this.stats.batches++;
    this.stats.entries += batch.length;

    const read = async (wanted: NodeAddress[]) => {
      const missing = wanted.filter((a) => !known.has(nodeKey(a)));
      const fromStore = missing.length ? await this.#store.readNodes(missing) : [];
      missing.forEach((a, i) => known.set(nodeKey(a), fromStore[i]!));
      return wanted.map((a) => known.get(nodeKey(a))!);
    };
    const bundles: ReceiptBundle[] = [];
    for (const e of entries) {
      bundles.push({ entry: e.entry, index: e.index, leafHash: e.leafHash, inclusionProof: await inclusionProof(e.index, size, read), checkpoint: note, treeSize: size });
    }
    return bundles;
  }
}

function nodeKey(a: NodeAddress): number {
  return a.index * 64 + a.level;
}

function isItem(r: LedgerRecord | AppendItem): r is AppendItem {
  return typeof (r as AppendItem).record === 'object' && (r as LedgerRecord).type === undefined;
}

function checkKey(key: string | undefined, field: string): void {
  if (key === undefined) return;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new SignetError('INVALID_ARGUMENT', `${field}: must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`, { field });
  }
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
