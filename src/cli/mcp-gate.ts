// `signet mcp-gate -- COMMAND ARGS…`: a stdio proxy between an MCP host and an MCP tool server it
// spawns. Every tools/call is authorized and credentialed by Signet for the gate's agent before it
// reaches the tool server, and leaves a receipt in the ledger; denials leave a denial entry.
import { basename, extname } from 'node:path';
import { parseArgs } from 'node:util';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { SignetError, isSignetError } from '../lib/errors.js';
import { ToolCallGate } from './gate-decide.js';
import { parseResourceFlag, type ResourceTemplate } from './gate-intent.js';
import { GateProxy } from './gate-proxy.js';
import { AGENT_OPTIONS, agentFromFlags } from './mcp.js';
import { CONNECT_USAGE } from './connect.js';

export const MCP_GATE_USAGE = `usage: signet mcp-gate [options] -- COMMAND [ARGS…]

Starts the MCP tool server COMMAND ARGS… and stands between it and the MCP host on stdio. For each
tools/call: intent {action: TOOL, resource, constraints: {args_sha256}}, Signet Authorize + Issue
for the gate's agent, forwarded only when allowed, a receipt recorded; a denial comes back as a
tool error naming the policy's reason. Everything else passes through unchanged.

gate:
  --tool-server NAME        names the tool server in default resources mcp://NAME/TOOL
                            (default: the script or command name)
  --resource TOOL=TEMPLATE  the resource of TOOL's calls from its arguments, e.g.
                            'delete_record=db/{table}/{id}' ({f} one segment, {f*} several,
                            {a.b} nested); TOOL may be * ; repeat for more tools
  --ttl SECONDS             credential lifetime (default: Signet's default)
  --issuer ISS              the credential issuer to expect (default: the first one seen)
  --hide-denied             drop from tools/list the tools with a fixed resource the policy denies
agent (the gate's own identity; see signet mcp --help):
  --agent-key FILE          default STATE_DIR/gate-key.pem
  --state-dir DIR  --name NAME  --owner OWNER  --group GROUP  --ledger-key FILE
  --audience AUD            default mcp://NAME
${CONNECT_USAGE}`;

const OPTIONS = {
  ...AGENT_OPTIONS,
  'tool-server': { type: 'string' },
  resource: { type: 'string', multiple: true },
  ttl: { type: 'string' },
  issuer: { type: 'string' },
  'hide-denied': { type: 'boolean' },
} as const;

const INTERPRETERS = new Set(['node', 'nodejs', 'python', 'python3', 'npx', 'uvx', 'uv', 'deno', 'bun', 'tsx', 'pnpm', 'yarn', 'docker']);

/** The tool server's name: the script of an interpreter, else the command. */
export function defaultToolServerName(command: string, args: string[]): string {
  const base = (p: string) => basename(p, extname(p)).replace(/[^A-Za-z0-9_.-]/g, '-') || 'tools';
  if (INTERPRETERS.has(basename(command))) {
    const script = args.find((a) => !a.startsWith('-'));
    if (script) return base(script);
  }
  return base(command);
}

export async function mcpGateCommand(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const dash = argv.indexOf('--');
  const own = dash < 0 ? argv : argv.slice(0, dash);
  const [command, ...args] = dash < 0 ? [] : argv.slice(dash + 1);
  let values;
  try {
    ({ values } = parseArgs({ args: own, options: OPTIONS, strict: true, allowPositionals: false }));
  } catch (err) {
    process.stderr.write(`signet mcp-gate: ${(err as Error).message}\n${MCP_GATE_USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stderr.write(`${MCP_GATE_USAGE}\n`);
    return 0;
  }
  if (!command) {
    process.stderr.write(`signet mcp-gate: give the tool server to run after --\n${MCP_GATE_USAGE}\n`);
    return 2;
  }
  const templates = new Map<string, ResourceTemplate>();
  try {
    for (const flag of values.resource ?? []) {
      const [tool, template] = parseResourceFlag(flag);
      if (templates.has(tool)) throw new SignetError('CONFIG', `--resource ${tool}= given twice`);
      templates.set(tool, template);
    }
  } catch (err) {
    throw isSignetError(err) ? new SignetError('CONFIG', `--resource: ${err.message}`) : err;
  }
  let ttlSeconds = 0;
  if (values.ttl !== undefined) {
    if (!/^[1-9][0-9]{0,5}$/.test(values.ttl)) throw new SignetError('CONFIG', '--ttl must be a whole number of seconds');
    ttlSeconds = Number(values.ttl);
  }
  const server = values['tool-server'] ?? defaultToolServerName(command, args);
  const agent = agentFromFlags({ ...values, audience: values.audience ?? `mcp://${server}` }, env, 'mcp-gate', 'gate-key.pem');
  const log = (line: string) => process.stderr.write(`signet mcp-gate: ${line}\n`);
  const gate = new ToolCallGate({
    session: agent.session,
    target: { server, templates },
    audience: agent.audience,
    ttlSeconds,
    ...(values.issuer ? { issuer: values.issuer } : {}),
    hideDenied: values['hide-denied'] === true,
    log,
  });
  // The tool server gets the gate's environment, but never the gate's own key.
  const childEnv = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined && e[0] !== 'SIGNET_AGENT_KEY'));
  const tool = new StdioClientTransport({ command, args, env: childEnv, stderr: 'inherit' });
  const proxy = new GateProxy(new StdioServerTransport(), tool, gate);
  await proxy.run((err) => log(err.message));
  agent.close();
  return 0;
}
