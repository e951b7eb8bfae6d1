// The Ledger facade the server constructs: opens the store, recovers the chain, and runs the one
// sequencer; reads, proofs and VerifyChain go through the same object.
import { SignetError } from '../lib/errors.js';
import type { Signer } from '../signers/contract.js';
import type { AppendOptions, LedgerAppender, LedgerRecord, ReceiptBundle } from './contract.js';
import { noteVerifiersFor, noteVerifiersFromKeys, type NoteVerifiers } from './checkpoint-check.js';
import { LedgerReader } from './reader.js';
import { openState, recoverState } from './recovery.js';
import { Sequencer, type AppendItem, type BatchOptions, type SequencerStats } from './sequencer.js';
import { SqliteLedgerStore } from './sqlite-store.js';
import type { LedgerStore } from './store.js';
import { verifyChain, type ChainReport, type VerifyChainOptions } from './verify-chain.js';

export interface LedgerOptions {
  /** SQLite database file. */
  path?: string;
  /** Or a store already opened (PostgreSQL, tests). */
  store?: LedgerStore;
  /** The custody key that signs checkpoints. */
  signer: Signer;
  /** The log's identity in every checkpoint, e.g. "signet.example/ledger". */
  origin: string;
  batch?: Partial<BatchOptions>;
  /**
   * Public keys that signed checkpoints before the ledger key was rotated (config
   * `ledger.previous_keys`): PEM or DER SPKI, or note verifier keys named by the origin.
   * Checkpoints signed by any of them, or by `signer`, verify (start-up and VerifyChain).
   */
  previousKeys?: ReadonlyArray<string | Uint8Array>;
  /** VerifyChain runs at once (each scans the ledger on its own worker thread); beyond, RESOURCE_EXHAUSTED. Default 1. */
  maxConcurrentVerifications?: number;
}

/** Seconds a caller refused by the VerifyChain limit is told to wait. */
const VERIFY_RETRY_AFTER_S = 5;

export class Ledger implements LedgerAppender {
  readonly origin: string;
  readonly reader: LedgerReader;
  readonly #store: LedgerStore;
  readonly #sequencer: Sequencer;
  readonly #verifiers: NoteVerifiers;
  readonly #maxVerifications: number;
  #verifications = 0;

  private constructor(origin: string, store: LedgerStore, sequencer: Sequencer, verifiers: NoteVerifiers, maxVerifications: number) {
    this.origin = origin;
    this.#store = store;
    this.reader = new LedgerReader(store);
    this.#sequencer = sequencer;
    this.#verifiers = verifiers;
    this.#maxVerifications = maxVerifications;
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    if (!options.store && !options.path) throw new SignetError('CONFIG', 'ledger: give a database path (ledger.path) or a store');
    const maxVerifications = options.maxConcurrentVerifications ?? 1;
    if (!Number.isSafeInteger(maxVerifications) || maxVerifications < 1) {
      throw new SignetError('CONFIG', `ledger: maxConcurrentVerifications must be an integer ≥ 1, got ${maxVerifications}`);
    }
    const previous = noteVerifiersFromKeys(options.origin, options.previousKeys ?? []);
    const verifiers = [...(await noteVerifiersFor(options.origin, [options.signer])), ...previous];
    const store = options.store ?? new SqliteLedgerStore(options.path!);
    try {
      const state = await openState(store, options.signer, options.origin, verifiers);
      const reader = new LedgerReader(store);
      const sequencer = new Sequencer({
        store,
        reader,
        signer: options.signer,
        origin: options.origin,
        state,
        batch: options.batch,
        verifiers,
        reload: () => recoverState(store),
      });
      return new Ledger(options.origin, store, sequencer, verifiers, maxVerifications);
    } catch (err) {
      await store.close();
      throw err;
    }
  }

  get store(): LedgerStore {
    return this.#store;
  }

  get size(): number {
    return this.#sequencer.state.size;
  }

  get stats(): Readonly<SequencerStats> {
    return this.#sequencer.stats;
  }

  append(record: LedgerRecord, options?: AppendOptions): Promise<ReceiptBundle> {
    return this.#sequencer.append(record, options);
  }

  appendMany(records: Array<LedgerRecord | AppendItem>, options?: AppendOptions): Promise<ReceiptBundle[]> {
    return this.#sequencer.appendMany(records, options);
  }

  /** VerifyChain with the ledger's keys; at most maxConcurrentVerifications at once, beyond that RESOURCE_EXHAUSTED. */
  async verifyChain(options: Omit<VerifyChainOptions, 'verifiers' | 'origin'> = {}): Promise<ChainReport> {
    if (this.#verifications >= this.#maxVerifications) {
      throw new SignetError('RESOURCE_EXHAUSTED', `VerifyChain is already running (${this.#verifications} at once, limit ${this.#maxVerifications}); retry when it has finished`, { retryAfter: VERIFY_RETRY_AFTER_S });
    }
    this.#verifications++;
    try {
      return await verifyChain(this.#store, { ...options, verifiers: this.#verifiers, origin: this.origin });
    } finally {
      this.#verifications--;
    }
  }

  /** Finishes the open batch, then closes the store. The signer belongs to the caller. */
  async close(): Promise<void> {
    await this.#sequencer.close();
    await this.#store.close();
  }
}
