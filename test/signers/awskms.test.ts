// The awskms: driver through the official @aws-sdk/client-kms against the local KMS emulator
// (AWS JSON 1.1, SigV4 verified). Every signature is checked by node:crypto.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateKeyCommand, DisableKeyCommand, ScheduleKeyDeletionCommand, SignCommand, KMSClient, DescribeKeyCommand } from '@aws-sdk/client-kms';
import { openSigner, parseKeyUri } from '../../src/signers/index.js';
import { AwsKmsDriver } from '../../src/signers/awskms/driver.js';
import { sdkKmsApi, type AwsKmsApi } from '../../src/signers/awskms/client.js';
import { isSignetError } from '../../src/lib/errors.js';
import type { KeyAlgorithm } from '../../src/signers/contract.js';
import { createAwsKmsTestKey, repointAwsKmsAlias, startAwsKmsEmulator, type AwsKmsEmulator } from '../emulators/aws-kms.js';
import { runConformance, verifyIndependently } from './conformance.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let emulator: AwsKmsEmulator;
let aliasCount = 0;
const conformanceKeys = new Map<KeyAlgorithm, { uri: string; byArn: string }>();

function assertCode(err: unknown, code: string, pattern?: RegExp): true {
  assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  if (pattern) assert.match(err.message, pattern);
  return true;
}

async function keyFor(algorithm: KeyAlgorithm) {
  let key = conformanceKeys.get(algorithm);
  if (!key) {
    const created = await createAwsKmsTestKey(emulator, algorithm, { alias: `alias/conformance-${algorithm.toLowerCase()}` });
    key = { uri: created.uri, byArn: `awskms:///${created.arn}?endpoint=${emulator.endpoint}` };
    conformanceKeys.set(algorithm, key);
  }
  return key;
}

async function createRawKey(spec: string, usage: string): Promise<string> {
  const client = emulator.client();
  try {
    const out = await client.send(new CreateKeyCommand({ KeySpec: spec as 'ECC_NIST_P256', KeyUsage: usage as 'SIGN_VERIFY' }));
    return out.KeyMetadata!.KeyId!;
  } finally {
    client.destroy();
  }
}

async function adminSend(command: DisableKeyCommand | ScheduleKeyDeletionCommand): Promise<void> {
  const client = emulator.client();
  try {
    await client.send(command as DisableKeyCommand);
  } finally {
    client.destroy();
  }
}

before(async () => {
  emulator = await startAwsKmsEmulator();
});
after(async () => emulator.stop());

runConformance({
  name: 'awskms (AWS KMS emulator, @aws-sdk/client-kms)',
  algorithms: ['Ed25519', 'ES256'],
  open: async (algorithm) => openSigner((await keyFor(algorithm)).uri, { env: emulator.env }),
  // The same key by its ARN (region from the ARN), with no AWS_REGION in the environment.
  openAgain: async (algorithm) => {
    const { AWS_REGION: _, ...env } = emulator.env;
    return openSigner((await keyFor(algorithm)).byArn, { env });
  },
});

