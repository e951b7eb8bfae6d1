// `signet mcp`: an MCP server over stdio that gives the agent in an MCP host (Claude Code, Cursor,
// any host) its own identity at Signet — a key made on first run — and Signet's tools.
// stdout is the MCP channel: everything else goes to stderr.
import { readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { SignetError } from '../lib/errors.js';
import { AgentSession } from './agent-session.js';
import { defaultStateDir, loadOrCreateAgentKey } from './agent-state.js';
import { CONNECT_OPTIONS, CONNECT_USAGE, connect } from './connect.js';
import { registerAgentTools } from './mcp-tools.js';

export const MCP_USAGE = `usage: signet mcp [--server HOST:PORT] [options]

Runs an MCP server on stdin/stdout for an MCP host. Tools: request_credential, verify_credential,
record_receipt, verify_chain, get_public_key, whoami.

agent:
  --agent-key FILE          the agent's Ed25519 key (PKCS#8 PEM), created with mode 0600 if absent
                            (default: STATE_DIR/agent-key.pem; env SIGNET_AGENT_KEY holds the PEM itself)
  --state-dir DIR           default $XDG_CONFIG_HOME/signet or ~/.config/signet
  --name NAME               name to register the agent under (default mcp-agent@HOST)
  --owner OWNER             (default: the user name)
  --group GROUP             a group to register the agent in; repeat for more
  --audience AUD            default audience of credentials (default "mcp")
  --ledger-key FILE         the ledger's public key (PEM or vkey) to check receipts with;
                            without it, the key the server names first is pinned in the state dir
${CONNECT_USAGE}`;

export const AGENT_OPTIONS = {
  ...CONNECT_OPTIONS,
  'agent-key': { type: 'string' },
  'state-dir': { type: 'string' },
  name: { type: 'string' },
  owner: { type: 'string' },
  group: { type: 'string', multiple: true },
  audience: { type: 'string' },
  'ledger-key': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const OPTIONS = AGENT_OPTIONS;

export interface AgentFlags {
  stateDir: string;
  session: AgentSession;
  keySource: string;
  address: string;
  audience: string;
  close(): void;
}

/** Parses the agent flags shared by `signet mcp` and `signet mcp-gate` and opens the session. */
export function agentFromFlags(values: Record<string, unknown>, env: NodeJS.ProcessEnv, defaultName: string, keyFile = 'agent-key.pem'): AgentFlags {
  const v = values as { [k: string]: string | string[] | boolean | undefined };
  const stateDir = (v['state-dir'] as string | undefined) ?? defaultStateDir(env);
  const keyPath = (v['agent-key'] as string | undefined) ?? join(stateDir, keyFile);
  const { key, created, source } = loadOrCreateAgentKey(keyPath, env);
  if (created) process.stderr.write(`signet: created agent key ${keyPath} (${key.did})\n`);
  const { client, address } = connect(values, env);
  let ledgerKey: string | undefined;
  if (v['ledger-key']) {
    try {
      ledgerKey = readFileSync(v['ledger-key'] as string, 'utf8').trim();
    } catch (err) {
      throw new SignetError('CONFIG', `--ledger-key: cannot read ${String(v['ledger-key'])} (${(err as NodeJS.ErrnoException).code})`);
    }
  }
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep "unknown" */
  }
  const session = new AgentSession({
    client,
    address,
    key,
    statePath: join(stateDir, 'state.json'),
    name: (v.name as string | undefined) ?? `${defaultName}@${hostname()}`,
    owner: (v.owner as string | undefined) ?? user,
    groups: (v.group as string[] | undefined) ?? [],
    ...(ledgerKey ? { ledgerKey } : {}),
  });
  return { stateDir, session, keySource: source, address, audience: (v.audience as string | undefined) ?? 'mcp', close: () => client.close() };
}

export async function mcpCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`signet mcp: ${(err as Error).message}\n${MCP_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(`${MCP_USAGE}\n`);
    return 0;
  }
  const agent = agentFromFlags(values, env, 'mcp-agent');
  const server = new McpServer({ name: 'signet', version: '0.1.0' }, { instructions: 'Signet gives this agent its own key-bound identity: ask for a credential for each action (request_credential), and record what you did (record_receipt).' });
  registerAgentTools(server, { session: agent.session, address: agent.address, keySource: agent.keySource, defaultAudience: agent.audience });
  // Registration is tried at start-up, but a server that is down must not keep the host from starting.
  agent.session.ensureRegistered().catch((err: unknown) => process.stderr.write(`signet mcp: could not register the agent yet: ${(err as Error).message}\n`));
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    server.server.onclose = () => resolve();
    process.stdin.once('end', () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close().catch(() => {});
  agent.close();
  return 0;
}
