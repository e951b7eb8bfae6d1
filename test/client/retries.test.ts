// Retries only where a repeat cannot do anything twice, and the deadline of the whole call: the
// typed client against a stub server built from Signet's own .proto files that fails on cue and
// counts every attempt it receives.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SignetClient, SignetClientError } from '../../src/client/index.js';
import { loadPackageDefinition } from '../../src/server/proto.js';

interface Script {
  /** Failures before the call succeeds. */
  failures: number;
  code: grpc.status;
  retryAfter?: string;
  /** Never answer (for deadlines). */
  hang?: boolean;
}

const RESPONSES: Record<string, unknown> = {
  GetCheckpoint: { size: 1, root: Buffer.alloc(32), note: 'n' },
  AppendReceipt: { index: 0, entry: Buffer.from('{}'), leaf_hash: Buffer.alloc(32), inclusion_proof: [], checkpoint: '', tree_size: 1 },
  AppendReceipts: { receipts: [] },
  Issue: { token: 't' },
  Authorize: { decision: 'ALLOW' },
  VerifyCredential: { valid: true },
  Sign: { signature: Buffer.alloc(64) },
  GetJwks: { jwks_json: '{"keys":[]}' },
  ListKeys: { keys: [] },
};

describe('retries and deadlines of the typed client', () => {
  const server = new grpc.Server();
  const attempts = new Map<string, number>();
  let script: Script = { failures: 0, code: grpc.status.OK };
  let client: SignetClient;
  let port: number;

  const handler = (name: string) => (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
    const n = (attempts.get(name) ?? 0) + 1;
    attempts.set(name, n);
    if (script.hang) return;
    if (n <= script.failures) {
      const metadata = new grpc.Metadata();
      if (script.retryAfter !== undefined) metadata.set('retry-after', script.retryAfter);
      callback({ code: script.code, details: `scripted failure ${n}`, metadata });
      return;
    }
    callback(null, RESPONSES[name] ?? {});
  };

  before(async () => {
    const pkg = grpc.loadPackageDefinition(loadPackageDefinition()) as any;
    for (const service of ['SigningService', 'LedgerService', 'CredentialService']) {
      const definition = pkg.signet.v1[service].service as grpc.ServiceDefinition;
      server.addService(definition, Object.fromEntries(Object.keys(definition).map((name) => [name, handler(name)])));
    }
    port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    client = new SignetClient({ address: `127.0.0.1:${port}`, retry: { maxAttempts: 4, initialBackoffMs: 5, maxBackoffMs: 20 } });
  });
  after(() => {
    client.close();
    server.forceShutdown();
  });

  const run = async (name: string, s: Script, call: () => Promise<unknown>) => {
    script = s;
    attempts.set(name, 0);
    const outcome = await call().then(
      () => 'ok' as const,
      (e: unknown) => e,
    );
    return { outcome, attempts: attempts.get(name) ?? 0 };
  };

  const receipt = { agent: 'a', action: 'x', resource: 'r', request_sha256: 'a'.repeat(64), response_sha256: 'b'.repeat(64), outcome: 'success' };

  for (const code of [grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED]) {
    it(`when a read fails with ${grpc.status[code]} twice, it is sent three times and succeeds`, async () => {
      const r = await run('GetCheckpoint', { failures: 2, code }, () => client.ledger.getCheckpoint({}));
      assert.equal(r.outcome, 'ok');
      assert.equal(r.attempts, 3);
    });
  }

  it('when a read keeps failing, it gives up after maxAttempts with the last error and the attempt count', async () => {
    const r = await run('GetJwks', { failures: 100, code: grpc.status.UNAVAILABLE }, () => client.credentials.getJwks({}));
    assert.equal(r.attempts, 4);
    assert.ok(r.outcome instanceof SignetClientError && r.outcome.code === 'UNAVAILABLE' && r.outcome.attempts === 4, String(r.outcome));
  });

  it('when an append carries an idempotency key it is retried; without one it is sent once', async () => {
    const keyed = await run('AppendReceipt', { failures: 1, code: grpc.status.UNAVAILABLE }, () => client.ledger.appendReceipt({ receipt, idempotency_key: 'k1' }));
    assert.deepEqual(keyed, { outcome: 'ok', attempts: 2 });
    const bare = await run('AppendReceipt', { failures: 1, code: grpc.status.UNAVAILABLE }, () => client.ledger.appendReceipt({ receipt }));
    assert.equal(bare.attempts, 1);
    assert.ok(bare.outcome instanceof SignetClientError && bare.outcome.code === 'UNAVAILABLE');
  });

  it('when one receipt of a batch has no idempotency key, the batch is sent once', async () => {
    const all = await run('AppendReceipts', { failures: 1, code: grpc.status.UNAVAILABLE }, () => client.ledger.appendReceipts({ receipts: [{ receipt, idempotency_key: 'a' }, { receipt, idempotency_key: 'b' }] }));
    assert.deepEqual(all, { outcome: 'ok', attempts: 2 });
    const some = await run('AppendReceipts', { failures: 1, code: grpc.status.UNAVAILABLE }, () => client.ledger.appendReceipts({ receipts: [{ receipt, idempotency_key: 'a' }, { receipt }] }));
    assert.equal(some.attempts, 1);
  });

  for (const [name, call] of [
    ['Issue', () => client.credentials.issue({ agent_id: 'x', intent: { action: 'a', resource: 'r' }, audience: 'x' })],
    ['Authorize', () => client.credentials.authorize({ agent_id: 'x', intent: { action: 'a', resource: 'r' } })],
    ['VerifyCredential', () => client.credentials.verifyCredential({ token: 't', intent: { action: 'a', resource: 'r' }, audience: 'x' })],
    ['Sign', () => client.signing.sign({ key: 'k', message: Buffer.from('m') })],
  ] as const) {
    it(`when ${name} fails with UNAVAILABLE it is not sent again: a repeat would record or spend twice`, async () => {
      const r = await run(name, { failures: 1, code: grpc.status.UNAVAILABLE }, call);
      assert.equal(r.attempts, 1);
      assert.ok(r.outcome instanceof SignetClientError && r.outcome.code === 'UNAVAILABLE');
    });
  }

  for (const code of [grpc.status.INVALID_ARGUMENT, grpc.status.PERMISSION_DENIED, grpc.status.INTERNAL, grpc.status.NOT_FOUND]) {
    it(`when a read fails with ${grpc.status[code]}, it is not retried: the answer would not change`, async () => {
      const r = await run('ListKeys', { failures: 1, code }, () => client.signing.listKeys({}));
      assert.equal(r.attempts, 1);
      assert.ok(r.outcome instanceof SignetClientError && r.outcome.status === code);
    });
  }

  it('when the server says retry-after, the client waits at least that long before the next attempt', async () => {
    const started = Date.now();
    const r = await run('GetCheckpoint', { failures: 1, code: grpc.status.RESOURCE_EXHAUSTED, retryAfter: '1' }, () => client.ledger.getCheckpoint({}));
    assert.equal(r.outcome, 'ok');
    assert.equal(r.attempts, 2);
    assert.ok(Date.now() - started >= 1000, `retried after ${Date.now() - started} ms`);
  });

  it('when retry-after reaches past the deadline, it fails at once with the server\'s error and its retryAfter', async () => {
    const r = await run('GetCheckpoint', { failures: 1, code: grpc.status.RESOURCE_EXHAUSTED, retryAfter: '30' }, () => client.ledger.getCheckpoint({}, { deadlineMs: 5000 }));
    assert.equal(r.attempts, 1);
    assert.ok(r.outcome instanceof SignetClientError && r.outcome.code === 'RESOURCE_EXHAUSTED' && r.outcome.retryAfter === 30, String(r.outcome));
  });

  it('when the server never answers, the call ends with DEADLINE_EXCEEDED at its deadline and is not retried', async () => {
    const started = Date.now();
    const r = await run('GetCheckpoint', { failures: 0, code: grpc.status.OK, hang: true }, () => client.ledger.getCheckpoint({}, { deadlineMs: 300 }));
    assert.ok(r.outcome instanceof SignetClientError && r.outcome.code === 'DEADLINE_EXCEEDED', String(r.outcome));
    assert.equal(r.attempts, 1);
    assert.ok(Date.now() - started >= 290);
  });

  it('when a call gives no deadline, the client default applies', async () => {
    script = { failures: 0, code: grpc.status.OK, hang: true };
    const short = new SignetClient({ address: `127.0.0.1:${port}`, deadlineMs: 200 });
    const err = await short.credentials.getJwks({}).catch((e: unknown) => e);
    short.close();
    assert.ok(err instanceof SignetClientError && err.code === 'DEADLINE_EXCEEDED', String(err));
  });
});
