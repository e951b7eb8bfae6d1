// Health of a remote key that cannot report its own (here AWS KMS, through the real SDK and the
// emulator): unavailable once a call ends in UNAVAILABLE, ready at the next call that succeeds.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { openSigner, reportsHealth, type BackendStateChange, type Signer } from '../../src/signers/index.js';
import { createAwsKmsTestKey, startAwsKmsEmulator, type AwsKmsEmulator } from '../emulators/aws-kms.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

describe('health of a remote key judged by its calls', () => {
  let emulator: AwsKmsEmulator;
  let signer: Signer;

  before(async () => {
    emulator = await startAwsKmsEmulator();
    signer = await openSigner((await createAwsKmsTestKey(emulator, 'Ed25519')).uri, { env: emulator.env });
  });
  after(async () => {
    await signer?.close();
    await emulator?.stop();
  });

  it('when KMS stays down, the key turns unavailable once however many calls fail, and ready at the first call that succeeds', async () => {
    assert.ok(reportsHealth(signer), 'a cloud key reports its health');
    const events: BackendStateChange[] = [];
    signer.onStateChange((c) => events.push(c));
    assert.equal(signer.state(), 'ready');

    emulator.faults.clear().down(true, 503);
    for (let i = 0; i < 5; i++) {
      await assert.rejects(signer.sign({ message: Buffer.from(`down ${i}`) }, { deadline: Date.now() + 300 }), (e) => isSignetError(e, 'UNAVAILABLE'));
    }
    assert.equal(signer.state(), 'unavailable');
    emulator.faults.clear();
    await signer.sign({ message: Buffer.from('back') });
    assert.equal(signer.state(), 'ready');

    assert.deepEqual(events.map((e) => e.state), ['unavailable', 'ready']);
    assert.match(events[0]!.reason!, /ServiceUnavailableException/);
    assert.equal(events[0]!.recovery, 'ready again at the next call that succeeds');
    assert.equal(events[1]!.attempts, 5);
  });

  it('when a caller gives up (deadline or cancel), the key stays ready', async () => {
    const events: BackendStateChange[] = [];
    assert.ok(reportsHealth(signer));
    signer.onStateChange((c) => events.push(c));
    emulator.faults.clear().latency(1_000);
    await assert.rejects(signer.sign({ message: Buffer.from('slow') }, { deadline: Date.now() + 200 }), (e) => isSignetError(e, 'DEADLINE_EXCEEDED'));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    await assert.rejects(signer.sign({ message: Buffer.from('cancelled') }, { signal: controller.signal }), (e) => isSignetError(e, 'UNAVAILABLE') && /cancelled/.test(e.message));
    emulator.faults.clear();
    assert.equal(signer.state(), 'ready');
    assert.deepEqual(events, []);
  });

  it('a software key in this process reports no health of its own (it cannot be unreachable)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-outcome-'));
    try {
      const file = await openSigner(`file:${join(dir, 'k.pem')}?create=true&alg=ed25519`);
      assert.equal(reportsHealth(file), false);
      await file.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
