// An agent's session checks that the receipt Signet answers is the record it appended — not only
// that it verifies: a server (or a bug) answering another agent's or another call's receipt, valid
// as it is, must not pass as this call's. Against a real server, with the answer swapped.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AgentKey } from '../../src/client/agent.js';
import { SignetClient } from '../../src/client/client.js';
import { verifyReceiptBundle } from '../../src/client/verify-receipt.js';
import type { Receipt__Output } from '../../src/gen/signet/v1/Receipt.js';
import { AgentSession } from '../../src/cli/agent-session.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const hex = (c: string) => c.repeat(64);

describe("an agent session and the receipt it is answered", () => {
  let server: TestServer;
  let client: SignetClient;
  let pem: string;
  const dir = mkdtempSync(join(tmpdir(), 'signet-session-'));
  before(async () => {
    server = await startTestServer({ keys: { ledger: 'file:{dir}/ledger.pem?create=true' } });
    client = new SignetClient({ address: server.address });
    pem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
  });
  after(async () => {
    client?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sessionAnswering = (swap: (sent: any, real: Receipt__Output) => Promise<Receipt__Output>) => {
    const ledger = new Proxy(client.ledger, {
      get: (target, prop) =>
        prop === 'appendReceipt'
          ? async (req: any) => swap(req, await target.appendReceipt(req))
          : (target as any)[prop],
    });
    const fake = { ledger, signing: client.signing, credentials: client.credentials } as unknown as SignetClient;
    return new AgentSession({ client: fake, address: server.address, key: AgentKey.generate(), statePath: join(dir, `state-${Math.random()}.json`), name: 'a', owner: 'o', groups: [], ledgerKey: pem });
  };
  const input = { action: 'files.read', resource: 's3://b/mine', requestSha256: hex('a'), responseSha256: hex('b'), outcome: 'success', jti: 'jti-1', metadata: { via: 'test' } };

  it('its own receipt verifies, and is its record', async () => {
    const { verdict } = await sessionAnswering(async (_sent, real) => real).record(input);
    assert.ok(verdict.valid, JSON.stringify(verdict));
  });

  const swaps: Array<[string, Record<string, unknown>]> = [
    ["another agent's receipt", { agent: 'did:key:z6MkSomeoneElse' }],
    ['another resource', { resource: 's3://b/theirs' }],
    ['another action', { action: 'files.delete' }],
    ['another request hash', { request_sha256: hex('c') }],
    ['another response hash', { response_sha256: hex('d') }],
    ['another outcome', { outcome: 'error' }],
    ['another credential', { jti: 'jti-2' }],
    ['other metadata', { metadata_json: '{"via":"elsewhere"}' }],
  ];
  for (const [what, change] of swaps) {
    it(`when Signet answers ${what} (a valid receipt of another entry), the session's verdict is invalid`, async () => {
      const session = sessionAnswering(async (sent) => client.ledger.appendReceipt({ receipt: { ...sent.receipt, ...change } }));
      const { receipt, verdict } = await session.record(input);
      assert.ok(verifyReceiptBundle(receipt, { keys: pem }).valid, 'the swapped receipt verifies on its own');
      assert.equal(verdict.valid, false, what);
      assert.equal(!verdict.valid && verdict.check, 'record');
    });
  }
});
