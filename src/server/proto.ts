// Loads the .proto files at run time with the same options the generated types were made with.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The proto/ folder, found from src/server or dist/src/server. */
export const PROTO_ROOT = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'proto', 'signet'))) return join(dir, 'proto');
    dir = dirname(dir);
  }
  throw new Error('cannot find the proto/ folder');
})();

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [PROTO_ROOT],
};

export const SIGNET_PROTO_FILES = ['signet/v1/signing.proto', 'signet/v1/ledger.proto', 'signet/v1/credentials.proto'];

export function loadPackageDefinition(files: string[] = SIGNET_PROTO_FILES): protoLoader.PackageDefinition {
  return protoLoader.loadSync(files, LOADER_OPTIONS);
}

export function loadGrpcObject(files: string[] = SIGNET_PROTO_FILES): grpc.GrpcObject {
  return grpc.loadPackageDefinition(loadPackageDefinition(files));
}
