// SigningService end to end: a real server on an ephemeral port, a real gRPC client, every
// signature checked with node:crypto.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { signingClient, unary } from '../../src/client/grpc.js';
import type { SigningServiceClient } from '../../src/gen/signet/v1/SigningService.js';
import { independentThumbprint, verifyIndependently } from '../signers/conformance.js';
import { codeOf, fieldOf, startTestServer, type TestServer } from '../helpers/server.js';
import { healthCheck, reflectedServices } from '../helpers/std-clients.js';

describe('SigningService over gRPC', () => {
  let server: TestServer;
  let client: SigningServiceClient;
  const pem: Record<string, string> = {};

  before(async () => {
    server = await startTestServer({
      keys: {
        ed: 'file:{dir}/ed.pem?create=true&alg=ed25519',
        p256: 'file:{dir}/p256.pem?create=true&alg=p256',
      },
      limits: { max_batch: 50 },
    });
    client = signingClient(server.address);
    for (const name of ['ed', 'p256']) pem[name] = (await unary(client, client.GetPublicKey, { key: name })).public_key!.spki_pem;
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('signs an Ed25519 message that node:crypto verifies', async () => {
    const message = Buffer.from('hello from an agent');
    const res = await unary(client, client.Sign, { key: 'ed', message });
    assert.equal(res.algorithm, 'ALGORITHM_ED25519');
    assert.equal(res.key_id, independentThumbprint(pem.ed!));
    assert.equal(res.key_version, '1');
    assert.ok(verifyIndependently(pem.ed!, 'Ed25519', message, res.signature));
  });

  it('signs ES256 over a message and over a caller-computed digest, 64-byte P1363 both times', async () => {
    const message = Buffer.from('pay invoice 42');
    const byMessage = await unary(client, client.Sign, { key: 'p256', message });
    const byDigest = await unary(client, client.Sign, { key: 'p256', digest: createHash('sha256').update(message).digest() });
    for (const res of [byMessage, byDigest]) {
      assert.equal(res.signature.length, 64);
      assert.equal(res.algorithm, 'ALGORITHM_ES256');
      assert.ok(verifyIndependently(pem.p256!, 'ES256', message, res.signature));
    }
  });

  it('finds a key by its key id as well as by its name', async () => {
    const keyId = independentThumbprint(pem.ed!);
    const res = await unary(client, client.Sign, { key: keyId, message: Buffer.from('x') });
    assert.equal(res.key_id, keyId);
  });

  it('signs a batch in order, each signature verifiable', async () => {
    const messages = Array.from({ length: 50 }, (_, i) => Buffer.from(`entry ${i}`));
    const res = await unary(client, client.SignBatch, { key: 'ed', messages });
    assert.equal(res.signatures.length, 50);
    res.signatures.forEach((s, i) => assert.ok(verifyIndependently(pem.ed!, 'Ed25519', messages[i]!, s.signature), `item ${i}`));
  });

  it('publishes the public key as PEM and as a JWK whose kid is the thumbprint', async () => {
    const res = await unary(client, client.GetPublicKey, { key: 'p256' });
    const jwk = JSON.parse(res.public_key!.jwk_json);
    assert.equal(jwk.kty, 'EC');
    assert.equal(jwk.crv, 'P-256');
    assert.equal(jwk.alg, 'ES256');
    assert.equal(jwk.kid, independentThumbprint(res.public_key!.spki_pem));
  });

  it('lists its keys with their purpose, labelling software keys as not hardware-backed', async () => {
    const res = await unary(client, client.ListKeys, {});
    assert.deepEqual(res.keys.map((k) => k.name).sort(), ['ed', 'issuer', 'ledger', 'p256']);
    for (const k of res.keys) {
      assert.equal(k.driver, 'file');
      assert.equal(k.hardware_backed, false);
    }
    const purpose = Object.fromEntries(res.keys.map((k) => [k.name, k.purpose]));
    assert.deepEqual(purpose, { ed: 'sign', p256: 'sign', ledger: 'ledger checkpoints', issuer: 'credentials' });
  });

  it('refuses to Sign with the keys that sign checkpoints and credentials, by name or by key id', async () => {
    const issuerId = (await unary(client, client.GetPublicKey, { key: 'issuer' })).public_key!.key_id;
    for (const key of ['ledger', 'issuer', issuerId]) {
      await assert.rejects(unary(client, client.Sign, { key, message: Buffer.from('{"alg":"EdDSA"}.forged') }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
      await assert.rejects(unary(client, client.SignBatch, { key, messages: [Buffer.from('x')] }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    }
  });

  it('answers the standard health check and lists its services through reflection', async () => {
    assert.equal(await healthCheck(server.address), 'SERVING');
    assert.equal(await healthCheck(server.address, 'signet.v1.SigningService'), 'SERVING');
    const services = await reflectedServices(server.address);
    assert.ok(services.includes('signet.v1.SigningService'), services.join(','));
  });

  describe('when the request is bad', () => {
    const rejects = async (p: Promise<unknown>, code: grpc.status, field?: string) => {
      await assert.rejects(p, (err) => {
        assert.equal(codeOf(err), code, (err as Error).message);
        if (field) assert.equal(fieldOf(err), field);
        return true;
      });
    };

    it('an unknown key is NOT_FOUND', () => rejects(unary(client, client.Sign, { key: 'nope', message: Buffer.from('x') }), grpc.status.NOT_FOUND, 'key'));
    it('a missing key name is INVALID_ARGUMENT', () => rejects(unary(client, client.Sign, { key: '', message: Buffer.from('x') }), grpc.status.INVALID_ARGUMENT, 'key'));
    it('an empty message is INVALID_ARGUMENT naming message', () =>
      rejects(unary(client, client.Sign, { key: 'ed', message: Buffer.alloc(0) }), grpc.status.INVALID_ARGUMENT, 'message'));
    it('an oversize Ed25519 message is INVALID_ARGUMENT naming message', () =>
      rejects(unary(client, client.Sign, { key: 'ed', message: Buffer.alloc(4097) }), grpc.status.INVALID_ARGUMENT, 'message'));
    it('a digest for an Ed25519 key is INVALID_ARGUMENT naming digest', () =>
      rejects(unary(client, client.Sign, { key: 'ed', digest: Buffer.alloc(32) }), grpc.status.INVALID_ARGUMENT, 'digest'));
    it('a digest of the wrong length is INVALID_ARGUMENT naming digest', () =>
      rejects(unary(client, client.Sign, { key: 'p256', digest: Buffer.alloc(20) }), grpc.status.INVALID_ARGUMENT, 'digest'));
    it('a batch over the limit is INVALID_ARGUMENT naming messages', () =>
      rejects(unary(client, client.SignBatch, { key: 'ed', messages: Array.from({ length: 51 }, () => Buffer.from('x')) }), grpc.status.INVALID_ARGUMENT, 'messages'));
    it('a batch item that is bad names its index', () =>
      rejects(unary(client, client.SignBatch, { key: 'ed', messages: [Buffer.from('ok'), Buffer.alloc(0)] }), grpc.status.INVALID_ARGUMENT, 'messages[1]'));
    it('a batch with both messages and digests is INVALID_ARGUMENT', () =>
      rejects(unary(client, client.SignBatch, { key: 'p256', messages: [Buffer.from('a')], digests: [Buffer.alloc(32)] }), grpc.status.INVALID_ARGUMENT, 'digests'));
    it('an empty batch is INVALID_ARGUMENT', () => rejects(unary(client, client.SignBatch, { key: 'ed' }), grpc.status.INVALID_ARGUMENT, 'messages'));
  });
});
