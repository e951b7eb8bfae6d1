// Whose receipt is it: every receipt appended over the API records the authenticated caller the
// server saw (`caller`), which no request field can set, and authorization rules can bind a caller
// to the agents it may name (receipts, Authorize, Issue, IssuePassport). Over real mutual TLS.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentKey } from '../../src/client/agent.js';
import { after, before, describe, it } from 'node:test';
import { SignetClient, SignetClientError, verifyReceiptBundle } from '../../src/client/index.js';
import { createTestPki, type TestPki } from '../helpers/tls.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seeded } from '../helpers/seeded.js';

const A = 'spiffe://example.org/runtime-a';
const C = 'spiffe://example.org/gateway-c';
const POLICY = `version: 1
rules:
  - name: readers
    agents: [{group: readers}]
    actions: ["doc:read"]
    resources: ["docs/*"]
`;
const B = 'spiffe://example.org/auditor-b';
const hex = (c: string) => c.repeat(64);
const receipt = (agent: string, i = 0) => ({ agent, action: 'files.read', resource: `s3://b/o-${i}`, request_sha256: hex('a'), response_sha256: hex('b'), outcome: 'success' });

describe('the caller of a receipt, over mutual TLS', () => {
  let pki: TestPki;
  let server: TestServer;
  let ledgerPem: string;
  const clients: SignetClient[] = [];
  const as = (cn: string, uri: string) => {
    const cert = pki.client(cn, uri);
    const c = new SignetClient({ address: `localhost:${server.running.port}`, deadlineMs: 5000, retry: false, tls: { ca: { path: pki.caCert }, cert: { path: cert.cert }, key: { path: cert.key } } });
    clients.push(c);
    return c;
  };
  let a: SignetClient;
  let b: SignetClient;

  before(async () => {
    pki = createTestPki();
    writeFileSync(join(pki.dir, 'policy.yaml'), POLICY);
    server = await startTestServer({
      keys: { ledger: 'file:{dir}/ledger.pem?create=true' },
      tls: { cert: pki.serverCert, key: pki.serverKey, client_ca: pki.caCert },
      credentials: { issuer: 'https://signet.caller-test', policy: join(pki.dir, 'policy.yaml') },
      authorization: [
        // C is a gateway for every agent: what it asks for is recorded as asked by C.
        { identity: `uri:${C}`, rpcs: ['signet.v1.CredentialService/*', 'signet.v1.LedgerService/*'] },
        // A runs agent-a (and the agents of its fleet); it may speak for no one else.
        { identity: `uri:${A}`, rpcs: ['signet.v1.LedgerService/*', 'signet.v1.CredentialService/*'], agents: ['agent-a', 'fleet-a/**'] },
        // B has no agent binding: any agent name, but its receipts say B appended them.
        { identity: `uri:${B}`, rpcs: ['signet.v1.LedgerService/*', 'signet.v1.CredentialService/Authorize'] },
      ],
    });
    ledgerPem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
    a = as('runtime-a', A);
    b = as('auditor-b', B);
  });
  after(async () => {
    for (const c of clients) c.close();
    await server?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  const size = async () => (await a.ledger.getCheckpoint({})).size;
  const denied = async (p: Promise<unknown>, field: string) => {
    const err = await p.then(
      () => assert.fail('allowed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof SignetClientError, String(err));
    assert.equal(err.code, 'PERMISSION_DENIED', err.message);
    assert.equal(err.field, field);
  };

  it('an appended receipt records the caller the server authenticated, and verifies offline with it', async () => {
    const r = await a.ledger.appendReceipt({ receipt: receipt('agent-a') });
    const verdict = verifyReceiptBundle(r, { keys: ledgerPem });
    assert.ok(verdict.valid, JSON.stringify(verdict));
    assert.equal(verdict.entry.agent, 'agent-a');
    assert.equal(verdict.entry.caller, `uri:${A}`);
    const batch = await b.ledger.appendReceipts({ receipts: [{ receipt: receipt('agent-a', 1) }, { receipt: receipt('anyone', 2) }] });
    for (const r2 of batch.receipts) {
      const v = verifyReceiptBundle(r2, { keys: ledgerPem });
      assert.ok(v.valid);
      // B may name agent-a, but the entry says B appended it: the auditor sees who spoke.
      assert.equal(v.entry.caller, `uri:${B}`);
    }
  });

  it('a caller bound to agents cannot append a receipt in another agent\'s name (nothing written)', async () => {
    const before = await size();
    await denied(a.ledger.appendReceipt({ receipt: receipt('agent-b') }), 'receipt.agent');
    await denied(a.ledger.appendReceipts({ receipts: [{ receipt: receipt('agent-a') }, { receipt: receipt('agent-b') }] }), 'receipts[1].receipt.agent');
    assert.equal(await size(), before);
  });

  it('generated respellings of a bound agent name are other agents: refused', async () => {
    const rnd = seeded(20261128);
    const spell: Array<(s: string) => string> = [
      (s) => s.toUpperCase(),
      (s) => `${s} `,
      (s) => ` ${s}`,
      (s) => `${s}\u200b`,
      (s) => s.replace('a', '\u0430'), // Cyrillic a
      (s) => s.normalize('NFD').replace('-', '\u2010'),
      (s) => `${s}/x`,
      (s) => `fleet-a/../${s}`,
      (s) => `${s}-2`,
      (s) => s.slice(0, -1),
    ];
    const before = await size();
    for (let i = 0; i < 40; i++) {
      const name = rnd.pick(spell)('agent-a');
      if (name === 'agent-a') continue;
      await denied(a.ledger.appendReceipt({ receipt: receipt(name, i) }), 'receipt.agent');
    }
    assert.equal(await size(), before);
    // The fleet pattern allows names under it, and only those.
    assert.ok((await a.ledger.appendReceipt({ receipt: receipt('fleet-a/worker-7') })).entry.length > 0);
    await denied(a.ledger.appendReceipt({ receipt: receipt('fleet-ab/worker-7') }), 'receipt.agent');
  });

  it('a caller bound to agents cannot Authorize, Issue or IssuePassport for another agent', async () => {
    const intent = { action: 'files.read', resource: 's3://b/o', constraints_json: '' };
    await denied(a.credentials.authorize({ agent_id: 'agent-b', intent }), 'agent_id');
    await denied(a.credentials.issue({ agent_id: 'agent-b', intent, audience: 'svc' }), 'agent_id');
    await denied(a.credentials.issuePassport({ agent_id: 'agent-b', ttl_seconds: 60 }), 'agent_id');
    // Within its binding the request goes on to the domain (the agent is not registered here).
    const err = await a.credentials.authorize({ agent_id: 'agent-a', intent }).catch((e: unknown) => e);
    assert.ok(err instanceof SignetClientError && err.code === 'NOT_FOUND', String(err));
  });

  it("Signet's own entries for a credentials call record who asked: issuance, denial, verification, passport", async () => {
    const c = as('gateway-c', C);
    const key = AgentKey.generate();
    const agent = await c.credentials.registerAgent({ name: 'r', public_key_jwk: JSON.stringify(key.publicJwk), owner: 'o', groups: ['readers'] });
    const from = await size();
    const intent = { action: 'doc:read', resource: 'docs/a', constraints_json: '' };
    const issued = await c.credentials.issue({ agent_id: agent.id, intent, audience: 'docs' });
    await c.credentials.authorize({ agent_id: agent.id, intent: { ...intent, resource: 'secrets/a' } });
    await c.credentials.verifyCredential({ token: issued.token, intent, audience: 'docs' });
    await c.credentials.issuePassport({ agent_id: agent.id, ttl_seconds: 60 });
    const entries = (await c.ledger.getEntries({ start: from, page_size: 100 })).entries.map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')) as Record<string, unknown>);
    const kinds = entries.filter((e) => e.agent === agent.id).map((e) => [e.type, e.what ?? '', e.caller]);
    assert.deepEqual(kinds, [
      ['issuance', '', `uri:${C}`],
      ['denial', 'authorize', `uri:${C}`],
      ['verification', '', `uri:${C}`],
      ['issuance', 'passport', `uri:${C}`],
    ]);
  });
});

describe('the caller of a receipt without client certificates', () => {
  let server: TestServer;
  let client: SignetClient;
  before(async () => {
    server = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' } });
    client = new SignetClient({ address: server.address });
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  it('is recorded as anonymous: the entry says no one authenticated', async () => {
    const r = await client.ledger.appendReceipt({ receipt: receipt('agent-a') });
    const entry = JSON.parse(Buffer.from(r.entry).toString('utf8')) as Record<string, unknown>;
    assert.equal(entry.caller, 'anonymous');
    assert.equal(entry.agent, 'agent-a');
  });
});
