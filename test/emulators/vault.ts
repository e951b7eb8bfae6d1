// A local HashiCorp Vault emulator speaking the Transit HTTP API that node-vault drives:
// sys/health, transit/keys (create, read, rotate, config), transit/sign (single and batch_input), with
// X-Vault-Token checked, Vault-shaped errors, key versions and faults injected on demand.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { FaultInjector } from './fault.js';
import { TransitError, TransitKey, type TransitKeyType } from './vault-keys.js';

export { TransitKey, type TransitKeyType } from './vault-keys.js';

/** What a token may do: everything, read keys only, or sign only (a narrow Signet policy). */
export type TokenPolicy = 'root' | 'read-only' | 'sign-only';

export interface VaultEmulator {
  /** http(s)://127.0.0.1:PORT, for VAULT_ADDR or the URI's address parameter. */
  address: string;
  /** A root token: may do everything. */
  token: string;
  faults: FaultInjector;
  /** Requests per route as received (faulted ones too): counts['POST sign'], counts['GET keys'] … */
  counts: Record<string, number>;
  keys: Map<string, TransitKey>;
  createKey(name: string, type: TransitKeyType): TransitKey;
  rotate(name: string): TransitKey;
  addToken(policy: TokenPolicy): string;
  stop(): Promise<void>;
}

const MOUNT = 'transit';
const TYPES: readonly string[] = ['ed25519', 'ecdsa-p256', 'aes256-gcm96'];

export interface VaultEmulatorOptions {
  token?: string;
  /** Serve https with this certificate (e.g. from makeThrowawayCa) instead of plain http. */
  tls?: { cert: string; key: string };
}

