// The `gcpkms:` driver: a signing key in Google Cloud KMS, through the official @google-cloud/kms
// client. Opening resolves the version and loads its public key, so a bad key fails at start-up.
import { readFileSync } from 'node:fs';
import { SignetError } from '../../lib/errors.js';
import { cacheTtlFrom } from '../cache.js';
import { CustodySigner } from '../custody.js';
import type { KeyGenerator, KeyRotator } from '../capabilities.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../contract.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import { DEFAULT_DEADLINE_MS } from '../retry.js';
import { readSecret } from '../secrets.js';
import type { GcpKmsKeyUri, KeyUri } from '../uri.js';
import { GcpKmsBackend } from './backend.js';
import { createGcpKmsClient, type GcpKmsClientFactory, type GcpKmsClientOptions } from './client.js';
import { createSigningKey, createSigningVersion } from './lifecycle.js';
import { describeStatus, statusOf, Status } from './status.js';
import { keyNameOf } from './versions.js';

export class GcpKmsDriver implements Driver, KeyGenerator, KeyRotator {
  readonly scheme = 'gcpkms' as const;
  readonly #createClient: GcpKmsClientFactory;

  /** `createClient` is the seam tests may replace; by default the official SDK client. */
  constructor(createClient: GcpKmsClientFactory = createGcpKmsClient) {
    this.#createClient = createClient;
  }

  async open(uri: KeyUri, context: OpenContext): Promise<CustodySigner> {
    const gcp = uri as GcpKmsKeyUri;
    const env = context.env ?? process.env;
    const limits = { cacheTtlMs: cacheTtlFrom(gcp.params), maxInFlight: positiveInt(gcp, 'max-in-flight', DEFAULT_MAX_IN_FLIGHT) };
    const client = this.#createClient(clientOptions(gcp, env));
    try {
      const backend = await GcpKmsBackend.open(client, gcp.redacted, gcp.name, limits, Date.now() + openTimeoutMs(gcp));
      return new CustodySigner(backend);
    } catch (err) {
      await client.close().catch(() => {});
      throw startupError(gcp, err);
    }
  }

  /**
   * Creates the key the URI names (ASYMMETRIC_SIGN, `protection-level` HSM unless the URI says
   * SOFTWARE) and waits for its first version. Needs cloudkms.cryptoKeys.create.
   */
  async generate(uri: KeyUri, algorithm: KeyAlgorithm, context: OpenContext = {}): Promise<PublicKeyInfo> {
    const gcp = uri as GcpKmsKeyUri;
    const protectionLevel = (gcp.params.get('protection-level') ?? 'HSM').toUpperCase();
    if (protectionLevel !== 'HSM' && protectionLevel !== 'SOFTWARE') {
      throw new SignetError('CONFIG', `gcpkms: protection-level must be HSM or SOFTWARE, not "${protectionLevel}"`);
    }
    return this.#withClient(gcp, context, (client) => createSigningKey(client, gcp.name, algorithm, protectionLevel, Date.now() + openTimeoutMs(gcp)));
  }

  /** Makes a new version of the key; signers by key name use it once their cache expires. Needs cloudkms.cryptoKeyVersions.create. */
  async rotate(uri: KeyUri, context: OpenContext = {}): Promise<PublicKeyInfo> {
    const gcp = uri as GcpKmsKeyUri;
    const signer = await this.open(uri, context);
    const algorithm = signer.algorithm;
    await signer.close();
    return this.#withClient(gcp, context, (client) => createSigningVersion(client, keyNameOf(gcp.name), algorithm, Date.now() + openTimeoutMs(gcp)));
  }

  async #withClient<T>(uri: GcpKmsKeyUri, context: OpenContext, fn: (client: ReturnType<GcpKmsClientFactory>) => Promise<T>): Promise<T> {
    const client = this.#createClient(clientOptions(uri, context.env ?? process.env));
    try {
      return await fn(client);
    } finally {
      await client.close().catch(() => {});
    }
  }
}

function clientOptions(uri: GcpKmsKeyUri, env: NodeJS.ProcessEnv): GcpKmsClientOptions {
  const options: GcpKmsClientOptions = { endpoint: uri.endpoint, insecure: uri.params.get('insecure') === 'true' };
  const caFile = uri.params.get('ca-file');
  if (caFile) {
    try {
      options.caPem = readFileSync(caFile, 'utf8');
    } catch (err) {
      throw new SignetError('CONFIG', `gcpkms: cannot read ca-file ${caFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
    }
  }
  const tokenSource = uri.params.get('token-source');
  if (tokenSource) {
    if (options.insecure) throw new SignetError('CONFIG', 'gcpkms: token-source needs TLS; it cannot be combined with insecure=true');
    options.accessToken = readSecret(tokenSource, 'gcpkms token-source', env).trim();
  }
  return options;
}

/** AsymmetricSign calls one signMany keeps in flight by default: enough to hide latency, not a quota burst. */
const DEFAULT_MAX_IN_FLIGHT = 64;

function positiveInt(uri: GcpKmsKeyUri, name: string, fallback: number): number {
  const raw = uri.params.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new SignetError('CONFIG', `gcpkms: ${name} must be a positive integer, not "${raw}"`);
  return n;
}

function openTimeoutMs(uri: GcpKmsKeyUri): number {
  const raw = uri.params.get('open-timeout');
  if (raw === undefined) return DEFAULT_DEADLINE_MS;
  const ms = cacheTtlFrom(new Map([['cache-ttl', raw]]));
  if (ms <= 0) throw new SignetError('CONFIG', 'gcpkms: open-timeout must be greater than 0');
  return ms;
}

/** One line that names the problem; the URI's secrets and the token never appear in it. */
function startupError(uri: GcpKmsKeyUri, err: unknown): SignetError {
  const code = statusOf(err);
  const why = describeStatus(err);
  switch (code) {
    case Status.NOT_FOUND:
      return new SignetError('CONFIG', `gcpkms: key ${uri.name} does not exist (${why})`, { cause: err });
    case Status.UNAUTHENTICATED:
      return new SignetError('CONFIG', `gcpkms: credentials were refused for ${uri.name}; check token-source or Application Default Credentials (${why})`, { cause: err });
    case Status.PERMISSION_DENIED:
      return new SignetError('CONFIG', `gcpkms: permission denied on ${uri.name}; the caller needs cloudkms.cryptoKeys.get, cloudkms.cryptoKeyVersions.list/get/viewPublicKey/useToSign (${why})`, { cause: err });
  }
  if (err instanceof SignetError) {
    // The deadline at start-up is open-timeout, not a caller's: Cloud KMS did not answer in time.
    if (err.code === 'DEADLINE_EXCEEDED') {
      return new SignetError('UNAVAILABLE', `gcpkms: no answer from Cloud KMS for ${uri.name} within open-timeout (${err.message})`, { cause: err });
    }
    if (err.code === 'CONFIG' || err.code === 'UNAVAILABLE') return err;
    return new SignetError('CONFIG', `gcpkms: cannot use ${uri.name}: ${err.message}`, { cause: err });
  }
  if (code === undefined && err instanceof Error && /credentials/i.test(err.message)) {
    return new SignetError('CONFIG', `gcpkms: no Google credentials: ${err.message.split('\n')[0]!.slice(0, 200)}`, { cause: err });
  }
  return new SignetError('CONFIG', `gcpkms: cannot open ${uri.name}: ${why}`, { cause: err });
}

registerDriver(new GcpKmsDriver());
