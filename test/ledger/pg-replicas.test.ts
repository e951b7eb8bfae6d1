// Several Signet ledgers (replicas) in one process on one PostgreSQL schema: one chain, one tree,
// one sequence of checkpoints, whichever replica takes each append. Checked by independent code.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isSignetError } from '../../src/lib/errors.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { PgLedgerStore } from '../../src/ledger/pg-store.js';
import type { Signer } from '../../src/signers/contract.js';
import { advisoryKey } from '../../src/lib/pg.js';
import { advisoryLockHolders, testSchema, type TestSchema } from '../helpers/postgres.js';
import { ORIGIN, receipt, tempLedgerDir, type TempLedgerDir } from './fixtures.js';
import { checkNote, checkReceipt, consistent } from './independent.js';

/** A signer whose signatures take `delay.ms` longer (a slow HSM or KMS). */
function slowSigner(inner: Signer, delay: { ms: number }): Signer {
  return new Proxy(inner, {
    get(target, prop) {
      if (prop === 'sign') {
        return async (...args: Parameters<Signer['sign']>) => {
          if (delay.ms) await sleep(delay.ms);
          return target.sign(...args);
        };
      }
      const v = Reflect.get(target, prop);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

describe('ledger replicas on one PostgreSQL schema', () => {
  let t: TempLedgerDir;
  let db: TestSchema;
  let replicas: Ledger[] = [];
  const delay = { ms: 0 };
  before(async () => {
    t = await tempLedgerDir();
    db = await testSchema('replicas');
  });
  after(async () => {
    for (const r of replicas) await r.close().catch(() => {});
    await db.drop();
    await t.cleanup();
  });

  const open = async (signer: Signer = t.signer) =>
    Ledger.open({ store: await PgLedgerStore.open({ url: db.url, schema: db.schema, poolSize: 3 }), signer, origin: ORIGIN, batch: { maxDelayMs: 2, maxEntries: 64 } });

  it('when three replicas open an empty schema at the same instant, exactly one genesis checkpoint is written', async () => {
    replicas = await Promise.all([open(slowSigner(t.signer, delay)), open(), open()]);
    const { rows } = await db.query('SELECT size::int AS size FROM checkpoints');
    assert.deepEqual(rows, [{ size: 0 }]);
    for (const r of replicas) assert.equal((await r.reader.latest()).size, 0);
  });

  it('when clients append through all three at once, indices are 0..n-1 with no gap or repeat, every receipt verifies independently, and each checkpoint is consistent with the next', async () => {
    const seen = new Map<number, string>();
    let n = 0;
    await Promise.all(
      Array.from({ length: 12 }, async (_, c) => {
        for (let k = 0; k < 15; k++) {
          const r = replicas[(c + k) % 3]!;
          const i = n++;
          const bundles = k % 3 === 0 ? await r.appendMany([receipt(i), receipt(i + 100_000)]) : [await r.append(receipt(i))];
          for (const b of bundles) {
            const entry = checkReceipt(b, t.pem, ORIGIN);
            assert.ok(!seen.has(b.index), `index ${b.index} acknowledged twice`);
            seen.set(b.index, entry.resource as string);
          }
        }
      }),
    );
    const size = (await replicas[0]!.reader.latest()).size;
    assert.equal(size, seen.size);
    assert.deepEqual([...seen.keys()].sort((a, b) => a - b), Array.from({ length: size }, (_, i) => i));
    const checkpoints = await replicas[1]!.store.checkpointsBetween(0, size);
    assert.ok(checkpoints.length > 3, `${checkpoints.length} checkpoints`);
    for (let i = 2; i < checkpoints.length; i++) { // from size 0 there is no proof to give
      const [a, b] = [checkNote(checkpoints[i - 1]!.note, t.pem), checkNote(checkpoints[i]!.note, t.pem)];
      const { proof } = await replicas[i % 3]!.reader.consistency(a.size, b.size);
      assert.ok(consistent(a.size, b.size, proof, a.root, b.root), `checkpoint ${a.size} → ${b.size}`);
    }
    for (const r of replicas) {
      const report = await r.verifyChain();
      assert.equal(report.valid, true, report.reason);
      assert.equal(report.entriesChecked, size);
    }
  });

  it('a replica that appended nothing for a while reads and proves from the latest committed state', async () => {
    await replicas[0]!.append(receipt(1));
    const behind = replicas[2]!;
    for (let i = 0; i < 5; i++) await replicas[i % 2]!.append(receipt(500 + i));
    const latest = await behind.reader.latest();
    assert.equal(latest.size, (await replicas[0]!.reader.latest()).size);
    const last = await behind.reader.bundle(latest.size - 1);
    checkReceipt(last, t.pem, ORIGIN);
    // And its next append extends the chain others grew, linking to their last entry.
    const next = await behind.append(receipt(999));
    assert.equal(next.index, latest.size);
    assert.equal(checkReceipt(next, t.pem, ORIGIN).prev, Buffer.from(last.leafHash).toString('hex'));
  });

  it('when the same scoped idempotency key reaches all three replicas at once, one entry is written and all three answer it; another scope is another entry', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `same-key-${round}`;
      const scope = 'uri:spiffe://example.org/agent-gateway';
      const answers = await Promise.all(replicas.map((r) => r.append(receipt(7000 + round), { idempotencyKey: key, scope })));
      assert.deepEqual(new Set(answers.map((a) => a.index)).size, 1, `round ${round}: ${answers.map((a) => a.index)}`);
      const elsewhere = await replicas[round % 3]!.append(receipt(7000 + round), { idempotencyKey: key, scope: 'uri:spiffe://example.org/other' });
      assert.notEqual(elsewhere.index, answers[0]!.index);
      const { rows } = await db.query('SELECT idem_scope FROM entries WHERE idem_key = $1 ORDER BY idem_scope', [key]);
      assert.deepEqual(rows.map((r) => r.idem_scope), ['uri:spiffe://example.org/agent-gateway', 'uri:spiffe://example.org/other']);
    }
  });

  it('when one scoped key reaches two replicas at once with different records, exactly one is written and the other caller gets ALREADY_EXISTS with nothing of it', async () => {
    for (let round = 0; round < 5; round++) {
      const key = `contested-${round}`;
      const scope = 'dns:ci.example.org';
      const outcomes = await Promise.allSettled([replicas[round % 3]!.append(receipt(7100 + round), { idempotencyKey: key, scope }), replicas[(round + 1) % 3]!.append(receipt(7200 + round), { idempotencyKey: key, scope })]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      assert.equal(won.length, 1, `round ${round}`);
      assert.ok(isSignetError(lost[0]!.reason, 'ALREADY_EXISTS'), String(lost[0]!.reason));
      assert.ok(!/object-7[12]/.test(lost[0]!.reason.message), 'the refusal names nothing of the other record');
      const { rows } = await db.query('SELECT count(*)::int AS n FROM entries WHERE idem_key = $1', [key]);
      assert.equal(rows[0]!.n, 1);
    }
  });

  it('when PostgreSQL terminates the connection of the replica holding the sequencing lock mid-batch, its callers get UNAVAILABLE, nothing of the batch is written, and every replica goes on', async () => {
    const slow = replicas[0]!;
    const sizeBefore = (await slow.reader.latest()).size;
    delay.ms = 1500;
    const pending = slow.appendMany([receipt(8001), receipt(8002)]).then(
      () => 'acknowledged',
      (e: unknown) => e,
    );
    // The holder of the advisory lock, found as an operator would, while it signs.
    let holder: number | undefined;
    for (let i = 0; i < 200 && holder === undefined; i++) {
      holder = (await advisoryLockHolders(db, advisoryKey(db.schema, 'ledger-sequence')))[0];
      if (holder === undefined) await sleep(10);
    }
    assert.ok(holder !== undefined, 'a backend holds the sequencing lock');
    // Meanwhile another replica's append waits for the lock.
    const other = replicas[1]!.append(receipt(8003));
    await db.query('SELECT pg_terminate_backend($1)', [holder]);
    const outcome = await pending;
    delay.ms = 0;
    assert.ok(isSignetError(outcome, 'UNAVAILABLE'), `the killed batch's callers are told UNAVAILABLE, got ${String(outcome)}`);
    const b = await other;
    assert.equal(b.index, sizeBefore, 'the waiting replica sequenced next, at the same index: nothing of the killed batch was written');
    const again = await slow.append(receipt(8004));
    assert.equal(again.index, sizeBefore + 1, 'the replica whose connection was killed appends again');
    const { rows } = await db.query("SELECT count(*)::int AS n FROM entries WHERE convert_from(entry, 'UTF8') LIKE '%object-800_\"%'");
    assert.equal(rows[0]!.n, 2);
    const report = await replicas[2]!.verifyChain();
    assert.equal(report.valid, true, report.reason);
  });
});

describe('ledger replicas signing with different keys', () => {
  let t1: TempLedgerDir;
  let t2: TempLedgerDir;
  let db: TestSchema;
  const opened: Ledger[] = [];
  before(async () => {
    [t1, t2] = await Promise.all([tempLedgerDir(), tempLedgerDir('p256')]);
    db = await testSchema('keys');
  });
  after(async () => {
    for (const l of opened) await l.close().catch(() => {});
    await db.drop();
    await t1.cleanup();
    await t2.cleanup();
  });
  const open = async (t: TempLedgerDir, previousKeys: string[]) => {
    const l = await Ledger.open({ store: await PgLedgerStore.open({ url: db.url, schema: db.schema, poolSize: 2 }), signer: t.signer, origin: ORIGIN, previousKeys, batch: { maxDelayMs: 1 } });
    opened.push(l);
    return l;
  };

  it("when each replica lists the other's public key, both extend one chain and VerifyChain is valid on both", async () => {
    const a = await open(t1, [t2.pem]);
    const b = await open(t2, [t1.pem]);
    for (let i = 0; i < 6; i++) {
      const bundle = await (i % 2 ? b : a).append(receipt(i));
      checkReceipt(bundle, i % 2 ? t2.pem : t1.pem, ORIGIN);
    }
    for (const l of [a, b]) {
      const report = await l.verifyChain();
      assert.equal(report.valid, true, report.reason);
    }
  });

  it("when a replica does not know the key that signed the head, it cannot start, or refuses to extend it with INTEGRITY and writes nothing", async () => {
    const stranger = await tempLedgerDir();
    try {
      // Opening checks the head: a replica that knows neither key cannot even start.
      await assert.rejects(Ledger.open({ store: await PgLedgerStore.open({ url: db.url, schema: db.schema, poolSize: 1 }), signer: stranger.signer, origin: ORIGIN }), (e) => isSignetError(e, 'INTEGRITY'));
      // A replica that knew every key when it started; then a third key signs the head.
      const partial = await open(t1, [t2.pem]);
      const third = await open(stranger, [t1.pem, t2.pem]);
      await third.append(receipt(104));
      const size = (await third.reader.latest()).size;
      await assert.rejects(partial.append(receipt(105)), (e) => isSignetError(e, 'INTEGRITY') && /ledger.previous_keys/.test(e.message));
      assert.equal((await partial.reader.latest()).size, size, 'nothing of the refused batch was written');
      assert.equal((await third.append(receipt(106))).index, size, 'the replicas that know the key go on');
    } finally {
      await stranger.cleanup().catch(() => {});
    }
  });
});
