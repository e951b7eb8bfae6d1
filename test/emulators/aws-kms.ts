// A local AWS KMS that the official @aws-sdk/client-kms talks to: AWS JSON 1.1 over node:http,
// SigV4 verified with the test credentials, AWS-shaped errors, and faults injected on demand.
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateAliasCommand, CreateKeyCommand, KMSClient, UpdateAliasCommand } from '@aws-sdk/client-kms';
import type { KeyAlgorithm } from '../../src/signers/contract.js';
import { FaultInjector } from './fault.js';
import { KmsFault, KmsKeyStore } from './aws-kms-keys.js';
import { verifySigV4 } from './aws-sigv4.js';

const CONTENT_TYPE = 'application/x-amz-json-1.1';
const OPERATIONS = ['Sign', 'GetPublicKey', 'DescribeKey', 'CreateKey', 'CreateAlias', 'UpdateAlias', 'DisableKey', 'EnableKey', 'ScheduleKeyDeletion'] as const;
type Operation = (typeof OPERATIONS)[number];

export interface AwsKmsEmulatorOptions {
  region?: string;
  account?: string;
}

export class AwsKmsEmulator {
  readonly region: string;
  readonly accessKeyId = `AKIA${randomBytes(8).toString('hex').toUpperCase()}`;
  readonly secretAccessKey = randomBytes(30).toString('base64');
  readonly faults = new FaultInjector();
  readonly keys: KmsKeyStore;
  /** Requests answered per operation (after auth), for tests that count round trips. */
  readonly calls = new Map<string, number>();
  readonly #server: Server;
  #endpoint = '';

  private constructor(options: AwsKmsEmulatorOptions) {
    this.region = options.region ?? 'us-east-1';
    this.keys = new KmsKeyStore(this.region, options.account ?? '111122223333');
    this.#server = createServer((req, res) => void this.#handle(req, res));
  }

  static async start(options: AwsKmsEmulatorOptions = {}): Promise<AwsKmsEmulator> {
    const emulator = new AwsKmsEmulator(options);
    await new Promise<void>((resolve) => emulator.#server.listen(0, '127.0.0.1', resolve));
    emulator.#endpoint = `http://127.0.0.1:${(emulator.#server.address() as AddressInfo).port}`;
    return emulator;
  }

  get endpoint(): string {
    return this.#endpoint;
  }

  /** The environment a driver needs to reach this emulator with the standard credential chain. */
  get env(): Record<string, string> {
    return { AWS_ACCESS_KEY_ID: this.accessKeyId, AWS_SECRET_ACCESS_KEY: this.secretAccessKey, AWS_REGION: this.region };
  }

  callsTo(operation: Operation): number {
    return this.calls.get(operation) ?? 0;
  }

  /** An SDK client with the emulator's credentials, for test set-up (CreateKey, aliases). */
  client(): KMSClient {
    return new KMSClient({
      endpoint: this.#endpoint,
      region: this.region,
      credentials: { accessKeyId: this.accessKeyId, secretAccessKey: this.secretAccessKey },
      maxAttempts: 1,
    });
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const fault = await this.faults.take();
    if (fault?.kind === 'reset') {
      req.socket.destroy();
      return;
    }
    if (req.method !== 'POST' || (req.url ?? '/') !== '/') return reply(res, 404, { __type: 'UnknownOperationException', message: '' });
    const target = header(req, 'x-amz-target');
    const operation = target?.startsWith('TrentService.') ? target.slice('TrentService.'.length) : undefined;
    if (!operation || !(OPERATIONS as readonly string[]).includes(operation)) {
      return reply(res, 400, { __type: 'UnknownOperationException', message: `Unknown operation ${target ?? '(no X-Amz-Target)'}` });
    }
    if (!header(req, 'content-type')?.startsWith(CONTENT_TYPE)) {
      return reply(res, 400, { __type: 'SerializationException', message: `Content-Type must be ${CONTENT_TYPE}` });
    }
    const refusal = verifySigV4(
      { method: req.method, url: req.url ?? '/', headers: req.headers, body },
      { secrets: new Map([[this.accessKeyId, this.secretAccessKey]]), region: this.region, service: 'kms' },
    );
    if (refusal) return reply(res, 400, { __type: refusal.type, message: refusal.message });
    if (fault?.kind === 'throttle') {
      const headers: Record<string, string> = fault.retryAfterSeconds === undefined ? {} : { 'retry-after': String(fault.retryAfterSeconds) };
      return reply(res, 400, { __type: 'ThrottlingException', message: 'Rate exceeded' }, headers);
    }
    if (fault?.kind === 'error') {
      const type = fault.status === 500 ? 'KMSInternalException' : 'ServiceUnavailableException';
      return reply(res, fault.status, { __type: type, message: 'The service is unavailable' });
    }
    let input: Record<string, unknown>;
    try {
      input = body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as Record<string, unknown>);
    } catch {
      return reply(res, 400, { __type: 'SerializationException', message: 'Body is not valid JSON' });
    }
    this.calls.set(operation, this.callsTo(operation as Operation) + 1);
    try {
      const answer = this.#dispatch(operation as Operation, input) as { KeyId?: string };
      // 'sign-answers-other-key': a Sign answer naming another key, which a client must refuse.
      if (operation === 'Sign' && this.faults.consume('sign-answers-other-key')) answer.KeyId = `${answer.KeyId}-other`;
      reply(res, 200, answer);
    } catch (err) {
      if (err instanceof KmsFault) return reply(res, err.status, { __type: err.type, message: err.message });
      reply(res, 500, { __type: 'KMSInternalException', message: 'internal error' });
    }
  }

