// The batching sequencer: appends wait in a bounded pool; batches are sealed (indices assigned, one
// checkpoint signed) one at a time and committed in order, each answered only once durable.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import { SIGNET_SCOPE, type AppendOptions, type LedgerAppender, type LedgerRecord, type ReceiptBundle } from './contract.js';
import { InFlightKeys, checkKey, checkScope, contentDigest, keyConflict, sameDigest, type KeyPlan } from './idempotency.js';
import { TreeBuilder, frontierAddresses, inclusionProofs, leafHash, type NodeAddress } from './merkle.js';
import { CheckpointKeys } from './checkpoint-keys.js';
import type { LedgerKey } from './key-events.js';
import { formatCheckpoint, signNoteReporting, type SigningKey } from './note.js';
import type { LedgerReader } from './reader.js';
import { entryBytes, validateRecord } from './records.js';
import { checkCheckpointNote, type NoteVerifiers } from './checkpoint-check.js';
import { recoverState } from './recovery.js';
import type { BatchWrite, EntryWrite, IdempotencyClaim, IdempotencyHit, LedgerStore, SequencingView, StoredCheckpoint, StoredNode } from './store.js';

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
  /**
   * Keys whose checkpoints this replica will extend (its own and ledger.previous_keys). On a shared
   * store a head written by another replica is extended only once its signature verifies with one.
   */
  verifiers?: NoteVerifiers;
  /** Reloads the state from the store after a failed commit (the store may hold more or less than thought). */
  reload: () => Promise<SequencerState>;
  now?: () => number;
  /** The key that signed the head checkpoint, where known: named as `previous` in a key event. */
  lastKey?: LedgerKey;
  /** Told of every durable batch: its entries and the time from building it to its commit (metrics). */
  onBatch?: (entries: number, seconds: number) => void;
}

interface Pending {
  record: LedgerRecord;
  claim: IdempotencyClaim | undefined;
  resolve(bundle: ReceiptBundle | PromiseLike<ReceiptBundle>): void;
  reject(err: unknown): void;
}

export class Sequencer implements LedgerAppender {
  readonly #store: LedgerStore;
  readonly #reader: LedgerReader;
  readonly #signer: Signer;
  readonly #origin: string;
  readonly #batch: BatchOptions;
  readonly #reload: () => Promise<SequencerState>;
  readonly #verifiers: NoteVerifiers;
  readonly #now: () => number;
  #state: SequencerState;
  #pool: Pending[] = [];
  #firstArrival = 0;
  #timer: NodeJS.Timeout | undefined;
  /** A batch being sealed: built and signed (single writer), or the whole locked round (shared store). */
  #sealing: Promise<void> | undefined;
  /** Single writer: a sealed batch waiting for the commit in progress to finish. */
  #sealed: SealedBatch | undefined;
  /** Single writer: the commit in progress (one at a time, in index order). */
  #committing: Promise<void> | undefined;
  /** Single writer: the chain after the last sealed batch (ahead of #state, the durable one, while a commit runs). */
  #head: SequencerState;
  /** Bumped when a commit fails: batches sealed on top of the failed one are refused, never committed. */
  #epoch = 0;
  #recovering = false;
  /** Answers go out strictly in index order: each batch's answer waits for the one before. */
  #answered: Promise<void> = Promise.resolve();
  #inFlight = 0;
  #closing = false;
  readonly #keys: InFlightKeys;
  readonly #checkpointKeys: CheckpointKeys;
  readonly #onBatch: ((entries: number, seconds: number) => void) | undefined;
  readonly stats: SequencerStats = { batches: 0, signatures: 0, entries: 0, failedBatches: 0 };

  constructor(options: SequencerOptions) {
    this.#store = options.store;
    this.#reader = options.reader;
    this.#keys = new InFlightKeys(options.store, options.reader);
    this.#signer = options.signer;
    this.#origin = options.origin;
    this.#state = options.state;
    this.#head = options.state;
    this.#reload = options.reload;
    this.#verifiers = options.verifiers ?? [];
    this.#now = options.now ?? Date.now;
    this.#batch = { ...DEFAULT_BATCH, ...options.batch };
    this.#checkpointKeys = new CheckpointKeys(options.signer, options.origin, options.store, options.lastKey);
    this.#onBatch = options.onBatch;
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
    // One synchronous pass, so the entries of this call enter the pool in request order, and are
    // sealed together (one checkpoint signature) unless they are more than a batch holds.
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
    // Scheduled once the whole call is in the pool (enqueueing never seals).
    this.#schedule();
    return Promise.all(results);
  }

