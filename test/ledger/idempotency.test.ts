import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import Database from 'better-sqlite3';
import { isSignetError } from '../../src/lib/errors.js';
import { SIGNET_SCOPE, type ReceiptBundle } from '../../src/ledger/contract.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import { seededRng } from '../helpers/seeded.js';
import { checkReceipt } from './independent.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

const code = (c: string, field?: string) => (e: unknown) => {
  assert.ok(isSignetError(e), `expected a SignetError, got ${String(e)}`);
  assert.equal(e.code, c);
  if (field) assert.equal(e.field, field);
  return true;
};

const text = (b: ReceiptBundle) => Buffer.from(b.entry).toString();

describe('idempotency keys', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());
  let n = 0;
  const open = (batch: Record<string, number> = { maxDelayMs: 2 }) => Ledger.open({ path: `${t.dir}/idem-${++n}.db`, signer: t.signer, origin: ORIGIN, batch });

  it('when two callers use the same key, each gets its own entry with its own record', async () => {
    const ledger = await open();
    try {
      const a = await ledger.append(receipt(1), { idempotencyKey: 'k', scope: 'uri:spiffe://a' });
      const b = await ledger.append(receipt(2), { idempotencyKey: 'k', scope: 'uri:spiffe://b' });
      assert.notEqual(a.index, b.index);
      assert.equal(checkReceipt(a, t.pem, ORIGIN).resource, receipt(1).resource);
      assert.equal(checkReceipt(b, t.pem, ORIGIN).resource, receipt(2).resource);
      // Each retry finds its own.
      assert.equal((await ledger.append(receipt(1), { idempotencyKey: 'k', scope: 'uri:spiffe://a' })).index, a.index);
      assert.equal((await ledger.append(receipt(2), { idempotencyKey: 'k', scope: 'uri:spiffe://b' })).index, b.index);
      assert.equal(ledger.size, 2);
    } finally {
      await ledger.close();
    }
  });

  it('when caller B pre-registers keys caller A will use, A\'s appends write A\'s records and A never sees B\'s (generated keys)', async () => {
    const rng = seededRng('pre-registered keys');
    const ledger = await open();
    try {
      const alphabet = ['a', 'Z', '-', ':', '/', 'é', '\u0000', ' ', '%41', 'signet'];
      const keys = new Set<string>();
      while (keys.size < 40) keys.add(Array.from({ length: rng.int(1, 12) }, () => rng.pick(alphabet)).join('').slice(0, 128));
      const scopes = ['uri:spiffe://b', 'uri:spiffe://a', 'anonymous', 'dns:a', 'cn:uri:spiffe://a'];
      const attacker = await Promise.all([...keys].map((k, i) => ledger.append(receipt(1000 + i, { outcome: 'forged' }), { idempotencyKey: k, scope: scopes[0] })));
      for (const scope of scopes.slice(1)) {
        const mine = await ledger.appendMany([...keys].map((k, i) => ({ record: receipt(i, { agent: scope }), idempotencyKey: k })), { scope });
        mine.forEach((b, i) => {
          const entry = checkReceipt(b, t.pem, ORIGIN);
          assert.equal(entry.agent, scope, 'the receipt is of the caller\'s own record');
          assert.equal(entry.outcome, 'success');
          assert.notEqual(b.index, attacker[i]!.index);
        });
      }
      assert.equal(ledger.size, keys.size * scopes.length);
    } finally {
      await ledger.close();
    }
  });

  it('when a caller reuses a key with a different record, it gets ALREADY_EXISTS naming the key field, nothing of the first entry, and nothing is written', async () => {
    const ledger = await open();
    try {
      const first = await ledger.append(receipt(1, { metadata: { secret: 'first-entry-secret' } }), { idempotencyKey: 'k', scope: 'caller' });
      const size = ledger.size;
      for (const other of [receipt(2), receipt(1), receipt(1, { metadata: { secret: 'other' } }), receipt(1, { outcome: 'failure', metadata: { secret: 'first-entry-secret' } })]) {
        await assert.rejects(ledger.append(other, { idempotencyKey: 'k', scope: 'caller' }), (e: unknown) => {
          code('ALREADY_EXISTS', 'idempotency_key')(e);
          const message = (e as Error).message;
          assert.doesNotMatch(message, /first-entry-secret|object-1\b/);
          assert.equal(first.index, 0);
          assert.doesNotMatch(message, /\d/, 'no index of the other entry');
          return true;
        });
      }
      // A call holding one conflicting key among good ones writes none of them.
      await assert.rejects(
        ledger.appendMany([{ record: receipt(10) }, { record: receipt(11), idempotencyKey: 'fresh' }, { record: receipt(12), idempotencyKey: 'k', keyField: 'receipts[2].idempotency_key' }], { scope: 'caller' }),
        code('ALREADY_EXISTS', 'receipts[2].idempotency_key'),
      );
      assert.equal(ledger.size, size);
      assert.equal(await ledger.store.entryCount(), size);
      // 'fresh' was not taken by the refused call.
      assert.equal((await ledger.append(receipt(99), { idempotencyKey: 'fresh', scope: 'caller' })).index, size);
    } finally {
      await ledger.close();
    }
  });

  it('when one call repeats a key, the same record is one entry and a different record refuses the call', async () => {
    const ledger = await open();
    try {
      const [a, b, c] = await ledger.appendMany([{ record: receipt(1), idempotencyKey: 'k' }, { record: receipt(2) }, { record: receipt(1), idempotencyKey: 'k' }], { scope: 'caller' });
      assert.equal(a!.index, c!.index);
      assert.equal(b!.index, a!.index + 1);
      await assert.rejects(
        ledger.appendMany([{ record: receipt(3), idempotencyKey: 'x', keyField: 'receipts[0].idempotency_key' }, { record: receipt(4), idempotencyKey: 'x', keyField: 'receipts[1].idempotency_key' }], { scope: 'caller' }),
        code('INVALID_ARGUMENT', 'receipts[1].idempotency_key'),
      );
      assert.equal(ledger.size, 2);
    } finally {
      await ledger.close();
    }
  });

  it('in Signet\'s own scope, a key names one event: the first entry answers whatever the record', async () => {
    const ledger = await open();
    try {
      const first = await ledger.append(receipt(1), { idempotencyKey: 'signet:revocation:credential:x' });
      const again = await ledger.append(receipt(2), { idempotencyKey: 'signet:revocation:credential:x', scope: SIGNET_SCOPE });
      assert.equal(again.index, first.index);
      // A caller scope with the same key is another namespace.
      assert.notEqual((await ledger.append(receipt(1), { idempotencyKey: 'signet:revocation:credential:x', scope: 'anonymous' })).index, first.index);
    } finally {
      await ledger.close();
    }
  });

  it('when two callers race on one key within and across batches, each scope gets exactly one entry, same-record callers share it, others get ALREADY_EXISTS (generated)', async () => {
    const rng = seededRng('idempotency races');
    for (let round = 0; round < 8; round++) {
      const ledger = await open({ maxDelayMs: rng.pick([0, 1, 5, 20]), maxEntries: rng.pick([1, 2, 3, 64]) });
      try {
        const scopes = ['uri:spiffe://a', 'uri:spiffe://b'];
        const calls: Array<{ scope: string; variant: number; promise: Promise<ReceiptBundle> }> = [];
        for (let i = 0; i < 40; i++) {
          const scope = rng.pick(scopes);
          const variant = rng.int(0, 2);
          const record = receipt(variant, { agent: scope });
          const promise =
            rng.bool()
              ? ledger.append(record, { idempotencyKey: 'shared', scope })
              : ledger.appendMany([{ record: receipt(500 + i) }, { record, idempotencyKey: 'shared' }], { scope }).then((b) => b[1]!);
          promise.catch(() => {}); // inspected below, after every call is sent
          calls.push({ scope, variant, promise });
          if (rng.bool(0.3)) await new Promise((r) => setTimeout(r, rng.int(0, 4)));
        }
        const settled = await Promise.allSettled(calls.map((c) => c.promise));
        for (const scope of scopes) {
          const mine = calls.map((c, i) => ({ ...c, r: settled[i]! })).filter((c) => c.scope === scope);
          const ok = mine.filter((c) => c.r.status === 'fulfilled');
          if (mine.length === 0) continue;
          assert.ok(ok.length > 0, `round ${round}: some append of ${scope} succeeds`);
          const indices = new Set(ok.map((c) => (c.r as PromiseFulfilledResult<ReceiptBundle>).value.index));
          assert.equal(indices.size, 1, `round ${round}: one entry for ${scope}'s key`);
          const winner = ok[0]!.variant;
          for (const c of mine) {
            if (c.variant === winner) {
              assert.equal(c.r.status, 'fulfilled', `round ${round}: a retry with the winning record succeeds (${c.r.status === 'rejected' ? String(c.r.reason) : ''})`);
              const entry = checkReceipt((c.r as PromiseFulfilledResult<ReceiptBundle>).value, t.pem, ORIGIN);
              assert.equal(entry.agent, scope, 'never another caller\'s entry');
              assert.equal(entry.resource, receipt(winner).resource);
            } else {
              assert.equal(c.r.status, 'rejected');
              code('ALREADY_EXISTS')((c.r as PromiseRejectedResult).reason);
            }
          }
        }
        // Exactly one keyed entry per scope that was used, in the store too.
        const rows = await ledger.store.entries(0, ledger.size);
        const keyed = rows.map((r) => JSON.parse(Buffer.from(r.entry).toString())).filter((e) => e.resource === receipt(0).resource || e.resource === receipt(1).resource);
        assert.equal(keyed.length, new Set(calls.map((c) => c.scope)).size, `round ${round}: one stored entry per scope`);
      } finally {
        await ledger.close();
      }
    }
  });

  it('keyed and unkeyed records in one call are appended in the order sent (generated mixes)', async () => {
    const rng = seededRng('append order');
    const ledger = await open({ maxDelayMs: 1, maxEntries: 7 });
    try {
      let seq = 0;
      for (let round = 0; round < 20; round++) {
        const items = Array.from({ length: rng.int(1, 30) }, () => {
          const i = seq++;
          return rng.bool() ? { record: receipt(i), idempotencyKey: `order-${i}` } : { record: receipt(i) };
        });
        const bundles = await ledger.appendMany(items, { scope: 'caller' });
        const indices = bundles.map((b) => b.index);
        assert.deepEqual(indices, [...indices].sort((a, b) => a - b), `round ${round}: indices follow request order`);
        bundles.forEach((b, k) => assert.equal(JSON.parse(text(b)).resource, items[k]!.record.resource));
      }
    } finally {
      await ledger.close();
    }
  });
});

