import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { isSignetError, type SignetErrorCode } from '../../src/lib/errors.js';
import type { KeyAlgorithm, Signer } from '../../src/signers/contract.js';
import { crc32c } from '../../src/signers/gcpkms/crc32c.js';
import { createGcpKmsClient, type GcpKmsClient, type GcpKmsClientOptions } from '../../src/signers/gcpkms/client.js';
import { GcpKmsDriver } from '../../src/signers/gcpkms/driver.js';
import { driverFor, openSigner } from '../../src/signers/registry.js';
import { canGenerate, canRotate } from '../../src/signers/capabilities.js';
import { parseKeyUri } from '../../src/signers/uri.js';
import { createGcpKmsKey, GcpFault, gcpKmsKeyUri, startGcpKmsEmulator, GCP_PARENT, GCP_TOKEN_ENV } from '../emulators/gcp-kms.js';
import { runConformance, verifyIndependently } from './conformance.js';

const emulator = await startGcpKmsEmulator();
after(() => emulator.stop());

const open = ({ uri, env }: { uri: string; env: Record<string, string> }) => openSigner(uri, { env });
const keys = new Map<KeyAlgorithm, ReturnType<typeof createGcpKmsKey>>();

runConformance({
  name: 'gcpkms',
  algorithms: ['Ed25519', 'ES256'],
  setup: async () => {
    for (const alg of ['Ed25519', 'ES256'] as const) keys.set(alg, createGcpKmsKey(emulator, alg));
  },
  open: (alg) => open(keys.get(alg)!),
  // The same key through its full crypto key version name.
  openAgain: (alg) => open(gcpKmsKeyUri(emulator, `${keys.get(alg)!.keyName}/cryptoKeyVersions/1`)),
});

function code(expected: SignetErrorCode, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
    assert.equal(err.code, expected, err.message);
    if (pattern) assert.match(err.message, pattern);
    assert.ok(!err.message.includes(emulator.token) && !err.message.includes(emulator.viewerToken), 'no token in the message');
    return true;
  };
}

const calls = (method: string) => emulator.calls.get(method) ?? 0;

describe('CRC32C (Castagnoli)', () => {
  it('matches the check value and the RFC 3720 B.4 vectors', () => {
    assert.equal(crc32c(Buffer.from('123456789')), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
    assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
    assert.equal(crc32c(new Uint8Array(32).fill(0xff)), 0x62a8ab43);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i)), 0x46dd794e);
    assert.equal(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i)), 0x113fdb5c);
  });
});

