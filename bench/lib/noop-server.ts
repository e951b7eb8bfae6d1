// The baseline server: @grpc/grpc-js with a handler that does nothing, same loader options as
// Signet's, run as a child process so client and server do not share a thread (as with Signet).
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { PROTO_ROOT } from '../../src/server/proto.js';

export const NOOP_PROTO = join(dirname(PROTO_ROOT), 'bench', 'noop.proto');
const LOADER = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

export function noopClient(address: string): grpc.Client & { Echo: Function } {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(NOOP_PROTO, LOADER)) as any;
  return new pkg.signet.bench.Noop(address, grpc.credentials.createInsecure());
}

async function serve(): Promise<void> {
  const pkg = grpc.loadPackageDefinition(protoLoader.loadSync(NOOP_PROTO, LOADER)) as any;
  const server = new grpc.Server();
  const signature = Buffer.alloc(64, 1);
  server.addService(pkg.signet.bench.Noop.service, {
    Echo: (_call: unknown, cb: grpc.sendUnaryData<unknown>) => cb(null, { signature, key_id: 'noop', key_version: '1' }),
  });
  const port = await new Promise<number>((ok, fail) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? fail(e) : ok(p))),
  );
  process.stdout.write(`listening ${port}\n`);
  process.once('SIGINT', () => process.exit(0));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) void serve();
