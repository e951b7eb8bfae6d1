// What the bad-input suite sends and how: every method of every service the server offers (from
// the .proto files), a raw call of any kind with the bytes as they are, and seeded mutations of
// valid requests.
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS, SIGNET_PROTO_FILES } from '../../src/server/proto.js';
import { prng, tag, varint } from './protowire.js';

export const ALL_PROTO_FILES = [...SIGNET_PROTO_FILES, 'grpc/health/v1/health.proto', 'grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'];

export interface Method {
  service: string;
  name: string;
  path: string;
  kind: 'unary' | 'server-stream' | 'bidi' | 'client-stream';
  serialize(value: unknown): Buffer;
  deserializeResponse(bytes: Buffer): any;
}

export function allMethods(pd: protoLoader.PackageDefinition = protoLoader.loadSync(ALL_PROTO_FILES, LOADER_OPTIONS)): Method[] {
  const out: Method[] = [];
  for (const [service, entry] of Object.entries(pd)) {
    if ('format' in entry) continue; // a message or enum, not a service
    for (const [name, m] of Object.entries(entry as grpc.ServiceDefinition)) {
      out.push({
        service,
        name,
        path: m.path,
        kind: m.requestStream ? (m.responseStream ? 'bidi' : 'client-stream') : m.responseStream ? 'server-stream' : 'unary',
        serialize: (value) => m.requestSerialize(value),
        deserializeResponse: (bytes) => m.responseDeserialize(bytes),
      });
    }
  }
  return out;
}

export interface Reply {
  code: grpc.status;
  details: string;
  ms: number;
  response: Buffer | undefined;
}

/** One call with raw request bytes, whatever the method's kind; a stream is read to its status. */
export function callRaw(client: grpc.Client, method: Method, bytes: Buffer, options: { timeoutMs?: number; metadata?: grpc.Metadata } = {}): Promise<Reply> {
  const started = Date.now();
  const id = (b: Buffer) => b;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  const metadata = options.metadata ?? new grpc.Metadata();
  return new Promise((resolve) => {
    let response: Buffer | undefined;
    const done = (code: grpc.status, details: string) => resolve({ code, details, ms: Date.now() - started, response });
    if (method.kind === 'unary') {
      client.makeUnaryRequest(method.path, id, id, bytes, metadata, { deadline }, (err, res) => (err ? done(err.code, err.details) : ((response = res), done(grpc.status.OK, ''))));
      return;
    }
    const call =
      method.kind === 'server-stream'
        ? client.makeServerStreamRequest(method.path, id, id, bytes, metadata, { deadline })
        : client.makeBidiStreamRequest(method.path, id, id, metadata, { deadline });
    let cancelledByUs = false;
    call.on('data', (d: Buffer) => {
      response ??= d;
      // A watch never ends by itself: its first answer is the reply.
      if (method.kind === 'server-stream') {
        cancelledByUs = true;
        call.cancel();
      }
    });
    call.on('error', (err: grpc.ServiceError) => done(cancelledByUs && err.code === grpc.status.CANCELLED ? grpc.status.OK : err.code, err.details));
    call.on('status', (s: grpc.StatusObject) => {
      if (s.code === grpc.status.OK) done(grpc.status.OK, s.details);
    });
    if (method.kind !== 'server-stream') {
      const writable = call as grpc.ClientDuplexStream<Buffer, Buffer>;
      writable.write(bytes);
      writable.end();
    }
  });
}

export type Rng = ReturnType<typeof prng>;

/** A seeded mutation of `template` (or random bytes), with a name for the failure message. */
export function mutate(r: Rng, template: Buffer, others: Buffer[]): { how: string; bytes: Buffer } {
  const kind = r.int(8);
  const t = Buffer.from(template);
  switch (kind) {
    case 0: {
      const n = r.int(r.int(2) ? 16 : 512);
      return { how: `random ${n} bytes`, bytes: r.bytes(n) };
    }
    case 1: {
      const flips = 1 + r.int(4);
      for (let i = 0; i < flips && t.length > 0; i++) t[r.int(t.length)] = r.int(256);
      return { how: `${flips} byte flips`, bytes: t };
    }
    case 2: {
      const at = r.int(t.length + 1);
      return { how: `truncated at ${at}`, bytes: t.subarray(0, at) };
    }
    case 3: {
      const at = r.int(t.length + 1);
      const n = 1 + r.int(8);
      return { how: `${n} bytes inserted at ${at}`, bytes: Buffer.concat([t.subarray(0, at), r.bytes(n), t.subarray(at)]) };
    }
    case 4: {
      // A field of any number and wire type, with a value that may or may not fit it.
      const field = r.pick([1, 2, 3, 4, 5, 9, 15, 16, 2047, 536_870_911]);
      const wireType = r.int(8);
      const value = r.int(2) ? varint(r.pick([0n, 1n, 127n, 2n ** 53n, 2n ** 63n, 2n ** 64n - 1n])) : Buffer.concat([varint(r.int(40)), r.bytes(r.int(40))]);
      return { how: `field ${field} wire type ${wireType} appended`, bytes: Buffer.concat([t, tag(field, wireType), value]) };
    }
    case 5: {
      const other = r.pick(others);
      const a = r.int(t.length + 1);
      const b = r.int(other.length + 1);
      return { how: `spliced ${a}|${b}`, bytes: Buffer.concat([t.subarray(0, a), other.subarray(b)]) };
    }
    case 6:
      return { how: 'doubled', bytes: Buffer.concat([t, t]) };
    default: {
      const at = r.int(Math.max(1, t.length));
      return { how: `byte ${at} deleted`, bytes: Buffer.concat([t.subarray(0, at), t.subarray(at + 1)]) };
    }
  }
}
