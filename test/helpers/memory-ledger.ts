// An in-memory LedgerAppender for unit tests of ledger writers: validates each record with the
// ledger's own rules, honours idempotency keys, and keeps the records for assertions.
import { createHash } from 'node:crypto';
import { canonicalBytes } from '../../src/lib/jcs.js';
import { SignetError } from '../../src/lib/errors.js';
import type { AppendOptions, LedgerAppender, LedgerRecord, ReceiptBundle } from '../../src/ledger/contract.js';
import { validateRecord } from '../../src/ledger/records.js';

export class MemoryLedger implements LedgerAppender {
  readonly records: LedgerRecord[] = [];
  readonly #byKey = new Map<string, ReceiptBundle>();
  /** When set, the next append fails with UNAVAILABLE (a ledger that is down). */
  failNext = false;

  async append(record: LedgerRecord, options: AppendOptions = {}): Promise<ReceiptBundle> {
    const [bundle] = await this.appendMany([record], options);
    return bundle!;
  }

  async appendMany(records: LedgerRecord[], options: AppendOptions = {}): Promise<ReceiptBundle[]> {
    if (this.failNext) {
      this.failNext = false;
      throw new SignetError('UNAVAILABLE', 'ledger is down (test)');
    }
    if (options.idempotencyKey && this.#byKey.has(options.idempotencyKey)) return [this.#byKey.get(options.idempotencyKey)!];
    const out = records.map((r, i) => {
      validateRecord(r, `records[${i}]`);
      this.records.push(structuredClone(r));
      const entry = canonicalBytes(r);
      const index = this.records.length - 1;
      const leafHash = createHash('sha256').update(Buffer.concat([Buffer.of(0), entry])).digest();
      return { entry, index, leafHash, inclusionProof: [], checkpoint: '', treeSize: this.records.length };
    });
    if (options.idempotencyKey) this.#byKey.set(options.idempotencyKey, out[0]!);
    return out;
  }

  ofType(type: string): LedgerRecord[] {
    return this.records.filter((r) => r.type === type);
  }
}
