// The narrow seam over @aws-sdk/client-kms: the three calls the driver makes (DescribeKey,
// GetPublicKey, Sign), on one KMSClient built from the key URI, with the SDK's own retries off.
import { DescribeKeyCommand, GetPublicKeyCommand, KMSClient, SignCommand, type MessageType, type SigningAlgorithmSpec } from '@aws-sdk/client-kms';

export interface AwsKmsClientConfig {
  region: string | undefined;
  endpoint: string | undefined;
  /** Static credentials (from the environment given to open); otherwise the SDK's provider chain. */
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string } | undefined;
  /** Sockets per endpoint: as many as the driver lets calls fly at once. */
  maxSockets: number;
}

export interface KmsKeyDescription {
  keyId: string;
  arn: string;
  keySpec: string | undefined;
  keyUsage: string | undefined;
  keyState: string | undefined;
  signingAlgorithms: string[];
}

export interface KmsPublicKey {
  /** ARN of the key whose public key this is. */
  keyId: string | undefined;
  spki: Uint8Array;
  keySpec: string | undefined;
}

export interface KmsSignRequest {
  keyId: string;
  message: Uint8Array;
  messageType: MessageType;
  algorithm: SigningAlgorithmSpec;
}

export interface KmsSignature {
  /** ARN of the key that signed. */
  keyId: string | undefined;
  algorithm: string | undefined;
  signature: Uint8Array;
}

/** Errors thrown by this seam carry the backend's Retry-After, when it sent one. */
export interface WithRetryAfter {
  retryAfter?: string;
}

export interface AwsKmsApi {
  describeKey(keyId: string, signal: AbortSignal): Promise<KmsKeyDescription>;
  getPublicKey(keyId: string, signal: AbortSignal): Promise<KmsPublicKey>;
  sign(request: KmsSignRequest, signal: AbortSignal): Promise<KmsSignature>;
  close(): void;
}

/** The constructor seam: tests may hand the driver another factory; production uses the SDK. */
export type AwsKmsApiFactory = (config: AwsKmsClientConfig) => AwsKmsApi;

export const sdkKmsApi: AwsKmsApiFactory = (config) => new SdkKmsApi(config);

const RETRY_AFTER = Symbol('signet.retryAfter');

class SdkKmsApi implements AwsKmsApi {
  readonly #client: KMSClient;

  constructor(config: AwsKmsClientConfig) {
    this.#client = new KMSClient({
      region: config.region,
      endpoint: config.endpoint,
      credentials: config.credentials,
      // Retries are Signet's (src/signers/retry.ts), bounded by the caller's deadline.
      maxAttempts: 1,
      requestHandler: {
        connectionTimeout: 5_000,
        httpAgent: { maxSockets: config.maxSockets },
        httpsAgent: { maxSockets: config.maxSockets },
      },
    });
    keepRetryAfter(this.#client);
  }

  async describeKey(keyId: string, signal: AbortSignal): Promise<KmsKeyDescription> {
    const out = await this.#client.send(new DescribeKeyCommand({ KeyId: keyId }), { abortSignal: signal });
    const m = out.KeyMetadata;
    return {
      keyId: m?.KeyId ?? '',
      arn: m?.Arn ?? '',
      keySpec: m?.KeySpec,
      keyUsage: m?.KeyUsage,
      keyState: m?.KeyState,
      signingAlgorithms: m?.SigningAlgorithms ?? [],
    };
  }

  async getPublicKey(keyId: string, signal: AbortSignal): Promise<KmsPublicKey> {
    const out = await this.#client.send(new GetPublicKeyCommand({ KeyId: keyId }), { abortSignal: signal });
    return { keyId: out.KeyId, spki: out.PublicKey ?? new Uint8Array(0), keySpec: out.KeySpec };
  }

  async sign(request: KmsSignRequest, signal: AbortSignal): Promise<KmsSignature> {
    const out = await this.#client.send(
      new SignCommand({
        KeyId: request.keyId,
        Message: request.message,
        MessageType: request.messageType,
        SigningAlgorithm: request.algorithm,
      }),
      { abortSignal: signal },
    );
    return { keyId: out.KeyId, algorithm: out.SigningAlgorithm, signature: out.Signature ?? new Uint8Array(0) };
  }

  close(): void {
    this.#client.destroy();
  }
}

/**
 * The SDK drops response headers from the errors it throws; these two middlewares copy an HTTP
 * Retry-After header onto the error, so the retry loop can honour it.
 */
function keepRetryAfter(client: KMSClient): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const value = (context as Record<symbol, string | undefined>)[RETRY_AFTER];
        if (value !== undefined && err !== null && typeof err === 'object') (err as WithRetryAfter).retryAfter = value;
        throw err;
      }
    },
    { step: 'initialize', name: 'signetAttachRetryAfter' },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const headers = (out.response as { headers?: Record<string, string> } | undefined)?.headers;
      const value = headers?.['retry-after'];
      if (value !== undefined) (context as Record<symbol, string | undefined>)[RETRY_AFTER] = value;
      return out;
    },
    { step: 'deserialize', priority: 'low', name: 'signetCaptureRetryAfter' },
  );
}
