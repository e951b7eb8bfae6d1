// The pkcs11 driver on a real SoftHSM 2 token: what generated keys are, the session pool under
// 200 concurrent signs, recovery when sessions or the module vanish, and one clear error per mistake.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { realpathSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it, before, after } from 'node:test';
import pkcs11js from 'pkcs11js';
import { isSignetError } from '../../src/lib/errors.js';
import { canList, driverFor, openSigner, parseKeyUri, type Signer } from '../../src/signers/index.js';
import { Pkcs11Module } from '../../src/signers/pkcs11/module.js';
import { findObjects, readBool } from '../../src/signers/pkcs11/objects.js';
import { slotIdOf } from '../../src/signers/pkcs11/token.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { verifyIndependently } from './conformance.js';

const token = softhsmToken();
const query = token.query;

/** The test's own handle on the shared module (the driver's instance), and a logged-in session. */
function withSession<T>(fn: (lib: pkcs11js.PKCS11, session: Buffer, slot: Buffer) => T): T {
  const module = Pkcs11Module.acquire(token.modulePath);
  const lib = module.lib;
  const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;
  const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION);
  try {
    try {
      lib.C_Login(session, pkcs11js.CKU_USER, token.pin);
    } catch (err) {
      if ((err as Error).message !== 'CKR_USER_ALREADY_LOGGED_IN') throw err;
    }
    return fn(lib, session, slot);
  } finally {
    lib.C_CloseSession(session);
    module.release();
  }
}

function assertConfig(err: unknown, pattern: RegExp): true {
  assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
  assert.equal(err.code, 'CONFIG');
  assert.match(err.message, pattern);
  assert.ok(!err.message.includes(token.pin), 'the PIN never appears in an error');
  return true;
}

