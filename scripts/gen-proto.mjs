// Regenerates src/gen from proto/: TypeScript types for Signet's own protos (proto-loader-gen-types)
// and protoc's descriptor set for server reflection (scripts/descriptors.mjs).
// Run with `npm run gen` after changing any .proto file; the output is committed.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { buildDescriptorSet, descriptorModuleText, DESCRIPTORS_MODULE, protoFiles, PROTO_ROOT as protoRoot } from './descriptors.mjs';

const allFiles = protoFiles(protoRoot);
// proto/grpc holds the standard health and reflection protos, vendored for their descriptors only.
const files = allFiles.filter((f) => f.startsWith('signet/'));

rmSync('src/gen', { recursive: true, force: true });
execFileSync(
  'node',
  [
    'node_modules/@grpc/proto-loader/build/bin/proto-loader-gen-types.js',
    '--keepCase',
    '--longs=Number',
    '--enums=String',
    '--defaults',
    '--oneofs',
    '--grpcLib=@grpc/grpc-js',
    '--includeDirs', protoRoot,
    '--outDir', 'src/gen',
    '--importFileExtension', '.js',
    ...files,
  ],
  { stdio: 'inherit' },
);
writeFileSync(DESCRIPTORS_MODULE, descriptorModuleText(buildDescriptorSet(protoRoot, allFiles)));
console.log(`generated src/gen from ${allFiles.length} proto file(s)`);