describe('gcpkms driver', () => {
  let es256: Signer;
  let ed25519: Signer;
  before(async () => {
    es256 = await open(createGcpKmsKey(emulator, 'ES256'));
    ed25519 = await open(createGcpKmsKey(emulator, 'Ed25519'));
  });
  after(async () => {
    await es256?.close();
    await ed25519?.close();
  });

  async function signAndVerify(signer: Signer, options = {}) {
    const message = Buffer.from(`gcpkms ${Math.random()}`);
    const result = await signer.sign({ message }, options);
    const pub = await signer.publicKey(result.keyVersion);
    assert.ok(verifyIndependently(pub.pem, signer.algorithm, message, result.signature), 'node:crypto verifies');
    return result;
  }

  it('caches public key and metadata: signing makes no metadata calls', async () => {
    const before = ['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'GetCryptoKeyVersion'].map(calls);
    const signs = calls('AsymmetricSign');
    for (let i = 0; i < 5; i++) await signAndVerify(es256);
    await signAndVerify(ed25519);
    assert.deepEqual(['GetCryptoKey', 'ListCryptoKeyVersions', 'GetPublicKey', 'GetCryptoKeyVersion'].map(calls), before);
    assert.equal(calls('AsymmetricSign'), signs + 6);
  });

  it('when Cloud KMS answers RESOURCE_EXHAUSTED three times, the retry absorbs it within the deadline', async () => {
    const signs = calls('AsymmetricSign');
    emulator.faults.throttle(3);
    const started = Date.now();
    const result = await signAndVerify(es256, { deadline: Date.now() + 3_000 });
    assert.ok(Date.now() - started < 3_000);
    assert.equal(result.keyVersion, '1');
    assert.equal(calls('AsymmetricSign'), signs + 4, 'three throttled attempts, then one that signed');
  });

  it('when RESOURCE_EXHAUSTED carries RetryInfo, the next attempt waits that long', async () => {
    emulator.faults.throttle(1, 0.3);
    const started = Date.now();
    await signAndVerify(ed25519, { deadline: Date.now() + 3_000 });
    assert.ok(Date.now() - started >= 300, `waited ${Date.now() - started} ms`);
  });

  it('when RetryInfo asks for longer than the deadline leaves, gives up at once with RESOURCE_EXHAUSTED', async () => {
    emulator.faults.throttle(1, 5);
    const started = Date.now();
    await assert.rejects(es256.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 1_000 }), code('RESOURCE_EXHAUSTED', /gcpkms.*RESOURCE_EXHAUSTED/));
    assert.ok(Date.now() - started < 900, `gave up after ${Date.now() - started} ms`);
    emulator.faults.clear();
  });

  it('when Cloud KMS answers INTERNAL and UNAVAILABLE, both are retried', async () => {
    emulator.faults.serverError(2, 500);
    await signAndVerify(es256, { deadline: Date.now() + 3_000 });
    emulator.faults.serverError(2, 503);
    await signAndVerify(ed25519, { deadline: Date.now() + 3_000 });
  });

  it('when the connection is reset mid-call, the driver reconnects and signs', async () => {
    emulator.faults.reset(1);
    await signAndVerify(es256, { deadline: Date.now() + 5_000 });
  });

  it('when the backend stays down past the deadline, fails with UNAVAILABLE naming the driver and cause, in time', async () => {
    emulator.faults.down();
    try {
      const started = Date.now();
      await assert.rejects(es256.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 800 }), code('UNAVAILABLE', /gcpkms.*UNAVAILABLE/));
      const elapsed = Date.now() - started;
      assert.ok(elapsed < 1_000, `answered after ${elapsed} ms (deadline 800 ms)`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the backend hangs, the call ends at the caller deadline with DEADLINE_EXCEEDED', async () => {
    emulator.faults.latency(3_000);
    try {
      const started = Date.now();
      await assert.rejects(ed25519.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 500 }), code('DEADLINE_EXCEEDED', /gcpkms/));
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 450 && elapsed < 1_000, `answered after ${elapsed} ms (deadline 500 ms)`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the answer carries a wrong signatureCrc32c, refuses the signature with INTEGRITY', async () => {
    emulator.faults.arm(GcpFault.badSignatureCrc);
    await assert.rejects(es256.sign({ message: Buffer.from('x') }), code('INTEGRITY', /signatureCrc32c|CRC32C/));
    emulator.faults.arm(GcpFault.badSignatureCrc);
    await assert.rejects(ed25519.sign({ message: Buffer.from('x') }), code('INTEGRITY', /CRC32C/));
  });

  it('when Cloud KMS did not verify the request CRC32C, refuses the signature with INTEGRITY', async () => {
    emulator.faults.arm(GcpFault.unverifiedCrc);
    await assert.rejects(es256.sign({ message: Buffer.from('x') }), code('INTEGRITY', /digest CRC32C/));
    emulator.faults.arm(GcpFault.unverifiedCrc);
    await assert.rejects(ed25519.sign({ message: Buffer.from('x') }), code('INTEGRITY', /data CRC32C/));
  });

  it('when the request arrives corrupted and Cloud KMS refuses its CRC32C, the driver retries and signs', async () => {
    const signs = calls('AsymmetricSign');
    emulator.faults.arm(GcpFault.corruptRequest, 2);
    await signAndVerify(es256, { deadline: Date.now() + 3_000 });
    assert.equal(calls('AsymmetricSign'), signs + 3, 'two refused for their checksum, one signed');
  });

  it('when requests keep arriving corrupted, gives up with UNAVAILABLE by the deadline, never a signature', async () => {
    emulator.faults.arm(GcpFault.corruptRequest, 1_000);
    try {
      await assert.rejects(ed25519.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 600 }), code('UNAVAILABLE', /checksum/));
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the answer names another key version, refuses the signature with INTEGRITY', async () => {
    emulator.faults.arm(GcpFault.wrongName);
    await assert.rejects(es256.sign({ message: Buffer.from('x') }), code('INTEGRITY', /cryptoKeyVersions\/999/));
    await signAndVerify(es256);
  });

  it('when the token may view keys but not sign, signing fails with FAILED_PRECONDITION (for the operator to fix) and is not retried', async () => {
    const { uri } = createGcpKmsKey(emulator, 'ES256');
    const viewer = await openSigner(uri, { env: { [GCP_TOKEN_ENV]: emulator.viewerToken } });
    try {
      const signs = calls('AsymmetricSign');
      await assert.rejects(viewer.sign({ message: Buffer.from('x') }), code('FAILED_PRECONDITION', /useToSign/));
      assert.equal(calls('AsymmetricSign'), signs + 1);
    } finally {
      await viewer.close();
    }
  });
});

