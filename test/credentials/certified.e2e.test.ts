import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { serviceClient, unary } from '../../src/client/grpc.js';
import { verifyCredentialOffline } from '../../src/client/verify-credential.js';
import type { CredentialServiceClient } from '../../src/gen/signet/v1/CredentialService.js';
import { resolveConfig } from '../../src/server/config.js';
import { softhsmKey } from '../helpers/softhsm.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { auditChain } from './certified-fixture.js';

const ISS = 'https://signet.certified';
const intent = { action: 'doc:read', resource: 'docs/readme' };
const AUD = 'docs-api';

describe('certified issuing keys through signet start-up (SoftHSM custody key, credentials.signing: certified)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-certified-e2e-'));
  let server: TestServer;
  let client: CredentialServiceClient;
  let agentId: string;
  let custodyPem: string;
  const call = <Res>(method: string, req: unknown) => unary<unknown, Res>(client, (client as any)[method], req, { timeoutMs: 10_000 });

  before(async () => {
    const policy = join(dir, 'policy.yaml');
    writeFileSync(policy, 'rules:\n  - {name: docs, agents: [{group: writers}], actions: [doc:read], resources: ["docs/*"]}\n');
    server = await startTestServer({
      keys: { issuer: await softhsmKey('ed25519') },
      ledger: { key: 'issuer' },
      credentials: { key: 'issuer', issuer: ISS, policy, jwks_http: '127.0.0.1:0', signing: 'certified', issuing_key_ttl: 600 },
    });
    client = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', server.address);
    custodyPem = (await server.running.keys.byName('issuer')!.signer.publicKey()).pem;
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    agentId = (await call<{ id: string }>('RegisterAgent', { name: 'w', public_key_jwk: JSON.stringify(jwk), owner: 'o', groups: ['writers'] })).id;
  });
  after(async () => {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a stock JWT library verifies from /.well-known/jwks.json; the issuing key is certified by the HSM key in the ledger before its first credential', async () => {
    const issued = await call<{ token: string; kid: string; ledger_index: number }>('Issue', { agent_id: agentId, intent, audience: AUD });
    const custodyKid = server.running.keys.byName('issuer')!.signer.keyId();
    assert.notEqual(issued.kid, custodyKid);
    const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${server.running.jwksPort}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(issued.token, jwks, { issuer: ISS, audience: AUD });
    assert.equal(protectedHeader.kid, issued.kid);
    assert.equal(payload.sub, agentId);
    const set = JSON.parse((await call<{ jwks_json: string }>('GetJwks', {})).jwks_json) as { keys: Array<{ kid: string; signet_cert?: string }> };
    assert.ok(set.keys.some((k) => k.kid === custodyKid && !k.signet_cert));
    const cert = set.keys.find((k) => k.kid === issued.kid)!.signet_cert!;
    auditChain(issued.token, cert, custodyPem);
    // The certificate's key_event precedes the issuance entry.
    const ledger = server.running.ledger!;
    let certifiedAt = -1;
    for (let i = 0; i < ledger.size; i++) {
      const e = JSON.parse(Buffer.from((await ledger.reader.entry(i)).entry).toString());
      if (e.type === 'key_event' && e.kid === issued.kid) certifiedAt = i;
    }
    assert.ok(certifiedAt >= 0 && certifiedAt < issued.ledger_index);
  });

  it('RevokeIssuingKey: VerifyCredential refuses its credentials at once; a new key signs; an auditor trusting only the custody key accepts the new one', async () => {
    const old = await call<{ token: string; kid: string }>('Issue', { agent_id: agentId, intent, audience: AUD });
    const revoked = await call<{ revoked: boolean; current_kid: string }>('RevokeIssuingKey', { kid: old.kid, reason: 'drill' });
    assert.equal(revoked.revoked, true);
    assert.ok(revoked.current_kid && revoked.current_kid !== old.kid);
    const v = await call<{ valid: boolean; reason: string }>('VerifyCredential', { token: old.token, intent, audience: AUD });
    assert.deepEqual([v.valid, v.reason], [false, 'key_revoked']);
    const again = await call<{ revoked: boolean }>('RevokeIssuingKey', { kid: old.kid, reason: 'drill' });
    assert.equal(again.revoked, false);
    const fresh = await call<{ token: string; kid: string }>('Issue', { agent_id: agentId, intent, audience: AUD });
    assert.equal(fresh.kid, revoked.current_kid);
    const jwks = (await call<{ jwks_json: string }>('GetJwks', {})).jwks_json;
    const custodyOnly = { keys: (JSON.parse(jwks).keys as Array<{ signet_cert?: string }>).filter((k) => !k.signet_cert) };
    const offline = verifyCredentialOffline(fresh.token, { jwks, custodyKeys: custodyOnly, issuer: ISS, audience: AUD, intent });
    assert.equal(offline.valid, true);
    assert.ok(!JSON.parse(jwks).keys.some((k: { kid: string }) => k.kid === old.kid));
  });

  it('RevokeIssuingKey with an unknown kid is NOT_FOUND, without one INVALID_ARGUMENT naming kid', async () => {
    await assert.rejects(call('RevokeIssuingKey', { kid: 'B'.repeat(43), reason: 'x' }), (e: grpc.ServiceError) => e.code === grpc.status.NOT_FOUND);
    await assert.rejects(call('RevokeIssuingKey', { kid: '', reason: 'x' }), (e: grpc.ServiceError) => e.code === grpc.status.INVALID_ARGUMENT && e.metadata.get('signet-field')[0] === 'kid');
  });
});

describe('credentials.signing in the configuration', () => {
  it('refuses a mode other than certified or direct, naming the field', () => {
    assert.throws(() => resolveConfig({ keys: { issuer: 'file:/tmp/x.pem', ledger: 'file:/tmp/y.pem' }, credentials: { signing: 'hsm' } }, {}), (e: { code?: string; field?: string }) => e.code === 'CONFIG' && e.field === 'credentials.signing');
    assert.throws(() => resolveConfig({ keys: { issuer: 'file:/tmp/x.pem', ledger: 'file:/tmp/y.pem' }, credentials: { issuing_key_ttl: 10 } }, {}), (e: { code?: string; field?: string }) => e.code === 'CONFIG' && e.field === 'credentials.issuing_key_ttl');
  });
});
