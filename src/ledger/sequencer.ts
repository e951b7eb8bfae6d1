// The batching sequencer: appends wait in a bounded pool; one sealing at a time assigns indices,
// signs one checkpoint, commits durably, and only then answers every caller in the batch.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import { SIGNET_SCOPE, type AppendOptions, type LedgerAppender, type LedgerRecord, type ReceiptBundle } from './contract.js';
import { InFlightKeys, checkKey, checkScope, contentDigest, type KeyPlan } from './idempotency.js';
import { TreeBuilder, frontierAddresses, inclusionProof, leafHash, type NodeAddress } from './merkle.js';
import { formatCheckpoint, signNote } from './note.js';
import type { LedgerReader } from './reader.js';
import { entryBytes, validateRecord } from './records.js';
import type { EntryWrite, IdempotencyClaim, LedgerStore, StoredCheckpoint, StoredNode } from './store.js';

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
  claim: IdempotencyClaim | undefined;
  resolve(bundle: ReceiptBundle): void;
  reject(err: unknown): void;
}

export class Sequencer implements LedgerAppender {
  readonly #store: LedgerStore;
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
  readonly #keys: InFlightKeys;
  readonly stats: SequencerStats = { batches: 0, signatures: 0, entries: 0, failedBatches: 0 };

  constructor(options: SequencerOptions) {
    this.#store = options.store;
    this.#keys = new InFlightKeys(options.store, options.reader);
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
    const item: AppendItem = { record, idempotencyKey: options.idempotencyKey, field: 'record', keyField: 'idempotency_key' };
    return this.appendMany([item], { scope: options.scope, deadline: options.deadline }).then((b) => b[0]!);
  }

  /**
   * Appends many, in the order given; each item may carry its own idempotency key, in the caller's
   * `scope`. All are validated and every key resolved before any is queued: a refused call writes
   * nothing.
   */
  async appendMany(records: Array<LedgerRecord | AppendItem>, options: AppendOptions = {}): Promise<ReceiptBundle[]> {
    const scope = checkScope(options.scope ?? SIGNET_SCOPE);
    const items = records.map((r, i) => {
      const item: AppendItem = isItem(r) ? r : { record: r };
      const field = item.field ?? `records[${i}]`;
      const record = validateRecord(item.record, field);
      let key = item.idempotencyKey;
      if (key === undefined && records.length === 1) key = options.idempotencyKey;
      const keyField = item.keyField ?? (item.idempotencyKey === undefined && key !== undefined ? 'idempotency_key' : `${field}.idempotency_key`);
      checkKey(key, keyField);
      return { record, keyed: key === undefined ? undefined : { key, keyField, digest: contentDigest(record) } };
    });
    this.#admit(items.length);
    let plans: Array<KeyPlan | undefined> = [];
    try {
      if (items.some((i) => i.keyed)) plans = await this.#keys.plan(scope, items.map((i) => i.keyed));
      if (this.#closing) throw new SignetError('UNAVAILABLE', 'the ledger is shutting down', { retryAfter: 1 });
    } catch (err) {
      this.#inFlight -= items.length;
      for (const p of plans) if (p && 'settle' in p) p.settle(Promise.reject(err));
      throw err;
    }
    // One synchronous pass, so the entries of this call enter the pool in request order.
    const results: Promise<ReceiptBundle>[] = [];
    items.forEach((item, i) => {
      const plan = plans[i];
      if (!plan || plan.kind === 'write') {
        const result = this.#enqueue(item.record, plan?.claim);
        plan?.settle(result);
        results.push(result);
        return;
      }
      this.#inFlight--; // counted by #admit, answered without a new entry
      results.push(plan.kind === 'wait' ? plan.result : results[plan.as]!);
    });
    return Promise.all(results);
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

  #enqueue(record: LedgerRecord, claim: IdempotencyClaim | undefined): Promise<ReceiptBundle> {
    return new Promise<ReceiptBundle>((resolve, reject) => {
      if (this.#pool.length === 0) this.#firstArrival = this.#now();
      this.#pool.push({ record, claim, resolve, reject });
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
      entries.push({ index, leafHash: leaf, entry, idempotency: batch[i]!.claim });
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

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
