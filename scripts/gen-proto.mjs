// Regenerates the TypeScript types in src/gen from proto/ (proto-loader-gen-types).
// Run with `npm run gen` after changing any .proto file; the output is committed.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const protoRoot = 'proto';
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.proto')) files.push(path.slice(protoRoot.length + 1));
  }
})(protoRoot);

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
console.log(`generated src/gen from ${files.length} proto file(s)`);
