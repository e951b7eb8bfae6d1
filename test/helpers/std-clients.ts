// Stock gRPC clients (health, reflection) built from the standard protos, as grpcurl would use them.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

const require = createRequire(import.meta.url);
const healthProto = join(dirname(require.resolve('grpc-health-check/package.json')), 'proto/health/v1/health.proto');
const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1/reflection.proto');

function load(path: string): grpc.GrpcObject {
  return grpc.loadPackageDefinition(protoLoader.loadSync(path, { keepCase: true, defaults: true, enums: String }));
}

export async function healthCheck(address: string, service = ''): Promise<string> {
  const Health = (load(healthProto) as any).grpc.health.v1.Health as grpc.ServiceClientConstructor;
  const client = new Health(address, grpc.credentials.createInsecure()) as any;
  try {
    return await new Promise((ok, fail) => client.Check({ service }, (err: Error | null, res: { status: string }) => (err ? fail(err) : ok(res.status))));
  } finally {
    client.close();
  }
}

/** Lists services through server reflection (grpc.reflection.v1), the way grpcurl does. */
export async function reflectedServices(address: string): Promise<string[]> {
  const Reflection = (load(reflectionProto) as any).grpc.reflection.v1.ServerReflection as grpc.ServiceClientConstructor;
  const client = new Reflection(address, grpc.credentials.createInsecure()) as any;
  try {
    return await new Promise((ok, fail) => {
      const stream = client.ServerReflectionInfo();
      stream.on('data', (res: any) => {
        ok((res.list_services_response?.service ?? []).map((s: { name: string }) => s.name));
        stream.end();
      });
      stream.on('error', fail);
      stream.write({ list_services: '' });
    });
  } finally {
    client.close();
  }
}
