// A token that stops answering (SoftHSM waiting on a lock another process holds on its object files):
// with sign-threads its callers give up at their deadline while other keys, fs and timers carry on.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { Pkcs11Module } from '../../src/signers/pkcs11/module.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { objectFilesLocked } from '../helpers/token-faults.js';
import { verifyIndependently } from './conformance.js';

const token = softhsmToken();

describe('a hung PKCS#11 token', () => {
  let dir: string;
  let hsm: Signer;
  let soft: Signer;
  let module: Pkcs11Module;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-hung-'));
    hsm = await openSigner(`${await softhsmKey('Ed25519', 'hung-ed25519')}&sign-threads=2`);
    soft = await openSigner(`file:${join(dir, 'soft.pem')}?create=true&alg=ed25519`);
    module = Pkcs11Module.acquire(token.modulePath);
  });
  after(async () => {
    await hsm.close();
    await soft.close();
    module.release();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when the token hangs inside C_SignInit (sign-threads), its callers get DEADLINE_EXCEEDED at their deadline and other work keeps running', { timeout: 60_000 }, async () => {
    const hsmPem = (await hsm.publicKey()).pem;
    const softPem = (await soft.publicKey()).pem;
    await hsm.sign({ message: Buffer.from('before the hang') }); // key handle found, sessions open
    const file = join(dir, 'data');
    writeFileSync(file, 'x'.repeat(4096));

    const lock = await objectFilesLocked(token);
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    try {
      const started = Date.now();
      const hung = Promise.allSettled(Array.from({ length: 6 }, (_, i) => hsm.sign({ message: Buffer.from(`hung ${i}`) }, { deadline: started + 1000 })).map(
        (p) => p.then(() => Date.now(), (e: unknown) => ({ e, at: Date.now() })),
      ));
      // Meanwhile (all of it done while the lock is still held): a software key signs, libuv's
      // threadpool reads files, timers fire.
      let ticks = 0;
      const ticker = setInterval(() => ticks++, 20);
      const others = await Promise.all([
        Promise.all(Array.from({ length: 50 }, async (_, i) => {
          const message = Buffer.from(`other work ${i}`);
          return verifyIndependently(softPem, 'Ed25519', message, (await soft.sign({ message })).signature);
        })),
        Promise.all(Array.from({ length: 20 }, () => readFile(file, 'utf8'))),
      ]);
      const outcomes = (await hung).map((r) => (r as PromiseFulfilledResult<number | { e: unknown; at: number }>).value);
      clearInterval(ticker);

      assert.ok(others[0].every(Boolean), 'the software key signed, verified by node:crypto');
      assert.ok(others[1].every((t) => t.length === 4096), 'fs reads through libuv completed');
      for (const o of outcomes) {
        assert.equal(typeof o, 'object', 'no sign succeeded while the token hung');
        const { e, at } = o as { e: unknown; at: number };
        assert.ok(isSignetError(e, 'DEADLINE_EXCEEDED'), String(e));
        assert.ok(at - started >= 950, `gave up at the deadline, not before (${at - started} ms)`);
      }
      assert.ok(ticks >= 30, `timers fired while the token hung (${ticks} ticks of 20 ms)`);
      assert.ok(delay.max / 1e6 < 500, `event loop delay at most ${Math.round(delay.max / 1e6)} ms while the token hung`);
      // The calls still inside the token keep their signing slots until it answers.
      assert.ok(module.workerSlots.used >= 1, `${module.workerSlots.used} slots held by calls the token has not answered`);
      await assert.rejects(hsm.sign({ message: Buffer.from('still hung') }, { deadline: Date.now() + 200 }), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    } finally {
      delay.disable();
      await lock.release();
    }

    // The token answers again: the held calls finish, their slots come back, signing goes on.
    const message = Buffer.from('after the hang');
    const result = await hsm.sign({ message }, { deadline: Date.now() + 10_000 });
    assert.ok(verifyIndependently(hsmPem, 'Ed25519', message, result.signature));
    for (let i = 0; i < 100 && module.workerSlots.used > 0; i++) await sleep(20);
    assert.equal(module.workerSlots.used, 0, 'every slot came back once the token answered');
  });
});