export async function startVaultEmulator(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
  const token = options.token ?? `hvs.${randomBytes(18).toString('base64url')}`;
  const tokens = new Map<string, TokenPolicy>([[token, 'root']]);
  const keys = new Map<string, TransitKey>();
  const faults = new FaultInjector();
  const counts: Record<string, number> = {};

  const createKey = (name: string, type: TransitKeyType) => {
    const existing = keys.get(name);
    if (existing) return existing;
    const key = new TransitKey(name, type);
    keys.set(name, key);
    return key;
  };

  const listener = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((err) => reply(res, 500, { errors: [`internal error: ${String(err?.message ?? err)}`] }));
  };
  const server = options.tls ? createTlsServer({ cert: options.tls.cert, key: options.tls.key }, listener) : createServer(listener);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://vault');
    const path = url.pathname.replace(/^\/v1\//, '');
    const route = /^transit\/(keys|sign)\/([\w.-]+)(?:\/([\w-]+))?$/.exec(path);
    if (route) counts[`${req.method} ${route[1]}`] = (counts[`${req.method} ${route[1]}`] ?? 0) + 1;
    const fault = await faults.take();
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'throttle') {
      if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return reply(res, 429, { errors: [`request path "${path}": rate limit quota exceeded`] });
    }
    if (fault?.kind === 'error') {
      if (path === 'sys/health') return reply(res, fault.status, health(fault.status === 503));
      return reply(res, fault.status, { errors: [fault.status === 503 ? 'Vault is sealed' : 'internal error'] });
    }
    if (path === 'sys/health' && req.method === 'GET') return reply(res, 200, health(false));

    const policy = tokens.get(String(req.headers['x-vault-token'] ?? ''));
    if (!policy) return reply(res, 403, { errors: ['permission denied'] });
    if (!route) return reply(res, 404, { errors: [`no handler for route "${path}". route entry not found.`] });
    const [, op, name, extra] = route as unknown as [string, 'keys' | 'sign', string, string | undefined];
    if (!allowed(policy, req.method ?? '', op)) return reply(res, 403, { errors: ['permission denied'] });

    if (op === 'keys' && req.method === 'GET' && !extra) {
      const key = keys.get(name);
      return key ? reply(res, 200, envelope(key.describe())) : reply(res, 404, { errors: [] });
    }
    if (op === 'keys' && req.method === 'POST' && !extra) {
      const type = (body.type as string | undefined) ?? 'aes256-gcm96';
      if (!TYPES.includes(type)) return reply(res, 400, { errors: [`unknown key type "${type}"`] });
      return reply(res, 200, envelope(createKey(name, type as TransitKeyType).describe()));
    }
    if (op === 'keys' && req.method === 'POST' && extra === 'rotate') {
      const key = keys.get(name);
      if (!key) return reply(res, 400, { errors: ['key not found'] });
      key.rotate();
      return reply(res, 200, envelope(key.describe()));
    }
    if (op === 'keys' && req.method === 'POST' && extra === 'config') {
      const key = keys.get(name);
      if (!key) return reply(res, 400, { errors: ['no existing key named ' + name + ' could be found'] });
      const min = Number(body.min_encryption_version ?? key.minEncryptionVersion);
      if (!Number.isInteger(min) || min < 0 || min > key.latest) return reply(res, 400, { errors: ['min encryption version must be between 0 and the latest version'] });
      key.minEncryptionVersion = min;
      return reply(res, 200, envelope(key.describe()));
    }
    if (op === 'sign' && (req.method === 'POST' || req.method === 'PUT')) return sign(res, name, extra, body);
    return reply(res, 405, { errors: [] });
  }

  function sign(res: ServerResponse, name: string, urlHash: string | undefined, body: Record<string, unknown>): void {
    const hashAlgorithm = urlHash ?? (body.hash_algorithm as string | undefined) ?? (body.algorithm as string | undefined) ?? 'sha2-256';
    if (!['sha2-224', 'sha2-256', 'sha2-384', 'sha2-512'].includes(hashAlgorithm)) {
      return reply(res, 400, { errors: [`invalid hash algorithm "${hashAlgorithm}"`] });
    }
    const marshaling = (body.marshaling_algorithm as string | undefined) ?? 'asn1';
    if (marshaling !== 'asn1' && marshaling !== 'jws') return reply(res, 400, { errors: [`invalid marshaling type "${marshaling}"`] });
    const key = keys.get(name);
    if (!key) return reply(res, 400, { errors: ['encryption key not found'] });
    if (!key.signs) return reply(res, 400, { errors: [`key type ${key.type} does not support signing`] });
    const params = {
      keyVersion: Number(body.key_version ?? 0),
      hashAlgorithm,
      prehashed: body.prehashed === true || body.prehashed === 'true',
      marshaling,
    };
    const batch = body.batch_input;
    if (batch !== undefined) {
      if (!Array.isArray(batch) || batch.length === 0) return reply(res, 400, { errors: ['missing batch input to process'] });
      const results = batch.map((item: { input?: unknown }) => {
        try {
          return mangle(key.sign({ ...params, input: item?.input }));
        } catch (err) {
          return { error: (err as Error).message };
        }
      });
      return reply(res, 200, envelope({ batch_results: results }));
    }
    try {
      return reply(res, 200, envelope(mangle(key.sign({ ...params, input: body.input ?? '' }))));
    } catch (err) {
      return reply(res, err instanceof TransitError ? err.status : 500, { errors: [(err as Error).message] });
    }
  }

  /** Extra faults: 'malformed-signature' drops the vault:vN: prefix; 'wrong-version' reports another version. */
  function mangle(r: { signature: string; key_version: number }) {
    if (faults.consume('malformed-signature')) return { ...r, signature: r.signature.replace(/^vault:v\d+:/, '') };
    if (faults.consume('wrong-version')) return { signature: r.signature.replace(/^vault:v\d+:/, `vault:v${r.key_version + 1}:`), key_version: r.key_version + 1 };
    return r;
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    address: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    token,
    faults,
    counts,
    keys,
    createKey,
    rotate(name) {
      const key = keys.get(name);
      if (!key) throw new Error(`no key ${name}`);
      key.rotate();
      return key;
    },
    addToken(policy) {
      const t = `hvs.${policy}.${randomBytes(12).toString('base64url')}`;
      tokens.set(t, policy);
      return t;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function allowed(policy: TokenPolicy, method: string, op: 'keys' | 'sign'): boolean {
  if (policy === 'root') return true;
  if (policy === 'read-only') return op === 'keys' && method === 'GET';
  return (op === 'keys' && method === 'GET') || op === 'sign';
}

function health(sealed: boolean) {
  return { initialized: true, sealed, standby: false, performance_standby: false, server_time_utc: Math.floor(Date.now() / 1000), version: '1.15.0+emulator', cluster_name: 'signet-test' };
}

function envelope(data: unknown) {
  return { request_id: randomUUID(), lease_id: '', renewable: false, lease_duration: 0, data, wrap_info: null, warnings: null, auth: null };
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  if (chunks.length === 0) return {};
  try {
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return parsed && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}

/** Creates a key in the emulator and returns the key URI and env a Signet process needs to open it. */
export function createVaultKey(
  emulator: VaultEmulator,
  name: string,
  algorithm: 'Ed25519' | 'ES256',
  params = '',
): { uri: string; env: Record<string, string> } {
  emulator.createKey(name, algorithm === 'Ed25519' ? 'ed25519' : 'ecdsa-p256');
  const extra = params ? `?${params}` : '';
  return { uri: `hashivault://${MOUNT}/${name}${extra}`, env: { VAULT_ADDR: emulator.address, VAULT_TOKEN: emulator.token } };
}
