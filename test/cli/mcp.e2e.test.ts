// `signet mcp` as an MCP host runs it: the MCP SDK's own client spawns the command over stdio
// against a real Signet server on an ephemeral port, lists the tools and calls each one. The
// credential verifies with jose against the JWKS and is bound to the agent key made on first run.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { calculateJwkThumbprint, createRemoteJWKSet, exportJWK, jwtVerify } from 'jose';
import { verifyReceiptBundle } from '../../src/client/verify-receipt.js';
import { REPO } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const ISSUER = 'https://signet.mcp-test';
const POLICY = `version: 1
rules:
  - name: mcp-agents-read-docs
    agents: [{group: mcp-agents}]
    actions: ["doc:read"]
    resources: ["docs/*"]
    require_pop: true
`;

interface ToolText {
  content: { type: string; text: string }[];
  isError?: boolean;
  structuredContent?: Record<string, any>;
}

describe('signet mcp over stdio, driven by the MCP SDK client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-mcp-'));
  const stateDir = join(dir, 'state');
  let server: TestServer;

  const spawnMcp = async (extra: string[] = []) => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: ['--import', 'tsx', join(REPO, 'src/cli/main.ts'), 'mcp', '--server', server.address, '--state-dir', stateDir, '--group', 'mcp-agents', '--audience', 'docs', ...extra],
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', HOME: dir, SIGNET_LOG_LEVEL: 'silent' },
      stderr: 'pipe',
    });
    let stderr = '';
    transport.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const client = new Client({ name: 'signet-test-host', version: '1.0.0' });
    await client.connect(transport);
    const call = async (name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolText;
    return { client, call, stderr: () => stderr, close: () => client.close() };
  };

  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    server = await startTestServer({
      keys: { ledger: 'file:{dir}/ledger.pem?create=true', issuer: 'file:{dir}/issuer.pem?create=true' },
      ledger: { origin: 'signet.test/mcp' },
      credentials: { issuer: ISSUER, policy: join(dir, 'policy.yaml'), jwks_http: '127.0.0.1:0' },
    });
  });
  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists its six tools, and every tool answers', async () => {
    const mcp = await spawnMcp();
    try {
      const { tools } = await mcp.client.listTools();
      assert.deepEqual(tools.map((t) => t.name).sort(), ['get_public_key', 'record_receipt', 'request_credential', 'verify_chain', 'verify_credential', 'whoami']);

      // The key was made on first run, private to its owner.
      const keyPath = join(stateDir, 'agent-key.pem');
      assert.equal(statSync(keyPath).mode & 0o777, 0o600);
      const agentJwk = await exportJWK(createPrivateKey(readFileSync(keyPath, 'utf8')));
      const thumbprint = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: agentJwk.x! });

      const who = await mcp.call('whoami');
      assert.ok(!who.isError, who.content[0]?.text);
      assert.equal(who.structuredContent!.key_thumbprint, thumbprint);
      assert.deepEqual(who.structuredContent!.registered.groups, ['mcp-agents']);
      const agentId = who.structuredContent!.agent_id as string;

      const issued = await mcp.call('request_credential', { action: 'doc:read', resource: 'docs/readme' });
      assert.ok(!issued.isError, issued.content[0]?.text);
      assert.equal(issued.structuredContent!.bound_to_agent_key, true);
      const token = issued.structuredContent!.credential as string;
      const jwks = createRemoteJWKSet(new URL(`http://127.0.0.1:${server.running.jwksPort}/.well-known/jwks.json`));
      const { payload } = await jwtVerify(token, jwks, { issuer: ISSUER, audience: 'docs' });
      assert.equal(payload.sub, agentId);
      assert.deepEqual(payload.cnf, { jkt: thumbprint });
      assert.deepEqual(payload.intent, { action: 'doc:read', resource: 'docs/readme' });

      const verified = await mcp.call('verify_credential', { credential: token, action: 'doc:read', resource: 'docs/readme' });
      assert.equal(verified.structuredContent!.valid, true, verified.content[0]?.text);
      const wrong = await mcp.call('verify_credential', { credential: token, action: 'doc:delete', resource: 'docs/readme' });
      assert.equal(wrong.structuredContent!.reason, 'intent_mismatch');

      const hash = (s: string) => createHash('sha256').update(s).digest('hex');
      const recorded = await mcp.call('record_receipt', { action: 'doc:read', resource: 'docs/readme', request_sha256: hash('q'), response_sha256: hash('r'), credential: token });
      assert.ok(!recorded.isError, recorded.content[0]?.text);
      const ledgerPem = (await server.running.keys.byName('ledger')!.signer.publicKey()).pem;
      const verdict = verifyReceiptBundle(recorded.structuredContent!.receipt, { keys: ledgerPem, origin: 'signet.test/mcp' });
      assert.ok(verdict.valid, JSON.stringify(verdict));
      assert.equal(verdict.entry.agent, agentId);
      assert.equal(verdict.entry.jti, payload.jti);

      const chain = await mcp.call('verify_chain');
      assert.equal(chain.structuredContent!.valid, true, chain.content[0]?.text);
      assert.equal(chain.structuredContent!.latest_checkpoint.signature_verified_with_pinned_key, true);

      const keys = await mcp.call('get_public_key');
      assert.ok(keys.structuredContent!.keys.some((k: { name: string; spki_pem: string }) => k.name === 'ledger' && k.spki_pem === ledgerPem));
      assert.equal(keys.structuredContent!.agent.thumbprint, thumbprint);
      const one = await mcp.call('get_public_key', { key: 'ledger' });
      assert.equal(one.structuredContent!.key.spki_pem, ledgerPem);
    } finally {
      await mcp.close();
    }
  });

  it('when the policy denies, or the input is bad, the tool error carries the reason and no stack trace', async () => {
    const mcp = await spawnMcp();
    try {
      const denied = await mcp.call('request_credential', { action: 'doc:delete', resource: 'docs/readme' });
      assert.equal(denied.isError, true);
      assert.match(denied.content[0]!.text, /^PERMISSION_DENIED: .*default deny/);
      const bad = await mcp.call('request_credential', { action: 'doc:read', resource: 'docs/../secret' });
      assert.equal(bad.isError, true);
      assert.match(bad.content[0]!.text, /^INVALID_ARGUMENT: .*\(field intent\.resource\)/);
      const badHash = await mcp.call('record_receipt', { action: 'a', resource: 'r', request_sha256: 'nope', response_sha256: 'nope' });
      assert.equal(badHash.isError, true);
      for (const r of [denied, bad, badHash]) assert.doesNotMatch(r.content[0]!.text, /\n\s+at /);
    } finally {
      await mcp.close();
    }
  });

  it('when it starts again with the same state, it is the same agent and registers nothing new', async () => {
    const before = (await new (await import('../../src/client/client.js')).SignetClient({ address: server.address }).credentials.listAgents({})).agents.length;
    const mcp = await spawnMcp();
    try {
      const who = await mcp.call('whoami');
      const state = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8'));
      assert.equal(state.registered[server.address], who.structuredContent!.agent_id);
    } finally {
      await mcp.close();
    }
    const { SignetClient } = await import('../../src/client/client.js');
    const c = new SignetClient({ address: server.address });
    assert.equal((await c.credentials.listAgents({})).agents.length, before);
    c.close();
  });

  it('when the key file is readable by others, it refuses to start', async () => {
    const other = join(dir, 'loose');
    const { mkdirSync, chmodSync, copyFileSync } = await import('node:fs');
    mkdirSync(other, { recursive: true });
    copyFileSync(join(stateDir, 'agent-key.pem'), join(other, 'agent-key.pem'));
    chmodSync(join(other, 'agent-key.pem'), 0o644);
    const { runCli } = await import('../helpers/cli.js');
    const r = runCli(['mcp', '--server', server.address, '--state-dir', other]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /readable by others/);
  });
});
