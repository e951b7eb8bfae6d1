// A local Google Cloud KMS: the real google.cloud.kms.v1.KeyManagementService gRPC service from the
// protos in @google-cloud/kms, real keys (node:crypto), CRC32C, Google's status codes, faults.
import { generateKeyPairSync, randomBytes, sign as nodeSign, type KeyObject } from 'node:crypto';
import { createRequire } from 'node:module';
import { createServer, type Server as NetServer, type Socket, connect } from 'node:net';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { p256 } from '@noble/curves/nist.js';
import { crc32c } from '../../src/signers/gcpkms/crc32c.js';
import { FaultInjector } from './fault.js';
import { makeThrowawayCa, type ThrowawayCa } from './throwaway-ca.js';
import { statusError, type EmulatorStatus } from './gcp-kms-status.js';

export const GCP_PARENT = 'projects/signet-test/locations/global/keyRings/signet';

/** Per-emulator faults, armed with `faults.arm(name, n)`. */
export const GcpFault = {
  /** The answer's signatureCrc32c is wrong (response corrupted in transit). */
  badSignatureCrc: 'bad-signature-crc',
  /** GetPublicKey's pemCrc32c is wrong. */
  badPemCrc: 'bad-pem-crc',
  /** verifiedDataCrc32c / verifiedDigestCrc32c come back false (the checksum never reached KMS). */
  unverifiedCrc: 'unverified-crc',
  /** The answer names another key version. */
  wrongName: 'wrong-name',
  /** The request's data/digest arrives with a flipped bit, so its CRC32C check fails (INVALID_ARGUMENT). */
  corruptRequest: 'corrupt-request',
} as const;

type Algorithm = 'EC_SIGN_ED25519' | 'EC_SIGN_P256_SHA256' | 'EC_SIGN_P384_SHA384' | 'GOOGLE_SYMMETRIC_ENCRYPTION';
type Purpose = 'ASYMMETRIC_SIGN' | 'ENCRYPT_DECRYPT';
type State = 'PENDING_GENERATION' | 'ENABLED' | 'DISABLED' | 'DESTROYED';

/** How long a version made through the gRPC API stays PENDING_GENERATION, as in Cloud KMS. */
const GENERATION_MS = 50;

interface Version {
  name: string;
  state: State;
  algorithm: Algorithm;
  privateKey: KeyObject | undefined;
  /** The P-256 private scalar, for signing a digest as it arrives (no second hash). */
  scalar: Uint8Array | undefined;
  pem: string;
  createTime: { seconds: number; nanos: number };
}

interface Key {
  name: string;
  purpose: Purpose;
  algorithm: Algorithm;
  versions: Version[];
  /** Cloud KMS sets a primary for symmetric keys only. */
  primary: string | undefined;
}

export interface GcpKmsEmulatorOptions {
  /** Plaintext gRPC instead of TLS with a throwaway CA (no token can be checked then). */
  insecure?: boolean;
}