  /** Stops taking appends and seals what is in the pool; resolves when every batch is answered. */
  async close(): Promise<void> {
    this.#closing = true;
    for (;;) {
      if (this.#sealing) await this.#sealing;
      else if (this.#committing) await this.#committing;
      else if (this.#sealed) this.#pump();
      else if (this.#pool.length > 0) this.#sealNow();
      else break;
    }
    await this.#answered;
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
    });
  }

  /**
   * Group commit: while a commit runs, the next batch is sealed at once (signed during the fsync)
   * and holds whatever arrived meanwhile; only an idle ledger waits, at most maxDelayMs, for company.
   */
  #schedule(afterStage = false): void {
    if (this.#pool.length === 0 || this.#sealing || this.#sealed || this.#recovering) return;
    const waited = this.#now() - this.#firstArrival;
    if (afterStage || this.#committing || this.#pool.length >= this.#batch.maxEntries || waited >= this.#batch.maxDelayMs || this.#closing) {
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
    this.#sealing = (this.#store.sequence ? this.#sealShared(batch) : this.#sealLocal(batch)).finally(() => {
      this.#sealing = undefined;
      this.#pump();
    });
  }

  /** After a seal or a commit: starts the next commit when the last one is done, and seals what waited meanwhile. */
  #pump(): void {
    if (this.#sealed && !this.#committing) {
      const next = this.#sealed;
      this.#sealed = undefined;
      this.#committing = this.#commit(next).finally(() => {
        this.#committing = undefined;
        this.#pump();
      });
    }
    this.#schedule(true);
  }

  #fail(batch: Pending[], err: unknown): void {
    this.stats.failedBatches++;
    const reason = err instanceof SignetError ? err : new SignetError('UNAVAILABLE', 'the batch could not be sealed; nothing was written', { cause: err });
    this.#inFlight -= batch.length;
    for (const p of batch) p.reject(reason);
  }

  /** The only writer: builds and signs on top of the last sealed batch; the commit comes in turn. */
  async #sealLocal(batch: Pending[]): Promise<void> {
    const epoch = this.#epoch;
    let built: BuiltBatch;
    try {
      built = await this.#build(batch, this.#head);
    } catch (err) {
      return this.#fail(batch, err);
    }
    if (epoch !== this.#epoch) return this.#fail(batch, new SignetError('UNAVAILABLE', 'an earlier batch failed to commit; nothing of this one was written', { retryAfter: 0 }));
    this.#head = built.state;
    this.#sealed = { batch, built, epoch };
  }

  /** Commits one sealed batch; answers it after the commit and after every earlier batch's answer. */
  async #commit({ batch, built, epoch }: SealedBatch): Promise<void> {
    if (epoch !== this.#epoch) return this.#fail(batch, new SignetError('UNAVAILABLE', 'an earlier batch failed to commit; nothing of this one was written', { retryAfter: 0 }));
    try {
      await this.#store.commitBatch(built.write);
    } catch (err) {
      // Nothing sealed after this batch may be committed: it extends a chain that does not exist.
      this.#epoch++;
      this.#fail(batch, err);
      this.#recovering = true;
      try {
        this.#state = await this.#reload().catch(() => this.#state);
        this.#head = this.#state;
      } finally {
        this.#recovering = false;
      }
      return;
    }
    this.#committed(built);
    const previous = this.#answered;
    this.#answered = previous.then(async () => {
      try {
        const answers = await this.#answers(built);
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
      } catch (err) {
        for (const p of batch) p.reject(err);
      } finally {
        this.#inFlight -= batch.length;
      }
    });
  }

  /**
   * One of several writers (replicas) of a shared store: seals and commits under the store's lock
   * in one round, then answers; the next batch is sealed as soon as this round ends.
   */
  async #sealShared(batch: Pending[]): Promise<void> {
    let answers: Array<ReceiptBundle | Promise<ReceiptBundle>>;
    try {
      answers = await this.#sequenceShared(batch);
    } catch (err) {
      return this.#fail(batch, err);
    }
    this.#inFlight -= batch.length;
    for (let i = 0; i < batch.length; i++) batch[i]!.resolve(answers[i]!);
  }

  /**
   * One of several writers (replicas) of a shared store: under the store's cluster-wide lock, reads
   * the chain as committed, drops appends whose idempotency key another replica wrote meanwhile,
   * extends, signs and commits in one transaction. Nothing is answered before the commit.
   */
  async #sequenceShared(batch: Pending[]): Promise<Array<ReceiptBundle | Promise<ReceiptBundle>>> {
    const { built, hits } = await this.#store.sequence!<{ built: BuiltBatch | undefined; hits: Array<IdempotencyHit | undefined> }>(async (view) => {
      const head = await this.#headOf(view);
      const hits = await storedClaims(view, batch);
      const fresh = batch.filter((_, i) => !hits[i]);
      if (fresh.length === 0) return { value: { built: undefined, hits } };
      const built = await this.#build(fresh, head);
      return { write: built.write, value: { built, hits } };
    });
    if (built) {
      this.#committed(built);
      this.#head = built.state;
    }
    const answers = built ? await this.#answers(built) : [];
    let next = 0;
    return batch.map((p, i) => {
      const hit = hits[i];
      if (!hit) return answers[next++]!;
      // Another replica wrote this key after this one looked it up: the same rules as a lookup.
      if (p.claim!.scope !== SIGNET_SCOPE && !sameDigest(hit.contentDigest, p.claim!.contentDigest)) return Promise.reject(keyConflict('idempotency_key'));
      return this.#reader.bundle(hit.index);
    });
  }

  /** The chain's head under the lock: this replica's own state when nothing was committed since, else read. */
  async #headOf(view: SequencingView): Promise<SequencerState> {
    const latest = await view.latestCheckpoint();
    const mine = this.#state;
    if (latest && latest.size === mine.size && latest.note === mine.checkpoint.note) return mine;
    const head = await recoverState(view);
    // This replica signs a checkpoint that extends the head: it vouches for it only once the head's
    // own signature verifies with a key it knows (a replica on another key must be listed).
    const why = checkCheckpointNote(head.checkpoint, this.#verifiers, this.#origin);
    if (why) {
      throw new SignetError('INTEGRITY', `the ledger's latest checkpoint is not vouched for by a key this replica knows (${why}); if another replica signs with another key, list its public key in ledger.previous_keys; nothing was written`);
    }
    return head;
  }

  /**
   * Extends the chain by the batch and signs its checkpoint. A batch signed by a key that did not
   * sign the head starts with a key_event naming it; if a rotation changes the key during the
   * signature, the batch is built again for the key that actually signed.
   */
  async #build(batch: Pending[], start: SequencerState): Promise<BuiltBatch> {
    let key = await this.#checkpointKeys.current();
    for (let attempt = 0; ; attempt++) {
      const event = await this.#checkpointKeys.eventFor(key, start.checkpoint.note);
      const built = await this.#buildSigned(event ? [{ record: event.record, claim: event.claim }, ...batch] : batch, start);
      built.extra = event ? 1 : 0;
      if (built.signedBy.keyId === key.keyId) {
        built.key = key;
        this.#checkpointKeys.sealed(key);
        return built;
      }
      if (attempt === 2) throw new SignetError('UNAVAILABLE', 'the ledger key kept changing while a batch was signed; nothing was written', { retryAfter: 1 });
      key = await this.#checkpointKeys.version(built.signedBy.keyVersion);
    }
  }

  async #buildSigned(batch: Array<Pick<Pending, 'record' | 'claim'>>, start: SequencerState): Promise<BuiltBatch> {
    const started = process.hrtime.bigint();
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
    const { note, key } = await signNoteReporting(formatCheckpoint({ origin: this.#origin, size, root }), this.#origin, this.#signer);
    this.stats.signatures++;
    const checkpoint: StoredCheckpoint = { size, root, note };
    return { write: { entries, nodes, checkpoint }, state: { size, frontier: builder.frontier, lastLeaf: prev, checkpoint }, known, signedBy: key, key: undefined as unknown as LedgerKey, extra: 0, started };
  }

  #committed(built: BuiltBatch): void {
    this.#state = built.state;
    this.stats.batches++;
    this.stats.entries += built.write.entries.length;
    this.#onBatch?.(built.write.entries.length, Number(process.hrtime.bigint() - built.started) / 1e9);
  }

  /** Receipts for the batch's appends (not for a key event the sequencer put first). */
  async #answers({ write, known, extra }: BuiltBatch): Promise<ReceiptBundle[]> {
    const { size, note } = write.checkpoint;
    const read = async (wanted: NodeAddress[]) => {
      const missing = wanted.filter((a) => !known.has(nodeKey(a)));
      const fromStore = missing.length ? await this.#store.readNodes(missing) : [];
      missing.forEach((a, i) => known.set(nodeKey(a), fromStore[i]!));
      return wanted.map((a) => known.get(nodeKey(a))!);
    };
    // One read for the whole batch: neighbouring entries' proofs share most of their nodes.
    const entries = write.entries.slice(extra);
    const proofs = await inclusionProofs(entries.map((e) => e.index), size, read);
    return entries.map((e, i) => ({ entry: e.entry, index: e.index, leafHash: e.leafHash, inclusionProof: proofs[i]!, checkpoint: note, treeSize: size }));
  }
}