describe('gcpkms rotation', () => {
  it('when a new version is made, it is used after the cache expires and older signatures still verify', async () => {
    const key = createGcpKmsKey(emulator, 'ES256');
    const signer = await open(gcpKmsKeyUri(emulator, key.keyName, { 'cache-ttl': '300ms' }));
    try {
      const message = Buffer.from('before rotation');
      const first = await signer.sign({ message });
      assert.equal(first.keyVersion, '1');
      const v1 = await signer.publicKey('1');

      await new Promise((r) => setTimeout(r, 350));
      const [keyReads, keyFetches] = [calls('GetCryptoKey'), calls('GetPublicKey')];
      assert.equal((await signer.sign({ message })).keyVersion, '1');
      assert.equal(calls('GetCryptoKey'), keyReads + 1, 'the key is read again once the cache expires');
      assert.equal(calls('GetPublicKey'), keyFetches, 'but the public key of an unchanged version is not fetched again');

      emulator.addVersion(key.keyName);
      assert.equal((await signer.sign({ message })).keyVersion, '1', 'the cached version is used until the cache expires');
      await new Promise((r) => setTimeout(r, 350));
      const second = await signer.sign({ message: Buffer.from('after rotation') });
      assert.equal(second.keyVersion, '2');
      const v2 = await signer.publicKey('2');
      assert.notEqual(v2.keyId, v1.keyId);
      assert.equal(second.keyId, v2.keyId);
      assert.equal(signer.keyId(), v2.keyId);
      assert.ok(verifyIndependently(v2.pem, 'ES256', Buffer.from('after rotation'), second.signature));
      assert.ok(verifyIndependently(v1.pem, 'ES256', message, first.signature), 'the version 1 signature still verifies');
    } finally {
      await signer.close();
    }
  });

  it('when a signer opens after rotation, older versions public keys are fetched from Cloud KMS', async () => {
    const key = createGcpKmsKey(emulator, 'Ed25519');
    const old = await open(key);
    const message = Buffer.from('signed by version 1');
    const first = await old.sign({ message });
    await old.close();
    emulator.addVersion(key.keyName);
    const signer = await open(key);
    try {
      assert.equal((await signer.publicKey()).keyVersion, '2');
      const fetches = calls('GetPublicKey');
      const v1 = await signer.publicKey('1');
      assert.equal(calls('GetPublicKey'), fetches + 1);
      assert.equal(v1.keyId, first.keyId);
      assert.ok(verifyIndependently(v1.pem, 'Ed25519', message, first.signature));
      await assert.rejects(signer.publicKey('9'), code('NOT_FOUND'));
    } finally {
      await signer.close();
    }
  });

  it('when the cached version is disabled, the driver looks again and signs with the newest enabled one', async () => {
    const key = createGcpKmsKey(emulator, 'ES256');
    const v2 = emulator.addVersion(key.keyName);
    const signer = await open(key);
    try {
      assert.equal((await signer.sign({ message: Buffer.from('a') })).keyVersion, '2');
      emulator.setState(v2, 'DISABLED');
      const result = await signer.sign({ message: Buffer.from('b') });
      assert.equal(result.keyVersion, '1');
      assert.ok(verifyIndependently((await signer.publicKey('1')).pem, 'ES256', Buffer.from('b'), result.signature));
    } finally {
      await signer.close();
    }
  });

  it('when the URI pins a version, that version signs even after rotation', async () => {
    const key = createGcpKmsKey(emulator, 'Ed25519');
    const signer = await open(gcpKmsKeyUri(emulator, `${key.keyName}/cryptoKeyVersions/1`, { 'cache-ttl': '0' }));
    try {
      emulator.addVersion(key.keyName);
      assert.equal((await signer.sign({ message: Buffer.from('a') })).keyVersion, '1');
    } finally {
      await signer.close();
    }
  });
});

