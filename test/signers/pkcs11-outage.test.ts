// The pkcs11 driver through real SoftHSM outages under load: while the token is away every call is
// UNAVAILABLE with a retry-after (never "no such key"), and signing resumes by itself once it is back.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, before, after } from 'node:test';
import pkcs11js from 'pkcs11js';
import { isSignetError } from '../../src/lib/errors.js';
import { openSigner, reportsHealth, type BackendStateChange, type KeyAlgorithm, type Signer } from '../../src/signers/index.js';
import { Pkcs11Module } from '../../src/signers/pkcs11/module.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { directoryMoved, objectFilesUnreadable, type TokenFault } from '../helpers/token-faults.js';
import { verifyIndependently } from './conformance.js';

const token = softhsmToken();
/** Generous: the heal loop retries at most every 2.4 s (2 s ± 20 %); this machine is shared. */
const RESUME_BOUND_MS = 12_000;

interface Outcome {
  key: string;
  start: number;
  end: number;
  ok: boolean;
  code?: string;
  message?: string;
  retryAfter?: number;
}

/** Signs in a loop on every key (`workers` loops per key) until stopped; every signature is verified. */
function load(keys: { name: string; signer: Signer; pem: string; alg: KeyAlgorithm }[], workers = 3) {
  const outcomes: Outcome[] = [];
  const unverified: string[] = [];
  let stopped = false;
  const loops = keys.flatMap(({ name, signer, pem, alg }) =>
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stopped; i++) {
        const message = Buffer.from(`${name} load ${w} ${i}`);
        const start = Date.now();
        try {
          const r = await signer.sign({ message });
          if (!verifyIndependently(pem, alg, message, r.signature)) unverified.push(message.toString());
          outcomes.push({ key: name, start, end: Date.now(), ok: true });
        } catch (err) {
          const e = err as { code?: string; message?: string; retryAfter?: number };
          outcomes.push({ key: name, start, end: Date.now(), ok: false, code: e.code ?? 'non-Signet', message: e.message, retryAfter: e.retryAfter });
        }
        await sleep(5);
      }
    }),
  );
  return {
    outcomes,
    unverified,
    async stop() {
      stopped = true;
      await Promise.all(loops);
    },
  };
}

async function until(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await sleep(20);
  }
  return condition();
}

