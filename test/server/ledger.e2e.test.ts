// LedgerService end to end: a real gRPC server on an ephemeral port, a real client, the ledger key
// held in SoftHSM, and every receipt, proof and checkpoint checked independently with node:crypto.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SignetClient, type LedgerApi } from '../../src/client/client.js';
import type { ReceiptRecord } from '../../src/gen/signet/v1/ReceiptRecord.js';
import type { Receipt__Output } from '../../src/gen/signet/v1/Receipt.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startGrpcServer, type RunningGrpcServer } from '../../src/server/grpc-server.js';
import { ledgerService } from '../../src/server/ledger-service.js';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { softhsmKey } from '../helpers/softhsm.js';
import { codeOf, fieldOf } from '../helpers/server.js';
import { checkNote, checkReceipt, consistent, rootFromInclusion } from '../ledger/independent.js';
import { hexOf } from '../ledger/fixtures.js';

const ORIGIN = 'signet.test/e2e';
const LIMITS = { maxMessageBytes: 8 * 1024 * 1024, maxBatch: 1000, maxInFlight: 1000 };

const record = (i: number, extra: Partial<ReceiptRecord> = {}): ReceiptRecord => ({
  agent: `agent-${i % 3}`,
  action: 'repo.push',
  resource: `git://repo/${i}`,
  request_sha256: hexOf(`req ${i}`),
  response_sha256: hexOf(`res ${i}`),
  outcome: 'success',
  jti: `jti-${i}`,
  metadata_json: JSON.stringify({ attempt: 1 }),
  ...extra,
});

const bundleOf = (r: Receipt__Output) => ({
  entry: r.entry,
  index: r.index,
  leafHash: r.leaf_hash,
  inclusionProof: r.inclusion_proof,
  checkpoint: r.checkpoint,
  treeSize: r.tree_size,
});

type LedgerClient = LedgerApi & { close(): void };

/** The typed client's ledger API, without retries: these tests look at each single answer. */
function ledgerClient(address: string): LedgerClient {
  const client = new SignetClient({ address, retry: false });
  return Object.assign(client.ledger, { close: () => client.close() });
}

async function serve(ledger: Ledger): Promise<{ server: RunningGrpcServer; client: LedgerClient }> {
  const server = await startGrpcServer('127.0.0.1:0', { modules: [ledgerService(ledger)], logger: silentLogger, limits: LIMITS });
  return { server, client: ledgerClient(`127.0.0.1:${server.port}`) };
}

const rejectsWith = async (p: Promise<unknown>, status: grpc.status, field?: string) => {
  await assert.rejects(p, (e) => {
    assert.equal(codeOf(e), status, String(e));
    if (field) assert.equal(fieldOf(e), field);
    return true;
  });
};

