// The typed client over TLS and mutual TLS to a real Signet server with an authorization policy;
// and no plaintext to a remote address unless the caller says so.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SignetClient, SignetClientError } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestPki, type TestPki } from '../helpers/tls.js';

describe('SignetClient over TLS and mutual TLS', () => {
  let pki: TestPki;
  let other: TestPki;
  let server: TestServer;
  const clients: SignetClient[] = [];
  const client = (options: Partial<ConstructorParameters<typeof SignetClient>[0]>) => {
    const c = new SignetClient({ address: `localhost:${server.running.port}`, deadlineMs: 5000, ...options });
    clients.push(c);
    return c;
  };

  before(async () => {
    pki = createTestPki();
    other = createTestPki();
    server = await startTestServer({
      keys: { agents: 'file:{dir}/a.pem?create=true' },
      tls: { cert: pki.serverCert, key: pki.serverKey, client_ca: pki.caCert, cn_identity: true },
      authorization: [
        { identity: 'uri:spiffe://example.org/gateway', rpcs: ['signet.v1.SigningService/*', 'signet.v1.LedgerService/*'], keys: ['agents'] },
        { identity: 'cn:reader', rpcs: ['signet.v1.SigningService/ListKeys'], keys: ['*'] },
      ],
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    for (const p of [pki, other]) if (p) rmSync(p.dir, { recursive: true, force: true });
  });

  it('with the CA and a client certificate (paths or PEM bytes), the allowed identity signs and reads the ledger', async () => {
    const cert = pki.client('gateway', 'spiffe://example.org/gateway');
    const byPath = client({ tls: { ca: { path: pki.caCert }, cert: { path: cert.cert }, key: { path: cert.key } } });
    assert.equal((await byPath.signing.sign({ key: 'agents', message: Buffer.from('x') })).signature.length, 64);
    assert.ok((await byPath.ledger.getCheckpoint({})).size >= 0);
    const byBytes = client({ tls: { ca: readFileSync(pki.caCert), cert: readFileSync(cert.cert), key: readFileSync(cert.key, 'utf8') } });
    assert.deepEqual((await byBytes.signing.listKeys({})).keys.map((k) => k.name), ['agents']);
  });

  it('when the identity is not allowed the RPC, PERMISSION_DENIED (not retried)', async () => {
    const cert = pki.client('reader');
    const c = client({ tls: { ca: { path: pki.caCert }, cert: { path: cert.cert }, key: { path: cert.key } } });
    await c.signing.listKeys({});
    const err = await c.signing.sign({ key: 'agents', message: Buffer.from('x') }).catch((e: unknown) => e);
    assert.ok(err instanceof SignetClientError && err.code === 'PERMISSION_DENIED' && err.attempts === 1, String(err));
  });

  it('when the client presents no certificate, the call fails UNAVAILABLE', async () => {
    const c = client({ tls: { ca: { path: pki.caCert } }, retry: false });
    const err = await c.signing.listKeys({}).catch((e: unknown) => e);
    assert.ok(err instanceof SignetClientError && err.code === 'UNAVAILABLE', String(err));
  });

  it('when the server certificate is from another CA, the call fails UNAVAILABLE', async () => {
    const cert = other.client('gateway', 'spiffe://example.org/gateway');
    const c = client({ tls: { ca: { path: other.caCert }, cert: { path: cert.cert }, key: { path: cert.key } }, retry: false });
    const err = await c.signing.listKeys({}).catch((e: unknown) => e);
    assert.ok(err instanceof SignetClientError && err.code === 'UNAVAILABLE', String(err));
  });

  it('when the address is not loopback and no TLS is given, the client refuses to be built unless insecure is set', () => {
    assert.throws(() => new SignetClient({ address: 'signet.example:7443' }), /plaintext/);
    assert.throws(() => new SignetClient({ address: '10.0.0.5:7443' }), /plaintext/);
    new SignetClient({ address: 'signet.example:7443', insecure: true }).close();
    new SignetClient({ address: '127.0.0.1:7443' }).close();
    new SignetClient({ address: '[::1]:7443' }).close();
  });

  it('when only one of cert and key is given, the client refuses to be built', () => {
    assert.throws(() => new SignetClient({ address: 'localhost:1', tls: { cert: 'x' } }), /both cert and key/);
  });
});