describe('awskms driver', () => {

  async function freshKey(algorithm: KeyAlgorithm, params?: string) {
    return createAwsKmsTestKey(emulator, algorithm, { alias: `alias/driver-test-${++aliasCount}`, params });
  }

  it('loads key metadata and the public key once at open, never once per signature', async () => {
    const key = await freshKey('ES256');
    const signer = await openSigner(key.uri, { env: key.env });
    try {
      const describes = emulator.callsTo('DescribeKey');
      const publicKeys = emulator.callsTo('GetPublicKey');
      const signs = emulator.callsTo('Sign');
      const pub = await signer.publicKey();
      for (let i = 0; i < 10; i++) {
        const message = Buffer.from(`metadata cache ${i}`);
        const result = await signer.sign({ message });
        assert.equal(result.keyVersion, key.keyId);
        assert.ok(verifyIndependently(pub.pem, 'ES256', message, result.signature));
      }
      assert.equal(emulator.callsTo('Sign') - signs, 10);
      assert.equal(emulator.callsTo('DescribeKey'), describes);
      assert.equal(emulator.callsTo('GetPublicKey'), publicKeys);
      assert.equal(signer.hardwareBacked, true);
      assert.equal(signer.driver, 'awskms');
    } finally {
      await signer.close();
    }
  });

  describe('retries', () => {
    let signer: Awaited<ReturnType<typeof openSigner>>;
    let pem: string;
    before(async () => {
      const key = await freshKey('Ed25519');
      signer = await openSigner(key.uri, { env: key.env });
      pem = (await signer.publicKey()).pem;
    });
    after(async () => {
      emulator.faults.clear();
      await signer.close();
    });

    it('when KMS answers ThrottlingException to the next 3 calls, the signature still arrives within the deadline', async () => {
      emulator.faults.clear().throttle(3);
      const seen = emulator.faults.calls;
      const message = Buffer.from('throttled');
      const start = Date.now();
      const result = await signer.sign({ message }, { deadline: start + 3_000 });
      assert.ok(Date.now() - start < 3_000);
      assert.equal(emulator.faults.calls - seen, 4, 'three throttled calls and one that succeeded');
      assert.ok(verifyIndependently(pem, 'Ed25519', message, result.signature));
    });

    it('when KMS sends Retry-After: 1 with a throttle, the next attempt waits at least a second', async () => {
      emulator.faults.clear().throttle(1, 1);
      const message = Buffer.from('retry-after');
      const start = Date.now();
      const result = await signer.sign({ message }, { deadline: start + 4_000 });
      assert.ok(Date.now() - start >= 1_000, `waited ${Date.now() - start} ms`);
      assert.ok(verifyIndependently(pem, 'Ed25519', message, result.signature));
    });

    it('when KMS answers 503 twice and then resets a connection, the retries absorb all three', async () => {
      emulator.faults.clear().serverError(2).reset(1);
      const seen = emulator.faults.calls;
      const message = Buffer.from('flaky');
      const result = await signer.sign({ message }, { deadline: Date.now() + 3_000 });
      assert.equal(emulator.faults.calls - seen, 4);
      assert.ok(verifyIndependently(pem, 'Ed25519', message, result.signature));
    });

    it('when KMS stays down past the deadline, sign fails with UNAVAILABLE naming the driver and the cause, in time', async () => {
      emulator.faults.clear().down(true, 503);
      const start = Date.now();
      await assert.rejects(signer.sign({ message: Buffer.from('down') }, { deadline: start + 400 }), (e) =>
        assertCode(e, 'UNAVAILABLE', /awskms.*ServiceUnavailableException/),
      );
      const elapsed = Date.now() - start;
      assert.ok(elapsed < 700, `gave up after ${elapsed} ms with a 400 ms deadline`);
      emulator.faults.clear();
    });

    it('when KMS does not answer before the deadline, sign fails with DEADLINE_EXCEEDED and does not hang', async () => {
      emulator.faults.clear().latency(1_500);
      const start = Date.now();
      await assert.rejects(signer.sign({ message: Buffer.from('slow') }, { deadline: start + 300 }), (e) => assertCode(e, 'DEADLINE_EXCEEDED', /awskms/));
      const elapsed = Date.now() - start;
      assert.ok(elapsed < 600, `gave up after ${elapsed} ms with a 300 ms deadline`);
      emulator.faults.clear();
    });
  });

  it('when the alias is re-pointed to a new key, the new key signs after the cache expires and old signatures still verify', async () => {
    const alias = `alias/rotating-${++aliasCount}`;
    const first = await createAwsKmsTestKey(emulator, 'Ed25519', { alias, params: 'cache-ttl=200ms' });
    const signer = await openSigner(first.uri, { env: first.env });
    try {
      const oldMessage = Buffer.from('before rotation');
      const before = await signer.sign({ message: oldMessage });
      assert.equal(before.keyVersion, first.keyId);

      const second = await createAwsKmsTestKey(emulator, 'Ed25519');
      await repointAwsKmsAlias(emulator, alias, second.keyId);
      const stillCached = await signer.sign({ message: Buffer.from('cached') });
      assert.equal(stillCached.keyVersion, first.keyId, 'the cached key is used until the cache expires');

      await new Promise((r) => setTimeout(r, 250));
      const newMessage = Buffer.from('after rotation');
      const afterRotation = await signer.sign({ message: newMessage });
      assert.equal(afterRotation.keyVersion, second.keyId);
      assert.notEqual(afterRotation.keyId, before.keyId);
      assert.equal(signer.keyId(), afterRotation.keyId);

      const newPub = await signer.publicKey();
      assert.ok(verifyIndependently(newPub.pem, 'Ed25519', newMessage, afterRotation.signature));
      assert.equal(verifyIndependently(newPub.pem, 'Ed25519', oldMessage, before.signature), false);

      // A signer opened after the rotation serves the old key's public key when previous-keys lists it.
      const later = await openSigner(`${first.uri}&previous-keys=${first.keyId}`, { env: first.env });
      try {
        const oldPub = await later.publicKey(first.keyId);
        assert.equal(oldPub.keyId, before.keyId);
        assert.ok(verifyIndependently(oldPub.pem, 'Ed25519', oldMessage, before.signature));
      } finally {
        await later.close();
      }
    } finally {
      await signer.close();
    }
  });

  it('when DescribeKey fails at a cache refresh, the last known key keeps signing and is kept for another cache-ttl', async () => {
    let metadataDown = false;
    let describes = 0;
    // The driver's constructor seam: the real SDK client, with DescribeKey failing on demand.
    const driver = new AwsKmsDriver((config): AwsKmsApi => {
      const real = sdkKmsApi(config);
      return {
        describeKey: async (keyId, signal) => {
          describes++;
          if (metadataDown) throw Object.assign(new Error('unavailable'), { name: 'ServiceUnavailableException', $fault: 'server', $metadata: { httpStatusCode: 503 } });
          return real.describeKey(keyId, signal);
        },
        getPublicKey: (keyId, signal) => real.getPublicKey(keyId, signal),
        sign: (request, signal) => real.sign(request, signal),
        close: () => real.close(),
      };
    });
    const key = await freshKey('Ed25519', 'cache-ttl=300ms');
    const signer = await driver.open(parseKeyUri(key.uri), { env: key.env });
    try {
      const pem = (await signer.publicKey()).pem;
      await new Promise((r) => setTimeout(r, 350));
      metadataDown = true;
      const message = Buffer.from('metadata down');
      const start = Date.now();
      const result = await signer.sign({ message }, { deadline: start + 1_000 });
      assert.ok(Date.now() - start < 1_000);
      assert.equal(result.keyVersion, key.keyId);
      assert.ok(verifyIndependently(pem, 'Ed25519', message, result.signature));
      const seen = describes;
      await signer.sign({ message }, { deadline: Date.now() + 1_000 });
      assert.equal(describes, seen, 'no refresh again before another cache-ttl');
    } finally {
      await signer.close();
    }
  });

  describe('start-up refusals', () => {
    it('when the secret key is wrong, open fails with CONFIG naming the credentials, and the secret is not in the message', async () => {
      const key = await freshKey('ES256');
      const wrongSecret = 'wrong-secret-value-0123456789';
      await assert.rejects(openSigner(key.uri, { env: { ...key.env, AWS_SECRET_ACCESS_KEY: wrongSecret } }), (e) => {
        assertCode(e, 'CONFIG', /credentials \(InvalidSignatureException\)/);
        assert.ok(!(e as Error).message.includes(wrongSecret));
        assert.ok(!(e as Error).message.includes(emulator.secretAccessKey));
        return true;
      });
    });

    it('when the access key id is unknown, open fails with CONFIG (UnrecognizedClientException)', async () => {
      const key = await freshKey('ES256');
      await assert.rejects(openSigner(key.uri, { env: { ...key.env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWNUNKNOWN00' } }), (e) =>
        assertCode(e, 'CONFIG', /credentials \(UnrecognizedClientException\)/),
      );
    });

    it('when the key does not exist, open fails with CONFIG naming the key', async () => {
      await assert.rejects(openSigner(`awskms:///alias/no-such-key?endpoint=${emulator.endpoint}`, { env: emulator.env }), (e) =>
        assertCode(e, 'CONFIG', /alias\/no-such-key not found in us-east-1/),
      );
    });

    it('when the key usage is not SIGN_VERIFY, open fails with CONFIG naming the usage', async () => {
      const keyId = await createRawKey('ECC_NIST_P256', 'KEY_AGREEMENT');
      await assert.rejects(openSigner(`awskms:///${keyId}?endpoint=${emulator.endpoint}`, { env: emulator.env }), (e) =>
        assertCode(e, 'CONFIG', /KeyUsage KEY_AGREEMENT; Signet needs a SIGN_VERIFY key/),
      );
    });

    it('when the key is RSA or secp256k1, open fails with CONFIG naming the key spec', async () => {
      for (const spec of ['RSA_2048', 'ECC_SECG_P256K1']) {
        const keyId = await createRawKey(spec, 'SIGN_VERIFY');
        await assert.rejects(openSigner(`awskms:///${keyId}?endpoint=${emulator.endpoint}`, { env: emulator.env }), (e) =>
          assertCode(e, 'CONFIG', new RegExp(`KeySpec ${spec}`)),
        );
      }
    });

    it('when the key is disabled, open fails with CONFIG saying so', async () => {
      const key = await freshKey('ES256');
      await adminSend(new DisableKeyCommand({ KeyId: key.keyId }));
      await assert.rejects(openSigner(key.uri, { env: key.env }), (e) => assertCode(e, 'CONFIG', /is Disabled, not Enabled/));
    });

    it('when KMS cannot be reached, open gives up with UNAVAILABLE within open-timeout-ms instead of hanging', async () => {
      const closed = await startAwsKmsEmulator();
      await closed.stop();
      const start = Date.now();
      await assert.rejects(openSigner(`awskms:///alias/x?endpoint=${closed.endpoint}&open-timeout-ms=300`, { env: closed.env }), (e) =>
        assertCode(e, 'UNAVAILABLE', /awskms.*ECONNREFUSED/),
      );
      assert.ok(Date.now() - start < 900, `gave up after ${Date.now() - start} ms with open-timeout-ms=300`);
    });

    it('when KMS stays silent at start-up, open gives up with UNAVAILABLE at open-timeout-ms', async () => {
      const key = await freshKey('Ed25519');
      emulator.faults.clear().latency(2_000);
      const start = Date.now();
      try {
        await assert.rejects(openSigner(`${key.uri}&open-timeout-ms=300`, { env: key.env }), (e) => assertCode(e, 'UNAVAILABLE', /did not answer within open-timeout-ms/));
        assert.ok(Date.now() - start < 900, `gave up after ${Date.now() - start} ms`);
      } finally {
        emulator.faults.clear();
      }
    });

    it('when no region can be found, open fails with CONFIG asking for one', async () => {
      const key = await freshKey('ES256');
      const { AWS_REGION: _, ...env } = key.env;
      await assert.rejects(openSigner(key.uri, { env }), (e) => assertCode(e, 'CONFIG', /region/));
    });
  });

  describe('after open', () => {
    it('when the key is disabled after open, sign fails with FAILED_PRECONDITION (DisabledException)', async () => {
      const key = await freshKey('ES256');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        await adminSend(new DisableKeyCommand({ KeyId: key.keyId }));
        await assert.rejects(signer.sign({ message: Buffer.from('x') }), (e) => assertCode(e, 'FAILED_PRECONDITION', /DisabledException/));
      } finally {
        await signer.close();
      }
    });

    it('when the key is pending deletion, sign fails with FAILED_PRECONDITION (KMSInvalidStateException)', async () => {
      const key = await freshKey('Ed25519');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        await adminSend(new ScheduleKeyDeletionCommand({ KeyId: key.keyId }));
        await assert.rejects(signer.sign({ message: Buffer.from('x') }), (e) => assertCode(e, 'FAILED_PRECONDITION', /KMSInvalidStateException/));
      } finally {
        await signer.close();
      }
    });

    it('when asked for a version that is not a key of this account, answers NOT_FOUND', async () => {
      const key = await freshKey('ES256');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        await assert.rejects(signer.publicKey('../../etc'), (e) => assertCode(e, 'NOT_FOUND', /not a KMS key id/));
        await assert.rejects(signer.publicKey('00000000-0000-4000-8000-000000000000'), (e) => assertCode(e, 'NOT_FOUND', /not a version of/));
        assert.equal((await signer.publicKey(key.keyId)).keyId, signer.keyId());
      } finally {
        await signer.close();
      }
    });

    it('when asked for the key id of another key in the account as a version, answers NOT_FOUND without calling KMS', async () => {
      const key = await freshKey('ES256');
      const unrelated = await freshKey('ES256');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        const publicKeys = emulator.callsTo('GetPublicKey');
        await assert.rejects(signer.publicKey(unrelated.keyId), (e) => assertCode(e, 'NOT_FOUND', /not a version of/));
        assert.equal(emulator.callsTo('GetPublicKey'), publicKeys, 'no GetPublicKey for a key id this signer never used');
      } finally {
        await signer.close();
      }
    });

    it('when previous-keys lists a key id, serves that key as a version; an unlisted one stays NOT_FOUND', async () => {
      const old = await freshKey('ES256');
      const other = await freshKey('ES256');
      const key = await freshKey('ES256', `previous-keys=${old.keyId}`);
      const signer = await openSigner(key.uri, { env: key.env });
      const oldSigner = await openSigner(old.uri, { env: old.env });
      try {
        const message = Buffer.from('signed by the previous key');
        const signed = await oldSigner.sign({ message });
        const pub = await signer.publicKey(old.keyId);
        assert.equal(pub.keyId, oldSigner.keyId());
        assert.ok(verifyIndependently(pub.pem, 'ES256', message, signed.signature));
        await assert.rejects(signer.publicKey(other.keyId), (e) => assertCode(e, 'NOT_FOUND'));
      } finally {
        await oldSigner.close();
        await signer.close();
      }
    });

    it('when previous-keys holds something that is not a KMS key id, open fails with CONFIG', async () => {
      const key = await freshKey('ES256', 'previous-keys=alias/old');
      await assert.rejects(openSigner(key.uri, { env: key.env }), (e) => assertCode(e, 'CONFIG', /previous-keys/));
    });

    it('when KMS answers AccessDeniedException at sign time, sign fails with FAILED_PRECONDITION and a message without the key ARN or IAM detail', async () => {
      const key = await freshKey('ES256');
      const awsMessage = `User: arn:aws:sts::111122223333:assumed-role/signet is not authorized to perform: kms:Sign on resource: ${key.arn}`;
      const driver = new AwsKmsDriver((config): AwsKmsApi => {
        const real = sdkKmsApi(config);
        return {
          describeKey: (keyId, signal) => real.describeKey(keyId, signal),
          getPublicKey: (keyId, signal) => real.getPublicKey(keyId, signal),
          sign: async () => {
            throw Object.assign(new Error(awsMessage), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } });
          },
          close: () => real.close(),
        };
      });
      const signer = await driver.open(parseKeyUri(key.uri), { env: key.env });
      try {
        await assert.rejects(signer.sign({ message: Buffer.from('denied') }), (e) => {
          assertCode(e, 'FAILED_PRECONDITION', /awskms/);
          const text = (e as Error).message;
          assert.ok(!text.includes(key.arn) && !text.includes(key.keyId), `no key ARN in "${text}"`);
          assert.ok(!/kms:Sign|assumed-role|not authorized/.test(text), `no IAM detail in "${text}"`);
          return true;
        });
      } finally {
        await signer.close();
      }
    });

    it('when a Sign answer names another key, the signature is refused with INTEGRITY', async () => {
      const key = await freshKey('ES256');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        emulator.faults.arm('sign-answers-other-key', 1);
        await assert.rejects(signer.sign({ message: Buffer.from('x') }), (e) => assertCode(e, 'INTEGRITY', /answered for/));
      } finally {
        emulator.faults.clear();
        await signer.close();
      }
    });

    it('when a batch member fails with a final error, signMany fails and stops sending the rest', async () => {
      const key = await freshKey('Ed25519', 'max-in-flight=4');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        await adminSend(new DisableKeyCommand({ KeyId: key.keyId }));
        const signs = emulator.callsTo('Sign');
        const inputs = Array.from({ length: 60 }, (_, i) => ({ message: Buffer.from(`m${i}`) }));
        await assert.rejects(signer.signMany(inputs), (e) => assertCode(e, 'FAILED_PRECONDITION', /DisabledException/));
        await new Promise((r) => setTimeout(r, 50));
        assert.ok(emulator.callsTo('Sign') - signs <= 4, `sent ${emulator.callsTo('Sign') - signs} Sign calls`);
      } finally {
        await signer.close();
      }
    });

    it('signs a batch of 64 with bounded concurrency, every signature verified', async () => {
      const key = await freshKey('ES256', 'max-in-flight=8');
      const signer = await openSigner(key.uri, { env: key.env });
      try {
        const pub = await signer.publicKey();
        const messages = Array.from({ length: 64 }, (_, i) => Buffer.from(`batch ${i}`));
        const results = await signer.signMany(messages.map((message) => ({ message })));
        results.forEach((r, i) => {
          assert.equal(r.keyVersion, key.keyId);
          assert.ok(verifyIndependently(pub.pem, 'ES256', messages[i]!, r.signature), `item ${i}`);
        });
      } finally {
        await signer.close();
      }
    });
  });
});