describe('LedgerService over gRPC with a SoftHSM ledger key', () => {
  let dir: string;
  let signer: Signer;
  let pem: string;
  let ledger: Ledger;
  let server: RunningGrpcServer;
  let client: LedgerClient;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-ledger-e2e-'));
    signer = await openSigner(await softhsmKey('ed25519'));
    assert.equal(signer.driver, 'pkcs11');
    pem = (await signer.publicKey()).pem;
    ledger = await Ledger.open({ path: join(dir, 'ledger.db'), signer, origin: ORIGIN, batch: { maxDelayMs: 5 } });
    ({ server, client } = await serve(ledger));
  });
  after(async () => {
    client?.close();
    await server?.shutdown(1000);
    await signer?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('appends one receipt and answers with a bundle that verifies with the public key alone', async () => {
    const res = await client.appendReceipt({ receipt: record(0) });
    const entry = checkReceipt(bundleOf(res), pem, ORIGIN);
    assert.deepEqual([entry.type, entry.agent, entry.jti, entry.metadata], ['receipt', 'agent-0', 'jti-0', { attempt: 1 }]);
    assert.equal(res.index, 0);
  });

  it('appends many receipts in one call under one checkpoint, each with its own proof', async () => {
    const before = ledger.stats.signatures;
    const res = await client.appendReceipts({ receipts: Array.from({ length: 50 }, (_, i) => ({ receipt: record(i + 1) })) });
    assert.equal(res.receipts.length, 50);
    assert.equal(ledger.stats.signatures - before, 1);
    const indices = new Set(res.receipts.map((r) => r.index));
    assert.equal(indices.size, 50);
    for (const r of res.receipts) checkReceipt(bundleOf(r), pem, ORIGIN);
  });

  it('when an append is retried with its idempotency key, answers the original receipt without writing', async () => {
    const first = await client.appendReceipt({ receipt: record(100), idempotency_key: 'retry-me' });
    const size = ledger.size;
    const again = await client.appendReceipt({ receipt: record(100), idempotency_key: 'retry-me' });
    assert.equal(again.index, first.index);
    assert.deepEqual(again.entry, first.entry);
    assert.equal(ledger.size, size);
    checkReceipt(bundleOf(again), pem, ORIGIN);
  });

  it('pages through entries with page tokens, in index order', async () => {
    const seen: number[] = [];
    let page_token = '';
    do {
      const res = await client.getEntries({ start: 0, page_size: 20, page_token });
      for (const e of res.entries) seen.push(e.index);
      page_token = res.next_page_token;
    } while (page_token);
    assert.deepEqual(seen, Array.from({ length: ledger.size }, (_, i) => i));
    const one = await client.getEntry({ index: 7 });
    assert.equal(JSON.parse(one.entry.toString()).resource, 'git://repo/7');
  });

  it('serves checkpoints and inclusion proofs, by index and by leaf hash, that verify independently', async () => {
    const latest = await client.getCheckpoint({});
    const cp = checkNote(latest.note, pem);
    assert.equal(cp.size, latest.size);
    const byIndex = await client.getInclusionProof({ index: 3 });
    assert.equal(byIndex.tree_size, latest.size);
    assert.ok(rootFromInclusion(byIndex.leaf_hash, 3, byIndex.tree_size, byIndex.proof).equals(cp.root));
    const byLeaf = await client.getInclusionProof({ leaf_hash: byIndex.leaf_hash, tree_size: 51 });
    assert.deepEqual([byLeaf.index, byLeaf.tree_size], [3, 51]);
    const at51 = checkNote(byLeaf.checkpoint, pem);
    assert.ok(rootFromInclusion(byLeaf.leaf_hash, 3, 51, byLeaf.proof).equals(at51.root));
  });

  it('serves consistency proofs between checkpoints that verify independently', async () => {
    const old = await client.getCheckpoint({ size: 1 });
    const res = await client.getConsistencyProof({ size1: 1 });
    const now = checkNote(res.checkpoint, pem);
    assert.ok(consistent(1, res.size2, res.proof, checkNote(old.note, pem).root, now.root));
    assert.equal(consistent(1, res.size2, res.proof, now.root, now.root), false);
  });

  it('runs VerifyChain over the whole ledger and over a range', async () => {
    const whole = await client.verifyChain({});
    assert.deepEqual([whole.valid, whole.entries_checked, whole.end], [true, ledger.size, ledger.size]);
    assert.equal(whole.first_bad_index, undefined);
    const range = await client.verifyChain({ start: 10, end: 51 });
    assert.deepEqual([range.valid, range.entries_checked], [true, 41]);
  });

  describe('bad input', () => {
    it('when the entry type is unknown, answers INVALID_ARGUMENT naming receipt.type', () =>
      rejectsWith(client.appendReceipt({ receipt: record(1, { type: 'payment' }) }), grpc.status.INVALID_ARGUMENT, 'receipt.type'));
    it('when metadata is over its limit, answers INVALID_ARGUMENT naming receipt.metadata', () =>
      rejectsWith(client.appendReceipt({ receipt: record(1, { metadata_json: JSON.stringify({ x: 'y'.repeat(5000) }) }) }), grpc.status.INVALID_ARGUMENT, 'receipt.metadata'));
    it('when one receipt of many is bad, answers INVALID_ARGUMENT naming it and appends none', async () => {
      const size = ledger.size;
      await rejectsWith(client.appendReceipts({ receipts: [{ receipt: record(1) }, { receipt: record(2, { request_sha256: 'nope' }) }] }), grpc.status.INVALID_ARGUMENT, 'receipts[1].receipt.request_sha256');
      assert.equal(ledger.size, size);
    });
    it('when a proof is asked for an index beyond the tree, answers OUT_OF_RANGE', () =>
      rejectsWith(client.getInclusionProof({ index: 1_000_000 }), grpc.status.OUT_OF_RANGE));
    it('when an entry is asked beyond the tree, answers OUT_OF_RANGE', () =>
      rejectsWith(client.getEntry({ index: 1_000_000 }), grpc.status.OUT_OF_RANGE));
    it('when size1 > size2, answers INVALID_ARGUMENT naming size1', () =>
      rejectsWith(client.getConsistencyProof({ size1: 40, size2: 1 }), grpc.status.INVALID_ARGUMENT, 'size1'));
    it('when a checkpoint is asked at a size beyond the tree, answers OUT_OF_RANGE', () =>
      rejectsWith(client.getCheckpoint({ size: 1_000_000 }), grpc.status.OUT_OF_RANGE));
    it('when VerifyChain is asked beyond the tree, answers OUT_OF_RANGE', () =>
      rejectsWith(client.verifyChain({ end: 1_000_000 }), grpc.status.OUT_OF_RANGE));
    it('when an idempotency key uses the prefix Signet reserves for its own entries, answers INVALID_ARGUMENT naming it', () =>
      rejectsWith(client.appendReceipts({ receipts: [{ receipt: record(1), idempotency_key: 'signet:revocation:x' }] }), grpc.status.INVALID_ARGUMENT, 'receipts[0].idempotency_key'));
    it('when a page token was not issued by the server, answers INVALID_ARGUMENT naming page_token', () =>
      rejectsWith(client.getEntries({ page_token: 'garbage' }), grpc.status.INVALID_ARGUMENT, 'page_token'));
  });
});

