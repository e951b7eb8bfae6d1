// SessionPool on a real SoftHSM token: bounded sessions, waiting up to a deadline, one login per
// token, keep-alive pings that drop dead sessions, and a close that waits for running operations.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, before, after } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { Pkcs11Module } from '../../src/signers/pkcs11/module.js';
import { PROFILES, SessionPool, type PoolProfile } from '../../src/signers/pkcs11/session-pool.js';
import { Slots } from '../../src/signers/pkcs11/module-gate.js';
import { signThreadsFor } from '../../src/signers/pkcs11/module.js';
import { softhsmToken } from '../helpers/softhsm.js';

const token = softhsmToken();

describe('SessionPool on SoftHSM', () => {
  let module: Pkcs11Module;
  const pools: SessionPool[] = [];
  const pool = (maxSessions: number, profile: PoolProfile = PROFILES.default!, maxWaiters?: number) => {
    const p = new SessionPool(module, { selector: { label: token.label }, pin: token.pin, profile, maxSessions, maxWaiters });
    pools.push(p);
    return p;
  };
  const slot = () => module.lib.C_GetSlotList(true).find((s) => module.lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;

  before(() => {
    module = Pkcs11Module.acquire(token.modulePath);
  });
  after(async () => {
    for (const p of pools) await p.close();
    module.release();
  });

  it('logs in once per token: sessions opened later find the user already logged in', async () => {
    module.lib.C_CloseAllSessions(slot()); // start logged out
    const original = module.lib.C_Login;
    let logins = 0;
    module.lib.C_Login = function (...args: Parameters<typeof original>) {
      logins++;
      return original.apply(this, args);
    };
    try {
      const p = pool(4);
      await Promise.all(Array.from({ length: 4 }, () => p.run(() => sleep(5))));
      assert.equal(p.size.open, 4);
      assert.equal(logins, 1);
    } finally {
      module.lib.C_Login = original;
    }
  });

  it('when 30 callers arrive at once, never runs more than maxSessions operations at a time', async () => {
    const p = pool(3);
    let running = 0;
    let peak = 0;
    await Promise.all(
      Array.from({ length: 30 }, () =>
        p.run(async () => {
          peak = Math.max(peak, ++running);
          await sleep(2);
          running--;
        }),
      ),
    );
    assert.equal(peak, 3);
    assert.ok(p.size.open <= 3);
    assert.equal(p.size.waiting, 0);
  });

  it('when every session stays busy, a waiting caller gets DEADLINE_EXCEEDED at its deadline or on abort', async () => {
    const p = pool(1);
    let release!: () => void;
    const busy = p.run(() => new Promise<void>((r) => (release = r)));
    await sleep(1);
    const started = Date.now();
    await assert.rejects(p.run(() => 1, { deadline: Date.now() + 80 }), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    assert.ok(Date.now() - started >= 70, 'waited until the deadline');
    const controller = new AbortController();
    const aborted = p.run(() => 1, { signal: controller.signal });
    controller.abort();
    await assert.rejects(aborted, (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    release();
    await busy;
    assert.equal(await p.run(() => 'free again'), 'free again');
    assert.equal(p.size.open, 1);
  });

  it('pings idle sessions under the keep-alive profile, and drops a session whose ping fails', async () => {
    const p = pool(2, { name: 'test', maxSessions: 2, keepAliveMs: 2000 });
    const original = module.lib.C_GetSessionInfo;
    let pings = 0;
    module.lib.C_GetSessionInfo = function (...args: Parameters<typeof original>) {
      pings++;
      return original.apply(this, args);
    };
    try {
      await p.run(() => undefined);
      assert.equal(p.size.idle, 1);
      await sleep(2300);
      assert.ok(pings >= 1, `idle session pinged (${pings})`);
      assert.equal(p.size.idle, 1, 'a live session stays in the pool');
      module.lib.C_CloseAllSessions(slot());
      await sleep(2300);
      assert.equal(p.size.idle, 0, 'the dead session was dropped');
      assert.equal(p.size.open, 0);
    } finally {
      module.lib.C_GetSessionInfo = original;
    }
  });

  it('when the replacement for a failed session cannot be opened, every waiting caller is answered with UNAVAILABLE, none stranded', async () => {
    const p = pool(1);
    let fail!: (e: Error) => void;
    const first = p.run(() => new Promise<never>((_, reject) => (fail = reject)));
    await sleep(1);
    const waiting = [p.run(() => 'second'), p.run(() => 'third')];
    await sleep(1);
    assert.equal(p.size.waiting, 2);
    const original = module.lib.C_OpenSession;
    module.lib.C_OpenSession = function () {
      module.lib.C_OpenSession = original;
      throw new Error('CKR_DEVICE_ERROR');
    } as typeof original;
    try {
      fail(new Error('CKR_DEVICE_ERROR'));
      await assert.rejects(first, /CKR_DEVICE_ERROR/);
      const settled = await Promise.race([Promise.allSettled(waiting), sleep(1000).then(() => 'stranded' as const)]);
      assert.notEqual(settled, 'stranded', 'a waiter was left queued after the replacement open failed');
      for (const r of settled as PromiseSettledResult<string>[]) {
        assert.equal(r.status, 'rejected');
        assert.ok(isSignetError((r as PromiseRejectedResult).reason, 'UNAVAILABLE'), String((r as PromiseRejectedResult).reason));
      }
    } finally {
      module.lib.C_OpenSession = original;
    }
    assert.equal(p.size.waiting, 0);
    assert.equal(await p.run(() => 'device back'), 'device back');
  });

  it('when a recovery runs while every session is checked out, the pool never holds more than maxSessions', async () => {
    const p = pool(2);
    const releases: (() => void)[] = [];
    const held = Array.from({ length: 2 }, () => p.run(() => new Promise<void>((r) => releases.push(r))));
    await sleep(1);
    assert.equal(p.size.open, 2);
    await p.recover(new Error('CKR_SESSION_HANDLE_INVALID'), p.epoch);
    assert.ok(p.size.open <= 2, `${p.size.open} sessions open with maxSessions 2`);
    for (const r of releases) r();
    await Promise.all(held);
    assert.ok(p.size.open <= 2, `${p.size.open} sessions open after the old ones returned`);
    assert.equal(await p.run(() => 'after recovery'), 'after recovery');
    assert.ok(p.size.open <= 2);
  });

  it('when the waiting queue is full (max-waiters), a further caller is refused at once with RESOURCE_EXHAUSTED', async () => {
    const p = pool(1, PROFILES.default!, 2);
    let release!: () => void;
    const busy = p.run(() => new Promise<void>((r) => (release = r)));
    await sleep(1);
    const queued = [p.run(() => 'a'), p.run(() => 'b')];
    await assert.rejects(p.run(() => 'c'), (e) => isSignetError(e, 'RESOURCE_EXHAUSTED'));
    assert.equal(p.size.waiting, 2);
    release();
    await busy;
    assert.deepEqual(await Promise.all(queued), ['a', 'b']);
  });

  it('when another user of the module re-initialises it, an idle session of this pool is not handed out again', async () => {
    const a = pool(2);
    await a.run(() => undefined);
    assert.equal(a.size.idle, 1);
    const epoch = a.epoch;
    await module.reinitialize(module.generation, true); // as another pool's recovery would
    const b = pool(2);
    let releaseB!: () => void;
    let bHandle!: Buffer;
    const heldByB = b.run((s) => ((bHandle = s), new Promise<void>((r) => (releaseB = r))));
    await sleep(1);
    try {
      await a.run((handle) => {
        assert.ok(!handle.equals(bHandle), 'the stale handle names the other pool\'s session');
        assert.doesNotThrow(() => module.lib.C_GetSessionInfo(handle), 'the session is alive in this generation');
      });
      assert.ok(a.epoch > epoch, 'key handles of the old generation are not used again');
    } finally {
      releaseB();
      await heldByB;
    }
  });

  it('when a module reset waits for an operation in flight, a new caller waits and gets DEADLINE_EXCEEDED at its deadline', async () => {
    const p = pool(1);
    await p.run(() => undefined);
    module.gate.enter(); // an operation that has not finished
    const reset = module.reinitialize(module.generation, true);
    const started = Date.now();
    await assert.rejects(p.run(() => 1, { deadline: Date.now() + 80 }), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    assert.ok(Date.now() - started >= 70, 'waited for the reset until the deadline');
    module.gate.leave();
    await reset;
    assert.equal(await p.run((s) => (module.lib.C_GetSessionInfo(s), 'after the reset')), 'after the reset');
  });

  it('close() waits for running operations, then refuses new ones with UNAVAILABLE', async () => {
    const p = pool(2);
    let finished = false;
    const op = p.run(async () => {
      await sleep(50);
      finished = true;
    });
    await sleep(1);
    await p.close();
    assert.equal(finished, true);
    await op;
    await assert.rejects(p.run(() => 1), (e) => isSignetError(e, 'UNAVAILABLE'));
  });
});

describe('signing-thread slots of a module', () => {
  it('leaves at least one libuv thread free: UV_THREADPOOL_SIZE − 1, 3 by default, never below 1', () => {
    assert.equal(signThreadsFor({}), 3);
    assert.equal(signThreadsFor({ UV_THREADPOOL_SIZE: '17' }), 16);
    assert.equal(signThreadsFor({ UV_THREADPOOL_SIZE: '1' }), 1);
    assert.equal(signThreadsFor({ UV_THREADPOOL_SIZE: 'lots' }), 3);
  });

  it('when every slot is taken, a caller gets DEADLINE_EXCEEDED at its deadline and a freed slot goes to the next in line', async () => {
    const slots = new Slots(1);
    await slots.acquire();
    await assert.rejects(slots.acquire({ deadline: Date.now() + 30 }), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    const order: string[] = [];
    const first = slots.acquire().then(() => order.push('first'));
    const second = slots.acquire().then(() => order.push('second'));
    slots.release();
    await first;
    assert.equal(slots.used, 1);
    slots.release();
    await second;
    assert.deepEqual(order, ['first', 'second']);
    slots.release();
    assert.equal(slots.used, 0);
  });
});