describe('gcpkms batches and key management', () => {
  it('when signMany is given more inputs than max-in-flight, keeps at most that many calls in flight', async () => {
    const key = createGcpKmsKey(emulator, 'Ed25519');
    const signer = await open(gcpKmsKeyUri(emulator, key.keyName, { 'max-in-flight': '4' }));
    try {
      emulator.faults.latency(30);
      emulator.peakInFlight = 0;
      const messages = Array.from({ length: 20 }, (_, i) => Buffer.from(`bounded ${i}`));
      const results = await signer.signMany(messages.map((message) => ({ message })));
      assert.equal(emulator.peakInFlight, 4);
      const pem = (await signer.publicKey()).pem;
      results.forEach((r, i) => assert.ok(verifyIndependently(pem, 'Ed25519', messages[i]!, r.signature), `item ${i}`));
    } finally {
      emulator.faults.clear();
      await signer.close();
    }
  });

  it('generates a key through CreateCryptoKey, waits out PENDING_GENERATION, and the key signs', async () => {
    const target = gcpKmsKeyUri(emulator, `${GCP_PARENT}/cryptoKeys/generated-${Date.now()}`);
    const uri = parseKeyUri(target.uri);
    const found = driverFor(uri);
    assert.ok(canGenerate(found) && canRotate(found), 'generate and rotate are discoverable');
    const driver = found as GcpKmsDriver;
    const created = await driver.generate(uri, 'ES256', { env: target.env });
    assert.equal(created.algorithm, 'ES256');
    assert.equal(created.keyVersion, '1');
    await assert.rejects(driver.generate(uri, 'ES256', { env: target.env }), code('ALREADY_EXISTS'));

    const rotated = await driver.rotate(uri, { env: target.env });
    assert.equal(rotated.keyVersion, '2');
    assert.notEqual(rotated.keyId, created.keyId);
    const signer = await open(target);
    try {
      const message = Buffer.from('generated, then rotated');
      const result = await signer.sign({ message });
      assert.equal(result.keyVersion, '2');
      assert.equal(result.keyId, rotated.keyId);
      assert.ok(verifyIndependently(rotated.pem, 'ES256', message, result.signature));
    } finally {
      await signer.close();
    }
  });

  it('when the token may only view keys, generating one fails with FAILED_PRECONDITION', async () => {
    const uri = parseKeyUri(gcpKmsKeyUri(emulator, `${GCP_PARENT}/cryptoKeys/denied-${Date.now()}`).uri);
    const driver = driverFor(uri) as GcpKmsDriver;
    await assert.rejects(driver.generate(uri, 'Ed25519', { env: { [GCP_TOKEN_ENV]: emulator.viewerToken } }), code('FAILED_PRECONDITION', /cryptoKeys.create/));
  });
});

describe('gcpkms client seam', () => {
  it('builds the SDK client from the URI (endpoint, CA, token) and, when Cloud KMS reports an ENABLED primary, signs with it', async () => {
    const key = createGcpKmsKey(emulator, 'ES256');
    emulator.addVersion(key.keyName); // version 2 is the newest; the primary below is version 1
    let seen: GcpKmsClientOptions | undefined;
    const driver = new GcpKmsDriver((options) => {
      seen = options;
      const real = createGcpKmsClient(options);
      const seam: GcpKmsClient = {
        getCryptoKey: async (name, limits) => ({
          ...(await real.getCryptoKey(name, limits)),
          primary: await real.getCryptoKeyVersion(`${key.keyName}/cryptoKeyVersions/1`, limits),
        }),
        getCryptoKeyVersion: (name, limits) => real.getCryptoKeyVersion(name, limits),
        listEnabledVersions: (name, limits) => real.listEnabledVersions(name, limits),
        getPublicKey: (name, limits) => real.getPublicKey(name, limits),
        asymmetricSign: (request, limits) => real.asymmetricSign(request, limits),
        createCryptoKey: (...args) => real.createCryptoKey(...args),
        createCryptoKeyVersion: (...args) => real.createCryptoKeyVersion(...args),
        close: () => real.close(),
      };
      return seam;
    });
    const signer = await driver.open(parseKeyUri(key.uri), { env: key.env });
    try {
      assert.equal(seen?.endpoint, emulator.endpoint);
      assert.equal(seen?.accessToken, emulator.token);
      assert.match(seen?.caPem ?? '', /BEGIN CERTIFICATE/);
      assert.equal(seen?.insecure, false);
      const message = Buffer.from('primary');
      const result = await signer.sign({ message });
      assert.equal(result.keyVersion, '1');
      assert.ok(verifyIndependently((await signer.publicKey('1')).pem, 'ES256', message, result.signature));
    } finally {
      await signer.close();
    }
  });
});

