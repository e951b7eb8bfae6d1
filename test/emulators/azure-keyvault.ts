// An Azure Key Vault emulator for tests: HTTPS with a throwaway CA, the bearer-token challenge, a
// Microsoft Entra-style OAuth2 token endpoint, the keys REST API (get, sign, create, rotate), faults.
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EntraAuthority } from './azure-entra.js';
import { readBody, reply } from './azure-http.js';
import { EmulatedKeyStore, VaultError, type EmulatedKeyOptions, type EmulatedKeyVersion } from './azure-keyvault-keys.js';
import { FaultInjector } from './fault.js';
import { makeThrowawayCa, type ThrowawayCa } from './throwaway-ca.js';

/** The audience Key Vault tokens are issued for; clients ask for `${VAULT_RESOURCE}/.default`. */
export const VAULT_RESOURCE = 'https://vault.azure.net';
/** Key Vault permissions the emulator's access policy knows. */
export type VaultPermission = 'get' | 'sign' | 'create' | 'rotate';

export interface AzureKeyVaultEmulator {
  /** https://127.0.0.1:PORT: the vault endpoint and the authority host both. */
  readonly endpoint: string;
  readonly tenantId: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** The throwaway CA's certificate (PEM file): trusted only by what is told to. */
  readonly caFile: string;
  readonly faults: FaultInjector;
  /**
   * Requests served, by kind. `challenge` counts 401s sent to requests without a valid token;
   * `peakInFlight` is the most authenticated vault requests seen at once.
   */
  readonly stats: { token: number; challenge: number; getKey: number; sign: number; peakInFlight: number };
  readonly keys: EmulatedKeyStore;
  createKey(name: string, options?: EmulatedKeyOptions): EmulatedKeyVersion;
  rotateKey(name: string): EmulatedKeyVersion;
  /** Withdraws (or grants again) a permission from the test client's access policy. */
  setPermission(permission: VaultPermission, allowed: boolean): void;
  /** Invalidates every access token issued so far (as a revoked or expired session would). */
  revokeTokens(): void;
  /** Access tokens issued and still valid, for tests that check no token leaks into errors. */
  issuedTokens(): string[];
  /** The key URI and environment a Signet process needs to use the key. */
  testKey(name: string, options?: { version?: string; params?: Record<string, string> }): { uri: string; env: Record<string, string> };
  stop(): Promise<void>;
}

