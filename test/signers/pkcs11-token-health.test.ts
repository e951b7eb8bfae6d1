// TokenHealth with a scripted heal attempt: backoff between attempts, one state change per key each
// way, refusals with retry-after, a key missing on a healthy token, and no retry after a PIN refusal.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { isSignetError, SignetError } from '../../src/lib/errors.js';
import type { BackendStateChange } from '../../src/signers/health.js';
import { KeyNotVisible } from '../../src/signers/pkcs11/errors.js';
import { TokenHealth, type HealOutcome, type KeyWatch } from '../../src/signers/pkcs11/token-health.js';

const delays = { firstMs: 10, maxMs: 80 };

/** A TokenHealth whose heal attempts answer from `script` (its last answer repeats), with timestamps. */
function scripted(script: ((watches: KeyWatch[]) => HealOutcome)[]) {
  const attempts: number[] = [];
  const health = new TokenHealth(
    () => 'tok',
    async (watches) => {
      attempts.push(Date.now());
      return script[Math.min(attempts.length - 1, script.length - 1)]!(watches);
    },
    delays,
  );
  const watch = (name: string) => {
    const w = health.watch(name, () => {});
    const events: BackendStateChange[] = [];
    w.onStateChange((c) => events.push(c));
    return { w, events };
  };
  return { health, attempts, watch };
}

const down = (): HealOutcome => ({ token: new Error('CKR_GENERAL_ERROR'), keys: new Map() });
const up = (missing: KeyWatch[] = []) => (watches: KeyWatch[]): HealOutcome => ({
  keys: new Map(watches.map((w) => [w, missing.includes(w) ? new KeyNotVisible('not visible') : undefined])),
});

describe('TokenHealth', () => {
  it('when the token is lost, refuses at once with UNAVAILABLE and a retry-after, backs off between attempts, and tells each key once each way', async () => {
    const { health, attempts, watch } = scripted([down, down, down, down, down, up()]);
    const a = watch('a');
    const b = watch('b');
    health.tokenLost(new Error('CKR_GENERAL_ERROR'));
    health.tokenLost(new Error('CKR_DEVICE_ERROR')); // a second failure changes nothing
    for (let i = 0; i < 100; i++) {
      assert.throws(() => a.w.check(), (e) => isSignetError(e, 'UNAVAILABLE') && e.retryAfter! >= 1 && /CKR_GENERAL_ERROR/.test(e.message));
    }
    while (a.w.state() !== 'ready') await sleep(5);
    assert.equal(attempts.length, 6, 'one attempt per backoff step, not one per refused call');
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // 20, 40, 80, 80, 80 ms ± 20 % (timers fire late, never early)
    assert.ok(gaps[0]! >= 15 && gaps[1]! >= 31 && gaps.slice(2).every((g) => g >= 63), `gaps ${gaps.join(',')}`);
    for (const k of [a, b]) {
      assert.deepEqual(k.events.map((e) => e.state), ['unavailable', 'ready']);
      assert.match(k.events[0]!.reason!, /token "tok" lost: CKR_GENERAL_ERROR/);
      assert.equal(k.events[0]!.retryEverySeconds, 0.08);
      assert.equal(k.events[1]!.attempts, 6);
    }
    assert.doesNotThrow(() => a.w.check());
    health.close();
  });

  it('when one key is not visible on a token that answers, only that key is refused, and recovery goes on until it is back', async () => {
    let lost!: KeyWatch;
    const { health, attempts, watch } = scripted([(ws) => up([lost])(ws), (ws) => up([lost])(ws), up()]);
    const a = watch('a');
    const b = watch('b');
    lost = a.w;
    a.w.lost(new KeyNotVisible('the private key is not visible'), true);
    assert.throws(() => a.w.check(), (e) => isSignetError(e, 'UNAVAILABLE') && /not visible on token "tok"/.test(e.message) && !/create/.test(e.message));
    assert.doesNotThrow(() => b.w.check());
    while (a.w.state() !== 'ready') await sleep(5);
    assert.equal(attempts.length, 3);
    assert.deepEqual(a.events.map((e) => e.state), ['unavailable', 'ready']);
    assert.deepEqual(b.events, []);
    health.close();
  });

  it('when the PIN is refused while logging in again, stops retrying (so as not to lock it) and says to restart', async () => {
    const pinRefused = new SignetError('CONFIG', 'wrong PIN', { cause: new Error('CKR_PIN_INCORRECT') });
    const { health, attempts, watch } = scripted([() => ({ token: pinRefused, keys: new Map() })]);
    const a = watch('a');
    health.tokenLost(new Error('CKR_USER_NOT_LOGGED_IN'));
    await sleep(300);
    assert.equal(attempts.length, 1, 'no login attempt after the PIN was refused');
    assert.throws(() => a.w.check(), (e) => isSignetError(e, 'UNAVAILABLE') && e.retryAfter === undefined && /restart Signet with the right PIN/.test(e.message));
    assert.deepEqual(a.events.map((e) => e.state), ['unavailable']);
    health.close();
  });

  it('when a listener throws, the other listeners still hear the change', async () => {
    const { health, watch } = scripted([up()]);
    const a = watch('a');
    const heard: string[] = [];
    a.w.onStateChange(() => {
      throw new Error('listener bug');
    });
    a.w.onStateChange((c) => heard.push(c.state));
    health.tokenLost(new Error('CKR_DEVICE_REMOVED'));
    while (a.w.state() !== 'ready') await sleep(5);
    assert.deepEqual(heard, ['unavailable', 'ready']);
    health.close();
  });
});
