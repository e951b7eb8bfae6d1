// Mutual TLS: the client certificate's identity drives which RPCs and keys a caller may use.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { signingClient, unary } from '../../src/client/grpc.js';
import { codeOf, startTestServer, type TestServer } from '../helpers/server.js';
import { createTestPki, type TestPki } from '../helpers/tls.js';

describe('mutual TLS with an authorization policy', () => {
  let pki: TestPki;
  let server: TestServer;

  const clientFor = (cert?: { cert: string; key: string }) =>
    signingClient(`localhost:${server.running.port}`, {
      credentials: grpc.credentials.createSsl(
        readFileSync(pki.caCert),
        cert ? readFileSync(cert.key) : null,
        cert ? readFileSync(cert.cert) : null,
      ),
    });

  before(async () => {
    pki = createTestPki();
    server = await startTestServer({
      keys: { agents: 'file:{dir}/a.pem?create=true', payments: 'file:{dir}/p.pem?create=true&alg=p256' },
      tls: { cert: pki.serverCert, key: pki.serverKey, client_ca: pki.caCert, cn_identity: true },
      authorization: [
        { identity: 'uri:spiffe://example.org/gateway', rpcs: ['signet.v1.SigningService/*'], keys: ['agents'] },
        { identity: 'cn:ci-runner', rpcs: ['signet.v1.SigningService/ListKeys'], keys: ['*'] },
      ],
    });
  });
  after(async () => {
    await server?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('when the caller is allowed the key and the RPC, it signs', async () => {
    const client = clientFor(pki.client('gateway', 'spiffe://example.org/gateway'));
    const res = await unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') });
    assert.equal(res.signature.length, 64);
    client.close();
  });

  it('when the caller is allowed the RPC but not that key, PERMISSION_DENIED', async () => {
    const client = clientFor(pki.client('gateway', 'spiffe://example.org/gateway'));
    await assert.rejects(unary(client, client.Sign, { key: 'payments', message: Buffer.from('x') }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    client.close();
  });

  it('when a restricted caller names a key that does not exist, PERMISSION_DENIED too: key names cannot be probed', async () => {
    const client = clientFor(pki.client('gateway', 'spiffe://example.org/gateway'));
    await assert.rejects(unary(client, client.Sign, { key: 'no-such-key', message: Buffer.from('x') }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    client.close();
  });

  it('when the caller matches no rule for the RPC, PERMISSION_DENIED', async () => {
    const client = clientFor(pki.client('ci-runner'));
    const keys = await unary(client, client.ListKeys, {});
    assert.deepEqual(keys.keys.map((k) => k.name).sort(), ['agents', 'issuer', 'ledger', 'payments']);
    await assert.rejects(unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    client.close();
  });

  it('when a certificate without SANs has a CN that spells the gateway\'s SPIFFE id, it is only cn:…, and PERMISSION_DENIED', async () => {
    const client = clientFor(pki.client('spiffe://example.org/gateway'));
    await assert.rejects(unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') }), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    await assert.rejects(unary(client, client.ListKeys, {}), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    client.close();
  });

  it('when a certificate has the gateway\'s URI SAN and the CN ci-runner, the CN does not count (SANs win, RFC 6125)', async () => {
    const client = clientFor(pki.client('ci-runner', 'spiffe://example.org/other'));
    await assert.rejects(unary(client, client.ListKeys, {}), (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
    client.close();
  });

  it('when the caller has no client certificate, the call fails before reaching a handler', async () => {
    const client = clientFor();
    await assert.rejects(unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') }, { timeoutMs: 3000 }), (e) => codeOf(e) === grpc.status.UNAVAILABLE);
    client.close();
  });

  it('when the caller speaks plaintext, the call fails', async () => {
    const client = signingClient(`127.0.0.1:${server.running.port}`);
    await assert.rejects(unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') }, { timeoutMs: 3000 }), (e) => codeOf(e) === grpc.status.UNAVAILABLE);
    client.close();
  });
});
