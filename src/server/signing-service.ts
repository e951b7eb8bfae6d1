// gRPC handlers of signet.v1.SigningService: translate the wire to the custody contract and back.
import { SignetError, invalidArgument } from '../lib/errors.js';
import { quoted } from '../lib/quote.js';
import type { KeyAlgorithm, SignInput, SignResult } from '../signers/contract.js';
import type { Algorithm } from '../gen/signet/v1/Algorithm.js';
import type { PublicKey } from '../gen/signet/v1/PublicKey.js';
import type { SignRequest__Output } from '../gen/signet/v1/SignRequest.js';
import type { SignResponse } from '../gen/signet/v1/SignResponse.js';
import type { SignBatchRequest__Output } from '../gen/signet/v1/SignBatchRequest.js';
import type { GetPublicKeyRequest__Output } from '../gen/signet/v1/GetPublicKeyRequest.js';
import type { KeySet, NamedKey } from './key-set.js';
import { ReservedKeys } from './reserved-keys.js';
import type { ServerMetrics } from './metrics.js';
import type { CallContext, ServiceModule } from './service.js';

const WIRE_ALGORITHM: Record<KeyAlgorithm, Algorithm> = { Ed25519: 'ALGORITHM_ED25519', ES256: 'ALGORITHM_ES256' };
const JWS_ALG: Record<KeyAlgorithm, string> = { Ed25519: 'EdDSA', ES256: 'ES256' };

export interface SigningServiceOptions {
  keys: KeySet;
  maxBatch: number;
  /** Keys that sign for Signet itself (checkpoints, credentials), by name → purpose: never served by Sign. */
  reserved?: ReadonlyMap<string, string>;
  /** Key ids verifiers still trust for Signet's own signatures (ledger.previous_keys) → what for. */
  previousKeyIds?: ReadonlyMap<string, string>;
  metrics?: ServerMetrics;
}

export function signingService({ keys, maxBatch, reserved: byName = new Map(), previousKeyIds, metrics }: SigningServiceOptions): ServiceModule {
  // Reserved by key identity as well as by name: another name for the same key is refused at
  // start-up, and a key whose id comes to equal a reserved one (a rotation) is refused at call time.
  const reserved = new ReservedKeys(keys, byName, previousKeyIds);
  reserved.checkNoAliases();
  const signable = (name: string, context: CallContext): NamedKey => {
    const key = pick(name, context);
    const purpose = reserved.purposeOf(key);
    if (purpose) {
      throw new SignetError('PERMISSION_DENIED', `key "${key.name}" signs ${purpose} for Signet itself and is not available to Sign`);
    }
    return key;
  };
  const pick = (name: string, context: CallContext): NamedKey => {
    if (!context.keyAllowed) return keys.resolve(name);
    // A caller limited to some keys learns nothing about the others, not even whether they exist.
    let key: NamedKey | undefined;
    try {
      key = keys.resolve(name);
    } catch (err) {
      if (!(err instanceof SignetError && err.code === 'NOT_FOUND')) throw err;
    }
    if (!key || !context.keyAllowed(key.name)) {
      throw new SignetError('PERMISSION_DENIED', `caller ${quoted(context.caller)} may not use key ${quoted(name)}`);
    }
    return key;
  };
  const count = (key: NamedKey, n: number) => metrics?.signatures.inc({ key: key.name, driver: key.signer.driver }, n);
  // The signal is read only by a driver that waits on something (a token, a KMS): a file key never makes one.
  const options = (context: CallContext) => ({
    deadline: context.deadline,
    get signal() {
      return context.signal;
    },
  });

  return {
    protoFile: 'signet/v1/signing.proto',
    serviceName: 'signet.v1.SigningService',
    handlers: {
      async Sign(request: SignRequest__Output, context): Promise<SignResponse> {
        const key = signable(request.key, context);
        const input: SignInput =
          request.payload === 'digest' ? { digest: request.digest! } : { message: request.message ?? new Uint8Array(0) };
        const result = await key.signer.sign(input, options(context));
        count(key, 1);
        return toWire(result);
      },

      async SignBatch(request: SignBatchRequest__Output, context) {
        const key = signable(request.key, context);
        if (request.messages.length > 0 && request.digests.length > 0) {
          throw invalidArgument('digests', 'send messages or digests, not both');
        }
        const inputs: SignInput[] =
          request.digests.length > 0 ? request.digests.map((digest) => ({ digest })) : request.messages.map((message) => ({ message }));
        if (inputs.length === 0) throw invalidArgument('messages', 'at least one message is required');
        if (inputs.length > maxBatch) {
          throw invalidArgument(request.digests.length > 0 ? 'digests' : 'messages', `at most ${maxBatch} per call, got ${inputs.length}`);
        }
        const results = await key.signer.signMany(inputs, options(context));
        count(key, results.length);
        return { signatures: results.map(toWire) };
      },

      async GetPublicKey(request: GetPublicKeyRequest__Output, context) {
        const key = pick(request.key, context);
        return { public_key: await describe(key, reserved, request.key_version || undefined) };
      },

      async ListKeys(_request: unknown, context) {
        const visible = keys.list().filter((k) => !context.keyAllowed || context.keyAllowed(k.name));
        return { keys: await Promise.all(visible.map((k) => describe(k, reserved))) };
      },
    },
  };
}

function toWire(result: SignResult): SignResponse {
  return {
    signature: result.signature,
    algorithm: WIRE_ALGORITHM[result.algorithm],
    key_id: result.keyId,
    key_version: result.keyVersion,
  };
}

async function describe(key: NamedKey, reserved: ReservedKeys, version?: string): Promise<PublicKey> {
  const info = await key.signer.publicKey(version);
  return {
    name: key.name,
    key_id: info.keyId,
    key_version: info.keyVersion,
    algorithm: WIRE_ALGORITHM[info.algorithm],
    spki_pem: info.pem,
    jwk_json: JSON.stringify({ ...info.jwk, kid: info.keyId, alg: JWS_ALG[info.algorithm], use: 'sig' }),
    driver: key.signer.driver,
    uri: key.signer.uri,
    hardware_backed: key.signer.hardwareBacked,
    purpose: reserved.purposeOf(key) ?? 'sign',
  };
}
