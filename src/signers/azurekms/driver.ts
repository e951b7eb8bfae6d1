// The `azurekms:` driver: an EC P-256 key in Azure Key Vault, signing ES256 through
// @azure/keyvault-keys with @azure/identity credentials. Key Vault has no Ed25519: refused at open.
import { SignetError } from '../../lib/errors.js';
import type { KeyGenerator, KeyRotator } from '../capabilities.js';
import type { KeyAlgorithm, PublicKeyInfo } from '../contract.js';
import { CustodySigner } from '../custody.js';
import { cacheTtlFrom } from '../cache.js';
import { publicKeyInfo } from '../keys.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import { withRetry } from '../retry.js';
import type { AzureKmsKeyUri, KeyUri } from '../uri.js';
import { AzureKeyBackend } from './backend.js';
import { createSdkKeyClient, type AzureKeyClient, type AzureKeyClientFactory, type AzureKeyVersion } from './client.js';
import { resolveCredential, trustAgent } from './credentials.js';
import { NO_CREDENTIAL, credentialCause, describeAzureError, isCredentialError, retryDecision, serviceMessage } from './errors.js';
import { NO_ED25519, answersFor, spkiOfKey, unusableReason } from './key-checks.js';

interface Connection {
  client: AzureKeyClient;
  /** Which credential, for messages; never a secret. */
  credential: string;
}

export class AzureKmsDriver implements Driver, KeyGenerator, KeyRotator {
  readonly scheme = 'azurekms' as const;
  readonly #factory: AzureKeyClientFactory;

  constructor(factory: AzureKeyClientFactory = createSdkKeyClient) {
    this.#factory = factory;
  }

  async open(uri: KeyUri, context: OpenContext): Promise<CustodySigner> {
    const u = uri as AzureKmsKeyUri;
    refuseEd25519(u, u.params.get('alg'));
    const cacheTtlMs = cacheTtlFrom(u.params);
    const maxInFlight = positiveInt(u, 'max-in-flight', DEFAULT_MAX_IN_FLIGHT);
    const { client, credential } = this.#connect(u, context);
    let key: AzureKeyVersion;
    try {
      key = await startupCall(u, credential, (signal) => client.getKey(u.version, signal), 'read the key');
      if (!answersFor(key, u.keyName, u.version)) {
        throw new SignetError('INTEGRITY', `azurekms: ${u.redacted}: Key Vault answered with key ${key.kid}, not the key asked for`);
      }
      const reason = unusableReason(key);
      if (reason) throw new SignetError('CONFIG', `azurekms: ${u.redacted}: ${reason}`);
    } catch (err) {
      client.close();
      throw err;
    }
    const backend = new AzureKeyBackend({ uri: u.redacted, keyName: u.keyName, client, pinnedVersion: u.version, cacheTtlMs, maxInFlight }, key);
    return new CustodySigner(backend);
  }

  /** Creates the key (a new version if it exists) as EC P-256; `?hsm=true` makes it EC-HSM. */
  async generate(uri: KeyUri, algorithm: KeyAlgorithm): Promise<PublicKeyInfo> {
    const u = uri as AzureKmsKeyUri;
    refuseEd25519(u, algorithm);
    const { client, credential } = this.#connect(u, {});
    const key = await startupCall(u, credential, (signal) => client.createEcKey(u.params.get('hsm') === 'true', signal), 'create the key').finally(() => client.close());
    return publicKeyInfo(spkiOfKey(key), key.version);
  }

  /** Key Vault's rotate: a new version with the same type and operations becomes the latest. */
  async rotate(uri: KeyUri): Promise<PublicKeyInfo> {
    const u = uri as AzureKmsKeyUri;
    const { client, credential } = this.#connect(u, {});
    const key = await startupCall(u, credential, (signal) => client.rotate(signal), 'rotate the key').finally(() => client.close());
    return publicKeyInfo(spkiOfKey(key), key.version);
  }

  #connect(u: AzureKmsKeyUri, context: OpenContext): Connection {
    if (!/^https:\/\//i.test(u.vaultUrl)) throw new SignetError('CONFIG', `azurekms: ${u.redacted}: the vault endpoint must be https`);
    const agent = trustAgent(u);
    const { credential, description } = resolveCredential(u, context.env ?? process.env, agent);
    const client = this.#factory({ vaultUrl: u.vaultUrl, keyName: u.keyName, credential, endpointOverride: u.params.has('endpoint'), agent });
    return { client, credential: description };
  }
}

/**
 * Sign calls one signMany keeps in flight. The vault's quota (2,000 HSM / 4,000 software ECC P-256
 * operations per 10 s) caps throughput well below what 64 calls can ask; past it, 429s are retried.
 */
const DEFAULT_MAX_IN_FLIGHT = 64;

function positiveInt(u: AzureKmsKeyUri, name: string, fallback: number): number {
  const raw = u.params.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new SignetError('CONFIG', `azurekms: ${u.redacted}: ${name} must be a positive integer, not "${raw}"`);
  return n;
}

function refuseEd25519(u: AzureKmsKeyUri, alg: string | undefined): void {
  const a = alg?.toLowerCase();
  if (a === undefined || a === 'es256' || a === 'p256' || a === 'p-256') return;
  if (a === 'ed25519') throw new SignetError('CONFIG', `azurekms: ${u.redacted}: ${NO_ED25519}`);
  throw new SignetError('CONFIG', `azurekms: ${u.redacted}: alg must be es256 (Key Vault EC P-256), not "${alg}"`);
}

/** A start-up call, retried on throttling and 5xx; failures become one clear CONFIG line. */
async function startupCall(u: AzureKmsKeyUri, credential: string, fn: (signal: AbortSignal) => Promise<AzureKeyVersion>, what: string): Promise<AzureKeyVersion> {
  try {
    return await withRetry((a) => fn(a.signal), { driver: `azurekms ${u.redacted}`, retryable: retryDecision, describe: describeAzureError });
  } catch (err) {
    throw startupError(err, u, credential, what);
  }
}

function startupError(err: unknown, u: AzureKmsKeyUri, credential: string, what: string): SignetError {
  const where = `azurekms: ${u.redacted}`;
  if (err instanceof SignetError) return err;
  if (isCredentialError(err)) {
    const cause = credentialCause(err as Error);
    if (cause === NO_CREDENTIAL) {
      return new SignetError('CONFIG', `${where}: ${credential} found no Azure credential; set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET (or tenant-id, client-id, client-secret-source), or run with a managed or workload identity`, { cause: err });
    }
    return new SignetError('CONFIG', `${where}: bad Azure credentials (${credential}): ${cause}`, { cause: err });
  }
  const status = (err as { statusCode?: number }).statusCode;
  const key = u.version ? `${u.keyName}/${u.version}` : u.keyName;
  if (status === 404) return new SignetError('CONFIG', `${where}: key ${key} does not exist in vault ${u.vaultUrl}`, { cause: err });
  if (status === 403) {
    return new SignetError('CONFIG', `${where}: ${credential} may not ${what} (needs keys/get and keys/sign): ${serviceMessage(err as Error)}`, { cause: err });
  }
  if (status === 401) return new SignetError('CONFIG', `${where}: the vault refused the access token of ${credential}`, { cause: err });
  return new SignetError('CONFIG', `${where}: cannot ${what}: ${describeAzureError(err)}`, { cause: err });
}

registerDriver(new AzureKmsDriver());
