// The sequencer's side of key events: before a batch is signed by a key that did not sign the
// chain's head checkpoint (a rotation, a new key version a KMS switched to), the batch gets a
// key_event entry naming the new key and the one before it, so the ledger vouches for every key.
import type { PublicKeyInfo, Signer } from '../signers/contract.js';
import type { LedgerRecord } from './contract.js';
import { keyEventClaim, keyEventRecord, loadKeyEvents, sameKey, type LedgerKey } from './key-events.js';
import { noteVerifierFromPublicKey, splitNote } from './note.js';
import type { IdempotencyClaim, LedgerStore } from './store.js';

export function ledgerKeyOf(info: PublicKeyInfo): LedgerKey {
  return { keyId: info.keyId, version: info.keyVersion, algorithm: info.algorithm, spki: info.spki };
}

export class CheckpointKeys {
  readonly #signer: Signer;
  readonly #origin: string;
  readonly #store: LedgerStore;
  /** The key that signed the head checkpoint (the last sealed batch), when this process knows it. */
  #last: LedgerKey | undefined;
  readonly #noteKeyIds = new Map<string, number>();

  constructor(signer: Signer, origin: string, store: LedgerStore, last: LedgerKey | undefined) {
    this.#signer = signer;
    this.#origin = origin;
    this.#store = store;
    this.#last = last;
  }

  /** The key the signer will sign with now (a rotation may still change it before the signature). */
  async current(): Promise<LedgerKey> {
    return ledgerKeyOf(await this.#signer.publicKey());
  }

  /** The key_event a batch signed by `key` must start with, or undefined when `key` signed the head. */
  async eventFor(key: LedgerKey, headNote: string): Promise<{ record: LedgerRecord; claim: IdempotencyClaim } | undefined> {
    if (this.signed(headNote, key)) return undefined;
    const previous = this.#last && this.signed(headNote, this.#last) ? this.#last : undefined;
    const record = keyEventRecord(key, previous);
    const n = (await loadKeyEvents(this.#store)).length + 1;
    return { record, claim: keyEventClaim(n, record) };
  }

  /** Whether `note` carries a signature line by `key` under the origin (the line, not yet its validity). */
  signed(note: string, key: LedgerKey): boolean {
    const id = this.#noteKeyId(key);
    try {
      return splitNote(note).signatures.some((s) => s.name === this.#origin && s.keyId === id);
    } catch {
      return false;
    }
  }

  /** The key of a given backend version (a rotation made the signer use it). */
  async version(version: string): Promise<LedgerKey> {
    return ledgerKeyOf(await this.#signer.publicKey(version));
  }

  /** After a batch signed by `key` is sealed: it signed the head the next batch extends. */
  sealed(key: LedgerKey): void {
    if (!sameKey(this.#last, key)) this.#last = key;
  }

  #noteKeyId(key: LedgerKey): number {
    const id = Buffer.from(key.spki).toString('base64');
    let keyId = this.#noteKeyIds.get(id);
    if (keyId === undefined) {
      keyId = noteVerifierFromPublicKey(this.#origin, key.spki).keyId;
      this.#noteKeyIds.set(id, keyId);
    }
    return keyId;
  }
}
