// The narrow seam over @google-cloud/kms: only the five calls the gcpkms driver makes, in plain
// types, so the driver never touches the SDK's shapes and tests can see exactly what is used.
import * as grpc from '@grpc/grpc-js';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { SignetError } from '../../lib/errors.js';

export interface VersionInfo {
  name: string;
  /** ENABLED, DISABLED, DESTROYED, PENDING_GENERATION … */
  state: string;
  /** EC_SIGN_ED25519, EC_SIGN_P256_SHA256 … */
  algorithm: string;
  protectionLevel: string;
}

export interface CryptoKeyInfo {
  name: string;
  /** ASYMMETRIC_SIGN for a signing key. */
  purpose: string;
  /** Set by Cloud KMS for symmetric keys only; asymmetric keys have no primary. */
  primary: VersionInfo | undefined;
  versionAlgorithm: string;
}

export interface PublicKeyAnswer {
  name: string;
  pem: string;
  pemCrc32c: number | undefined;
  algorithm: string;
}

export interface SignRequest {
  name: string;
  data?: Uint8Array;
  dataCrc32c?: number;
  digestSha256?: Uint8Array;
  digestCrc32c?: number;
}

export interface SignAnswer {
  name: string;
  signature: Uint8Array;
  signatureCrc32c: number | undefined;
  verifiedDataCrc32c: boolean;
  verifiedDigestCrc32c: boolean;
}

/** Bounds of one call: the SDK's own retries are off; the driver retries inside its deadline. */
export interface CallLimits {
  timeoutMs: number;
  signal: AbortSignal;
}

export interface GcpKmsClient {
  getCryptoKey(name: string, limits: CallLimits): Promise<CryptoKeyInfo>;
  getCryptoKeyVersion(name: string, limits: CallLimits): Promise<VersionInfo>;
  /** ENABLED versions of a key (server-side filter `state=ENABLED`). */
  listEnabledVersions(keyName: string, limits: CallLimits): Promise<VersionInfo[]>;
  getPublicKey(versionName: string, limits: CallLimits): Promise<PublicKeyAnswer>;
  asymmetricSign(request: SignRequest, limits: CallLimits): Promise<SignAnswer>;
  close(): Promise<void>;
}

export interface GcpKmsClientOptions {
  /** host:port of the KMS endpoint; the SDK default (cloudkms.googleapis.com:443) if absent. */
  endpoint?: string;
  /** Plaintext gRPC (an emulator on localhost). No credentials are sent. */
  insecure?: boolean;
  /** PEM of a CA to trust for the endpoint instead of the system roots. */
  caPem?: string;
  /** A static OAuth2 access token, sent as `authorization: Bearer …`, instead of ADC. */
  accessToken?: string;
}

/** The constructor seam: builds the official SDK client for the URI's endpoint and credentials. */
export type GcpKmsClientFactory = (options: GcpKmsClientOptions) => GcpKmsClient;

export const createGcpKmsClient: GcpKmsClientFactory = (options) => new SdkGcpKmsClient(options);

type Gax = { cancel?: () => void };

class SdkGcpKmsClient implements GcpKmsClient {
  readonly #sdk: KeyManagementServiceClient;
  /** With Application Default Credentials: resolved once they are found, before the first call. */
  #credentials: Promise<void> | undefined;
  readonly #usesAdc: boolean;

  constructor(options: GcpKmsClientOptions) {
    const settings: Record<string, unknown> = {};
    if (options.endpoint) {
      const colon = options.endpoint.lastIndexOf(':');
      settings.apiEndpoint = colon > 0 ? options.endpoint.slice(0, colon) : options.endpoint;
      if (colon > 0) settings.port = Number(options.endpoint.slice(colon + 1));
    }
    if (options.insecure) {
      settings.sslCreds = grpc.credentials.createInsecure();
    } else if (options.caPem !== undefined || options.accessToken !== undefined) {
      const tls = grpc.credentials.createSsl(options.caPem === undefined ? null : Buffer.from(options.caPem));
      const token = options.accessToken;
      settings.sslCreds =
        token === undefined
          ? tls
          : grpc.credentials.combineChannelCredentials(
              tls,
              grpc.credentials.createFromMetadataGenerator((_params, callback) => {
                const metadata = new grpc.Metadata();
                metadata.set('authorization', `Bearer ${token}`);
                callback(null, metadata);
              }),
            );
    }
    // With our own channel credentials, ADC is never used: say so, so the SDK does not probe the
    // GCE metadata server for a universe domain.
    if (settings.sslCreds) settings.clientOptions = { universeDomain: 'googleapis.com' };
    this.#sdk = new KeyManagementServiceClient(settings as ConstructorParameters<typeof KeyManagementServiceClient>[0]);
    this.#usesAdc = settings.sslCreds === undefined;
  }

