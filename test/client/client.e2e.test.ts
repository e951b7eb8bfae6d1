// The typed client against a real Signet server on an ephemeral port: every RPC of the three
// services through one client object, errors with their code and field, and a deadline honoured.
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { AgentKey } from '../../src/client/agent.js';
import { SignetClient, SignetClientError, isSignetClientError } from '../../src/client/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const POLICY = `version: 1
rules:
  - name: writers-read-docs
    agents: [{group: writers}]
    actions: ["doc:read"]
    resources: ["docs/*"]
    require_pop: true
`;

const hex = (c: string) => c.repeat(64);

describe('SignetClient against a real Signet server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-client-'));
  let server: TestServer;
  let signet: SignetClient;

  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    server = await startTestServer({
      keys: { default: 'file:{dir}/sign.pem?create=true' },
      credentials: { issuer: 'https://signet.client-test', policy: join(dir, 'policy.yaml') },
      ledger: { origin: 'signet.test/client' },
    });
    signet = new SignetClient({ address: server.address });
  });
  after(async () => {
    signet?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('SigningService: Sign, SignBatch, GetPublicKey and ListKeys, checked with node:crypto', async () => {
    const keys = await signet.signing.listKeys({});
    assert.deepEqual(keys.keys.map((k) => k.name).sort(), ['default', 'issuer', 'ledger']);
    const { public_key } = await signet.signing.getPublicKey({ key: 'default' });
    const pub = createPublicKey(public_key!.spki_pem);
    const one = await signet.signing.sign({ key: 'default', message: Buffer.from('hello') });
    assert.equal(one.algorithm, 'ALGORITHM_ED25519');
    assert.ok(verify(null, Buffer.from('hello'), pub, one.signature));
    const batch = await signet.signing.signBatch({ key: 'default', messages: [Buffer.from('a'), Buffer.from('b')] });
    assert.ok(verify(null, Buffer.from('b'), pub, batch.signatures[1]!.signature));
  });

  it('LedgerService: appends, entries, checkpoints, proofs and VerifyChain', async () => {
    const receipt = { agent: 'a', action: 'x', resource: 'r', request_sha256: hex('1'), response_sha256: hex('2'), outcome: 'success' };
    const r1 = await signet.ledger.appendReceipt({ receipt, idempotency_key: 'client-test-1' });
    const again = await signet.ledger.appendReceipt({ receipt, idempotency_key: 'client-test-1' });
    assert.equal(again.index, r1.index);
    const many = await signet.ledger.appendReceipts({ receipts: [{ receipt }, { receipt }] });
    assert.equal(many.receipts.length, 2);
    const entry = await signet.ledger.getEntry({ index: r1.index });
    assert.deepEqual(Buffer.from(entry.entry), Buffer.from(r1.entry));
    const page = await signet.ledger.getEntries({ start: 0, page_size: 2 });
    assert.equal(page.entries.length, 2);
    const cp = await signet.ledger.getCheckpoint({});
    assert.ok(cp.size >= 3);
    assert.match(cp.note, /^signet\.test\/client\n/);
    const inc = await signet.ledger.getInclusionProof({ index: r1.index });
    assert.equal(inc.tree_size, cp.size);
    const cons = await signet.ledger.getConsistencyProof({ size1: 1 });
    assert.equal(cons.size2, cp.size);
    const chain = await signet.ledger.verifyChain({});
    assert.equal(chain.valid, true);
  });

  it('CredentialService: every RPC, with a proof-of-possession credential that jose verifies', async () => {
    const key = AgentKey.generate();
    const agent = await signet.credentials.registerAgent({ name: 'w', public_key_jwk: JSON.stringify(key.publicJwk), owner: 'o', groups: ['writers', 'g2'] });
    assert.equal(agent.id, key.did);
    assert.equal(agent.key_thumbprint, key.thumbprint);
    assert.equal((await signet.credentials.getAgent({ agent_id: agent.id })).name, 'w');
    assert.ok((await signet.credentials.listAgents({ group: 'writers' })).agents.some((a) => a.id === agent.id));
    const intent = { action: 'doc:read', resource: 'docs/readme' };
    const decision = await signet.credentials.authorize({ agent_id: agent.id, intent });
    assert.equal(decision.decision, 'ALLOW');
    assert.equal(decision.require_pop, true);
    const issued = await signet.credentials.issue({ agent_id: agent.id, intent, audience: 'docs', pop: key.issueProof(intent, 'docs') });
    assert.equal(issued.pop_verified, true);
    const jwks = JSON.parse((await signet.credentials.getJwks({})).jwks_json) as { keys: JWK[] };
    const jwk = jwks.keys.find((k) => k.kid === issued.kid)!;
    const { payload } = await jwtVerify(issued.token, await importJWK(jwk, jwk.alg), { issuer: 'https://signet.client-test', audience: 'docs' });
    assert.deepEqual(payload.cnf, { jkt: key.thumbprint });
    const ok = await signet.credentials.verifyCredential({ token: issued.token, intent, audience: 'docs', presentation: key.presentationProof(issued.token, 'docs') });
    assert.equal(ok.reason, 'ok');
    assert.equal((await signet.credentials.revokeCredential({ jti: issued.jti, reason: 'test' })).revoked, true);
    const passport = await signet.credentials.issuePassport({ agent_id: agent.id });
    assert.equal((await signet.credentials.verifyPassport({ token: passport.token, online: true })).valid, true);
    const other = AgentKey.generate();
    await signet.credentials.registerAgent({ name: 'v', public_key_jwk: JSON.stringify(other.publicJwk), owner: 'o', groups: ['g2'] });
    assert.equal((await signet.credentials.revokeAgent({ agent_id: other.did, reason: 'test' })).revoked, true);
    const group = await signet.credentials.revokeGroup({ group: 'g2', reason: 'test' });
    assert.deepEqual(group.agent_ids, [agent.id]);
  });

  it('when the server refuses, the error carries the status name, the numeric status and signet-field', async () => {
    const receipt = { agent: 'a', action: 'x', resource: 'r', request_sha256: hex('1'), response_sha256: hex('2'), outcome: 'success' };
    const err = await signet.ledger.appendReceipt({ receipt, idempotency_key: 'signet:mine' }).catch((e: unknown) => e);
    assert.ok(isSignetClientError(err, 'INVALID_ARGUMENT'), String(err));
    assert.equal(err.status, 3);
    assert.equal(err.field, 'idempotency_key');
    assert.equal(err.method, 'signet.v1.LedgerService/AppendReceipt');
    assert.equal(err.attempts, 1);
    const denied = await signet.credentials.issue({ agent_id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', intent: { action: 'doc:read', resource: 'docs/x' }, audience: 'docs' }).catch((e: unknown) => e);
    assert.ok(isSignetClientError(denied, 'NOT_FOUND'), String(denied));
  });

  it('when the caller cancels through its AbortSignal, the call rejects with CANCELLED', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await signet.signing.listKeys({}, { signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(err instanceof SignetClientError && err.code === 'CANCELLED', String(err));
  });
});
