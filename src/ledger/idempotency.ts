// Idempotency keys: scoped to the caller that names them and bound to the record first sent with
// them. Resolves the keyed items of one append call against appends in flight and the store.
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../lib/jcs.js';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { SIGNET_SCOPE, type LedgerRecord, type ReceiptBundle } from './contract.js';
import type { LedgerReader } from './reader.js';
import type { IdempotencyClaim, LedgerStore } from './store.js';

export const MAX_IDEMPOTENCY_KEY = 128;
/** Longest caller scope (identity) accepted; identities are bounded by the server well below it. */
export const MAX_SCOPE = 4096;

/** One keyed item of a call, validated. */
export interface KeyedItem {
  key: string;
  digest: Uint8Array;
  /** How the caller names the key in errors. */
  keyField: string;
}

/** What to do with one keyed item once the call's keys are resolved. */
export type KeyPlan =
  | { kind: 'write'; claim: IdempotencyClaim; settle(result: Promise<ReceiptBundle>): void }
  | { kind: 'wait'; result: Promise<ReceiptBundle> }
  | { kind: 'same'; as: number };

/** SHA-256 of the record's JCS: the content a key is bound to. */
export function contentDigest(record: LedgerRecord): Uint8Array {
  return createHash('sha256').update(canonicalBytes(record)).digest();
}

export function checkKey(key: unknown, field: string): void {
  if (key === undefined) return;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_IDEMPOTENCY_KEY) {
    throw new SignetError('INVALID_ARGUMENT', `${field}: must be 1 to ${MAX_IDEMPOTENCY_KEY} characters`, { field });
  }
}

export function checkScope(scope: unknown): string {
  if (typeof scope !== 'string' || scope.length > MAX_SCOPE) throw new SignetError('INTERNAL', 'ledger: an idempotency scope must be a string of at most 4096 characters');
  return scope;
}

export function keyConflict(field: string): SignetError {
  // Nothing of the entry that holds the key is said: not its index, not its content.
  return new SignetError('ALREADY_EXISTS', `${field}: this idempotency key was already used with a different record`, { field });
}

export const sameDigest = (a: Uint8Array | undefined, b: Uint8Array) => a !== undefined && Buffer.compare(a, b) === 0;

/** Where a key stands once the store was asked: the record it is bound to and its entry's receipt. */
interface Decision {
  digest: Uint8Array | undefined;
  result: Promise<ReceiptBundle>;
  /** Set when the call that looked the key up writes it: settles `result` with the write's outcome. */
  settle?: (result: Promise<ReceiptBundle>) => void;
}

/**
 * The keys of appends not yet answered, so that concurrent appends of one key write one entry.
 * The first call to name a key looks it up in the store; later calls wait for that decision and
 * compare their record with the one the key is bound to. A key leaves the map only once its entry
 * is durable (its append answered), so from then on the store holds it: no window in which it is
 * in neither. A decision depends only on one store lookup, never on another call's other keys.
 */
export class InFlightKeys {
  readonly #store: LedgerStore;
  readonly #reader: LedgerReader;
  readonly #held = new Map<string, Promise<Decision>>();

  constructor(store: LedgerStore, reader: LedgerReader) {
    this.#store = store;
    this.#reader = reader;
  }

  /**
   * Plans the keyed items of one call (undefined entries are unkeyed). Either every item gets a
   * plan, or the call is refused (ALREADY_EXISTS, INVALID_ARGUMENT, a store error) and nothing of
   * it may be written. In SIGNET_SCOPE a key answers the first entry whatever the record.
   */
  async plan(scope: string, items: Array<KeyedItem | undefined>): Promise<Array<KeyPlan | undefined>> {
    const bound = scope !== SIGNET_SCOPE;
    const plans: Array<KeyPlan | undefined> = new Array(items.length);
    const first = new Map<string, number>();
    // Within the call: a key repeated with the same record is one entry; with another, refused.
    items.forEach((item, i) => {
      if (!item) return;
      const j = first.get(item.key);
      if (j === undefined) return void first.set(item.key, i);
      if (bound && !sameDigest(items[j]!.digest, item.digest)) {
        throw invalidArgument(item.keyField, `the same idempotency key as ${items[j]!.keyField} with a different record`);
      }
      plans[i] = { kind: 'same', as: j };
    });
    const asked = [...first.values()];
    // Synchronously, so a concurrent call naming one of these keys finds it held.
    const held = asked.map((i) => this.#held.get(id(scope, items[i]!.key)));
    const pending = asked.map((i, k) => held[k] ?? this.#claim(scope, items[i]!));
    const settled = await Promise.allSettled(pending);
    // Only the call that looked a key up may write it; the others wait on its result.
    const writes = (k: number) => (held[k] ? undefined : (settled[k] as PromiseFulfilledResult<Decision>).value.settle);
    const mine = settled.flatMap((s, k) => (s.status === 'fulfilled' && writes(k) ? [writes(k)!] : []));
    const release = (err: unknown) => {
      for (const settle of mine) settle(Promise.reject(err));
    };
    const failed = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failed) {
      release(failed.reason);
      throw failed.reason;
    }
    const decisions = settled.map((s) => (s as PromiseFulfilledResult<Decision>).value);
    const refused = asked.findIndex((i, k) => bound && !sameDigest(decisions[k]!.digest, items[i]!.digest));
    if (refused >= 0) {
      // Keys this call was about to write stay free: whoever waits on them is told to retry.
      release(new SignetError('UNAVAILABLE', 'an append with the same idempotency key was refused meanwhile; retry', { retryAfter: 1 }));
      throw keyConflict(items[asked[refused]!]!.keyField);
    }
    asked.forEach((i, k) => {
      const d = decisions[k]!;
      const settle = writes(k);
      plans[i] = settle ? { kind: 'write', claim: { scope, key: items[i]!.key, contentDigest: items[i]!.digest }, settle } : { kind: 'wait', result: d.result };
    });
    return plans;
  }

  #claim(scope: string, item: KeyedItem): Promise<Decision> {
    const k = id(scope, item.key);
    const decided = this.#store.findIdempotencyKey(scope, item.key).then((hit): Decision => {
      if (hit) return { digest: hit.contentDigest, result: this.#reader.bundle(hit.index) };
      let settle!: (result: Promise<ReceiptBundle>) => void;
      const result = new Promise<ReceiptBundle>((resolve) => {
        settle = resolve;
      });
      return { digest: item.digest, result, settle };
    });
    this.#held.set(k, decided);
    const forget = () => {
      if (this.#held.get(k) === decided) this.#held.delete(k);
    };
    decided.then((d) => d.result.then(forget, forget), forget);
    return decided;
  }
}

function id(scope: string, key: string): string {
  return JSON.stringify([scope, key]);
}