  /**
   * Finds the Application Default Credentials before the SDK is first used: when they are missing,
   * the SDK's own stub creation leaves a promise rejection unhandled, so it must not get that far.
   */
  #ready(): Promise<void> {
    if (!this.#usesAdc) return Promise.resolve();
    this.#credentials ??= this.#sdk.auth.getClient().then(
      () => undefined,
      (err: unknown) => {
        this.#credentials = undefined;
        const why = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 200);
        throw new SignetError('CONFIG', `gcpkms: no Google credentials (Application Default Credentials): ${why}`, { cause: err });
      },
    );
    return this.#credentials;
  }

  async getCryptoKey(name: string, limits: CallLimits): Promise<CryptoKeyInfo> {
    await this.#ready();
    const [key] = await bounded(this.#sdk.getCryptoKey({ name }, callOptions(limits)), limits);
    return {
      name: key.name ?? '',
      purpose: String(key.purpose ?? ''),
      primary: key.primary ? version(key.primary) : undefined,
      versionAlgorithm: String(key.versionTemplate?.algorithm ?? ''),
    };
  }

  async getCryptoKeyVersion(name: string, limits: CallLimits): Promise<VersionInfo> {
    await this.#ready();
    const [v] = await bounded(this.#sdk.getCryptoKeyVersion({ name }, callOptions(limits)), limits);
    return version(v);
  }

  async listEnabledVersions(keyName: string, limits: CallLimits): Promise<VersionInfo[]> {
    await this.#ready();
    const [versions] = await bounded(
      this.#sdk.listCryptoKeyVersions({ parent: keyName, filter: 'state=ENABLED' }, { ...callOptions(limits), autoPaginate: true }),
      limits,
    );
    return versions.map(version);
  }

  async getPublicKey(versionName: string, limits: CallLimits): Promise<PublicKeyAnswer> {
    await this.#ready();
    const [pk] = await bounded(this.#sdk.getPublicKey({ name: versionName }, callOptions(limits)), limits);
    return { name: pk.name ?? '', pem: pk.pem ?? '', pemCrc32c: int64(pk.pemCrc32c), algorithm: String(pk.algorithm ?? '') };
  }

  async asymmetricSign(request: SignRequest, limits: CallLimits): Promise<SignAnswer> {
    await this.#ready();
    const [res] = await bounded(
      this.#sdk.asymmetricSign(
        {
          name: request.name,
          ...(request.data ? { data: request.data, dataCrc32c: { value: request.dataCrc32c } } : {}),
          ...(request.digestSha256 ? { digest: { sha256: request.digestSha256 }, digestCrc32c: { value: request.digestCrc32c } } : {}),
        },
        callOptions(limits),
      ),
      limits,
    );
    return {
      name: res.name ?? '',
      signature: res.signature instanceof Uint8Array ? res.signature : Buffer.from(String(res.signature ?? ''), 'base64'),
      signatureCrc32c: int64(res.signatureCrc32c),
      verifiedDataCrc32c: res.verifiedDataCrc32c === true,
      verifiedDigestCrc32c: res.verifiedDigestCrc32c === true,
    };
  }

  close(): Promise<void> {
    return this.#sdk.close();
  }
}

function callOptions(limits: CallLimits) {
  return { timeout: Math.max(1, Math.floor(limits.timeoutMs)), retry: { retryCodes: [] } };
}

/** Cancels the SDK call when the driver's deadline passes, so no stream is left open. */
function bounded<T>(call: Promise<T>, limits: CallLimits): Promise<T> {
  const cancel = () => (call as Gax).cancel?.();
  if (limits.signal.aborted) cancel();
  limits.signal.addEventListener('abort', cancel, { once: true });
  return call.finally(() => limits.signal.removeEventListener('abort', cancel));
}

function version(v: { name?: string | null; state?: unknown; algorithm?: unknown; protectionLevel?: unknown }): VersionInfo {
  return { name: v.name ?? '', state: String(v.state ?? ''), algorithm: String(v.algorithm ?? ''), protectionLevel: String(v.protectionLevel ?? '') };
}

/** Int64Value wrappers arrive as { value: string | number | Long } or null. */
function int64(wrapper: { value?: unknown } | null | undefined): number | undefined {
  if (wrapper === null || wrapper === undefined || wrapper.value === null || wrapper.value === undefined) return undefined;
  const n = Number(String(wrapper.value));
  return Number.isFinite(n) ? n : undefined;
}
