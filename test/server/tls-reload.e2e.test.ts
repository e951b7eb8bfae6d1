// TLS files reload without dropping connections: calls in flight across a reload all succeed on a
// connection that could not be re-made (its client trusts only the old CA), new handshakes present
// the new certificate, a file change alone is picked up, a half-written pair keeps the old one,
// and SIGHUP reloads a real `signet serve`.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { SignetClient } from '../../src/client/client.js';
import type { SignetClientError } from '../../src/client/errors.js';
import { spawnCli, waitForLine } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestPki, read, type TestPki } from '../helpers/tls.js';

/** The fingerprint of the certificate a fresh TLS handshake to the port presents. */
function presented(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, ALPNProtocols: ['h2'], rejectUnauthorized: false }, () => {
      const fp = socket.getPeerCertificate().fingerprint256;
      socket.end();
      resolve(fp);
    });
    socket.once('error', reject);
  });
}
const fingerprint = (path: string) => new X509Certificate(read(path)).fingerprint256;

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('TLS reload in a running server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-tls-reload-'));
  const live = { cert: join(dir, 'server.pem'), key: join(dir, 'server.key') };
  let a: TestPki;
  let b: TestPki;
  let server: TestServer;
  const install = (pki: TestPki) => {
    copyFileSync(pki.serverCert, live.cert);
    copyFileSync(pki.serverKey, live.key);
  };
  const client = (pki: TestPki) => new SignetClient({ address: `127.0.0.1:${server.running.port}`, tls: { ca: { path: pki.caCert }, serverName: 'localhost' }, retry: false, deadlineMs: 20_000 });

  before(async () => {
    a = createTestPki();
    b = createTestPki();
    install(a);
    server = await startTestServer({ tls: { cert: live.cert, key: live.key }, keys: { default: 'file:{dir}/default.pem?create=true' } });
  });
  after(async () => {
    await server.stop();
    for (const d of [dir, a.dir, b.dir]) rmSync(d, { recursive: true, force: true });
  });

  it('calls in flight across a reload all succeed on the open connection; new handshakes get the new certificate', async () => {
    assert.equal(await presented(server.running.port), fingerprint(a.serverCert));
    const old = client(a);
    try {
      await old.signing.listKeys({});
      const message = Buffer.from('across the reload');
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 300; i++) {
        calls.push(old.signing.sign({ key: 'default', message }));
        if (i === 150) {
          install(b);
          assert.equal(server.running.reloadTls('test'), true);
        }
        if (i % 20 === 0) await new Promise((r) => setImmediate(r));
      }
      const results = await Promise.allSettled(calls);
      assert.deepEqual(results.filter((r) => r.status === 'rejected'), [], 'every call across the reload succeeded');
      // The old client trusts only CA A: a reconnect would fail, so these prove the connection was kept.
      await old.signing.listKeys({});
      assert.equal(await presented(server.running.port), fingerprint(b.serverCert));
      const stale = client(a);
      try {
        await assert.rejects(stale.signing.listKeys({}), (e: SignetClientError) => e.code === 'UNAVAILABLE');
      } finally {
        stale.close();
      }
      const fresh = client(b);
      try {
        await fresh.signing.listKeys({});
      } finally {
        fresh.close();
      }
    } finally {
      old.close();
    }
  });

  it('a change of the files alone is picked up (watched), without SIGHUP', async () => {
    install(a);
    await until(async () => (await presented(server.running.port)) === fingerprint(a.serverCert), 20_000, 'the watched files to be reloaded');
  });

  it('a half-written update (a key that does not match the certificate) keeps the current pair', async () => {
    const before = await presented(server.running.port);
    copyFileSync(b.serverCert, live.cert); // the key is still A's
    assert.equal(server.running.reloadTls('test'), false);
    assert.equal(await presented(server.running.port), before);
    copyFileSync(b.serverKey, live.key);
    assert.equal(server.running.reloadTls('test'), true);
    assert.equal(await presented(server.running.port), fingerprint(b.serverCert));
  });
});

describe('SIGHUP reloads the TLS files of a real signet serve', () => {
  it('unchanged files: says so; changed files: new handshakes present the new certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-tls-sighup-'));
    const a = createTestPki();
    const b = createTestPki();
    const cert = join(dir, 'server.pem');
    const key = join(dir, 'server.key');
    copyFileSync(a.serverCert, cert);
    copyFileSync(a.serverKey, key);
    const config = join(dir, 'signet.yaml');
    writeFileSync(config, `listen: 127.0.0.1:0\ndata_dir: ${dir}/data\ntls:\n  cert: ${cert}\n  key: ${key}\n`);
    const child = spawnCli(['serve', '--config', config]);
    try {
      const log = await waitForLine(child, /signet serving/, 60_000);
      const port = Number(/"port":(\d+)/.exec(log.split('\n').find((l) => l.includes('signet serving'))!)?.[1]);
      child.kill('SIGHUP');
      await waitForLine(child, /SIGHUP: TLS files unchanged/, 20_000);
      copyFileSync(b.serverCert, cert);
      copyFileSync(b.serverKey, key);
      child.kill('SIGHUP');
      await waitForLine(child, /TLS certificate reloaded/, 20_000);
      assert.equal(await presented(port), fingerprint(b.serverCert));
    } finally {
      child.kill('SIGTERM');
      for (const d of [dir, a.dir, b.dir]) rmSync(d, { recursive: true, force: true });
    }
  });
});