  #dispatch(operation: Operation, input: Record<string, any>): object {
    switch (operation) {
      case 'Sign':
        return this.keys.sign(input);
      case 'GetPublicKey':
        return this.keys.getPublicKey(input);
      case 'DescribeKey':
        return this.keys.describeKey(input);
      case 'CreateKey':
        return this.keys.createKey(input);
      case 'CreateAlias':
        return this.keys.createAlias(input);
      case 'UpdateAlias':
        return this.keys.updateAlias(input);
      case 'DisableKey':
        return this.keys.disableKey(input);
      case 'EnableKey':
        return this.keys.enableKey(input);
      case 'ScheduleKeyDeletion':
        return this.keys.scheduleKeyDeletion(input);
    }
  }
}

export function startAwsKmsEmulator(options: AwsKmsEmulatorOptions = {}): Promise<AwsKmsEmulator> {
  return AwsKmsEmulator.start(options);
}

export interface AwsKmsTestKey {
  /** awskms: URI naming the key (by alias when one was asked for), with the emulator's endpoint. */
  uri: string;
  /** Environment for the driver: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION. */
  env: Record<string, string>;
  keyId: string;
  arn: string;
}

/** Creates a signing key through the SDK (CreateKey, and CreateAlias if `alias` is given). */
export async function createAwsKmsTestKey(
  emulator: AwsKmsEmulator,
  algorithm: KeyAlgorithm,
  options: { alias?: string; params?: string } = {},
): Promise<AwsKmsTestKey> {
  const client = emulator.client();
  try {
    const created = await client.send(
      new CreateKeyCommand({
        KeySpec: algorithm === 'Ed25519' ? 'ECC_NIST_EDWARDS25519' : 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        Description: `signet test ${algorithm} ${randomUUID()}`,
      }),
    );
    const { KeyId, Arn } = created.KeyMetadata!;
    if (options.alias) await client.send(new CreateAliasCommand({ AliasName: options.alias, TargetKeyId: KeyId }));
    const name = options.alias ?? KeyId!;
    const extra = options.params ? `&${options.params}` : '';
    return { uri: `awskms:///${name}?endpoint=${emulator.endpoint}${extra}`, env: emulator.env, keyId: KeyId!, arn: Arn! };
  } finally {
    client.destroy();
  }
}

/** Points an alias at another key, as an operator does to rotate an asymmetric KMS key. */
export async function repointAwsKmsAlias(emulator: AwsKmsEmulator, alias: string, keyId: string): Promise<void> {
  const client = emulator.client();
  try {
    await client.send(new UpdateAliasCommand({ AliasName: alias, TargetKeyId: keyId }));
  } finally {
    client.destroy();
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function reply(res: ServerResponse, status: number, body: object, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(json),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(json);
}
