// /metrics as documented: request latency by method and code, custody signature latency by
// driver (file and a real SoftHSM token), ledger batch sizes and pool depth, PKCS#11 session-pool
// use, and backend retries — scraped over HTTP from a running server after real calls.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignetClient } from '../../src/client/client.js';
import type { SignetClientError } from '../../src/client/errors.js';
import { withRetry } from '../../src/signers/retry.js';
import { REPO } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { hexOf } from '../ledger/fixtures.js';

/** The value of one sample, by metric name and exact label set (in exposition order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1]!, l[2]!]));
    if (wanted.every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return undefined;
}

describe('Prometheus metrics of a running server', () => {
  let server: TestServer;
  let client: SignetClient;
  const scrape = async () => (await fetch(`http://127.0.0.1:${server.running.metricsPort}/metrics`)).text();

  before(async () => {
    const hsm = await softhsmKey('ed25519', `metrics-${process.pid}`);
    server = await startTestServer({ keys: { default: 'file:{dir}/default.pem?create=true', hsm }, metrics: { listen: '127.0.0.1:0' } });
    client = new SignetClient({ address: server.address, retry: false });
  });
  after(async () => {
    client.close();
    await server.stop();
  });

  it('request latency and counts by method and gRPC status code', async () => {
    for (let i = 0; i < 3; i++) await client.signing.sign({ key: 'default', message: Buffer.from(`m${i}`) });
    await assert.rejects(client.signing.sign({ key: 'default', message: Buffer.alloc(0) }), (e: SignetClientError) => e.code === 'INVALID_ARGUMENT');
    await assert.rejects(client.signing.sign({ key: 'ledger', message: Buffer.from('x') }), (e: SignetClientError) => e.code === 'PERMISSION_DENIED');
    const text = await scrape();
    const sign = 'signet.v1.SigningService/Sign';
    assert.equal(sample(text, 'signet_grpc_request_duration_seconds_count', { method: sign, code: 'OK' }), 3);
    assert.equal(sample(text, 'signet_grpc_request_duration_seconds_count', { method: sign, code: 'INVALID_ARGUMENT' }), 1);
    assert.equal(sample(text, 'signet_grpc_request_duration_seconds_count', { method: sign, code: 'PERMISSION_DENIED' }), 1);
    assert.equal(sample(text, 'signet_grpc_requests_total', { method: sign, code: 'OK' }), 3);
    assert.ok(sample(text, 'signet_grpc_request_duration_seconds_bucket', { method: sign, code: 'OK', le: '+Inf' }) === 3);
  });

  it('custody signature latency by driver, for a software key and a SoftHSM key', async () => {
    const before = await scrape();
    const count = (text: string, driver: string) => sample(text, 'signet_custody_sign_duration_seconds_count', { driver, outcome: 'ok' }) ?? 0;
    await client.signing.sign({ key: 'hsm', message: Buffer.from('through the token') });
    await client.signing.signBatch({ key: 'hsm', messages: [Buffer.from('a'), Buffer.from('b')] });
    await client.signing.sign({ key: 'default', message: Buffer.from('in memory') });
    const after = await scrape();
    assert.ok(count(after, 'pkcs11') >= count(before, 'pkcs11') + 2, 'pkcs11 calls observed');
    assert.ok(count(after, 'file') >= count(before, 'file') + 1, 'file calls observed');
    assert.ok((sample(after, 'signet_custody_signatures_total', { driver: 'pkcs11', outcome: 'ok' }) ?? 0) >= 3);
  });

  it('PKCS#11 session-pool use per token', async () => {
    const text = await scrape();
    const token = softhsmToken().label;
    assert.ok((sample(text, 'signet_pkcs11_sessions', { token, state: 'open' }) ?? 0) >= 1);
    assert.equal(sample(text, 'signet_pkcs11_sessions', { token, state: 'waiting' }), 0);
    assert.ok((sample(text, 'signet_pkcs11_sessions_max', { token }) ?? 0) >= 1);
  });

  it('ledger batch sizes and pool depth', async () => {
    const receipts = Array.from({ length: 20 }, (_, i) => ({
      receipt: { agent: 'agent-1', action: 'repo.push', resource: `git://repo/${i}`, request_sha256: hexOf(`q${i}`), response_sha256: hexOf(`r${i}`), outcome: 'success' },
    }));
    await client.ledger.appendReceipts({ receipts });
    const text = await scrape();
    assert.ok((sample(text, 'signet_ledger_batch_entries_count') ?? 0) >= 1);
    assert.ok((sample(text, 'signet_ledger_batch_entries_sum') ?? 0) >= 20, 'the appended entries are in some batch');
    assert.ok((sample(text, 'signet_ledger_batch_seal_duration_seconds_count') ?? 0) >= 1);
    assert.equal(sample(text, 'signet_ledger_pool_depth'), 0, 'nothing waits once the appends are answered');
  });

  it('every metric the Grafana dashboard (examples/grafana) queries is one the server exports', async () => {
    const dashboard = JSON.parse(readFileSync(join(REPO, 'examples', 'grafana', 'signet-dashboard.json'), 'utf8')) as { panels: Array<{ targets?: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets ?? []).map((t) => t.expr);
    assert.ok(exprs.length >= 15);
    const families = new Set([...(await scrape()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]!));
    for (const name of new Set(exprs.flatMap((e) => e.match(/\b(?:signet|process|nodejs)_[a-z0-9_]+/g) ?? []))) {
      const family = name.replace(/_(bucket|sum|count)$/, '');
      assert.ok(families.has(name) || families.has(family), `${name} is exported`);
    }
  });

  it('backend retries by driver and reason', async () => {
    let calls = 0;
    const result = await withRetry(
      async () => {
        if (++calls < 3) throw new Error(calls === 1 ? 'throttled' : 'busy');
        return 'done';
      },
      { driver: 'awskms', baseMs: 1, maxMs: 2, retryable: (err) => ({ retry: true, throttled: (err as Error).message === 'throttled' }) },
    );
    assert.equal(result, 'done');
    const text = await scrape();
    assert.ok((sample(text, 'signet_backend_retries_total', { driver: 'awskms', reason: 'throttled' }) ?? 0) >= 1);
    assert.ok((sample(text, 'signet_backend_retries_total', { driver: 'awskms', reason: 'error' }) ?? 0) >= 1);
  });
});