export class GcpKmsEmulator {
  readonly faults = new FaultInjector();
  /** Calls per RPC method name, for tests that count round trips. */
  readonly calls = new Map<string, number>();
  /** The most RPCs seen in flight at once. */
  peakInFlight = 0;
  #inFlight = 0;
  /** The OAuth2 access token the emulator accepts (all permissions). */
  readonly token = randomBytes(16).toString('hex');
  /** A token that may read keys but lacks cloudkms.cryptoKeyVersions.useToSign. */
  readonly viewerToken = randomBytes(16).toString('hex');
  readonly #keys = new Map<string, Key>();
  readonly #tls: ThrowawayCa | undefined;
  #grpc: grpc.Server | undefined;
  #proxy: NetServer | undefined;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  constructor(options: GcpKmsEmulatorOptions = {}) {
    this.#tls = options.insecure ? undefined : makeThrowawayCa();
  }

  /** host:port the SDK is pointed at (a TCP front that can drop connections on demand). */
  get endpoint(): string {
    return `127.0.0.1:${this.#port}`;
  }
  get caFile(): string | undefined {
    return this.#tls?.caFile;
  }
  get insecure(): boolean {
    return this.#tls === undefined;
  }

  async start(): Promise<this> {
    const server = new grpc.Server();
    server.addService(kmsService(), this.#handlers());
    const credentials = this.#tls
      ? grpc.ServerCredentials.createSsl(null, [{ cert_chain: Buffer.from(this.#tls.certPem), private_key: Buffer.from(this.#tls.keyPem) }])
      : grpc.ServerCredentials.createInsecure();
    const inner = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', credentials, (err, port) => (err ? reject(err) : resolve(port))),
    );
    this.#grpc = server;
    this.#proxy = createServer((client) => {
      const upstream = connect(inner, '127.0.0.1');
      for (const s of [client, upstream]) {
        s.setNoDelay(true); // as gRPC's own sockets: no Nagle delay on small frames
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.#proxy!.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#proxy.address() as { port: number }).port;
    return this;
  }

  async stop(): Promise<void> {
    this.#dropConnections();
    await new Promise<void>((resolve) => (this.#proxy ? this.#proxy.close(() => resolve()) : resolve()));
    this.#grpc?.forceShutdown();
    this.#tls?.dispose();
  }

  /** Creates a key with its first version; returns the key name. */
  createKey(id: string, algorithm: Algorithm, purpose: Purpose = algorithm === 'GOOGLE_SYMMETRIC_ENCRYPTION' ? 'ENCRYPT_DECRYPT' : 'ASYMMETRIC_SIGN', pending = false): string {
    const name = `${GCP_PARENT}/cryptoKeys/${id}`;
    if (this.#keys.has(name)) throw new Error(`key ${name} exists`);
    const key: Key = { name, purpose, algorithm, versions: [], primary: undefined };
    this.#keys.set(name, key);
    this.addVersion(name, pending);
    return name;
  }

  /** Rotation: a new ENABLED version (Cloud KMS numbers them 1, 2, 3 …); returns its name. */
  addVersion(keyName: string, pending = false): string {
    const key = this.#key(keyName);
    const name = `${keyName}/cryptoKeyVersions/${key.versions.length + 1}`;
    const pair = keyPair(key.algorithm);
    const now = Date.now();
    key.versions.push({
      name,
      state: pending ? 'PENDING_GENERATION' : 'ENABLED',
      algorithm: key.algorithm,
      privateKey: pair?.privateKey,
      scalar: key.algorithm === 'EC_SIGN_P256_SHA256' ? Buffer.from((pair!.privateKey.export({ format: 'jwk' }) as { d: string }).d, 'base64url') : undefined,
      pem: pair ? pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() : '',
      createTime: { seconds: Math.floor(now / 1000), nanos: (now % 1000) * 1e6 },
    });
    if (pending) {
      setTimeout(() => {
        const v = this.#version(name);
        if (v?.state === 'PENDING_GENERATION') v.state = 'ENABLED';
      }, GENERATION_MS).unref();
    }
    if (key.purpose === 'ENCRYPT_DECRYPT') key.primary = name;
    return name;
  }

  setState(versionName: string, state: State): void {
    const version = this.#version(versionName);
    if (!version) throw new Error(`no version ${versionName}`);
    version.state = state;
    if (state === 'DESTROYED') version.privateKey = version.scalar = undefined;
  }

  #key(name: string): Key {
    const key = this.#keys.get(name);
    if (!key) throw new Error(`no key ${name}`);
    return key;
  }

  #version(name: string): Version | undefined {
    const keyName = name.replace(/\/cryptoKeyVersions\/[^/]+$/, '');
    return this.#keys.get(keyName)?.versions.find((v) => v.name === name);
  }

  #dropConnections(): void {
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  #handlers(): grpc.UntypedServiceImplementation {
    const unary =
      (method: string, permission: string, fn: (req: any) => unknown): grpc.handleUnaryCall<any, any> =>
      (call, callback) => {
        this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
        this.peakInFlight = Math.max(this.peakInFlight, ++this.#inFlight);
        let finished = false;
        const finish = () => {
          if (!finished) this.#inFlight--;
          finished = true;
        };
        call.on('cancelled', finish); // a caller that gave up no longer counts as in flight
        this.#serve(call.metadata, permission, () => fn(call.request))
          .then(
            (answer) => answer !== DROPPED && callback(null, answer),
            (err: EmulatorStatus) => callback(err as grpc.ServiceError),
          )
          .finally(finish);
      };
    return {
      GetCryptoKey: unary('GetCryptoKey', 'cloudkms.cryptoKeys.get', (req) => this.#cryptoKey(this.#findKey(req.name))),
      GetCryptoKeyVersion: unary('GetCryptoKeyVersion', 'cloudkms.cryptoKeyVersions.get', (req) => versionMessage(this.#findVersion(req.name))),
      ListCryptoKeyVersions: unary('ListCryptoKeyVersions', 'cloudkms.cryptoKeyVersions.list', (req) => this.#list(req)),
      GetPublicKey: unary('GetPublicKey', 'cloudkms.cryptoKeyVersions.viewPublicKey', (req) => this.#publicKey(req)),
      AsymmetricSign: unary('AsymmetricSign', 'cloudkms.cryptoKeyVersions.useToSign', (req) => this.#sign(req)),
      CreateCryptoKey: unary('CreateCryptoKey', 'cloudkms.cryptoKeys.create', (req) => this.#createCryptoKey(req)),
      CreateCryptoKeyVersion: unary('CreateCryptoKeyVersion', 'cloudkms.cryptoKeyVersions.create', (req) => {
        const key = this.#findKey(req.parent);
        if (key.purpose !== 'ASYMMETRIC_SIGN') throw statusError(grpc.status.FAILED_PRECONDITION, 'This emulator makes versions of asymmetric keys only.');
        return versionMessage(this.#version(this.addVersion(key.name, true))!);
      }),
    };
  }

  /** What every call goes through: faults and latency, then the bearer token, then the method. */
  async #serve(metadata: grpc.Metadata, permission: string, fn: () => unknown): Promise<unknown> {
    const fault = await this.faults.take();
    if (fault?.kind === 'reset') {
      this.#dropConnections();
      return DROPPED;
    }
    if (fault?.kind === 'throttle') {
      throw statusError(grpc.status.RESOURCE_EXHAUSTED, 'Quota exceeded for quota metric \'Cryptographic requests\'', fault.retryAfterSeconds);
    }
    if (fault?.kind === 'error') {
      throw statusError(fault.status === 500 ? grpc.status.INTERNAL : grpc.status.UNAVAILABLE, fault.status === 500 ? 'Internal error encountered.' : 'The service is currently unavailable.');
    }
    if (this.#tls) {
      const auth = String(metadata.get('authorization')[0] ?? '');
      const token = /^Bearer (.+)$/.exec(auth)?.[1];
      if (token !== this.token && token !== this.viewerToken) {
        throw statusError(grpc.status.UNAUTHENTICATED, 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.');
      }
      if (token === this.viewerToken && !VIEWER_PERMISSIONS.has(permission)) {
        throw statusError(grpc.status.PERMISSION_DENIED, `Permission '${permission}' denied on resource (or it may not exist).`);
      }
    }
    return fn();
  }

  #createCryptoKey(req: { parent: string; cryptoKeyId: string; cryptoKey: { purpose: string; versionTemplate: { algorithm: string } | null } | null }) {
    if (req.parent !== GCP_PARENT) throw statusError(grpc.status.NOT_FOUND, `${req.parent} not found.`);
    if (!/^[a-zA-Z0-9_-]{1,63}$/.test(req.cryptoKeyId)) throw statusError(grpc.status.INVALID_ARGUMENT, `Invalid crypto key id: ${req.cryptoKeyId}`);
    if (this.#keys.has(`${GCP_PARENT}/cryptoKeys/${req.cryptoKeyId}`)) {
      throw statusError(grpc.status.ALREADY_EXISTS, `${GCP_PARENT}/cryptoKeys/${req.cryptoKeyId} already exists.`);
    }
    const purpose = req.cryptoKey?.purpose;
    const algorithm = req.cryptoKey?.versionTemplate?.algorithm;
    if (purpose !== 'ASYMMETRIC_SIGN' || !['EC_SIGN_ED25519', 'EC_SIGN_P256_SHA256', 'EC_SIGN_P384_SHA384'].includes(algorithm ?? '')) {
      throw statusError(grpc.status.INVALID_ARGUMENT, `This emulator creates ASYMMETRIC_SIGN EC keys only, not ${purpose}/${algorithm}.`);
    }
    return this.#cryptoKey(this.#key(this.createKey(req.cryptoKeyId, algorithm as Algorithm, 'ASYMMETRIC_SIGN', true)));
  }

  #findKey(name: string): Key {
    const key = this.#keys.get(name);
    if (!key) throw statusError(grpc.status.NOT_FOUND, `${name} not found.`);
    return key;
  }

  #findVersion(name: string): Version {
    const version = this.#version(name);
    if (!version) throw statusError(grpc.status.NOT_FOUND, `${name} not found.`);
    return version;
  }

  #cryptoKey(key: Key) {
    const primary = key.primary ? this.#version(key.primary) : undefined;
    return {
      name: key.name,
      purpose: key.purpose,
      primary: primary ? versionMessage(primary) : null,
      versionTemplate: { algorithm: key.algorithm, protectionLevel: 'HSM' },
    };
  }

  #list(req: { parent: string; filter: string }) {
    const key = this.#findKey(req.parent);
    const filter = /^state\s*=\s*(\w+)$/.exec(req.filter ?? '')?.[1];
    if (req.filter && !filter) throw statusError(grpc.status.INVALID_ARGUMENT, `Invalid filter: ${req.filter}`);
    const versions = key.versions.filter((v) => !filter || v.state === filter).map(versionMessage);
    return { cryptoKeyVersions: versions, nextPageToken: '', totalSize: versions.length };
  }

  #publicKey(req: { name: string }) {
    const version = this.#findVersion(req.name);
    const key = this.#findKey(req.name.replace(/\/cryptoKeyVersions\/[^/]+$/, ''));
    if (key.purpose !== 'ASYMMETRIC_SIGN') {
      throw statusError(grpc.status.FAILED_PRECONDITION, `${key.name} has purpose ${key.purpose}; GetPublicKey needs an asymmetric key.`);
    }
    if (version.state === 'DESTROYED' || version.state === 'PENDING_GENERATION') {
      throw statusError(grpc.status.FAILED_PRECONDITION, `${version.name} is not enabled, current state is: ${version.state}.`);
    }
    const pemCrc = crc32c(Buffer.from(version.pem, 'utf8'));
    return {
      name: this.faults.consume(GcpFault.wrongName) ? `${key.name}/cryptoKeyVersions/999` : version.name,
      pem: version.pem,
      algorithm: version.algorithm,
      pemCrc32c: { value: String(this.faults.consume(GcpFault.badPemCrc) ? (pemCrc ^ 1) >>> 0 : pemCrc) },
      protectionLevel: 'HSM',
    };
  }

  #sign(req: { name: string; data: Buffer | null; dataCrc32c: { value: string } | null; digest: { sha256?: Buffer | null } | null; digestCrc32c: { value: string } | null }) {
    const version = this.#findVersion(req.name);
    const key = this.#findKey(req.name.replace(/\/cryptoKeyVersions\/[^/]+$/, ''));
    if (key.purpose !== 'ASYMMETRIC_SIGN') {
      throw statusError(grpc.status.FAILED_PRECONDITION, `${key.name} has purpose ${key.purpose}; AsymmetricSign needs ASYMMETRIC_SIGN.`);
    }
    if (version.state !== 'ENABLED' || !version.privateKey) {
      throw statusError(grpc.status.FAILED_PRECONDITION, `${version.name} is not enabled, current state is: ${version.state}.`);
    }
    const corrupt = (b: Buffer | null | undefined) => {
      if (!b || b.length === 0 || !this.faults.consume(GcpFault.corruptRequest)) return b;
      const copy = Buffer.from(b);
      copy[0]! ^= 0x01;
      return copy;
    };
    const data = req.data && req.data.length > 0 ? corrupt(req.data)! : undefined;
    const digest = req.digest?.sha256 && req.digest.sha256.length > 0 ? corrupt(req.digest.sha256)! : undefined;
    if (data && digest) throw statusError(grpc.status.INVALID_ARGUMENT, 'Only one of data and digest may be set.');
    let signature: Buffer;
    let verifiedData = false;
    let verifiedDigest = false;
    if (version.algorithm === 'EC_SIGN_ED25519') {
      if (!data) throw statusError(grpc.status.INVALID_ARGUMENT, 'EC_SIGN_ED25519 signs data; digest is not supported.');
      verifiedData = checkCrc(data, req.dataCrc32c, 'data');
      signature = nodeSign(null, data, version.privateKey);
    } else if (version.algorithm === 'EC_SIGN_P256_SHA256') {
      if (!digest || digest.length !== 32) throw statusError(grpc.status.INVALID_ARGUMENT, 'EC_SIGN_P256_SHA256 needs digest.sha256 of 32 bytes.');
      verifiedDigest = checkCrc(digest, req.digestCrc32c, 'digest');
      signature = Buffer.from(p256.sign(digest, version.scalar!, { prehash: false, format: 'der' }));
    } else {
      throw statusError(grpc.status.INVALID_ARGUMENT, `${version.algorithm} is not supported by this emulator's AsymmetricSign.`);
    }
    if (this.faults.consume(GcpFault.unverifiedCrc)) verifiedData = verifiedDigest = false;
    const sigCrc = crc32c(signature);
    return {
      signature,
      signatureCrc32c: { value: String(this.faults.consume(GcpFault.badSignatureCrc) ? (sigCrc ^ 0x10) >>> 0 : sigCrc) },
      verifiedDataCrc32c: verifiedData,
      verifiedDigestCrc32c: verifiedDigest,
      name: this.faults.consume(GcpFault.wrongName) ? `${key.name}/cryptoKeyVersions/999` : version.name,
      protectionLevel: 'HSM',
    };
  }
}

const DROPPED = Symbol('dropped');

/** What roles/cloudkms.publicKeyViewer (plus metadata reads) allows: the viewer token's permissions. */
const VIEWER_PERMISSIONS = new Set([
  'cloudkms.cryptoKeys.get',
  'cloudkms.cryptoKeyVersions.get',
  'cloudkms.cryptoKeyVersions.list',
  'cloudkms.cryptoKeyVersions.viewPublicKey',
]);

/** Like Cloud KMS: a checksum that was sent must match (else INVALID_ARGUMENT); verified if sent. */
function checkCrc(bytes: Buffer, sent: { value: string } | null, field: string): boolean {
  if (!sent) return false;
  if (Number(sent.value) !== crc32c(bytes)) {
    throw statusError(grpc.status.INVALID_ARGUMENT, `The checksum in field ${field}_crc32c did not match the data in field ${field}.`);
  }
  return true;
}

function versionMessage(v: Version) {
  return { name: v.name, state: v.state, algorithm: v.algorithm, protectionLevel: 'HSM', createTime: v.createTime };
}

function keyPair(algorithm: Algorithm): { privateKey: KeyObject; publicKey: KeyObject } | undefined {
  if (algorithm === 'EC_SIGN_ED25519') return generateKeyPairSync('ed25519');
  if (algorithm === 'EC_SIGN_P256_SHA256') return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  if (algorithm === 'EC_SIGN_P384_SHA384') return generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  return undefined;
}

let serviceDefinition: grpc.ServiceDefinition | undefined;

/** The real service definition, from the protos that ship with @google-cloud/kms and google-gax. */
function kmsService(): grpc.ServiceDefinition {
  if (serviceDefinition) return serviceDefinition;
  const require = createRequire(import.meta.url);
  const kmsMain = require.resolve('@google-cloud/kms');
  const kmsProtos = join(dirname(kmsMain), '..', 'protos');
  const gaxProtos = join(dirname(require.resolve('google-gax', { paths: [kmsMain] })), '..', 'protos');
  const definition = protoLoader.loadSync('google/cloud/kms/v1/service.proto', {
    keepCase: false,
    longs: String,
    enums: String,
    defaults: true,
    oneofs: true,
    includeDirs: [kmsProtos, gaxProtos],
  });
  const loaded = grpc.loadPackageDefinition(definition) as any;
  serviceDefinition = loaded.google.cloud.kms.v1.KeyManagementService.service as grpc.ServiceDefinition;
  return serviceDefinition;
}

export async function startGcpKmsEmulator(options: GcpKmsEmulatorOptions = {}): Promise<GcpKmsEmulator> {
  return new GcpKmsEmulator(options).start();
}

/** Environment variable the emulator's token is passed in (never in the URI). */
export const GCP_TOKEN_ENV = 'SIGNET_TEST_GCPKMS_TOKEN';

/** The key URI and environment a Signet process needs to use `name` on this emulator. */
export function gcpKmsKeyUri(emulator: GcpKmsEmulator, name: string, extra: Record<string, string> = {}): { uri: string; env: Record<string, string> } {
  const params = new URLSearchParams({ endpoint: emulator.endpoint });
  if (emulator.insecure) params.set('insecure', 'true');
  else {
    params.set('ca-file', emulator.caFile!);
    params.set('token-source', `env:${GCP_TOKEN_ENV}`);
  }
  for (const [k, v] of Object.entries(extra)) params.set(k, v);
  const query = params.toString().replace(/%2F/gi, '/').replace(/%3A/gi, ':');
  return { uri: `gcpkms://${name}?${query}`, env: emulator.insecure ? {} : { [GCP_TOKEN_ENV]: emulator.token } };
}

/** Creates a signing key on the emulator and returns the URI (by key name) and env to open it. */
export function createGcpKmsKey(
  emulator: GcpKmsEmulator,
  algorithm: 'Ed25519' | 'ES256',
  id = `signet-${algorithm.toLowerCase()}-${randomBytes(4).toString('hex')}`,
): { uri: string; env: Record<string, string>; keyName: string } {
  const keyName = emulator.createKey(id, algorithm === 'Ed25519' ? 'EC_SIGN_ED25519' : 'EC_SIGN_P256_SHA256');
  return { ...gcpKmsKeyUri(emulator, keyName), keyName };
}
