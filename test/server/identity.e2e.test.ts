// Typed caller identities end to end: crafted client certificates over real mutual TLS, against
// typed authorization rules, and the caller a server sees when the certificate is not verified.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { signingClient, unary } from '../../src/client/grpc.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet, type RunningSignet } from '../../src/server/start.js';
import { codeOf, startTestServer, type TestServer } from '../helpers/server.js';
import { cn, createCraftedPki, issueCertificate, TAG, type Issued, type SanEntry } from '../helpers/x509.js';

const pki = createCraftedPki();
const dir = mkdtempSync(join(tmpdir(), 'signet-identity-'));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const tls = { cert: file('server.pem', pki.server.pem), key: file('server.key', pki.server.keyPem), client_ca: file('ca.pem', pki.ca.pem) };
after(() => rmSync(dir, { recursive: true, force: true }));

const clientAt = (port: number, cert?: Issued) =>
  signingClient(`localhost:${port}`, {
    credentials: grpc.credentials.createSsl(Buffer.from(pki.ca.pem), cert ? Buffer.from(cert.keyPem) : null, cert ? Buffer.from(cert.pem) : null),
  });

const GATEWAY = 'spiffe://example.org/gateway';

describe('typed identities over mutual TLS', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      keys: { agents: 'file:{dir}/a.pem?create=true' },
      tls,
      authorization: [
        { identity: `uri:${GATEWAY}`, rpcs: ['signet.v1.SigningService/*'], keys: ['agents'] },
        { identity: 'dns:good.example.org', rpcs: ['signet.v1.SigningService/ListKeys'] },
      ],
    });
  });
  after(() => server?.stop());

  const cases: Array<{ when: string; subject?: string; san?: SanEntry[]; sign: boolean; list: boolean }> = [
    { when: 'the URI SAN is the gateway', san: [[TAG.uri, GATEWAY]], sign: true, list: true },
    { when: 'the gateway is the second of several SANs', san: [[TAG.dns, 'other.example.org'], [TAG.uri, 'spiffe://example.org/x'], [TAG.uri, GATEWAY]], sign: true, list: true },
    { when: 'the CN spells the gateway and there is no SAN', subject: GATEWAY, sign: false, list: false },
    { when: 'a DNS SAN spells the gateway', san: [[TAG.dns, GATEWAY]], sign: false, list: false },
    { when: 'the URI SAN is the gateway followed by NUL and more', san: [[TAG.uri, Buffer.from(`${GATEWAY}\0.evil.net`)]], sign: false, list: false },
    { when: 'a URI SAN carries ", URI:" and the gateway', san: [[TAG.uri, `spiffe://example.org/x, URI:${GATEWAY}`]], sign: false, list: false },
    { when: 'the URI SAN differs in case or by a trailing space', san: [[TAG.uri, GATEWAY.toUpperCase()], [TAG.uri, `${GATEWAY} `]], sign: false, list: false },
    { when: 'the DNS SAN is the allowed name', san: [[TAG.dns, 'good.example.org']], sign: false, list: true },
    { when: 'the DNS SAN hides a NUL after the allowed name', san: [[TAG.dns, Buffer.from('good.example.org\0.evil.net')]], sign: false, list: false },
    { when: 'the allowed DNS name is the CN only', subject: 'good.example.org', sign: false, list: false },
  ];
  for (const c of cases) {
    it(`when ${c.when}: Sign ${c.sign ? 'allowed' : 'PERMISSION_DENIED'}, ListKeys ${c.list ? 'allowed' : 'PERMISSION_DENIED'}`, async () => {
      const cert = pki.client({ subject: [cn(c.subject ?? 'client')], ...(c.san ? { san: c.san } : {}) });
      const client = clientAt(server.running.port, cert);
      try {
        const sign = unary(client, client.Sign, { key: 'agents', message: Buffer.from('x') });
        if (c.sign) assert.equal((await sign).signature.length, 64);
        else await assert.rejects(sign, (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
        const list = unary(client, client.ListKeys, {});
        if (c.list) await list;
        else await assert.rejects(list, (e) => codeOf(e) === grpc.status.PERMISSION_DENIED);
      } finally {
        client.close();
      }
    });
  }
});

/** A server logging to `lines`, with client certificates required or not; no authorization rules. */
async function loggingServer(requireClientCert: boolean, lines: Array<Record<string, unknown>>): Promise<RunningSignet> {
  const config = resolveConfig({ listen: '127.0.0.1:0', data_dir: mkdtempSync(join(dir, 'data-')), tls: { ...tls, require_client_cert: requireClientCert } }, {});
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return startSignet(config, logger, {});
}

/** The caller the access log names for one failing call (an unknown key) made with `cert`. */
async function callerSeen(running: RunningSignet, lines: Array<Record<string, unknown>>, cert?: Issued): Promise<unknown> {
  const client = clientAt(running.port, cert);
  lines.length = 0;
  await assert.rejects(unary(client, client.Sign, { key: 'no-such-key', message: Buffer.from('x') }), (e) => codeOf(e) === grpc.status.NOT_FOUND);
  client.close();
  return lines.find((l) => l.msg === 'request failed')?.caller;
}

describe('the canonical caller string', () => {
  const lines: Array<Record<string, unknown>> = [];
  let required: RunningSignet;
  let optional: RunningSignet;
  before(async () => {
    required = await loggingServer(true, lines);
    optional = await loggingServer(false, lines);
  });
  after(async () => {
    await required?.shutdown();
    await optional?.shutdown();
  });

  it('when the verified certificate has a URI SAN, the caller is uri:<first URI SAN>', async () => {
    const cert = pki.client({ subject: [cn('gw')], san: [[TAG.dns, 'gw.example.org'], [TAG.uri, GATEWAY], [TAG.uri, 'spiffe://example.org/second']] });
    assert.equal(await callerSeen(required, lines, cert), `uri:${GATEWAY}`);
  });

  it('when the verified certificate has only a CN (CN identities off), the caller is the certificate hash', async () => {
    const cert = pki.client({ subject: [cn(GATEWAY)] });
    assert.equal(await callerSeen(required, lines, cert), `x509-sha256:${createHash('sha256').update(cert.der).digest('hex')}`);
  });

  it('when client certificates are not required, the server asks for none: even a CA-issued one leaves the caller anonymous', async () => {
    assert.equal(await callerSeen(optional, lines, pki.client({ subject: [cn('gw')], san: [[TAG.uri, GATEWAY]] })), 'anonymous');
  });

  it('when a self-signed certificate claims the gateway\'s SAN, the caller is anonymous (an unverified name names no one)', async () => {
    const forged = issueCertificate({ subject: [cn('gw')], san: [[TAG.uri, GATEWAY]], usage: 'client' });
    assert.equal(await callerSeen(optional, lines, forged), 'anonymous');
  });

  it('when there is no client certificate, the caller is anonymous', async () => {
    assert.equal(await callerSeen(optional, lines), 'anonymous');
  });
});
