// `signet mcp-gate` between the MCP SDK's own client and the example tool server, against a real
// Signet server: an allowed call reaches the tool and leaves a receipt that verifies offline; a
// denied call never reaches the tool (its own log proves it) and leaves a denial entry; a call
// with other arguments than the one intent the policy allows is refused.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { AgentKey } from '../../src/client/agent.js';
import { SignetClient } from '../../src/client/client.js';
import { verifyReceiptBundle } from '../../src/client/verify-receipt.js';
import { REPO } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

interface ToolResult {
  content: { type: string; text: string }[];
  isError?: boolean;
  _meta?: Record<string, any>;
}

/** RFC 8785 for the ASCII strings, booleans, arrays and objects these tests hash: keys sorted, no spaces. */
const jcs = (v: unknown): string =>
  Array.isArray(v)
    ? `[${v.map(jcs).join(',')}]`
    : v !== null && typeof v === 'object'
      ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${jcs((v as Record<string, unknown>)[k])}`).join(',')}}`
      : JSON.stringify(v);
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('signet mcp-gate in front of the example records server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-gate-'));
  const toolLog = join(dir, 'tool.log');
  let server: TestServer;
  let signet: SignetClient;
  let mcp: Client;
  let ledgerPem: string;

  const toolCalls = () => (existsSync(toolLog) ? readFileSync(toolLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { tool: string; args: Record<string, string> }) : []);
  const call = async (name: string, args: Record<string, unknown>) => (await mcp.callTool({ name, arguments: args })) as ToolResult;
  const entries = async () => {
    const out: Record<string, any>[] = [];
    let page = await signet.ledger.getEntries({ start: 0 });
    for (;;) {
      out.push(...page.entries.map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8'))));
      if (!page.next_page_token) return out;
      page = await signet.ledger.getEntries({ page_token: page.next_page_token });
    }
  };

  before(async () => {
    server = await startTestServer({
      keys: { ledger: 'file:{dir}/ledger.pem?create=true', issuer: 'file:{dir}/issuer.pem?create=true' },
      ledger: { origin: 'signet.test/gate' },
      credentials: { issuer: 'https://signet.gate-test', policy: join(REPO, 'examples/mcp-gate/policy.yaml') },
    });
    signet = new SignetClient({ address: server.address });
    ledgerPem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [
        '--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'mcp-gate',
        '--server', server.address, '--state-dir', join(dir, 'state'), '--group', 'mcp-gate',
        '--resource', 'delete_record=records/{table}/{id}', '--hide-denied',
        '--', process.execPath, join(REPO, 'examples/mcp-gate/records-server.mjs'), '--log', toolLog,
      ],
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: dir, SIGNET_LOG_LEVEL: 'silent' },
      stderr: 'pipe',
    });
    mcp = new Client({ name: 'signet-gate-test-host', version: '1.0.0' });
    await mcp.connect(transport);
  });
  after(async () => {
    await mcp?.close();
    signet?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tools/list passes through, without the tool the policy never allows', async () => {
    const { tools } = await mcp.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['delete_record']);
    assert.equal(tools[0]!.annotations?.destructiveHint, true);
  });

  it('when the call is the one intent allowed, it reaches the tool and leaves a receipt that verifies offline', async () => {
    const result = await call('delete_record', { table: 'demo', id: '42' });
    assert.ok(!result.isError, result.content[0]?.text);
    assert.equal(result.content[0]!.text, 'deleted demo/42');
    assert.deepEqual(toolCalls().map((c) => c.args), [{ table: 'demo', id: '42' }]);

    const bundle = result._meta!['signet/receipt'];
    const verdict = verifyReceiptBundle(bundle, { keys: ledgerPem, origin: 'signet.test/gate' });
    assert.ok(verdict.valid, JSON.stringify(verdict));
    const gateKey = AgentKey.fromPem(readFileSync(join(dir, 'state', 'gate-key.pem'), 'utf8'));
    const e = verdict.entry as Record<string, any>;
    assert.equal(e.type, 'receipt');
    assert.equal(e.agent, gateKey.did);
    assert.equal(e.action, 'delete_record');
    assert.equal(e.resource, 'records/demo/42');
    assert.equal(e.outcome, 'success');
    assert.equal(e.request_sha256, sha256(jcs({ name: 'delete_record', arguments: { table: 'demo', id: '42' } })));
    const { _meta: _ignored, ...plain } = result;
    assert.equal(e.response_sha256, sha256(jcs(plain)));
    assert.equal(e.metadata.args_sha256, sha256(jcs({ table: 'demo', id: '42' })));
    // The credential named in the receipt was issued to the gate's agent, bound to its key.
    const issuance = (await entries()).find((x) => x.type === 'issuance' && x.jti === e.jti);
    assert.ok(issuance, 'an issuance entry for the receipt\'s jti');
    assert.equal(issuance.agent, gateKey.did);
    assert.equal(issuance.pop, 'verified');
  });

  it('when the policy denies the call, it never reaches the tool, the error names the reason, and a denial is recorded', async () => {
    const before = toolCalls().length;
    const result = await call('delete_record', { table: 'prod', id: '42' });
    assert.equal(result.isError, true);
    assert.match(result.content[0]!.text, /^Signet denied delete_record on records\/prod\/42: .*default deny/);
    assert.equal(toolCalls().length, before, 'the tool server logged no new call');
    const denial = (await entries()).find((x) => x.type === 'denial' && x.resource === 'records/prod/42');
    assert.ok(denial, 'a denial entry for records/prod/42');
    assert.equal(denial.action, 'delete_record');
  });

  it('when the arguments differ from the intent the policy allows, the call is refused and never reaches the tool', async () => {
    const before = toolCalls().length;
    for (const args of [{ table: 'demo', id: '43' }, { table: 'demo', id: '41' }, { table: 'Demo', id: '42' }, { table: 'demo', id: '042' }]) {
      const result = await call('delete_record', args);
      assert.equal(result.isError, true, JSON.stringify(args));
      assert.match(result.content[0]!.text, /^Signet denied delete_record/);
    }
    for (const args of [{ table: 'demo', id: '42/../43' }, { table: 'demo/42', id: '43' }, { table: 'demo' }, { table: 'demo', id: { x: 1 } }, { table: 'demo', id: '..' }]) {
      const result = await call('delete_record', args);
      assert.equal(result.isError, true, JSON.stringify(args));
      assert.match(result.content[0]!.text, /refused/, JSON.stringify(args));
    }
    const listed = await call('list_records', { table: 'demo' });
    assert.equal(listed.isError, true);
    assert.equal(toolCalls().length, before, 'the tool server logged no new call');
  });
});
