// Request decoding that never fails inside grpc-js: every method's deserializer checks the raw bytes
// (wire-check.ts) and returns a RefusedRequest instead of throwing, and a server interceptor answers
// it with the mapped status (INVALID_ARGUMENT / OUT_OF_RANGE with signet-field), not grpc-js's
// INTERNAL "Error deserializing request". Services Signet does not own (health, reflection) get
// the same treatment for bytes their own decoders refuse.
import * as grpc from '@grpc/grpc-js';
import { SignetError } from '../lib/errors.js';
import { toGrpcError } from './errors.js';
import { compileRequestSchemas, type SchemaLimits } from './request-schema.js';
import { checkRequestBytes } from './wire-check.js';
import { malformed } from './wire-reader.js';

/** What a deserializer returns for bytes the server refuses; the interceptor answers it. */
export class RefusedRequest {
  constructor(readonly error: SignetError) {}
}

type AnyMethod = grpc.MethodDefinition<unknown, unknown> & { requestType?: { fileDescriptorProtos?: Uint8Array[] } };

/**
 * Wraps service definitions so that every request is checked against its schema and FIELD_RULES
 * before it is decoded. Works for any proto-loader definition (Signet's, health, reflection).
 */
export class RequestChecks {
  readonly #limits: SchemaLimits;

  constructor(limits: SchemaLimits) {
    this.#limits = limits;
  }

  /** `definition` with checked decoders. Throws (at start-up) when a request field has no rule. */
  checked(definition: grpc.ServiceDefinition): grpc.ServiceDefinition {
    const methods = Object.entries(definition) as Array<[string, AnyMethod]>;
    const services = [...new Set(methods.map(([, m]) => m.path.split('/')[1]!))];
    const files = methods.flatMap(([, m]) => m.requestType?.fileDescriptorProtos ?? []);
    const schemas = compileRequestSchemas(files, services, this.#limits);
    const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
    for (const [name, method] of methods) {
      const schema = schemas.get(method.path);
      if (!schema) throw new Error(`request checks: no schema for ${method.path}`);
      const decode = method.requestDeserialize;
      out[name] = {
        ...method,
        requestDeserialize: (buf: Buffer) => {
          try {
            checkRequestBytes(buf, schema);
          } catch (err) {
            if (err instanceof SignetError) return new RefusedRequest(err);
            throw err;
          }
          return decodeOrRefuse(decode, buf);
        },
      };
    }
    return out;
  }
}

/** A stand-in for grpc.Server whose addService checks requests (for health and reflection). */
export function checkingServer(server: grpc.Server, checks: RequestChecks): grpc.Server {
  return new Proxy(server, {
    get(target, prop, receiver) {
      if (prop === 'addService') {
        return (definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) =>
          target.addService(checks.checked(definition), implementation);
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

function decodeOrRefuse(decode: (buf: Buffer) => unknown, buf: Buffer): unknown {
  try {
    return decode(buf);
  } catch {
    return new RefusedRequest(malformed(undefined, 'the decoder refused it'));
  }
}

/** Answers a RefusedRequest with its status before any handler runs. */
export function refusedRequestInterceptor(onRefused?: (path: string, error: SignetError) => void): grpc.ServerInterceptor {
  return (method, call) =>
    new grpc.ServerInterceptingCall(call, {
      start(next) {
        next({
          onReceiveMessage(message, nextMessage) {
            if (!(message instanceof RefusedRequest)) return nextMessage(message);
            onRefused?.(method.path, message.error);
            const reply = toGrpcError(message.error);
            call.sendStatus({ code: reply.code, details: reply.details, metadata: reply.metadata });
          },
        });
      },
    });
}