/** A batch sealed on top of the chain as it stood in `epoch`, waiting for its commit. */
interface SealedBatch {
  batch: Pending[];
  built: BuiltBatch;
  epoch: number;
}

/** A sealed batch before its commit: the rows, the chain state after it, and the nodes it knows. */
interface BuiltBatch {
  write: BatchWrite;
  /** When building began (hrtime), for the batch's seal-to-commit time. */
  started: bigint;
  state: SequencerState;
  known: Map<number, Uint8Array>;
  /** The key that signed the checkpoint, as the signature said. */
  signedBy: SigningKey;
  /** The same key in full (set by #build once it matches the key the batch was built for). */
  key: LedgerKey;
  /** Entries the sequencer added before the appends (a key event). */
  extra: number;
}

/** For each pending append, what the store already holds under its (scope, key), read under the lock. */
async function storedClaims(view: SequencingView, batch: Pending[]): Promise<Array<IdempotencyHit | undefined>> {
  const byScope = new Map<string, string[]>();
  for (const p of batch) if (p.claim) byScope.set(p.claim.scope, [...(byScope.get(p.claim.scope) ?? []), p.claim.key]);
  const found = new Map<string, Map<string, IdempotencyHit>>();
  for (const [scope, keys] of byScope) found.set(scope, await view.idempotencyHits(scope, keys));
  return batch.map((p) => (p.claim ? found.get(p.claim.scope)!.get(p.claim.key) : undefined));
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