describe('AWS KMS emulator', () => {
  let client: KMSClient;
  let keyId: string;
  before(async () => {
    client = emulator.client();
    keyId = (await createAwsKmsTestKey(emulator, 'Ed25519')).keyId;
  });
  after(() => client.destroy());

  async function rejectsWith(promise: Promise<unknown>, type: string): Promise<void> {
    await assert.rejects(promise, (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.name, type);
      assert.equal(e.$metadata?.httpStatusCode, 400);
      return true;
    });
  }

  it('when a RAW message is over 4096 bytes, answers ValidationException', async () => {
    await rejectsWith(
      client.send(new SignCommand({ KeyId: keyId, Message: new Uint8Array(4097), MessageType: 'RAW', SigningAlgorithm: 'ED25519_SHA_512' })),
      'ValidationException',
    );
  });

  it('when a P-256 DIGEST is not 32 bytes, answers ValidationException', async () => {
    const p256 = await createAwsKmsTestKey(emulator, 'ES256');
    await rejectsWith(
      client.send(new SignCommand({ KeyId: p256.keyId, Message: new Uint8Array(31), MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
      'ValidationException',
    );
  });

  it('when the signing algorithm does not fit the key, answers InvalidKeyUsageException', async () => {
    const digest = createHash('sha256').update('x').digest();
    await rejectsWith(
      client.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' })),
      'InvalidKeyUsageException',
    );
  });

  it('when the body is changed after SigV4 signing, refuses it with InvalidSignatureException', async () => {
    const tampering = emulator.client();
    tampering.middlewareStack.addRelativeTo(
      ((next: (args: { request: unknown }) => Promise<unknown>) => async (args: { request: unknown }) => {
        const request = args.request as { body: string | Uint8Array };
        const raw = request.body;
        const body = typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8');
        const changed = body.replace(keyId, keyId.replace(/.$/, (c) => (c === '0' ? '1' : '0')));
        assert.notEqual(changed, body);
        request.body = changed;
        return next(args);
      }) as unknown as Parameters<KMSClient['middlewareStack']['addRelativeTo']>[0],
      { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'tamperAfterSigning' },
    );
    try {
      await rejectsWith(tampering.send(new DescribeKeyCommand({ KeyId: keyId })), 'InvalidSignatureException');
      await client.send(new DescribeKeyCommand({ KeyId: keyId }));
    } finally {
      tampering.destroy();
    }
  });

  it('when the request is signed for another region, refuses it with InvalidSignatureException', async () => {
    const other = new KMSClient({
      endpoint: emulator.endpoint,
      region: 'eu-west-1',
      credentials: { accessKeyId: emulator.accessKeyId, secretAccessKey: emulator.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      await rejectsWith(other.send(new DescribeKeyCommand({ KeyId: keyId })), 'InvalidSignatureException');
    } finally {
      other.destroy();
    }
  });
});