describe('gcpkms start-up', () => {
  const refuses = async (target: { uri: string; env: Record<string, string> }, pattern: RegExp) =>
    assert.rejects(open(target), code('CONFIG', pattern));

  it('when the key does not exist, fails at start-up naming the key', async () => {
    await refuses(gcpKmsKeyUri(emulator, 'projects/signet-test/locations/global/keyRings/signet/cryptoKeys/absent'), /cryptoKeys\/absent does not exist/);
  });

  it('when the key is for encryption, fails at start-up naming its purpose', async () => {
    const name = emulator.createKey(`sym-${Date.now()}`, 'GOOGLE_SYMMETRIC_ENCRYPTION');
    await refuses(gcpKmsKeyUri(emulator, name), /purpose ENCRYPT_DECRYPT, not ASYMMETRIC_SIGN/);
  });

  it('when the key is of an algorithm Signet does not sign with, fails at start-up naming it', async () => {
    const name = emulator.createKey(`p384-${Date.now()}`, 'EC_SIGN_P384_SHA384');
    await refuses(gcpKmsKeyUri(emulator, name), /EC_SIGN_P384_SHA384/);
  });

  it('when the token is refused, fails at start-up saying the credentials were refused, without the token', async () => {
    const { uri } = createGcpKmsKey(emulator, 'ES256');
    await refuses({ uri, env: { [GCP_TOKEN_ENV]: 'not-the-token' } }, /credentials were refused/);
  });

  it('when Application Default Credentials cannot be found, fails at start-up saying so', async () => {
    const { keyName } = createGcpKmsKey(emulator, 'ES256');
    const saved = process.env.GOOGLE_APPLICATION_CREDENTIALS;
    process.env.GOOGLE_APPLICATION_CREDENTIALS = '/nonexistent/signet-adc.json';
    try {
      await refuses({ uri: `gcpkms://${keyName}?endpoint=${emulator.endpoint}`, env: {} }, /no Google credentials \(Application Default Credentials\)/);
    } finally {
      if (saved === undefined) delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
      else process.env.GOOGLE_APPLICATION_CREDENTIALS = saved;
    }
  });

  it('when the token variable is not set, fails at start-up naming the variable', async () => {
    const { uri } = createGcpKmsKey(emulator, 'ES256');
    await refuses({ uri, env: {} }, new RegExp(GCP_TOKEN_ENV));
  });

  it('when the pinned version is disabled, or no version is enabled, fails at start-up saying so', async () => {
    const key = createGcpKmsKey(emulator, 'Ed25519');
    emulator.setState(`${key.keyName}/cryptoKeyVersions/1`, 'DISABLED');
    await refuses(gcpKmsKeyUri(emulator, `${key.keyName}/cryptoKeyVersions/1`), /is DISABLED, not ENABLED/);
    await refuses(key, /no ENABLED version/);
  });

  it('when Cloud KMS cannot be reached, open gives up with UNAVAILABLE within open-timeout instead of hanging', async () => {
    const closed = await startGcpKmsEmulator({ insecure: true });
    const endpoint = closed.endpoint;
    await closed.stop();
    const started = Date.now();
    await assert.rejects(
      openSigner(`gcpkms://${GCP_PARENT}/cryptoKeys/x?endpoint=${endpoint}&insecure=true&open-timeout=400ms`),
      code('UNAVAILABLE', /gcpkms.*(ECONNREFUSED|No connection)/),
    );
    assert.ok(Date.now() - started < 1_200, `gave up after ${Date.now() - started} ms with open-timeout=400ms`);
  });

  it('when Cloud KMS stays silent at start-up, open gives up with UNAVAILABLE at open-timeout', async () => {
    const key = createGcpKmsKey(emulator, 'Ed25519');
    emulator.faults.latency(3_000);
    try {
      const started = Date.now();
      await assert.rejects(open(gcpKmsKeyUri(emulator, key.keyName, { 'open-timeout': '400ms' })), code('UNAVAILABLE', /within open-timeout/));
      assert.ok(Date.now() - started < 1_200, `gave up after ${Date.now() - started} ms with open-timeout=400ms`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the public key fails its CRC32C, refuses to open', async () => {
    const key = createGcpKmsKey(emulator, 'ES256');
    emulator.faults.arm(GcpFault.badPemCrc);
    await refuses(key, /CRC32C/);
  });

  it('sends the SHA-256 digest for ES256 and the message for Ed25519 (the emulator checks the CRC32C of each)', async () => {
    // The emulator refuses a P-256 request without digest.sha256 and an Ed25519 request without data.
    const p = await open(createGcpKmsKey(emulator, 'ES256'));
    const digest = createHash('sha256').update('m').digest();
    const result = await p.sign({ digest });
    assert.ok(verifyIndependently((await p.publicKey()).pem, 'ES256', Buffer.from('m'), result.signature));
    await p.close();
  });
});
