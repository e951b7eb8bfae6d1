// Where the hashivault driver finds Vault and its token: URI parameters first, then the usual
// Vault environment (VAULT_ADDR, VAULT_TOKEN, VAULT_NAMESPACE, VAULT_CACERT), then ~/.vault-token.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { SignetError } from '../../lib/errors.js';
import { cacheTtlFrom } from '../cache.js';
import { DEFAULT_DEADLINE_MS } from '../retry.js';
import { readSecret } from '../secrets.js';
import type { HashiVaultKeyUri } from '../uri.js';

export interface VaultDriverConfig {
  address: string;
  token: string;
  /** Where the token came from (never the token itself), for error messages. */
  tokenSource: string;
  namespace: string | undefined;
  ca: string | undefined;
  /** ECDSA answer encoding requested from Vault: jws (raw r||s) or asn1 (DER). */
  marshaling: 'jws' | 'asn1';
  cacheTtlMs: number;
  /** Deadline for a call whose caller gives none, and for start-up. */
  defaultTimeoutMs: number;
}

export function resolveConfig(uri: HashiVaultKeyUri, env: NodeJS.ProcessEnv): VaultDriverConfig {
  const where = uri.redacted;
  if (uri.params.has('token')) {
    throw new SignetError('CONFIG', `${where}: a token does not belong in a key URI; use token-source=env:NAME or file:/path, or VAULT_TOKEN`);
  }
  const address = uri.address ?? env.VAULT_ADDR;
  if (!address) throw new SignetError('CONFIG', `${where}: no Vault address; set VAULT_ADDR or the address= parameter`);
  if (!/^https?:\/\/[^/]/.test(address)) throw new SignetError('CONFIG', `${where}: Vault address must be an http(s) URL, got "${address}"`);
  const { token, tokenSource } = resolveToken(uri, env);
  const marshaling = (uri.params.get('marshaling') ?? 'jws').toLowerCase();
  if (marshaling !== 'jws' && marshaling !== 'asn1') {
    throw new SignetError('CONFIG', `${where}: marshaling must be jws or asn1, not "${marshaling}"`);
  }
  const caFile = uri.params.get('ca-file') ?? env.VAULT_CACERT;
  return {
    address: address.replace(/\/+$/, ''),
    token,
    tokenSource,
    namespace: uri.params.get('namespace') ?? env.VAULT_NAMESPACE,
    ca: caFile ? readCa(where, caFile) : undefined,
    marshaling,
    cacheTtlMs: withWhere(where, () => cacheTtlFrom(uri.params)),
    defaultTimeoutMs: timeoutParam(where, uri.params.get('timeout')),
  };
}

function resolveToken(uri: HashiVaultKeyUri, env: NodeJS.ProcessEnv): { token: string; tokenSource: string } {
  const where = uri.redacted;
  const source = uri.params.get('token-source');
  if (source) {
    const token = readSecret(source, `${where} token-source`, env).trim();
    if (!token) throw new SignetError('CONFIG', `${where}: token-source ${source.startsWith('env:') ? source : 'file'} is empty`);
    return { token, tokenSource: source.startsWith('env:') ? source : 'token-source file' };
  }
  if (env.VAULT_TOKEN) return { token: env.VAULT_TOKEN.trim(), tokenSource: 'VAULT_TOKEN' };
  const path = join(env.HOME ?? homedir(), '.vault-token');
  let token = '';
  try {
    token = readFileSync(path, 'utf8').trim();
  } catch {
    // absent: reported below with every place that was tried
  }
  if (!token) {
    throw new SignetError('CONFIG', `${where}: no Vault token; set VAULT_TOKEN, token-source=env:NAME|file:/path, or write ${path}`);
  }
  return { token, tokenSource: path };
}

function readCa(where: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new SignetError('CONFIG', `${where}: cannot read the Vault CA file ${path}`, { cause: err });
  }
}

/** `timeout`: ms, s, m (as cache-ttl); plain numbers are seconds. */
function timeoutParam(where: string, raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_DEADLINE_MS;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * { ms: 1, s: 1_000, m: 60_000 }[(m[2] ?? 's') as 'ms' | 's' | 'm'] : NaN;
  if (!(ms > 0)) throw new SignetError('CONFIG', `${where}: timeout must be a duration such as 5s or 800ms, not "${raw}"`);
  return ms;
}

function withWhere<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw new SignetError('CONFIG', `${where}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

