// Request checks over a real gRPC channel: malformed bytes, invalid UTF-8, oversize values and
// integers beyond 2^53 get a specific status with the signet-field trailer, never grpc-js's
// INTERNAL, and change nothing; errors quote at most a short prefix of what the caller sent.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { len, msg, num } from '../helpers/protowire.js';
import { fieldTrailer, rawCall, rawClient } from '../helpers/raw-grpc.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const S = '/signet.v1.SigningService/';
const L = '/signet.v1.LedgerService/';
const C = '/signet.v1.CredentialService/';
const hex64 = 'ab'.repeat(32);
const receipt = (agent: Buffer | string) =>
  msg(len(2, agent), len(3, 'read'), len(4, 'doc:1'), len(5, hex64), len(6, hex64), len(8, 'success'));

describe('request checks over gRPC', () => {
  let server: TestServer;
  let client: grpc.Client;

  before(async () => {
    server = await startTestServer();
    client = rawClient(server.address);
  });
  after(async () => {
    client?.close();
    await server?.stop();
  });

  const ledgerSize = () => server.running.ledger!.size;

  it('malformed protobuf bytes are INVALID_ARGUMENT, not INTERNAL "Error deserializing request"', async () => {
    for (const [path, bytes] of [
      [`${S}Sign`, Buffer.from([0x0a, 0x05, 0x61])],
      [`${L}AppendReceipt`, Buffer.from([0x0a, 0x80])],
      [`${C}Issue`, Buffer.from([0x0b])],
      [`${L}GetEntry`, Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f])],
    ] as const) {
      const reply = await rawCall(client, path, bytes);
      assert.equal(reply.code, grpc.status.INVALID_ARGUMENT, `${path}: ${reply.details}`);
      assert.match(reply.details, /not a valid protobuf message/);
      assert.equal(reply.metadata?.get('signet-code')[0], 'INVALID_ARGUMENT');
    }
  });

  it('the health service refuses malformed bytes with INVALID_ARGUMENT too', async () => {
    const reply = await rawCall(client, '/grpc.health.v1.Health/Check', Buffer.from([0x0a, 0x09, 0x61]));
    assert.equal(reply.code, grpc.status.INVALID_ARGUMENT);
  });

  it('invalid UTF-8 in a receipt field is INVALID_ARGUMENT naming it, and nothing is written', async () => {
    const before = ledgerSize();
    const reply = await rawCall(client, `${L}AppendReceipt`, len(1, receipt(Buffer.from([0x61, 0xed, 0xa0, 0x80, 0x62]))));
    assert.equal(reply.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(fieldTrailer(reply), 'receipt.agent');
    assert.match(reply.details, /not valid UTF-8/);
    const batch = await rawCall(client, `${L}AppendReceipts`, msg(len(1, len(1, receipt('fine'))), len(1, len(1, receipt(Buffer.from([0xc0, 0xaf]))))));
    assert.equal(fieldTrailer(batch), 'receipts[1].receipt.agent');
    assert.equal(ledgerSize(), before);
    const ok = await rawCall(client, `${L}AppendReceipt`, len(1, receipt('agent-ü')));
    assert.equal(ok.code, grpc.status.OK, ok.details);
    assert.equal(ledgerSize(), before + 1);
  });

  it('indices above 2^53-1 are OUT_OF_RANGE with the signet-field trailer, and so are indices past the tree', async () => {
    const huge = await rawCall(client, `${L}GetEntry`, num(1, 2n ** 53n));
    assert.equal(huge.code, grpc.status.OUT_OF_RANGE);
    assert.equal(fieldTrailer(huge), 'index');
    const past = await rawCall(client, `${L}GetEntry`, num(1, 1_000_000));
    assert.equal(past.code, grpc.status.OUT_OF_RANGE);
    assert.equal(fieldTrailer(past), 'index');
    const proof = await rawCall(client, `${L}GetInclusionProof`, msg(num(1, 0), num(3, 2n ** 60n)));
    assert.equal(fieldTrailer(proof), 'tree_size');
    const size2 = await rawCall(client, `${L}GetConsistencyProof`, msg(num(1, 1), num(2, 999_999)));
    assert.equal(size2.code, grpc.status.OUT_OF_RANGE);
    assert.equal(fieldTrailer(size2), 'size2');
  });

  it('a page size outside 0–1000 is refused, not clamped', async () => {
    const entries = await rawCall(client, `${L}GetEntries`, num(2, 1001));
    assert.equal(entries.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(fieldTrailer(entries), 'page_size');
    const agents = await rawCall(client, `${C}ListAgents`, num(1, -1));
    assert.equal(agents.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(fieldTrailer(agents), 'page_size');
  });

  it('an empty id is INVALID_ARGUMENT, not NOT_FOUND', async () => {
    for (const [path, field] of [[`${C}GetAgent`, 'agent_id'], [`${C}RevokeCredential`, 'jti'], [`${S}GetPublicKey`, 'key']] as const) {
      const reply = await rawCall(client, path, Buffer.alloc(0));
      assert.equal(reply.code, grpc.status.INVALID_ARGUMENT, path);
      assert.equal(fieldTrailer(reply), field);
    }
  });

  it('a field path carrying a non-ASCII map key is escaped in the trailer, and the server lives on', async () => {
    const jwk = JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    const labels = len(5, msg(len(1, 'tamé\u2028'), len(2, 'v')));
    const reply = await rawCall(client, `${C}RegisterAgent`, msg(len(1, 'n'), len(2, jwk), len(3, 'o'), labels));
    assert.equal(reply.code, grpc.status.INVALID_ARGUMENT, reply.details);
    assert.equal(fieldTrailer(reply), 'labels.tam\\u00e9\\u2028');
    assert.equal((await rawCall(client, '/grpc.health.v1.Health/Check', Buffer.alloc(0))).code, grpc.status.OK);
  });

  it('a 100 KB key name is refused by its length, and the reply does not echo it', async () => {
    const name = 'k'.repeat(100_000);
    const reply = await rawCall(client, `${S}Sign`, msg(len(1, name), len(2, 'm')), { timeoutMs: 5000 });
    assert.equal(reply.code, grpc.status.INVALID_ARGUMENT);
    assert.equal(fieldTrailer(reply), 'key');
    assert.ok(reply.details.length < 200, reply.details);
    // Within the limit, an unknown name is NOT_FOUND quoting only a short prefix.
    const near = await rawCall(client, `${S}Sign`, msg(len(1, 'n'.repeat(256)), len(2, 'm')));
    assert.equal(near.code, grpc.status.NOT_FOUND);
    assert.ok(near.details.length < 160, near.details);
  });
});
