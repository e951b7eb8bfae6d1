import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { createLocalJWKSet, createRemoteJWKSet, jwtVerify } from 'jose';
import { blake2b } from '@noble/hashes/blake2.js';
import { unary } from '../../src/client/grpc.js';
import { startJwksHttp } from '../../src/server/jwks-http.js';
import { startCredentialStack, type GrpcStack } from './grpc-stack.js';

const POLICY = `
rules:
  - name: ci-read
    agents: [{group: ci}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
    audiences: [https://api.github.com]
    require_pop: true
  - name: mcp-search
    agents: [{group: ci}]
    actions: [tools/call]
    resources: ["mcp://search/*"]
    single_use: true
`;
const AUD = 'https://api.github.com';
const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
const JCS = '{"action":"repo:read","resource":"github.com/acme/app"}';
const FP = Buffer.from(blake2b(Buffer.from(JCS), { dkLen: 32 })).toString('base64url');

function pop(privateKey: KeyObject, fp: string, audience: string, timestamp = Math.floor(Date.now() / 1000), nonce = randomBytes(16).toString('base64url')) {
  // The documented SIGNET-POP-V2 string: ttl_seconds 0 (the default) and no delegation.
  const msg = ['SIGNET-POP-V2', 'signet.v1.CredentialService/Issue', fp, audience, '0', '', String(timestamp), nonce].join('\n');
  return { timestamp, nonce, signature: nodeSign(null, Buffer.from(msg), privateKey).toString('base64url') };
}

/** The presentation proof for a cnf-bound token, from the documented string. */
function presentation(privateKey: KeyObject, token: string, audience: string, timestamp = Math.floor(Date.now() / 1000)) {
  const digest = createHash('sha256').update(token).digest('base64url');
  const nonce = randomBytes(16).toString('base64url');
  const msg = ['SIGNET-POP-V1', 'present', digest, audience, String(timestamp), nonce].join('\n');
  return { timestamp, nonce, signature: nodeSign(null, Buffer.from(msg), privateKey).toString('base64url') };
}

