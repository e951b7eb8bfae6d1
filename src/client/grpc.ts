// The raw layer under the typed client: grpc-js stubs for Signet's services, loaded from the
// .proto files at run time, and a bare unary call that rejects with the grpc.ServiceError.
import * as grpc from '@grpc/grpc-js';
import { loadGrpcObject, SIGNET_PROTO_FILES } from '../server/proto.js';
import type { SigningServiceClient } from '../gen/signet/v1/SigningService.js';

export interface ClientOptions {
  credentials?: grpc.ChannelCredentials;
  /** Extra channel options, e.g. grpc.ssl_target_name_override. */
  channelOptions?: grpc.ChannelOptions;
}

export interface RawCallOptions {
  /** Milliseconds from now. */
  timeoutMs?: number;
  metadata?: grpc.Metadata;
}

let grpcObject: grpc.GrpcObject | undefined;

/** A stub for a service by full name ('signet.v1.SigningService'). */
export function serviceClient<T extends grpc.Client>(serviceName: string, address: string, options: ClientOptions = {}): T {
  grpcObject ??= loadGrpcObject(SIGNET_PROTO_FILES);
  let node: unknown = grpcObject;
  for (const part of serviceName.split('.')) node = (node as Record<string, unknown>)?.[part];
  if (typeof node !== 'function') throw new Error(`unknown service ${serviceName}`);
  const Ctor = node as grpc.ServiceClientConstructor;
  return new Ctor(address, options.credentials ?? grpc.credentials.createInsecure(), options.channelOptions) as unknown as T;
}

export function signingClient(address: string, options: ClientOptions = {}): SigningServiceClient {
  return serviceClient<SigningServiceClient>('signet.v1.SigningService', address, options);
}

type Callback<Res> = (err: grpc.ServiceError | null, res?: Res) => void;
/**
 * A generated unary method. TypeScript infers from the last overload, `(argument, callback)`, so
 * that is the shape matched here; the call itself passes metadata and options too.
 */
type UnaryMethod<Req, Res> = (req: Req, cb: Callback<Res>) => unknown;
type FullUnaryMethod = (req: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, cb: Callback<unknown>) => unknown;

/** Calls a unary method once and returns its response, or rejects with the grpc.ServiceError. */
export function unary<Req, Res>(client: grpc.Client, method: UnaryMethod<Req, Res>, request: Req, options: RawCallOptions = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const callOptions: grpc.CallOptions = options.timeoutMs !== undefined ? { deadline: Date.now() + options.timeoutMs } : {};
    (method as unknown as FullUnaryMethod).call(client, request, options.metadata ?? new grpc.Metadata(), callOptions, (err, res) =>
      err ? reject(err) : resolve(res as Res),
    );
  });
}
