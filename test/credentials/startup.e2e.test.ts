import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { serviceClient, unary } from '../../src/client/grpc.js';
import type { CredentialServiceClient } from '../../src/gen/signet/v1/CredentialService.js';
import { softhsmKey } from '../helpers/softhsm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('credentials through signet start-up (config: SoftHSM issuing key, policy file, JWKS listener)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cred-startup-'));
  let server: TestServer;
  let client: CredentialServiceClient;
  const call = <Res>(method: string, req: unknown) => unary<unknown, Res>(client, (client as any)[method], req, { timeoutMs: 10_000 });

  before(async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'rules:\n  - {name: docs, agents: [{group: writers}], actions: [doc:read], resources: ["docs/*"]}\n');
    server = await startTestServer({
      keys: { issuer: await softhsmKey('ed25519') },
      ledger: { key: 'issuer' },
      // Direct mode: this test pins the custody key as the credentials' kid (certified mode has its own e2e).
      credentials: { key: 'issuer', issuer: 'https://signet.startup', policy, jwks_http: '127.0.0.1:0', signing: 'direct' },
    });
    client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', server.address);
  });
  after(async () => {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('issues a credential that a stock JWT library verifies from /.well-known/jwks.json', async () => {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const agent = await call<{ id: string }>('RegisterAgent', { name: 'w', public_key_jwk: JSON.stringify(jwk), owner: 'o', groups: ['writers'] });
    const intent = { action: 'doc:read', resource: 'docs/readme' };
    const issued = await call<{ token: string; kid: string; ledger_index: number }>('Issue', { agent_id: agent.id, intent, audience: 'docs-api' });
    assert.equal(issued.kid, server.running.keys.byName('issuer')!.signer.keyId());
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${server.running.jwksPort}/.well-known/jwks.json`));
    const { payload } = await jwtVerify(issued.token, jwks, { issuer: 'https://signet.startup', audience: 'docs-api' });
    assert.equal(payload.sub, agent.id);
    const entry = JSON.parse(Buffer.from((await server.running.ledger!.reader.entry(issued.ledger_index)).entry).toString());
    assert.equal(entry.type, 'issuance');
    assert.equal(entry.jti, payload.jti);
  });

  it('denies what the policy file does not allow, with PERMISSION_DENIED', async () => {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const agent = await call<{ id: string }>('RegisterAgent', { name: 'x', public_key_jwk: JSON.stringify(jwk), owner: 'o', groups: ['writers'] });
    await assert.rejects(call('Issue', { agent_id: agent.id, intent: { action: 'doc:delete', resource: 'docs/readme' }, audience: 'docs-api' }), (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED);
  });
});
