// The narrow seam over node-vault: the two Transit calls the driver uses (read key, sign), with
// every failure turned into a VaultCallError that holds no token and no request headers.
import nodeVault from 'node-vault';
import { TransportError, vaultTransport, type CallOptions } from './transport.js';

/** GET /v1/MOUNT/keys/NAME → data, as Vault sends it. */
export interface TransitKeyData {
  name?: string;
  type?: string;
  supports_signing?: boolean;
  latest_version?: number;
  min_decryption_version?: number;
  keys?: Record<string, { public_key?: string; name?: string; creation_time?: string } | number>;
}

export interface TransitSignRequest {
  input?: string;
  batch_input?: { input: string }[];
  key_version?: number;
  prehashed?: boolean;
  hash_algorithm?: string;
  marshaling_algorithm?: string;
}

export interface TransitSignature {
  signature?: string;
  key_version?: number;
  error?: string;
}

export interface TransitSignData extends TransitSignature {
  batch_results?: TransitSignature[];
}

export interface CallBounds {
  /** Milliseconds the request may take. */
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What the driver needs from Vault. Tests may put another implementation behind it. */
export interface TransitClient {
  readKey(mount: string, name: string, bounds: CallBounds): Promise<TransitKeyData>;
  sign(mount: string, name: string, request: TransitSignRequest, bounds: CallBounds): Promise<TransitSignData>;
  /** For the generate capability: POST MOUNT/keys/NAME {type}. */
  createKey(mount: string, name: string, type: string, bounds: CallBounds): Promise<void>;
  /** For the rotate capability: POST MOUNT/keys/NAME/rotate. */
  rotateKey(mount: string, name: string, bounds: CallBounds): Promise<void>;
  close(): void;
}

export interface TransitClientConfig {
  address: string;
  token: string;
  namespace?: string;
  /** PEM CA bundle for a Vault behind a private CA (VAULT_CACERT). */
  ca?: string;
}

/** A Vault answer or transport failure, reduced to what is safe to keep and log. */
export class VaultCallError extends Error {
  /** HTTP status, or undefined when no answer came (reset, refused, timeout). */
  readonly status: number | undefined;
  /** Transport error code (ECONNRESET …) when no answer came. */
  readonly transportCode: string | undefined;
  /** Vault's `errors` array. */
  readonly errors: string[];
  readonly retryAfter: string | undefined;

  constructor(status: number | undefined, transportCode: string | undefined, errors: string[], retryAfter: string | undefined) {
    const what = status !== undefined ? `HTTP ${status}` : transportCode ?? 'no answer';
    super(errors.length > 0 ? `${what}: ${errors.join('; ')}` : what);
    this.name = 'VaultCallError';
    this.status = status;
    this.transportCode = transportCode;
    this.errors = errors;
    this.retryAfter = retryAfter;
  }
}

/** The official client (node-vault) with Signet's transport, pointed at the configured address. */
export class NodeVaultTransitClient implements TransitClient {
  readonly #vault: ReturnType<typeof nodeVault>;
  readonly #transport: ReturnType<typeof vaultTransport>;

  constructor(config: TransitClientConfig) {
    this.#transport = vaultTransport(config.ca ? { ca: config.ca } : {});
    this.#vault = nodeVault({
      endpoint: config.address,
      token: config.token,
      namespace: config.namespace,
      'request-promise': this.#transport,
      // node-vault's debug output would include request bodies; Signet logs through its own logger.
      debug: () => {},
    });
  }

  async readKey(mount: string, name: string, bounds: CallBounds): Promise<TransitKeyData> {
    const body = await this.#call((o) => this.#vault.read(`${mount}/keys/${encodeURIComponent(name)}`, o), bounds);
    return (body as { data?: TransitKeyData })?.data ?? {};
  }

  async sign(mount: string, name: string, request: TransitSignRequest, bounds: CallBounds): Promise<TransitSignData> {
    const body = await this.#call((o) => this.#vault.write(`${mount}/sign/${encodeURIComponent(name)}`, request, o), bounds);
    return (body as { data?: TransitSignData })?.data ?? {};
  }

  async createKey(mount: string, name: string, type: string, bounds: CallBounds): Promise<void> {
    await this.#call((o) => this.#vault.write(`${mount}/keys/${encodeURIComponent(name)}`, { type }, o), bounds);
  }

  async rotateKey(mount: string, name: string, bounds: CallBounds): Promise<void> {
    await this.#call((o) => this.#vault.write(`${mount}/keys/${encodeURIComponent(name)}/rotate`, {}, o), bounds);
  }

  close(): void {
    this.#transport.close();
  }

  async #call(fn: (options: CallOptions) => Promise<unknown>, bounds: CallBounds): Promise<unknown> {
    const options: CallOptions = { timeout: Math.max(1, Math.floor(bounds.timeoutMs)), signal: bounds.signal, trace: {} };
    try {
      return await fn(options);
    } catch (err) {
      throw toCallError(err, options.trace);
    }
  }
}

function toCallError(err: unknown, trace: CallOptions['trace']): VaultCallError {
  if (err instanceof TransportError) return new VaultCallError(undefined, err.code, [], undefined);
  // node-vault's ApiResponseError: { message, response: { statusCode, body } }
  const response = (err as { response?: { statusCode?: number; body?: { errors?: unknown } } }).response;
  if (response?.statusCode !== undefined) {
    const errors = Array.isArray(response.body?.errors) ? response.body.errors.map((e) => String(e).slice(0, 300)) : [];
    return new VaultCallError(response.statusCode, undefined, errors, trace.retryAfter);
  }
  return new VaultCallError(trace.status, 'CLIENT', [String((err as Error)?.message ?? err).slice(0, 200)], trace.retryAfter);
}