describe('CredentialService end to end (SoftHSM Ed25519 issuing key, real ledger, gRPC)', () => {
  let s: GrpcStack;
  let agentId: string;
  let agentKey: KeyObject;
  let agentJwk: { x: string };
  const call = <Res>(method: string, req: unknown) => unary<unknown, Res>(s.client, (s.client as any)[method], req, { timeoutMs: 10_000 });

  before(async () => {
    s = await startCredentialStack({ policyText: POLICY });
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    agentKey = privateKey;
    agentJwk = publicKey.export({ format: 'jwk' }) as { x: string };
    const agent = await call<{ id: string; key_thumbprint: string }>('RegisterAgent', { name: 'ci-bot', public_key_jwk: JSON.stringify(agentJwk), owner: 'acme', groups: ['ci'] });
    agentId = agent.id;
  });
  after(() => s.stop());

  it('registers an agent under its did:key and reads it back', async () => {
    assert.match(agentId, /^did:key:z6Mk/);
    const got = await call<{ id: string; groups: string[]; revoked: boolean }>('GetAgent', { agent_id: agentId });
    assert.equal(got.id, agentId);
    assert.deepEqual(got.groups, ['ci']);
    assert.equal(got.revoked, false);
  });

  it('issues with a signed request; jose verifies the token against GetJwks with the SoftHSM key as kid', async () => {
    const res = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
    assert.equal(res.alg, 'EdDSA');
    assert.equal(res.kid, s.signer.keyId());
    assert.equal(s.signer.driver, 'pkcs11');
    assert.equal(res.intent_fp, FP);
    const { jwks_json } = await call<{ jwks_json: string }>('GetJwks', {});
    const { payload, protectedHeader } = await jwtVerify(res.token, createLocalJWKSet(JSON.parse(jwks_json)), { issuer: 'https://signet.test', audience: AUD });
    assert.equal(protectedHeader.kid, s.signer.keyId());
    assert.equal(protectedHeader.alg, 'EdDSA');
    assert.equal(payload.sub, agentId);
    assert.equal(payload.intent_fp, FP);
    const jkt = createHash('sha256').update(`{"crv":"Ed25519","kty":"OKP","x":"${agentJwk.x}"}`).digest('base64url');
    assert.deepEqual(payload.cnf, { jkt });
    // The issuance entry is in the real ledger at the index the answer gave.
    const stored = await s.ledger.reader.entry(res.ledger_index);
    const entry = JSON.parse(Buffer.from(stored.entry).toString());
    assert.equal(entry.type, 'issuance');
    assert.equal(entry.jti, res.jti);
    assert.equal(entry.response_sha256, createHash('sha256').update(res.token).digest('hex'));
  });

  it('verifies for the same intent with the holder\'s presentation proof, and refuses another intent with intent_mismatch', async () => {
    const { token } = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
    const ok = await call<any>('VerifyCredential', { token, intent, audience: AUD, presentation: presentation(agentKey, token, AUD) });
    assert.equal(ok.valid, true);
    assert.equal(ok.reason, 'ok');
    assert.equal(ok.agent_id, agentId);
    const bad = await call<any>('VerifyCredential', { token, intent: { action: 'repo:delete', resource: intent.resource }, audience: AUD });
    assert.equal(bad.valid, false);
    assert.equal(bad.reason, 'intent_mismatch');
  });

  it('when a cnf-bound token is presented without a proof, or with a stranger\'s: pop_required / pop_failed', async () => {
    const { token } = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
    const none = await call<any>('VerifyCredential', { token, intent, audience: AUD });
    assert.equal(none.valid, false);
    assert.equal(none.reason, 'pop_required');
    const stranger = generateKeyPairSync('ed25519').privateKey;
    const wrong = await call<any>('VerifyCredential', { token, intent, audience: AUD, presentation: presentation(stranger, token, AUD) });
    assert.equal(wrong.reason, 'pop_failed');
  });

  it('when the policy does not allow the intent: PERMISSION_DENIED with the reason', async () => {
    await assert.rejects(
      call('Issue', { agent_id: agentId, intent: { action: 'repo:write', resource: 'github.com/acme/app' }, audience: AUD }),
      (e: grpc.ServiceError) => e.code === grpc.status.PERMISSION_DENIED && /default deny/.test(e.details),
    );
  });

  it('when the signed request is replayed: UNAUTHENTICATED pop_replayed_nonce', async () => {
    const proof = pop(agentKey, FP, AUD);
    await call('Issue', { agent_id: agentId, intent, audience: AUD, pop: proof });
    await assert.rejects(call('Issue', { agent_id: agentId, intent, audience: AUD, pop: proof }), (e: grpc.ServiceError) => e.code === grpc.status.UNAUTHENTICATED && /pop_replayed_nonce/.test(e.details));
  });

  it('answers Authorize for an MCP tool, and a single-use credential is consumed once', async () => {
    const allow = await call<any>('Authorize', { agent_id: agentId, mcp_tool: { server: 'search', tool: 'web' } });
    assert.equal(allow.decision, 'ALLOW');
    assert.equal(allow.rule, 'mcp-search');
    assert.equal(allow.single_use, true);
    const deny = await call<any>('Authorize', { agent_id: agentId, mcp_tool: { server: 'shell', tool: 'exec' } });
    assert.equal(deny.decision, 'DENY');
    const mcp = { action: 'tools/call', resource: 'mcp://search/web' };
    const { token } = await call<any>('Issue', { agent_id: agentId, intent: mcp, audience: 'mcp-gateway' });
    const results = await Promise.all(Array.from({ length: 10 }, () => call<any>('VerifyCredential', { token, intent: mcp, audience: 'mcp-gateway' })));
    assert.equal(results.filter((r) => r.valid).length, 1);
    assert.equal(results.filter((r) => r.reason === 'already_used').length, 9);
  });

  it('serves the JWKS over HTTP so a stock JWT library fetches it and verifies', async () => {
    const http = await startJwksHttp('127.0.0.1', 0, () => s.credentials.jwks());
    try {
      const url = new URL(`http://127.0.0.1:${http.port}/.well-known/jwks.json`);
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('cache-control') ?? '', /max-age=\d+/);
      assert.equal(res.headers.get('content-type'), 'application/jwk-set+json');
      assert.equal((await fetch(new URL('/other', url))).status, 404);
      const { token } = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
      const { payload } = await jwtVerify(token, createRemoteJWKSet(url), { audience: AUD });
      assert.equal(payload.sub, agentId);
    } finally {
      await http.close();
    }
  });

  it('passports verify offline and fail online after RevokeCredential/RevokeAgent; credentials then fail with agent_revoked', async () => {
    const { token } = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
    const other = await call<any>('Issue', { agent_id: agentId, intent, audience: AUD, pop: pop(agentKey, FP, AUD) });
    assert.equal((await call<any>('RevokeCredential', { jti: other.jti, reason: 'test' })).revoked, true);
    assert.equal((await call<any>('VerifyCredential', { token: other.token, intent, audience: AUD })).reason, 'revoked');
    const passport = await call<any>('IssuePassport', { agent_id: agentId, ttl_seconds: 600 });
    const { jwks_json } = await call<{ jwks_json: string }>('GetJwks', {});
    const { payload } = await jwtVerify(passport.token, createLocalJWKSet(JSON.parse(jwks_json)), { typ: 'signet-passport+jwt' });
    assert.equal(payload.sub, agentId);
    assert.equal((await call<any>('VerifyPassport', { token: passport.token, online: true })).reason, 'ok');
    const revoked = await call<any>('RevokeAgent', { agent_id: agentId, reason: 'retired' });
    assert.equal(revoked.revoked, true);
    assert.equal((await call<any>('VerifyPassport', { token: passport.token, online: true })).reason, 'agent_revoked');
    assert.equal((await call<any>('VerifyPassport', { token: passport.token, online: false })).valid, true);
    assert.equal((await call<any>('VerifyCredential', { token, intent, audience: AUD })).reason, 'agent_revoked');
  });

  it('the ledger holds every step and its chain verifies', async () => {
    const types = new Set<string>();
    for (let i = 0; i < s.ledger.size; i++) types.add(JSON.parse(Buffer.from((await s.ledger.reader.entry(i)).entry).toString()).type);
    for (const t of ['agent_registration', 'issuance', 'denial', 'verification', 'consumption', 'revocation', 'attestation_failure']) assert.ok(types.has(t), `${t} recorded`);
    const report = await s.ledger.verifyChain();
    assert.equal(report.valid, true);
  });
});