describe('LedgerService pushback over gRPC', () => {
  it('when the append pool is full, answers RESOURCE_EXHAUSTED at once instead of queueing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-ledger-push-'));
    const signer = await openSigner(`file://${dir}/k.pem?create=true`);
    const ledger = await Ledger.open({ path: join(dir, 'l.db'), signer, origin: ORIGIN, batch: { maxDelayMs: 3000, maxPending: 3 } });
    const { server, client } = await serve(ledger);
    try {
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => client.appendReceipt({ receipt: record(i) })));
      const ok = results.filter((r) => r.status === 'fulfilled').length;
      const refused = results.filter((r) => r.status === 'rejected' && codeOf(r.reason) === grpc.status.RESOURCE_EXHAUSTED).length;
      assert.deepEqual([ok, refused], [3, 5]);
    } finally {
      client.close();
      await server.shutdown(1000);
      await signer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('LedgerService with an ECDSA P-256 ledger key in SoftHSM', () => {
  it('signs checkpoints that verify independently (ECDSA note signatures) and VerifyChain accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'signet-ledger-p256-'));
    const signer = await openSigner(await softhsmKey('p256'));
    const pem = (await signer.publicKey()).pem;
    const ledger = await Ledger.open({ path: join(dir, 'l.db'), signer, origin: ORIGIN, batch: { maxDelayMs: 5 } });
    const { server, client } = await serve(ledger);
    try {
      const res = await client.appendReceipts({ receipts: [0, 1, 2].map((i) => ({ receipt: record(i) })) });
      for (const r of res.receipts) checkReceipt(bundleOf(r), pem, ORIGIN);
      const report = await client.verifyChain({});
      assert.deepEqual([report.valid, report.entries_checked], [true, 3]);
    } finally {
      client.close();
      await server.shutdown(1000);
      await signer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
