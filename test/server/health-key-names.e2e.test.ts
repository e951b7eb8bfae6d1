// Health reports each key's backend (signet.key.NAME), and is open to every authenticated caller
// by default: it must not tell a caller about keys its rules do not give it, not even whether they
// exist (SigningService makes the same promise). Over real mutual TLS.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from '../../src/server/proto.js';
import { codeOf, startTestServer, type TestServer } from '../helpers/server.js';
import { cn, createCraftedPki, TAG, type Issued } from '../helpers/x509.js';

const pki = createCraftedPki();
const dir = mkdtempSync(join(tmpdir(), 'signet-health-keys-'));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const tls = { cert: file('server.pem', pki.server.pem), key: file('server.key', pki.server.keyPem), client_ca: file('ca.pem', pki.ca.pem) };
after(() => rmSync(dir, { recursive: true, force: true }));

const Health = (grpc.loadPackageDefinition(protoLoader.loadSync('grpc/health/v1/health.proto', LOADER_OPTIONS)) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor;
const withUri = (uri: string) => pki.client({ subject: [cn('client')], san: [[TAG.uri, uri]] });

async function check(port: number, cert: Issued, service: string): Promise<string> {
  const client = new Health(`localhost:${port}`, grpc.credentials.createSsl(Buffer.from(pki.ca.pem), Buffer.from(cert.keyPem), Buffer.from(cert.pem))) as any;
  try {
    return await new Promise((ok, fail) => client.Check({ service }, (err: Error | null, res: { status: string }) => (err ? fail(err) : ok(res.status))));
  } catch (err) {
    return grpc.status[codeOf(err)!]!;
  } finally {
    client.close();
  }
}

async function watch(port: number, cert: Issued, service: string): Promise<string> {
  const client = new Health(`localhost:${port}`, grpc.credentials.createSsl(Buffer.from(pki.ca.pem), Buffer.from(cert.keyPem), Buffer.from(cert.pem))) as any;
  try {
    return await new Promise((ok) => {
      const call = client.Watch({ service });
      call.on('data', (res: { status: string }) => (ok(res.status), call.cancel()));
      call.on('error', (err: unknown) => ok(grpc.status[codeOf(err)!]!));
    });
  } finally {
    client.close();
  }
}

describe('per-key health under authorization', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({
      keys: { alpha: 'file:{dir}/alpha.pem?create=true', beta: 'file:{dir}/beta.pem?create=true' },
      tls,
      authorization: [
        { identity: 'uri:spiffe://example.org/alpha-user', rpcs: ['signet.v1.SigningService/*'], keys: ['alpha'] },
        { identity: 'uri:spiffe://example.org/operator', rpcs: ['signet.v1.SigningService/ListKeys'] },
      ],
    });
  });
  after(() => server?.stop());

  const table: Array<[string, string, string]> = [
    // caller, service, answer
    ['alpha-user', 'signet.key.alpha', 'SERVING'],
    ['alpha-user', 'signet.key.beta', 'PERMISSION_DENIED'],
    ['alpha-user', 'signet.key.no-such-key', 'PERMISSION_DENIED'],
    ['alpha-user', '', 'SERVING'],
    ['nobody', 'signet.key.alpha', 'PERMISSION_DENIED'],
    ['nobody', 'signet.key.no-such-key', 'PERMISSION_DENIED'],
    ['nobody', '', 'SERVING'],
    ['operator', 'signet.key.beta', 'SERVING'],
    ['operator', 'signet.key.no-such-key', 'NOT_FOUND'],
  ];
  for (const [caller, service, answer] of table) {
    it(`${caller} asking Check for "${service}" gets ${answer}`, async () => {
      assert.equal(await check(server.running.port, withUri(`spiffe://example.org/${caller}`), service), answer);
    });
  }

  it('Watch keeps the same secret: a key the caller may not use is PERMISSION_DENIED, existing or not', async () => {
    const cert = withUri('spiffe://example.org/alpha-user');
    assert.equal(await watch(server.running.port, cert, 'signet.key.alpha'), 'SERVING');
    assert.equal(await watch(server.running.port, cert, 'signet.key.beta'), 'PERMISSION_DENIED');
    assert.equal(await watch(server.running.port, cert, 'signet.key.no-such-key'), 'PERMISSION_DENIED');
  });
});