describe('pkcs11 outages on SoftHSM, under load', () => {
  const keys: { name: string; signer: Signer; pem: string; alg: KeyAlgorithm; events: BackendStateChange[] }[] = [];
  let spareUri: string;
  let module: Pkcs11Module;

  before(async () => {
    for (const alg of ['Ed25519', 'ES256'] as const) {
      const signer = await openSigner(await softhsmKey(alg, `outage-${alg}`));
      const events: BackendStateChange[] = [];
      assert.ok(reportsHealth(signer), 'a pkcs11 key reports its health');
      signer.onStateChange((c) => events.push(c));
      keys.push({ name: alg, signer, pem: (await signer.publicKey()).pem, alg, events });
    }
    spareUri = await softhsmKey('Ed25519', 'outage-spare');
    module = Pkcs11Module.acquire(token.modulePath);
  });
  after(async () => {
    for (const k of keys) await k.signer.close();
    module.release();
  });

  /** Injects `fault` for `ms` under load, restores it, and waits until every key signs again. */
  async function outage(fault: TokenFault, ms: number, during?: () => Promise<void>) {
    for (const k of keys) k.events.length = 0;
    const lib = module.lib;
    const original = lib.C_Initialize;
    let initializations = 0;
    lib.C_Initialize = function (this: pkcs11js.PKCS11, ...args: Parameters<typeof original>) {
      initializations++;
      return original.apply(this, args);
    } as typeof original;
    const running = load(keys);
    try {
      await sleep(300);
      const injectedAt = Date.now();
      try {
        fault.inject();
        await sleep(Math.min(ms, 1000));
        await during?.();
        await sleep(Math.max(0, ms - 1000));
      } finally {
        fault.restore();
      }
      const restoredAt = Date.now();
      const resumed = await until(() => keys.every((k) => running.outcomes.some((o) => o.key === k.name && o.ok && o.start >= restoredAt)), 20_000);
      await sleep(300);
      await running.stop();
      return { outcomes: running.outcomes, unverified: running.unverified, injectedAt, restoredAt, resumed, initializations };
    } finally {
      await running.stop();
      lib.C_Initialize = original;
    }
  }

  /** What every outage must show, whatever caused it. */
  function assertHealed(run: Awaited<ReturnType<typeof outage>>, ms: number) {
    const { outcomes, restoredAt } = run;
    assert.deepEqual(run.unverified, [], 'every signature made verifies with node:crypto');
    assert.ok(run.resumed, 'signing resumed by itself after the token came back');
    const failures = outcomes.filter((o) => !o.ok);
    assert.ok(failures.length > 0, 'calls during the outage failed');
    for (const f of failures) {
      assert.equal(f.code, 'UNAVAILABLE', `${f.code}: ${f.message}`);
      assert.ok(f.retryAfter !== undefined && f.retryAfter >= 1, `retry-after on: ${f.message}`);
      assert.doesNotMatch(f.message ?? '', /create one|no private key|not found/i, 'no error claims the key does not exist');
    }
    for (const k of keys) {
      const mine = outcomes.filter((o) => o.key === k.name);
      const firstFailure = mine.find((o) => !o.ok)!;
      assert.ok(firstFailure, `${k.name} saw the outage`);
      const during = mine.filter((o) => o.start > firstFailure.end && o.end < restoredAt);
      assert.ok(during.length > 0, `${k.name}: calls were made during the outage`);
      assert.deepEqual(during.filter((o) => o.ok), [], `${k.name}: no call succeeded while the token was away`);
      const back = mine.find((o) => o.ok && o.start >= restoredAt)!;
      assert.ok(back.end - restoredAt <= RESUME_BOUND_MS, `${k.name} resumed ${back.end - restoredAt} ms after the token came back`);
      assert.deepEqual(mine.filter((o) => !o.ok && o.start > back.end), [], `${k.name}: no failure once signing resumed`);
      assert.deepEqual(k.events.map((e) => e.state), ['unavailable', 'ready'], `${k.name}: one change each way`);
      assert.equal(k.events[0]!.retryEverySeconds, 2);
      assert.ok(k.events[1]!.attempts! >= 1);
    }
    // Backoff: heal attempts ramp 0.25, 0.5, 1 s then every 2 s ± 20 %, however many calls fail.
    const bound = 4 + Math.ceil((ms + RESUME_BOUND_MS) / 1600);
    assert.ok(run.initializations >= 1 && run.initializations <= bound, `${run.initializations} re-initialisations in a ${ms} ms outage (bound ${bound})`);
    assert.ok(failures.length > 5 * run.initializations, `${failures.length} refused calls, ${run.initializations} re-initialisations: not one per call`);
  }

  for (const ms of [1000, 10_000]) {
    it(`when the token directory is moved away for ${ms / 1000} s, calls are UNAVAILABLE and signing resumes by itself`, { timeout: 60_000 }, async () => {
      let opened: unknown;
      const run = await outage(directoryMoved(token), ms, async () => {
        opened = await openSigner(spareUri).then(
          async (s) => (await s.close(), 'opened'),
          (e: unknown) => e,
        );
      });
      assertHealed(run, ms);
      assert.ok(isSignetError(opened, 'UNAVAILABLE'), `opening another key while the token is away: ${String(opened)}`);
    });
  }

  it('when the key object files are unreadable for 1 s (directories in their place), calls are UNAVAILABLE, never "no such key", and signing resumes', { timeout: 60_000 }, async () => {
    assertHealed(await outage(objectFilesUnreadable(token, 'keys'), 1000), 1000);
  });

  it('when the token object file is unreadable for 1 s (the token vanishes from the slot list), signing resumes', { timeout: 60_000 }, async () => {
    // SoftHSM notices a token file only when asked about the token: this fault shows once the
    // sessions fail, so it is injected together with a session reset, as a restart of the device would.
    const fault = objectFilesUnreadable(token, 'token');
    const run = await outage(
      {
        name: fault.name,
        inject() {
          const lib = module.lib;
          const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;
          fault.inject();
          lib.C_CloseAllSessions(slot);
        },
        restore: fault.restore,
      },
      1000,
    );
    assertHealed(run, 1000);
  });

  it('when module sessions are invalidated again and again for 1 s, every call either signs or is UNAVAILABLE, and signing carries on', { timeout: 60_000 }, async () => {
    for (const k of keys) k.events.length = 0;
    const lib = module.lib;
    const slot = () => lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;
    const running = load(keys);
    await sleep(200);
    const end = Date.now() + 1000;
    let resets = 0;
    while (Date.now() < end) {
      // Between operations, as a device drops its sessions: SoftHSM itself crashes if a session is
      // closed under a C_Sign running in another thread, which no device does to its own sessions.
      await module.gate.exclusive(() => lib.C_CloseAllSessions(slot()));
      resets++;
      await sleep(20);
    }
    const stormEnded = Date.now();
    const resumed = await until(() => keys.every((k) => running.outcomes.some((o) => o.key === k.name && o.ok && o.start >= stormEnded)), 20_000);
    await sleep(200);
    await running.stop();
    assert.ok(resets > 10);
    assert.ok(resumed, 'signing carried on after the resets stopped');
    assert.deepEqual(running.unverified, []);
    for (const f of running.outcomes.filter((o) => !o.ok)) assert.equal(f.code, 'UNAVAILABLE', `${f.code}: ${f.message}`);
    for (const k of keys) {
      const states = k.events.map((e) => e.state);
      assert.ok(states.length % 2 === 0 && states.every((s, i) => s === (i % 2 === 0 ? 'unavailable' : 'ready')), `${k.name}: ${states.join(',')}`);
      assert.ok(reportsHealth(k.signer) && k.signer.state() === 'ready');
    }
  });

  it('at start-up, with the token present, a key that truly is absent is still a CONFIG error that says to create it', async () => {
    await assert.rejects(
      openSigner(`pkcs11:token=${token.label};object=never-made?${token.query}`),
      (e) => isSignetError(e, 'CONFIG') && /no private key with label "never-made".*create one/.test(e.message),
    );
  });
});
