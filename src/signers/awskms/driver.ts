// The `awskms:` driver: a key in AWS KMS (Ed25519 or P-256), named by key id, ARN or alias,
// reached through @aws-sdk/client-kms with credentials from the standard AWS provider chain.
import { SignetError } from '../../lib/errors.js';
import { cacheTtlFrom } from '../cache.js';
import { CustodySigner } from '../custody.js';
import { registerDriver, type Driver, type OpenContext } from '../registry.js';
import type { AwsKmsKeyUri, KeyUri } from '../uri.js';
import { AwsKmsKeyBackend, KEY_ID } from './backend.js';
import { sdkKmsApi, type AwsKmsApiFactory, type AwsKmsClientConfig } from './client.js';

const DEFAULT_MAX_IN_FLIGHT = 64;
const DEFAULT_OPEN_TIMEOUT_MS = 10_000;

export class AwsKmsDriver implements Driver {
  readonly scheme = 'awskms' as const;
  readonly #createApi: AwsKmsApiFactory;

  constructor(createApi: AwsKmsApiFactory = sdkKmsApi) {
    this.#createApi = createApi;
  }

  async open(uri: KeyUri, context: OpenContext) {
    const awsUri = uri as AwsKmsKeyUri;
    const env = context.env ?? process.env;
    const maxInFlight = positiveInt(awsUri, 'max-in-flight', DEFAULT_MAX_IN_FLIGHT);
    const config = clientConfig(awsUri, env, maxInFlight);
    const api = this.#createApi(config);
    try {
      const backend = await AwsKmsKeyBackend.open(api, {
        uri: awsUri.redacted,
        keyRef: awsUri.keyId,
        region: config.region,
        cacheTtlMs: cacheTtlFrom(awsUri.params),
        maxInFlight,
        openTimeoutMs: positiveInt(awsUri, 'open-timeout-ms', DEFAULT_OPEN_TIMEOUT_MS),
        previousKeys: previousKeys(awsUri),
      });
      return new CustodySigner(backend);
    } catch (err) {
      api.close();
      throw err;
    }
  }
}

/**
 * Region: the URI's `region`, the region in a key ARN, then AWS_REGION / AWS_DEFAULT_REGION (else
 * the SDK's profile). Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment
 * given to open, else the SDK's default provider chain (profile, SSO, web identity, ECS, EC2).
 */
function clientConfig(uri: AwsKmsKeyUri, env: NodeJS.ProcessEnv, maxSockets: number): AwsKmsClientConfig {
  if (uri.params.has('secret-access-key')) {
    throw new SignetError('CONFIG', 'awskms: credentials do not belong in the key URI; use the AWS credential chain (environment, profile, role)');
  }
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  return {
    region: uri.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION,
    endpoint: uri.endpoint,
    credentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN } : undefined,
    maxSockets,
  };
}

/** `previous-keys=ID,ID`: key ids (not aliases or ARNs) whose public keys are served as versions. */
function previousKeys(uri: AwsKmsKeyUri): string[] {
  const raw = uri.params.get('previous-keys');
  if (raw === undefined || raw === '') return [];
  const ids = raw.split(',').map((id) => id.trim());
  const bad = ids.find((id) => !KEY_ID.test(id));
  if (bad !== undefined) {
    throw new SignetError('CONFIG', `awskms: previous-keys must list KMS key ids (UUIDs or mrk-…) separated by commas, not "${bad.slice(0, 80)}"`);
  }
  return ids;
}

function positiveInt(uri: AwsKmsKeyUri, name: string, fallback: number): number {
  const raw = uri.params.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) throw new SignetError('CONFIG', `awskms: ${name} must be a positive integer, not "${raw}"`);
  return n;
}

registerDriver(new AwsKmsDriver());
