// Raw gRPC calls: request bytes sent as they are (identity serializers), so tests can send what no
// generated client would, and read the status, details and trailers that come back.
import * as grpc from '@grpc/grpc-js';

export interface RawReply {
  code: grpc.status;
  details: string;
  metadata: grpc.Metadata | undefined;
  response: Buffer | undefined;
}

export function rawClient(address: string, options: grpc.ChannelOptions = {}): grpc.Client {
  return new grpc.Client(address, grpc.credentials.createInsecure(), options);
}

/** Sends `bytes` to `path` ('/signet.v1.SigningService/Sign'); resolves with the outcome, never rejects. */
export function rawCall(client: grpc.Client, path: string, bytes: Buffer, options: { timeoutMs?: number; metadata?: grpc.Metadata } = {}): Promise<RawReply> {
  return new Promise((resolve) => {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    client.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      bytes,
      options.metadata ?? new grpc.Metadata(),
      { deadline },
      (err, response) => {
        if (err) resolve({ code: err.code, details: err.details, metadata: err.metadata, response: undefined });
        else resolve({ code: grpc.status.OK, details: '', metadata: undefined, response });
      },
    );
  });
}

export const fieldTrailer = (reply: RawReply): string | undefined => reply.metadata?.get('signet-field')[0]?.toString();