describe('pkcs11 driver on SoftHSM', () => {
  let edUri: string;
  let p256Uri: string;
  before(async () => {
    edUri = await softhsmKey('ed25519', 'driver-ed25519');
    p256Uri = await softhsmKey('p256', 'driver-p256');
  });

  // First, while no signer holds the token logged in, so the token itself checks the PIN.
  it('when the PIN is wrong, refuses at open with CONFIG naming CKR_PIN_INCORRECT, without the PIN', async () => {
    process.env.SIGNET_TEST_WRONG_PIN = 'not-the-pin';
    await assert.rejects(
      openSigner(`pkcs11:token=${token.label};object=driver-ed25519?module-path=${token.modulePath}&pin-source=env:SIGNET_TEST_WRONG_PIN`),
      (e) => assertConfig(e, /wrong PIN for token "signet-test" \(CKR_PIN_INCORRECT\)/) && !(e as Error).message.includes('not-the-pin'),
    );
  });

  it('when the PIN is wrong while another key keeps the token logged in, still refuses', async () => {
    const good = await openSigner(edUri);
    try {
      await assert.rejects(
        openSigner(`pkcs11:token=${token.label};object=driver-p256?module-path=${token.modulePath}&pin-source=env:SIGNET_TEST_WRONG_PIN`),
        (e) => assertConfig(e, /wrong PIN for token "signet-test"/),
      );
    } finally {
      await good.close();
    }
  });

  it('generates private keys that are token objects, sensitive and never extractable (read back from the token)', () => {
    withSession((lib, session) => {
      for (const label of ['driver-ed25519', 'driver-p256']) {
        const [key] = findObjects(lib, session, [
          { type: pkcs11js.CKA_CLASS, value: pkcs11js.CKO_PRIVATE_KEY },
          { type: pkcs11js.CKA_LABEL, value: label },
        ]);
        assert.ok(key, `${label} exists`);
        const attrs = lib.C_GetAttributeValue(session, key!, [
          { type: pkcs11js.CKA_TOKEN },
          { type: pkcs11js.CKA_SENSITIVE },
          { type: pkcs11js.CKA_EXTRACTABLE },
          { type: pkcs11js.CKA_ALWAYS_SENSITIVE },
          { type: pkcs11js.CKA_NEVER_EXTRACTABLE },
          { type: pkcs11js.CKA_PRIVATE },
        ]).map((a) => readBool(a.value as Buffer));
        assert.deepEqual(attrs, [true, true, false, true, true, true], `${label}: TOKEN, SENSITIVE, !EXTRACTABLE, ALWAYS_SENSITIVE, NEVER_EXTRACTABLE, PRIVATE`);
        assert.throws(() => lib.C_GetAttributeValue(session, key!, [{ type: pkcs11js.CKA_VALUE }]), /CKR_ATTRIBUTE_SENSITIVE/);
      }
    });
  });

  it('generates key pairs whose private half only signs and public half only verifies, as another process reads them', async () => {
    const labels = [await softhsmKey('Ed25519', `usage-ed25519-${process.pid}`), await softhsmKey('ES256', `usage-p256-${process.pid}`)].map(
      (uri) => decodeURIComponent(/object=([^?;]+)/.exec(uri)![1]!),
    );
    // A separate process with its own pkcs11js, module instance, session and login.
    const reader = `
      const pkcs11js = require('pkcs11js');
      const lib = new pkcs11js.PKCS11();
      lib.load(process.env.MODULE);
      lib.C_Initialize();
      const slot = lib.C_GetSlotList(true).find((s) => lib.C_GetTokenInfo(s).label.trim() === process.env.TOKEN);
      const session = lib.C_OpenSession(slot, pkcs11js.CKF_SERIAL_SESSION);
      lib.C_Login(session, pkcs11js.CKU_USER, process.env.PIN);
      const names = ['SIGN', 'SIGN_RECOVER', 'DECRYPT', 'UNWRAP', 'DERIVE', 'VERIFY', 'VERIFY_RECOVER', 'ENCRYPT', 'WRAP', 'TOKEN', 'PRIVATE', 'SENSITIVE', 'EXTRACTABLE'];
      const out = {};
      for (const label of JSON.parse(process.env.LABELS)) {
        for (const [cls, kind] of [[pkcs11js.CKO_PRIVATE_KEY, 'private'], [pkcs11js.CKO_PUBLIC_KEY, 'public']]) {
          lib.C_FindObjectsInit(session, [{ type: pkcs11js.CKA_CLASS, value: cls }, { type: pkcs11js.CKA_LABEL, value: label }]);
          const [h] = lib.C_FindObjects(session, 2);
          lib.C_FindObjectsFinal(session);
          const attrs = {};
          for (const n of names) {
            try { attrs[n] = lib.C_GetAttributeValue(session, h, [{ type: pkcs11js['CKA_' + n] }])[0].value[0] === 1; }
            catch (e) { attrs[n] = e.message; }
          }
          out[label + ' ' + kind] = attrs;
        }
      }
      lib.C_Logout(session);
      lib.C_Finalize();
      console.log(JSON.stringify(out));`;
    const result = spawnSync(process.execPath, ['-e', reader], {
      env: { ...process.env, MODULE: token.modulePath, TOKEN: token.label, PIN: token.pin, LABELS: JSON.stringify(labels) },
      encoding: 'utf8',
      cwd: dirname(fileURLToPath(import.meta.url)),
    });
    assert.equal(result.status, 0, result.stderr);
    const read = JSON.parse(result.stdout) as Record<string, Record<string, boolean | string>>;
    for (const label of labels) {
      assert.deepEqual(
        read[`${label} private`],
        { SIGN: true, SIGN_RECOVER: false, DECRYPT: false, UNWRAP: false, DERIVE: false, VERIFY: 'CKR_ATTRIBUTE_TYPE_INVALID', VERIFY_RECOVER: 'CKR_ATTRIBUTE_TYPE_INVALID', ENCRYPT: 'CKR_ATTRIBUTE_TYPE_INVALID', WRAP: 'CKR_ATTRIBUTE_TYPE_INVALID', TOKEN: true, PRIVATE: true, SENSITIVE: true, EXTRACTABLE: false },
        `${label}: the private key signs, and nothing else`,
      );
      assert.deepEqual(
        read[`${label} public`],
        { SIGN: 'CKR_ATTRIBUTE_TYPE_INVALID', SIGN_RECOVER: 'CKR_ATTRIBUTE_TYPE_INVALID', DECRYPT: 'CKR_ATTRIBUTE_TYPE_INVALID', UNWRAP: 'CKR_ATTRIBUTE_TYPE_INVALID', DERIVE: false, VERIFY: true, VERIFY_RECOVER: false, ENCRYPT: false, WRAP: false, TOKEN: true, PRIVATE: false, SENSITIVE: 'CKR_ATTRIBUTE_TYPE_INVALID', EXTRACTABLE: 'CKR_ATTRIBUTE_TYPE_INVALID' },
        `${label}: the public key verifies, and nothing else`,
      );
    }
  });

  it('when a key with the label already exists, generate refuses with ALREADY_EXISTS', async () => {
    await assert.rejects(softhsmKey('ed25519', 'driver-ed25519'), (e) => isSignetError(e, 'ALREADY_EXISTS'));
  });

  for (const [alg, uri] of [
    ['Ed25519', () => edUri],
    ['ES256', () => p256Uri],
  ] as const) {
    it(`when 200 ${alg} signs run at once through the pool, all verify with node:crypto and the event loop keeps turning`, async () => {
      const signer = await openSigner(uri());
      try {
        const pub = await signer.publicKey();
        let ticks = 0;
        const ticker = setInterval(() => ticks++, 1);
        const messages = Array.from({ length: 200 }, (_, i) => Buffer.from(`concurrent ${alg} ${i}`));
        const results = await Promise.all(messages.map((message) => signer.sign({ message })));
        clearInterval(ticker);
        results.forEach((r, i) => assert.ok(verifyIndependently(pub.pem, alg, messages[i]!, r.signature), `signature ${i} verifies`));
        assert.equal(new Set(results.map((r) => Buffer.from(r.signature).toString('hex'))).size, 200);
        assert.ok(ticks > 0, 'timers fired while the token was signing: C_Sign did not block the event loop');
      } finally {
        await signer.close();
      }
    });
  }

  describe('when sessions are invalidated under a signer', () => {
    let signer: Signer;
    before(async () => {
      signer = await openSigner(p256Uri);
    });
    after(async () => signer.close());

    const signsAndVerifies = async (label: string) => {
      const pub = await signer.publicKey();
      const message = Buffer.from(label);
      const result = await signer.sign({ message });
      assert.ok(verifyIndependently(pub.pem, 'ES256', message, result.signature), label);
    };

    it('after C_CloseAllSessions on the slot (logged out, handles gone), the next sign re-opens, logs in and succeeds', async () => {
      await signsAndVerifies('before');
      const module = Pkcs11Module.acquire(token.modulePath);
      try {
        const slot = module.lib.C_GetSlotList(true).find((s) => module.lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;
        module.lib.C_CloseAllSessions(slot);
      } finally {
        module.release();
      }
      await signsAndVerifies('after close-all');
      await Promise.all(Array.from({ length: 20 }, (_, i) => signsAndVerifies(`after close-all ${i}`)));
    });

    it('after the module is finalised (CKR_CRYPTOKI_NOT_INITIALIZED), the next sign initialises it again and succeeds', async () => {
      const module = Pkcs11Module.acquire(token.modulePath);
      try {
        module.lib.C_Finalize();
      } finally {
        module.release();
      }
      await signsAndVerifies('after finalize');
    });
  });

  it('when the module is finalised while no idle session is left, the next sign opens a session after re-initialising and succeeds', async () => {
    // max-sessions=1 and one failed sign: the pool's only session is discarded, none is idle,
    // so the next sign fails in C_OpenSession (wrapped), not in C_Sign.
    const signer = await openSigner(`${p256Uri}&max-sessions=1`);
    const module = Pkcs11Module.acquire(token.modulePath);
    const original = module.lib.C_SignAsync;
    try {
      const pub = await signer.publicKey();
      // CKR_FUNCTION_FAILED: this operation failed, the token is fine (no recovery, no outage).
      module.lib.C_SignAsync = function () {
        module.lib.C_SignAsync = original;
        return Promise.reject(new Error('CKR_FUNCTION_FAILED'));
      } as typeof original;
      await assert.rejects(signer.sign({ message: Buffer.from('fails') }), (e) => isSignetError(e, 'UNAVAILABLE') && /CKR_FUNCTION_FAILED/.test(e.message));
      module.lib.C_Finalize();
      const message = Buffer.from('after finalize with no idle session');
      const result = await signer.sign({ message });
      assert.ok(verifyIndependently(pub.pem, 'ES256', message, result.signature));
    } finally {
      module.lib.C_SignAsync = original;
      module.release();
      await signer.close();
    }
  });

  it('when 40 signs run at once on 8 sessions, fewer C_Sign calls run at a time than libuv has threads', async () => {
    const threads = Number(process.env.UV_THREADPOOL_SIZE) || 4;
    const signer = await openSigner(`${p256Uri}&max-sessions=8`);
    const module = Pkcs11Module.acquire(token.modulePath);
    const original = module.lib.C_SignAsync;
    let running = 0;
    let peak = 0;
    module.lib.C_SignAsync = function (this: pkcs11js.PKCS11, ...args: Parameters<typeof original>) {
      peak = Math.max(peak, ++running);
      return original.apply(this, args).finally(() => running--);
    } as typeof original;
    try {
      const pub = await signer.publicKey();
      const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`thread cap ${i}`));
      const results = await Promise.all(messages.map((message) => signer.sign({ message })));
      results.forEach((r, i) => assert.ok(verifyIndependently(pub.pem, 'ES256', messages[i]!, r.signature)));
      assert.ok(peak >= 1 && peak < threads, `peak ${peak} concurrent C_Sign with ${threads} libuv threads`);
    } finally {
      module.lib.C_SignAsync = original;
      module.release();
      await signer.close();
    }
  });

  describe('when CKR_DEVICE_REMOVED hits one of 40 concurrent signs', () => {
    /**
     * Wraps the shared module's C_SignAsync (the 20th call fails with CKR_DEVICE_REMOVED), C_Finalize
     * (records how many C_Sign calls were running) and, while `removed`, C_OpenSession; runs 40 signs.
     */
    async function fortySigns(deviceStaysRemoved: boolean) {
      const signer = await openSigner(edUri);
      const module = Pkcs11Module.acquire(token.modulePath);
      const lib = module.lib;
      const originals = { sign: lib.C_SignAsync, finalize: lib.C_Finalize, open: lib.C_OpenSession };
      let calls = 0;
      let inFlight = 0;
      let removed = false;
      const finalizedWith: number[] = [];
      lib.C_SignAsync = function (this: pkcs11js.PKCS11, ...args: Parameters<typeof originals.sign>) {
        if (++calls === 20) {
          removed = deviceStaysRemoved;
          return Promise.reject(new Error('CKR_DEVICE_REMOVED'));
        }
        inFlight++;
        return originals.sign.apply(this, args).finally(() => inFlight--);
      } as typeof originals.sign;
      lib.C_Finalize = function (this: pkcs11js.PKCS11) {
        finalizedWith.push(inFlight);
        removed = false;
        return originals.finalize.call(this);
      };
      lib.C_OpenSession = function (this: pkcs11js.PKCS11, ...args: Parameters<typeof originals.open>) {
        if (removed) throw new Error('CKR_DEVICE_REMOVED');
        return originals.open.apply(this, args);
      } as typeof originals.open;
      try {
        const pub = await signer.publicKey();
        const messages = Array.from({ length: 40 }, (_, i) => Buffer.from(`device removed ${i}`));
        const results = await Promise.allSettled(messages.map((message) => signer.sign({ message })));
        const failed = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
        assert.deepEqual(failed, [], 'every sign succeeds (the failed one after its recovery)');
        results.forEach((r, i) => assert.ok(verifyIndependently(pub.pem, 'Ed25519', messages[i]!, (r as PromiseFulfilledResult<{ signature: Uint8Array }>).value.signature)));
        return finalizedWith;
      } finally {
        Object.assign(lib, { C_SignAsync: originals.sign, C_Finalize: originals.finalize, C_OpenSession: originals.open });
        module.release();
        await signer.close();
      }
    }

    it('and the token answers again without a reset, the module is not finalised and every sign succeeds', async () => {
      assert.deepEqual(await fortySigns(false), []);
    });

    it('and the device stays removed until a reset, C_Finalize runs once, with no C_Sign in flight', async () => {
      assert.deepEqual(await fortySigns(true), [0]);
    });
  });

  it('when the token label does not exist, says so and lists the labels found', async () => {
    await assert.rejects(openSigner(`pkcs11:token=nope;object=driver-ed25519?${query}`), (e) =>
      assertConfig(e, /no token with label "nope" .*tokens found: "signet-test"/),
    );
  });

  it('when no key has the label, says which label on which token', async () => {
    await assert.rejects(openSigner(`pkcs11:token=${token.label};object=absent?${query}`), (e) =>
      assertConfig(e, /no private key with label "absent" on token "signet-test"/),
    );
  });

  it('when the module path does not exist, says the module was not found there', async () => {
    await assert.rejects(openSigner(`pkcs11:token=${token.label};object=driver-ed25519?module-path=/nowhere/libp11.so&pin-source=env:${token.pinEnv}`), (e) =>
      assertConfig(e, /PKCS#11 module not found at \/nowhere\/libp11\.so/),
    );
  });

  it('when the URI carries no PIN, says the token requires one', async () => {
    await assert.rejects(openSigner(`pkcs11:token=${token.label};object=driver-ed25519?module-path=${token.modulePath}`), (e) =>
      assertConfig(e, /requires a PIN: add pin-source/),
    );
  });

  it('when the key is RSA, says it is RSA and what Signet signs with', async () => {
    withSession((lib, session) => {
      lib.C_GenerateKeyPair(
        session,
        { mechanism: pkcs11js.CKM_RSA_PKCS_KEY_PAIR_GEN },
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: 'driver-rsa' },
          { type: pkcs11js.CKA_MODULUS_BITS, value: 1024 },
          { type: pkcs11js.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
        ],
        [
          { type: pkcs11js.CKA_TOKEN, value: true },
          { type: pkcs11js.CKA_LABEL, value: 'driver-rsa' },
          { type: pkcs11js.CKA_SIGN, value: true },
        ],
      );
    });
    await assert.rejects(openSigner(`pkcs11:token=${token.label};object=driver-rsa?${query}`), (e) =>
      assertConfig(e, /is a key of type RSA; Signet signs with Ed25519 or P-256/),
    );
  });

  it('when the yubihsm profile asks for more than 16 sessions, refuses; within 16 it signs', async () => {
    await assert.rejects(openSigner(`${edUri}&profile=yubihsm&max-sessions=17`), (e) => assertConfig(e, /max-sessions must be an integer from 1 to 16/));
    const signer = await openSigner(`${edUri}&profile=yubihsm&max-sessions=4`);
    try {
      const message = Buffer.from('yubihsm profile');
      const result = await signer.sign({ message });
      assert.ok(verifyIndependently((await signer.publicKey()).pem, 'Ed25519', message, result.signature));
    } finally {
      await signer.close();
    }
  });

  it('when max-waiters is not a positive integer, refuses at open with CONFIG', async () => {
    await assert.rejects(openSigner(`${edUri}&max-waiters=0`), (e) => assertConfig(e, /max-waiters must be an integer from 1/));
  });

  it('lists the keys on the token with URIs that open them and key ids that match', async () => {
    const driver = driverFor('pkcs11:');
    assert.ok(canList(driver));
    const listing = await driver.list(parseKeyUri(`pkcs11:token=${token.label}?${query}`));
    const ed = listing.find((k) => k.label === 'driver-ed25519');
    const rsa = listing.find((k) => k.label === 'driver-rsa');
    assert.equal(ed?.algorithm, 'Ed25519');
    assert.equal(rsa?.algorithm, 'unsupported');
    const reopened = await openSigner(ed!.uri);
    try {
      assert.equal(reopened.keyId(), ed!.keyId);
      assert.ok(!ed!.uri.includes(token.pin));
    } finally {
      await reopened.close();
    }
  });

  it('opens the same key by slot-id, and with the PIN from pin-source=file:', async () => {
    const slotId = withSession((lib, _s, slot) => slotIdOf(slot));
    const pinFile = join(token.dir, 'pin-for-test');
    writeFileSync(pinFile, `${token.pin}\n`, { mode: 0o600 });
    const bySlot = await openSigner(`pkcs11:slot-id=${slotId};object=driver-ed25519?module-path=${token.modulePath}&pin-source=file:${pinFile}`);
    const byLabel = await openSigner(edUri);
    try {
      assert.equal(bySlot.keyId(), byLabel.keyId());
      const message = Buffer.from('by slot');
      assert.ok(verifyIndependently((await bySlot.publicKey()).pem, 'Ed25519', message, (await bySlot.sign({ message })).signature));
    } finally {
      await bySlot.close();
      await byLabel.close();
    }
  });

  it('when the module is named by a symlink and by its real path, both name one shared module', () => {
    const viaLink = Pkcs11Module.acquire(token.modulePath);
    const viaReal = Pkcs11Module.acquire(realpathSync(token.modulePath));
    try {
      assert.equal(viaLink, viaReal);
    } finally {
      viaLink.release();
      viaReal.release();
    }
  });

  it('reports SoftHSM keys as not hardware-backed (the key sits in this process)', async () => {
    const signer = await openSigner(edUri);
    try {
      assert.equal(signer.hardwareBacked, false);
      assert.equal(signer.driver, 'pkcs11');
    } finally {
      await signer.close();
    }
  });
});
