// Health and reflection are under the same authorization as every other RPC: over mutual TLS with
// rules, a caller no rule allows cannot list services; health is open to authenticated callers
// unless health.open_to_authenticated is false.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from '../../src/server/proto.js';
import { codeOf, startTestServer, type TestServer } from '../helpers/server.js';
import { ReflectionStream, type ReflectionVersion } from '../helpers/reflection-client.js';
import { cn, createCraftedPki, TAG, type Issued } from '../helpers/x509.js';

const pki = createCraftedPki();
const dir = mkdtempSync(join(tmpdir(), 'signet-std-'));
const file = (name: string, text: string) => (writeFileSync(join(dir, name), text), join(dir, name));
const tls = { cert: file('server.pem', pki.server.pem), key: file('server.key', pki.server.keyPem), client_ca: file('ca.pem', pki.ca.pem) };
after(() => rmSync(dir, { recursive: true, force: true }));

const credentialsFor = (cert: Issued) => grpc.credentials.createSsl(Buffer.from(pki.ca.pem), Buffer.from(cert.keyPem), Buffer.from(cert.pem));
const withUri = (uri: string) => pki.client({ subject: [cn('client')], san: [[TAG.uri, uri]] });

const Health = (grpc.loadPackageDefinition(protoLoader.loadSync('grpc/health/v1/health.proto', LOADER_OPTIONS)) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor;

async function check(port: number, cert: Issued): Promise<string> {
  const client = new Health(`localhost:${port}`, credentialsFor(cert)) as any;
  try {
    return await new Promise((ok, fail) => client.Check({ service: '' }, (err: Error | null, res: { status: string }) => (err ? fail(err) : ok(res.status))));
  } finally {
    client.close();
  }
}

async function watchFirst(port: number, cert: Issued): Promise<string> {
  const client = new Health(`localhost:${port}`, credentialsFor(cert)) as any;
  try {
    return await new Promise((ok, fail) => {
      const call = client.Watch({ service: '' });
      call.on('data', (res: { status: string }) => (ok(res.status), call.cancel()));
      call.on('error', fail);
    });
  } finally {
    client.close();
  }
}

async function listServices(port: number, cert: Issued, version: ReflectionVersion): Promise<string[]> {
  const stream = new ReflectionStream(`localhost:${port}`, credentialsFor(cert), version);
  try {
    return await stream.listServices();
  } finally {
    stream.close();
  }
}

const denied = (e: unknown) => codeOf(e) === grpc.status.PERMISSION_DENIED;

describe('health and reflection under authorization', () => {
  let server: TestServer;
  let closed: TestServer;
  const READER = 'spiffe://example.org/operator';
  before(async () => {
    const authorization = [
      { identity: 'uri:spiffe://example.org/signer', rpcs: ['signet.v1.SigningService/*'] },
      { identity: `uri:${READER}`, rpcs: ['grpc.reflection.v1.ServerReflection/*', 'grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo'] },
    ];
    server = await startTestServer({ tls, authorization });
    closed = await startTestServer({ tls, authorization: [...authorization, { identity: 'uri:spiffe://example.org/monitor', rpcs: ['grpc.health.v1.Health/*'] }], health: { open_to_authenticated: false } });
  });
  after(async () => {
    await server?.stop();
    await closed?.stop();
  });

  for (const version of ['v1', 'v1alpha'] as ReflectionVersion[]) {
    it(`when a caller has no rule for reflection ${version}, listing services is PERMISSION_DENIED`, async () => {
      await assert.rejects(listServices(server.running.port, withUri('spiffe://example.org/signer'), version), denied);
      await assert.rejects(listServices(server.running.port, withUri('spiffe://example.org/nobody'), version), denied);
    });

    it(`when a rule allows reflection ${version}, the caller lists the services`, async () => {
      assert.ok((await listServices(server.running.port, withUri(READER), version)).includes('signet.v1.SigningService'));
    });
  }

  it('when the rule is for a URI SAN, a DNS SAN or CN spelling it does not get reflection', async () => {
    const dns = pki.client({ subject: [cn(READER)], san: [[TAG.dns, READER]] });
    await assert.rejects(listServices(server.running.port, dns, 'v1'), denied);
  });

  it('by default, every authenticated caller may call Health (Check and Watch), with or without a rule', async () => {
    assert.equal(await check(server.running.port, withUri('spiffe://example.org/nobody')), 'SERVING');
    assert.equal(await watchFirst(server.running.port, withUri('spiffe://example.org/nobody')), 'SERVING');
    assert.equal(await check(server.running.port, pki.client({ subject: [cn('no-san')] })), 'SERVING');
  });

  it('with health.open_to_authenticated: false, Health needs a rule like any RPC', async () => {
    await assert.rejects(check(closed.running.port, withUri('spiffe://example.org/nobody')), denied);
    await assert.rejects(watchFirst(closed.running.port, withUri('spiffe://example.org/nobody')), denied);
    assert.equal(await check(closed.running.port, withUri('spiffe://example.org/monitor')), 'SERVING');
    assert.equal(await watchFirst(closed.running.port, withUri('spiffe://example.org/monitor')), 'SERVING');
  });
});
