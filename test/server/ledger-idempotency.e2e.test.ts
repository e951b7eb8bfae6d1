// Idempotency keys over gRPC with mutual TLS: each client certificate's identity is its own
// namespace, a key is bound to its first record, and Signet's reserved prefix stays reserved.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { SignetClient, isSignetClientError } from '../../src/client/index.js';
import type { ReceiptRecord } from '../../src/gen/signet/v1/ReceiptRecord.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { createTestPki, type TestPki } from '../helpers/tls.js';
import { hexOf } from '../ledger/fixtures.js';

const record = (resource: string, outcome = 'success'): ReceiptRecord => ({
  agent: 'agent-1',
  action: 'repo.push',
  resource,
  request_sha256: hexOf(`req ${resource}`),
  response_sha256: hexOf(`res ${resource}`),
  outcome,
});

const entryOf = (r: { entry: Buffer }) => JSON.parse(r.entry.toString()) as Record<string, unknown>;

describe('LedgerService idempotency keys per caller (mutual TLS)', () => {
  let pki: TestPki;
  let server: TestServer;
  let aliceClient: SignetClient;
  let malloryClient: SignetClient;
  let alice: SignetClient['ledger'];
  let mallory: SignetClient['ledger'];

  const clientFor = (cert: { cert: string; key: string }) =>
    new SignetClient({ address: `localhost:${server.running.port}`, tls: { ca: readFileSync(pki.caCert), cert: readFileSync(cert.cert), key: readFileSync(cert.key) }, retry: false });
  const failsWith = (code: string, field: string) => (e: unknown) => {
    assert.ok(isSignetClientError(e), String(e));
    assert.equal(e.code, code);
    assert.equal(e.field, field);
    return true;
  };

  before(async () => {
    pki = createTestPki();
    server = await startTestServer({ tls: { cert: pki.serverCert, key: pki.serverKey, client_ca: pki.caCert } });
    aliceClient = clientFor(pki.client('alice', 'spiffe://example.org/alice'));
    malloryClient = clientFor(pki.client('mallory', 'spiffe://example.org/mallory'));
    alice = aliceClient.ledger;
    mallory = malloryClient.ledger;
  });
  after(async () => {
    aliceClient?.close();
    malloryClient?.close();
    await server?.stop();
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('when another caller pre-registers a key, the owner\'s append still writes the owner\'s record', async () => {
    const forged = await mallory.appendReceipt({ receipt: record('s3://alice/report', 'forged'), idempotency_key: 'order-42' });
    const mine = await alice.appendReceipt({ receipt: record('s3://alice/report'), idempotency_key: 'order-42' });
    assert.notEqual(mine.index, forged.index);
    assert.equal(entryOf(mine).outcome, 'success');
    const retried = await alice.appendReceipt({ receipt: record('s3://alice/report'), idempotency_key: 'order-42' });
    assert.equal(retried.index, mine.index);
    assert.deepEqual(retried.entry, mine.entry);
  });

  it('when a caller reuses its key with another record, ALREADY_EXISTS naming the field, with nothing of the first entry', async () => {
    await alice.appendReceipts({ receipts: [{ receipt: record('s3://alice/a'), idempotency_key: 'batch-key' }] });
    const before = (await alice.getCheckpoint({})).size;
    await assert.rejects(alice.appendReceipts({ receipts: [{ receipt: record('s3://alice/plain') }, { receipt: record('s3://alice/b'), idempotency_key: 'batch-key' }] }), (e: unknown) => {
      failsWith('ALREADY_EXISTS', 'receipts[1].idempotency_key')(e);
      assert.doesNotMatch((e as Error).message, /alice\/a|index|\b\d+\b(?!\])/);
      return true;
    });
    assert.equal((await alice.getCheckpoint({})).size, before, 'the refused call wrote nothing');
  });

  it('keys starting with "signet:" stay reserved for Signet\'s own entries', async () => {
    await assert.rejects(alice.appendReceipt({ receipt: record('s3://x'), idempotency_key: 'signet:issuance:x' }), failsWith('INVALID_ARGUMENT', 'idempotency_key'));
  });
});
