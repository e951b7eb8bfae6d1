// The Ledger facade the server constructs: opens the store, recovers the chain, and runs the one
// sequencer; reads, proofs and VerifyChain go through the same object.
import { createPublicKey } from 'node:crypto';
import { SignetError, isSignetError } from '../lib/errors.js';
import { publicKeyInfo } from '../signers/keys.js';
import type { Signer } from '../signers/contract.js';
import type { AppendOptions, LedgerAppender, LedgerRecord, ReceiptBundle } from './contract.js';
import { checkCheckpointNote, noteVerifiersFor, noteVerifiersFromKeys, type NoteVerifiers } from './checkpoint-check.js';
import { ledgerKeyOf } from './checkpoint-keys.js';
import type { LedgerKey } from './key-events.js';
import { ledgerKeySchedule, type KeySchedule } from './key-schedule.js';
import { LedgerReader } from './reader.js';
import { openState, recoverState } from './recovery.js';
import { Sequencer, type AppendItem, type BatchOptions, type SequencerStats } from './sequencer.js';
import { SqliteLedgerStore } from './sqlite-store.js';
import type { LedgerStore, StoredCheckpoint } from './store.js';
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
  /** Told of every durable batch: its entries and how long sealing took (for metrics). */
  onBatch?: (entries: number, seconds: number) => void;
}

/** The ledger key's trust roots and the schedule of keys the ledger vouches for, with the custody backend's word. */
class LedgerKeys {
  readonly #origin: string;
  readonly #signer: Signer;
  readonly #previous: NoteVerifiers;
  /** The configured previous keys given as public keys (a vkey names no key to record). */
  readonly #previousKeys: LedgerKey[];

  constructor(origin: string, signer: Signer, previous: NoteVerifiers, raw: ReadonlyArray<string | Uint8Array>) {
    this.#origin = origin;
    this.#signer = signer;
    this.#previous = previous;
    this.#previousKeys = raw.flatMap((k) => {
      try {
        const key = typeof k === 'string' ? createPublicKey(k) : createPublicKey({ key: Buffer.from(k), format: 'der', type: 'spki' });
        return [{ ...ledgerKeyOf(publicKeyInfo(key.export({ type: 'spki', format: 'der' }))), version: undefined }];
      } catch {
        return [];
      }
    });
  }

  /** The signer's current key version and the configured previous keys. */
  async roots(): Promise<NoteVerifiers> {
    return [...(await noteVerifiersFor(this.#origin, [this.#signer])), ...this.#previous];
  }

  async schedule(store: LedgerStore): Promise<KeySchedule> {
    return ledgerKeySchedule(store, { origin: this.#origin, roots: await this.roots(), confirm: (k) => this.#confirm(k) });
  }

  /** Which known key signed `checkpoint`: the signer's current version or the ledger's key in force there. */
  async signerOf(checkpoint: StoredCheckpoint, schedule: KeySchedule): Promise<LedgerKey | undefined> {
    const candidates = [ledgerKeyOf(await this.#signer.publicKey()), schedule.inForce(checkpoint.size), ...this.#previousKeys];
    return candidates.find((k) => k && checkCheckpointNote(checkpoint, noteVerifiersFromKeys(this.#origin, [Buffer.from(k.spki)]), this.#origin) === undefined);
  }

  /** The backend's word that a recorded version is its own; an outage is not a "no". */
  async #confirm(key: LedgerKey): Promise<boolean> {
    if (key.version === undefined) return false;
    try {
      return Buffer.compare(Buffer.from((await this.#signer.publicKey(key.version)).spki), Buffer.from(key.spki)) === 0;
    } catch (err) {
      if (isSignetError(err, 'UNAVAILABLE') || isSignetError(err, 'DEADLINE_EXCEEDED') || isSignetError(err, 'RESOURCE_EXHAUSTED')) throw err;
      return false;
    }
  }
}

/** Seconds a caller refused by the VerifyChain limit is told to wait. */
const VERIFY_RETRY_AFTER_S = 5;

export class Ledger implements LedgerAppender {
  readonly origin: string;
  readonly reader: LedgerReader;
  readonly #store: LedgerStore;
  readonly #sequencer: Sequencer;
  readonly #keys: LedgerKeys;
  readonly #maxVerifications: number;
  #verifications = 0;

  private constructor(origin: string, store: LedgerStore, sequencer: Sequencer, keys: LedgerKeys, maxVerifications: number) {
    this.origin = origin;
    this.#store = store;
    this.reader = new LedgerReader(store);
    this.#sequencer = sequencer;
    this.#keys = keys;
    this.#maxVerifications = maxVerifications;
  }

  static async open(options: LedgerOptions): Promise<Ledger> {
    if (!options.store && !options.path) throw new SignetError('CONFIG', 'ledger: give a database path (ledger.path) or a store');
    const maxVerifications = options.maxConcurrentVerifications ?? 1;
    if (!Number.isSafeInteger(maxVerifications) || maxVerifications < 1) {
      throw new SignetError('CONFIG', `ledger: maxConcurrentVerifications must be an integer ≥ 1, got ${maxVerifications}`);
    }
    const previous = noteVerifiersFromKeys(options.origin, options.previousKeys ?? []);
    const store = options.store ?? new SqliteLedgerStore(options.path!);
    try {
      const keys = new LedgerKeys(options.origin, options.signer, previous, options.previousKeys ?? []);
      const latest = await store.latestCheckpoint();
      const schedule = await keys.schedule(store);
      const verifiers = latest ? schedule.at(latest.size) : await keys.roots();
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
        lastKey: latest ? await keys.signerOf(latest, schedule) : undefined,
        onBatch: options.onBatch,
      });
      return new Ledger(options.origin, store, sequencer, keys, maxVerifications);
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

  /** Appends waiting in the pool or being sealed. */
  get pending(): number {
    return this.#sequencer.pending;
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

  /**
   * VerifyChain with the keys the ledger vouches for, as they stand now (a KMS may have rotated
   * since the ledger opened); at most maxConcurrentVerifications at once, beyond that RESOURCE_EXHAUSTED.
   */
  async verifyChain(options: Omit<VerifyChainOptions, 'verifiers' | 'origin' | 'keysAt'> = {}): Promise<ChainReport> {
    if (this.#verifications >= this.#maxVerifications) {
      throw new SignetError('RESOURCE_EXHAUSTED', `VerifyChain is already running (${this.#verifications} at once, limit ${this.#maxVerifications}); retry when it has finished`, { retryAfter: VERIFY_RETRY_AFTER_S });
    }
    this.#verifications++;
    try {
      const schedule = await this.#keys.schedule(this.#store);
      return await verifyChain(this.#store, { ...options, verifiers: await this.#keys.roots(), origin: this.origin, keysAt: (size) => schedule.at(size) });
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
