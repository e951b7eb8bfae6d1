// Where an agent keeps itself between runs: its Ed25519 key (created on first run, mode 0600,
// refused when others can read it), and a small state file (registrations, the pinned ledger key).
import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { AgentKey } from '../client/agent.js';
import { SignetError } from '../lib/errors.js';

export interface AgentState {
  /** Servers this key is registered with (address → agent id). */
  registered: Record<string, string>;
  /** The ledger key pinned on first use, per server (PEM SPKI). */
  ledgerKeys: Record<string, string>;
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'signet');
}

/**
 * The agent key from SIGNET_AGENT_KEY (PEM text), or from `path`, created there with mode 0600 on
 * first run. Creation is exclusive (O_EXCL), so two first runs at once end with one key.
 */
export function loadOrCreateAgentKey(path: string, env: NodeJS.ProcessEnv = process.env): { key: AgentKey; created: boolean; source: string } {
  if (env.SIGNET_AGENT_KEY) return { key: parseKey(env.SIGNET_AGENT_KEY, 'SIGNET_AGENT_KEY'), created: false, source: 'SIGNET_AGENT_KEY' };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const fresh = AgentKey.generate();
  // Written whole to a private temporary file, then linked into place: link() fails if the key
  // exists, so two first runs at once end with one key, and a crash never leaves half a key.
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, fresh.privatePem(), { mode: 0o600, flag: 'wx' });
    linkSync(tmp, path);
    return { key: fresh, created: true, source: path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new SignetError('CONFIG', `cannot create the agent key ${path} (${(err as NodeJS.ErrnoException).code})`);
  } finally {
    rmSync(tmp, { force: true });
  }
  const mode = statSync(path).mode & 0o777;
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    throw new SignetError('CONFIG', `the agent key ${path} is readable by others (mode ${mode.toString(8)}); chmod 600 it`);
  }
  return { key: parseKey(readFileSync(path, 'utf8'), path), created: false, source: path };
}

function parseKey(pem: string, where: string): AgentKey {
  try {
    return AgentKey.fromPem(pem);
  } catch (err) {
    throw new SignetError('CONFIG', `${where} is not an Ed25519 private key in PEM (${(err as Error).message})`);
  }
}

export function readState(path: string): AgentState {
  try {
    const s = JSON.parse(readFileSync(path, 'utf8')) as Partial<AgentState>;
    return { registered: { ...s.registered }, ledgerKeys: { ...s.ledgerKeys } };
  } catch {
    return { registered: {}, ledgerKeys: {} };
  }
}

/** Written to a temporary file and renamed, so a crash never leaves half a state file. */
export function writeState(path: string, state: AgentState): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, path);
}