export async function startAzureKeyVaultEmulator(): Promise<AzureKeyVaultEmulator> {
  const ca = makeThrowawayCa();
  const state = new EmulatorState(ca);
  const server = createServer({ key: ca.keyPem, cert: ca.certPem }, (req, res) => {
    state.handle(req, res).catch((err) => reply(res, 500, { error: { code: 'InternalServerError', message: String(err) } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.endpoint = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state.api(server);
}

/**
 * Creates an EC P-256 key (EC-HSM with `hsm`) in the emulator and returns what a Signet process
 * needs to sign with it: the key URI and the AZURE_* environment of the test client.
 */
export function createAzureTestKey(
  emulator: AzureKeyVaultEmulator,
  name = `signet-${randomBytes(4).toString('hex')}`,
  options: { hsm?: boolean; params?: Record<string, string> } = {},
): { uri: string; env: Record<string, string>; version: string; publicPem: string } {
  const key = emulator.createKey(name, { kty: options.hsm ? 'EC-HSM' : 'EC' });
  return { ...emulator.testKey(name, { params: options.params }), version: key.version, publicPem: key.publicPem };
}

class EmulatorState {
  endpoint = '';
  readonly entra = new EntraAuthority(VAULT_RESOURCE);
  readonly faults = new FaultInjector();
  readonly keys = new EmulatedKeyStore();
  readonly stats = { token: 0, challenge: 0, getKey: 0, sign: 0, peakInFlight: 0 };
  #inFlight = 0;
  readonly #denied = new Set<VaultPermission>();
  readonly #ca: ThrowawayCa;

  constructor(ca: ThrowawayCa) {
    this.#ca = ca;
  }

  api(server: Server): AzureKeyVaultEmulator {
    const self = this;
    return {
      endpoint: this.endpoint,
      tenantId: this.entra.tenantId,
      clientId: this.entra.clientId,
      clientSecret: this.entra.clientSecret,
      caFile: this.#ca.caFile,
      faults: this.faults,
      stats: this.stats,
      keys: this.keys,
      createKey: (name, options) => this.keys.create(name, options),
      rotateKey: (name) => this.keys.rotate(name),
      setPermission: (p, allowed) => void (allowed ? this.#denied.delete(p) : this.#denied.add(p)),
      revokeTokens: () => this.entra.revokeAll(),
      issuedTokens: () => this.entra.issued(),
      testKey(name, options = {}) {
        const params = new URLSearchParams({ endpoint: self.endpoint, 'ca-file': self.#ca.caFile, ...options.params });
        const path = options.version ? `${name}/${options.version}` : name;
        return {
          uri: `azurekms://signet-test.vault.azure.net/${path}?${params.toString().replace(/%3A/g, ':').replace(/%2F/g, '/')}`,
          env: {
            AZURE_TENANT_ID: self.entra.tenantId,
            AZURE_CLIENT_ID: self.entra.clientId,
            AZURE_CLIENT_SECRET: self.entra.clientSecret,
            AZURE_AUTHORITY_HOST: self.endpoint,
          },
        };
      },
      async stop() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        self.#ca.dispose();
      },
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.endpoint);
    const parts = url.pathname.split('/').filter(Boolean);
    if (parts[0] === this.entra.tenantId) {
      const before = this.entra.requests;
      await this.entra.handle(req, res, this.endpoint, parts.slice(1).join('/'));
      this.stats.token += this.entra.requests - before;
      return;
    }
    if (parts[0] !== 'keys') return reply(res, 404, { error: { code: 'NotFound', message: `No route for ${url.pathname}` } });

    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || !this.entra.isValid(token)) {
      this.stats.challenge++;
      res.setHeader('WWW-Authenticate', `Bearer authorization="https://login.microsoftonline.com/${this.entra.tenantId}", resource="${VAULT_RESOURCE}"`);
      const message = token ? 'AKV10032: Invalid issuer or token.' : 'AKV10000: Request is missing a Bearer or PoP token.';
      return reply(res, 401, { error: { code: 'Unauthorized', message } });
    }
    if (!url.searchParams.get('api-version')) {
      return reply(res, 400, { error: { code: 'BadParameter', message: 'The api-version query parameter is required.' } });
    }
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, ++this.#inFlight);
    try {
      await this.#authenticated(req, res, url, parts);
    } finally {
      this.#inFlight--;
    }
  }

  async #authenticated(req: IncomingMessage, res: ServerResponse, url: URL, parts: string[]): Promise<void> {
    const fault = await this.faults.take();
    if (fault?.kind === 'reset') return void req.socket.destroy();
    if (fault?.kind === 'throttle') {
      if (fault.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(fault.retryAfterSeconds));
      return reply(res, 429, { error: { code: 'Throttled', message: 'Request was not processed because too many requests were received. Reason: VaultRequestTypeLimitReached' } });
    }
    if (fault?.kind === 'error') return reply(res, fault.status, { error: { code: 'InternalServerError', message: 'The service is unavailable.' } });

    try {
      const body = req.method === 'POST' ? await readJson(req) : {};
      return reply(res, 200, this.#vault(req.method ?? 'GET', parts.slice(1), body));
    } catch (err) {
      if (err instanceof VaultError) return reply(res, err.status, { error: { code: err.code, message: err.message } });
      throw err;
    }
  }

  #vault(method: string, path: string[], body: Record<string, unknown>): object {
    const [name, second, third] = path;
    if (!name) throw new VaultError(405, 'MethodNotAllowed', 'Listing keys is not emulated.');
    if (method === 'GET' && path.length <= 2) {
      this.#require('get');
      this.stats.getKey++;
      // Fault extra 'get-unavailable': only key reads fail (503), signing still works.
      if (this.faults.consume('get-unavailable')) throw new VaultError(503, 'ServiceUnavailable', 'The service is unavailable.');
      const key = this.keys.get(name, second);
      // Fault extra 'wrong-kid': answer with another key's id, as a misrouted proxy would.
      return this.keys.bundle(this.endpoint, this.faults.consume('wrong-kid') ? { ...key, name: `${name}-other` } : key);
    }
    if (method === 'POST' && third === 'sign' && second) {
      this.#require('sign');
      this.stats.sign++;
      const signature = this.keys.sign(name, second, body.alg, body.value);
      return { kid: `${this.endpoint}/keys/${name}/${second}`, value: Buffer.from(signature).toString('base64url') };
    }
    if (method === 'POST' && second === 'create' && path.length === 2) {
      this.#require('create');
      const kty = body.kty as EmulatedKeyOptions['kty'];
      if (kty !== 'EC' && kty !== 'EC-HSM' && kty !== 'RSA' && kty !== 'RSA-HSM') throw new VaultError(400, 'BadParameter', `Key type ${String(kty)} is not supported.`);
      if (kty.startsWith('EC') && body.crv !== undefined && body.crv !== 'P-256') throw new VaultError(400, 'BadParameter', `Curve ${String(body.crv)} is not emulated; only P-256.`);
      const keyOps = Array.isArray(body.key_ops) ? (body.key_ops as string[]) : undefined;
      return this.keys.bundle(this.endpoint, this.keys.create(name, { kty, keyOps }));
    }
    if (method === 'POST' && second === 'rotate' && path.length === 2) {
      this.#require('rotate');
      return this.keys.bundle(this.endpoint, this.keys.rotate(name));
    }
    throw new VaultError(405, 'MethodNotAllowed', `${method} /keys/${path.join('/')} is not emulated.`);
  }

  #require(permission: VaultPermission): void {
    if (this.#denied.has(permission)) {
      throw new VaultError(403, 'Forbidden', `The user, group or application 'appid=${this.entra.clientId}' does not have keys ${permission} permission on key vault 'signet-test'.`);
    }
  }
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req);
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new VaultError(400, 'BadParameter', 'The request body is not valid JSON.');
  }
}
