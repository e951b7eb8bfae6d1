// A client that knows nothing of Signet's protos: it learns them through gRPC server reflection
// (as grpcurl does) and calls methods with JSON, from the descriptors reflection returned alone.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

// The reflection protocol itself is compiled in, as in grpcurl: the .proto that @grpc/reflection ships.
const require = createRequire(import.meta.url);
const reflectionRoot = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto');

export type ReflectionVersion = 'v1' | 'v1alpha';

/** One reflection stream: send a request, await its answer. */
export class ReflectionStream {
  readonly #client: grpc.Client;
  readonly #stream: grpc.ClientDuplexStream<object, any>;
  readonly #waiting: Array<{ ok(v: any): void; fail(e: Error): void }> = [];
  #failed: Error | undefined;

  constructor(address: string, credentials = grpc.credentials.createInsecure(), version: ReflectionVersion = 'v1') {
    const def = protoLoader.loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [reflectionRoot], keepCase: true, longs: Number, enums: String, oneofs: true });
    const Ctor = (grpc.loadPackageDefinition(def) as any).grpc.reflection[version].ServerReflection as grpc.ServiceClientConstructor;
    this.#client = new Ctor(address, credentials);
    this.#stream = (this.#client as any).ServerReflectionInfo();
    this.#stream.on('data', (res: any) => this.#waiting.shift()?.ok(res));
    this.#stream.on('error', (err: Error) => {
      this.#failed = err;
      for (const w of this.#waiting.splice(0)) w.fail(err);
    });
  }

  ask(request: object): Promise<any> {
    if (this.#failed) return Promise.reject(this.#failed);
    return new Promise((ok, fail) => {
      this.#waiting.push({ ok, fail });
      this.#stream.write(request);
    });
  }

  async listServices(): Promise<string[]> {
    const res = await this.ask({ list_services: '' });
    return res.list_services_response.service.map((s: { name: string }) => s.name);
  }

  /** The files reflection sends for a request, by name; throws with the error_response if any. */
  async files(request: object): Promise<Map<string, Buffer>> {
    const res = await this.ask(request);
    if (res.error_response) throw Object.assign(new Error(res.error_response.error_message), { code: res.error_response.error_code });
    return new Map((res.file_descriptor_response.file_descriptor_proto as Buffer[]).map((b) => [fileHeader(b).name, Buffer.from(b)]));
  }

  close(): void {
    this.#stream.end();
    this.#client.close();
  }
}

/** name (field 1) and dependency (field 3) of a serialized FileDescriptorProto. */
export function fileHeader(bytes: Buffer): { name: string; dependencies: string[] } {
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let s = 0; ; s += 7) {
      const b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** s;
      if (!(b & 0x80)) return v;
    }
  };
  const out = { name: '', dependencies: [] as string[] };
  while (i < bytes.length) {
    const key = varint();
    const type = key & 7;
    if (type === 0) varint();
    else if (type === 1) i += 8;
    else if (type === 5) i += 4;
    else if (type === 2) {
      const n = varint();
      const value = bytes.subarray(i, i + n).toString('utf8');
      if (key >> 3 === 1) out.name = value;
      if (key >> 3 === 3) out.dependencies.push(value);
      i += n;
    } else throw new Error(`wire type ${type}`);
  }
  return out;
}

/** Every file needed for `symbols`, fetched through reflection: the symbol's file, then its imports. */
export async function reflectFiles(stream: ReflectionStream, symbols: string[]): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  for (const symbol of symbols) for (const [name, bytes] of await stream.files({ file_containing_symbol: symbol })) files.set(name, bytes);
  // A server may leave out imports it already sent; ask for any still missing by name.
  for (let missing = missingImports(files); missing.length > 0; missing = missingImports(files)) {
    for (const name of missing) for (const [n, b] of await stream.files({ file_by_filename: name })) files.set(n, b);
  }
  return files;
}

const missingImports = (files: Map<string, Buffer>) => [...new Set([...files.values()].flatMap((b) => fileHeader(b).dependencies))].filter((d) => !files.has(d));

/** A FileDescriptorSet (field 1, repeated) of the given serialized files, dependencies first. */
export function fileDescriptorSet(files: Map<string, Buffer>): Buffer {
  const ordered: Buffer[] = [];
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const bytes = files.get(name);
    if (!bytes) throw new Error(`reflection did not return ${name}`);
    for (const dep of fileHeader(bytes).dependencies) visit(dep);
    ordered.push(bytes);
  };
  for (const name of [...files.keys()].sort()) visit(name);
  const varint = (n: number) => {
    const out: number[] = [];
    for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n & 0x7f) | 0x80);
    out.push(n);
    return Buffer.from(out);
  };
  return Buffer.concat(ordered.flatMap((b) => [Buffer.from([0x0a]), varint(b.length), b]));
}

/**
 * Calls `method` ('pkg.Service/Method' or 'pkg.Service.Method') with a JSON request, knowing only
 * what reflection returns; the answer is JSON-like (bytes as base64, enums by name), as grpcurl prints.
 */
export async function invokeByReflection(address: string, method: string, json: string, credentials = grpc.credentials.createInsecure()): Promise<Record<string, unknown>> {
  const m = /^(.+)[/.]([^/.]+)$/.exec(method);
  if (!m) throw new Error(`not a method: ${method}`);
  const [, service, name] = m as unknown as [string, string, string];
  const stream = new ReflectionStream(address, credentials);
  let files: Map<string, Buffer>;
  try {
    files = await reflectFiles(stream, [service]);
  } finally {
    stream.close();
  }
  const def = protoLoader.loadFileDescriptorSetFromBuffer(fileDescriptorSet(files), { keepCase: true, longs: String, enums: String, bytes: String, defaults: true, oneofs: true });
  let node: any = grpc.loadPackageDefinition(def);
  for (const part of service.split('.')) node = node?.[part];
  if (typeof node !== 'function') throw new Error(`reflection does not describe ${service}`);
  const client = new (node as grpc.ServiceClientConstructor)(address, credentials) as any;
  if (typeof client[name] !== 'function') throw new Error(`${service} has no method ${name}`);
  try {
    return await new Promise((ok, fail) => client[name](JSON.parse(json), (err: Error | null, res: Record<string, unknown>) => (err ? fail(err) : ok(res))));
  } finally {
    client.close();
  }
}