describe('idempotency keys in a ledger file written before keys were scoped', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());

  it('Signet\'s own keys move to its scope, callers\' keys are kept but match no caller, and new keys are scoped', async () => {
    // A version-1 ledger: written by a ledger, then rewound to the old schema (global idem_key).
    const path = `${t.dir}/v1.db`;
    const ledger = await Ledger.open({ path, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    await ledger.append(receipt(1), { idempotencyKey: 'signet:issuance:abc' });
    await ledger.append(receipt(2), { idempotencyKey: 'caller-key', scope: 'anonymous' });
    await ledger.close();
    const db = new Database(path);
    db.exec(`DROP INDEX entries_idem_scoped;
      UPDATE entries SET idem_scope = NULL, idem_digest = NULL;
      ALTER TABLE entries DROP COLUMN idem_scope; ALTER TABLE entries DROP COLUMN idem_digest;
      CREATE UNIQUE INDEX entries_idem ON entries(idem_key) WHERE idem_key IS NOT NULL;
      PRAGMA user_version = 0;`);
    db.close();

    const readonly = new SqliteLedgerStore(path, { readonly: true });
    assert.equal(await readonly.findIdempotencyKey('anonymous', 'caller-key'), undefined, 'read-only open of an old file works');
    await readonly.close();

    const reopened = await Ledger.open({ path, signer: t.signer, origin: ORIGIN, batch: { maxDelayMs: 1 } });
    try {
      assert.deepEqual(await reopened.store.findIdempotencyKey(SIGNET_SCOPE, 'signet:issuance:abc'), { index: 0, contentDigest: undefined });
      assert.equal(await reopened.store.findIdempotencyKey('anonymous', 'caller-key'), undefined);
      assert.equal(await reopened.store.findIdempotencyKey(SIGNET_SCOPE, 'caller-key'), undefined);
      assert.equal((await reopened.append(receipt(9), { idempotencyKey: 'signet:issuance:abc' })).index, 0);
      const fresh = await reopened.append(receipt(2), { idempotencyKey: 'caller-key', scope: 'anonymous' });
      assert.equal(fresh.index, 2, 'the old caller key does not block the scoped one');
      assert.equal((await reopened.append(receipt(2), { idempotencyKey: 'caller-key', scope: 'anonymous' })).index, 2);
      assert.equal((await reopened.verifyChain()).valid, true);
    } finally {
      await reopened.close();
    }
    const check = new Database(path, { readonly: true });
    assert.equal(check.pragma('user_version', { simple: true }), 2);
    check.close();
  });
});
