// The narrow seam between the azurekms driver and @azure/keyvault-keys: only the calls Signet uses
// (get a key, ES256-sign a digest, create and rotate), each SDK client made with the URI's endpoint.
import type { Agent } from 'node:https';
import type { TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type KeyClientOptions, type KeyVaultKey } from '@azure/keyvault-keys';

/** What Signet needs to know of one key version, from its KeyBundle. */
export interface AzureKeyVersion {
  /** The key identifier URL: {vault}/keys/{name}/{version}. */
  kid: string;
  version: string;
  /** EC, EC-HSM, RSA, RSA-HSM, oct … */
  kty: string;
  crv: string | undefined;
  keyOps: string[];
  enabled: boolean;
  notBefore: Date | undefined;
  expiresOn: Date | undefined;
  x: Uint8Array | undefined;
  y: Uint8Array | undefined;
}

export interface AzureKeyClient {
  /** The key's latest version, or a given one. */
  getKey(version: string | undefined, signal: AbortSignal): Promise<AzureKeyVersion>;
  /** ES256 over a 32-byte digest with the given version: raw r||s as Key Vault returns it. */
  signDigest(key: AzureKeyVersion, digest: Uint8Array, signal: AbortSignal): Promise<Uint8Array>;
  createEcKey(hsm: boolean, signal: AbortSignal): Promise<AzureKeyVersion>;
  rotate(signal: AbortSignal): Promise<AzureKeyVersion>;
  /** Drops pooled connections. */
  close(): void;
}

export interface AzureClientConfig {
  vaultUrl: string;
  keyName: string;
  credential: TokenCredential;
  /** True when the vault URL is an override (an emulator, a private endpoint): the challenge's resource is not checked against the host. */
  endpointOverride: boolean;
  /** An https agent trusting an extra CA (`ca-file`), or undefined for the defaults. */
  agent: Agent | undefined;
}

/** The constructor seam: tests may hand the driver another factory. */
export type AzureKeyClientFactory = (config: AzureClientConfig) => AzureKeyClient;

export const createSdkKeyClient: AzureKeyClientFactory = (config) => new SdkKeyClient(config);

class SdkKeyClient implements AzureKeyClient {
  readonly #config: AzureClientConfig;
  readonly #options: KeyClientOptions;
  readonly #keys: KeyClient;
  /** One CryptographyClient per version, made from its KeyVaultKey so signing needs no extra GET. */
  readonly #crypto = new Map<string, { client: CryptographyClient; ready: Promise<void> }>();
  readonly #bundles = new Map<string, KeyVaultKey>();

  constructor(config: AzureClientConfig) {
    this.#config = config;
    // Retries are Signet's (src/signers/retry.ts, inside the caller's deadline): the SDK's are off.
    this.#options = {
      retryOptions: { maxRetries: 0 },
      ...(config.endpointOverride ? { disableChallengeResourceVerification: true } : {}),
      ...(config.agent ? { agent: config.agent } : {}),
    } as KeyClientOptions;
    this.#keys = new KeyClient(config.vaultUrl, config.credential, this.#options);
  }

  async getKey(version: string | undefined, signal: AbortSignal): Promise<AzureKeyVersion> {
    const key = await this.#keys.getKey(this.#config.keyName, { version, abortSignal: signal });
    const parsed = toKeyVersion(key);
    this.#bundles.set(parsed.kid, key);
    return parsed;
  }

  async signDigest(key: AzureKeyVersion, digest: Uint8Array, signal: AbortSignal): Promise<Uint8Array> {
    let entry = this.#crypto.get(key.kid);
    if (!entry) {
      // A new client answers Key Vault's bearer challenge on its first call: let that call go
      // alone, so a burst of signatures does not make one 401 round trip each.
      const client = new CryptographyClient(this.#bundles.get(key.kid) ?? key.kid, this.#config.credential, this.#options);
      const first = client.sign('ES256', digest, { abortSignal: signal });
      entry = { client, ready: first.then(() => undefined, () => undefined) };
      this.#crypto.set(key.kid, entry);
      return (await first).result;
    }
    await entry.ready;
    return (await entry.client.sign('ES256', digest, { abortSignal: signal })).result;
  }

  async createEcKey(hsm: boolean, signal: AbortSignal): Promise<AzureKeyVersion> {
    const key = await this.#keys.createEcKey(this.#config.keyName, { curve: 'P-256', hsm, keyOps: ['sign', 'verify'], abortSignal: signal });
    return toKeyVersion(key);
  }

  async rotate(signal: AbortSignal): Promise<AzureKeyVersion> {
    return toKeyVersion(await this.#keys.rotateKey(this.#config.keyName, { abortSignal: signal }));
  }

  close(): void {
    this.#config.agent?.destroy();
  }
}

function toKeyVersion(key: KeyVaultKey): AzureKeyVersion {
  const kid = key.id ?? key.key?.kid ?? '';
  return {
    kid,
    // The version is the kid's last path segment: {vault}/keys/{name}/{version}.
    version: kid.split('/').filter(Boolean)[4] ?? key.properties.version ?? '',
    kty: String(key.keyType ?? key.key?.kty ?? ''),
    crv: key.key?.crv === undefined ? undefined : String(key.key.crv),
    keyOps: (key.keyOperations ?? key.key?.keyOps ?? []).map(String),
    enabled: key.properties.enabled !== false,
    notBefore: key.properties.notBefore,
    expiresOn: key.properties.expiresOn,
    x: key.key?.x,
    y: key.key?.y,
  };
}
