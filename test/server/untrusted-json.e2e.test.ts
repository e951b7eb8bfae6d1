// Every JSON field of the API over a real gRPC server: bounded before parsing, I-JSON (no duplicate
// members), refused with INVALID_ARGUMENT naming the field, and nothing written to the ledger.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { serviceClient, unary } from '../../src/client/grpc.js';
import type { CredentialServiceClient } from '../../src/gen/signet/v1/CredentialService.js';
import type { LedgerServiceClient } from '../../src/gen/signet/v1/LedgerService.js';
import type { Receipt__Output } from '../../src/gen/signet/v1/Receipt.js';
import type { ReceiptRecord } from '../../src/gen/signet/v1/ReceiptRecord.js';
import { codeOf, fieldOf, startTestServer, type TestServer } from '../helpers/server.js';

const hex = (c: string) => c.repeat(64);
const receipt = (metadata_json: string): ReceiptRecord => ({
  agent: 'agent-1',
  action: 'repo.push',
  resource: 'git://repo/1',
  request_sha256: hex('a'),
  response_sha256: hex('b'),
  outcome: 'success',
  metadata_json,
});

const refused = (field: string) => (e: unknown) => {
  assert.equal(codeOf(e), grpc.status.INVALID_ARGUMENT, String(e));
  assert.equal(fieldOf(e), field);
  return true;
};

describe('JSON fields over gRPC', () => {
  let server: TestServer;
  let ledger: LedgerServiceClient;
  const append = (metadata_json: string, timeoutMs?: number) => unary<unknown, Receipt__Output>(ledger, ledger.AppendReceipt as never, { receipt: receipt(metadata_json) }, { timeoutMs });
  let creds: CredentialServiceClient;
  let agentId: string;
  before(async () => {
    server = await startTestServer({});
    ledger = serviceClient<LedgerServiceClient>('signet.v1.LedgerService', server.address);
    creds = serviceClient<CredentialServiceClient>('signet.v1.CredentialService', server.address);
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    const agent = await unary(creds, creds.RegisterAgent, { name: 'a', owner: 'o', public_key_jwk: JSON.stringify(jwk) });
    agentId = (agent as { id: string }).id;
  });
  after(async () => {
    (ledger as unknown as grpc.Client)?.close();
    (creds as unknown as grpc.Client)?.close();
    await server?.stop();
  });

  it('when metadata_json repeats a member at any depth: INVALID_ARGUMENT on receipt.metadata_json, nothing appended', async () => {
    const first = await append('{"a":1}');
    for (const text of ['{"a":1,"a":2}', '{"x":[{"k":1,"\\u006b":2}]}']) {
      await assert.rejects(append(text), refused('receipt.metadata_json'));
    }
    const next = await append('{"a":2}');
    assert.equal(Number(next.index), Number(first.index) + 1, 'the refused receipts wrote no entry');
  });

  it('when metadata_json is a 3.8 MB nested array: INVALID_ARGUMENT on the size, and the server keeps answering', async () => {
    const nested = '['.repeat(1_900_000) + ']'.repeat(1_900_000);
    await assert.rejects(append(nested, 60_000), (e) => {
      refused('receipt.metadata_json')(e);
      // Refused on its size by the wire check (before decoding) or by the JSON parser.
      assert.match((e as Error).message, /larger than \d+ bytes|is \d+ bytes; at most \d+/);
      return true;
    });
    assert.ok(await append('{}'));
  });

  it('when constraints_json repeats a member: INVALID_ARGUMENT on intent.constraints_json (Authorize and Issue)', async () => {
    const intent = { action: 'a', resource: 'r', constraints_json: '{"max":1,"max":1000000}' };
    await assert.rejects(unary(creds, creds.Authorize, { agent_id: agentId, intent }), refused('intent.constraints_json'));
    await assert.rejects(unary(creds, creds.Issue, { agent_id: agentId, intent, audience: 'x' }), refused('intent.constraints_json'));
  });

  it('when constraints_json nests deeper than the bound: INVALID_ARGUMENT on intent.constraints_json', async () => {
    const intent = { action: 'a', resource: 'r', constraints_json: '{"a":' + '['.repeat(2000) + ']'.repeat(2000) + '}' };
    await assert.rejects(unary(creds, creds.Authorize, { agent_id: agentId, intent }), refused('intent.constraints_json'));
  });

  it('when public_key_jwk repeats a member: INVALID_ARGUMENT on public_key_jwk, no agent registered', async () => {
    const a = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string };
    const b = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { x: string };
    const text = `{"kty":"OKP","crv":"Ed25519","x":"${a.x}","x":"${b.x}"}`;
    await assert.rejects(unary(creds, creds.RegisterAgent, { name: 'dup', owner: 'o', public_key_jwk: text }), refused('public_key_jwk'));
    const list = (await unary(creds, creds.ListAgents, {})) as { agents: { name: string }[] };
    assert.equal(list.agents.some((x) => x.name === 'dup'), false);
  });
});
