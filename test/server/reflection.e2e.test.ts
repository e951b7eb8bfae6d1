// Server reflection serves protoc's own descriptors, and strict consumers read them: protoc loads the
// reflected set to encode and decode requests, and every README grpcurl line runs through reflection.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { buildDescriptorSet, descriptorModuleText, DESCRIPTORS_MODULE, protoFiles } from '../../scripts/descriptors.mjs';
import { FILE_DESCRIPTOR_SET_BASE64 } from '../../src/gen/descriptors.js';
import { LOADER_OPTIONS } from '../../src/server/proto.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { fileDescriptorSet, fileHeader, invokeByReflection, reflectFiles, ReflectionStream, type ReflectionVersion } from '../helpers/reflection-client.js';

const execFileAsync = promisify(execFile);
const committed = Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64');
const tmp = mkdtempSync(join(tmpdir(), 'signet-reflection-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** The serialized FileDescriptorProtos of a FileDescriptorSet, by file name. */
function filesOf(set: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i < set.length; ) {
    assert.equal(set[i++], 0x0a, 'a FileDescriptorSet holds only field 1');
    let n = 0;
    for (let s = 0; ; s += 7) {
      const b = set[i++]!;
      n += (b & 0x7f) * 2 ** s;
      if (!(b & 0x80)) break;
    }
    const bytes = set.subarray(i, i + n);
    out.set(fileHeader(bytes).name, bytes);
    i += n;
  }
  return out;
}

function protoc(args: string[], input?: Buffer | string): Buffer {
  return execFileSync('protoc', args, { input, stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

/** A text-format string literal's bytes (protoc escapes: \NNN octal, \xHH, \n, \", \\ …). */
function unescapeTextBytes(literal: string): Buffer {
  const out: number[] = [];
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i]!;
    if (c !== '\\') {
      out.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const n = literal[++i]!;
    if (/[0-7]/.test(n)) {
      const oct = /^[0-7]{1,3}/.exec(literal.slice(i))![0];
      out.push(parseInt(oct, 8));
      i += oct.length - 1;
    } else if (n === 'x') {
      const h = /^[0-9a-fA-F]{1,2}/.exec(literal.slice(i + 1))![0];
      out.push(parseInt(h, 16));
      i += h.length;
    } else out.push({ n: 10, r: 13, t: 9, a: 7, b: 8, f: 12, v: 11 }[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(out);
}

describe('the committed descriptor set', () => {
  it('is exactly what protoc makes from proto/ now (run npm run gen after changing a .proto)', () => {
    const fresh = buildDescriptorSet();
    assert.ok(fresh.equals(committed), 'src/gen/descriptors.ts is stale: run npm run gen');
    assert.equal(readFileSync(DESCRIPTORS_MODULE, 'utf8'), descriptorModuleText(fresh));
  });

  it('holds one file per .proto, imports intact, and map entries named XxxEntry (protoc decodes it)', () => {
    assert.deepEqual([...filesOf(committed).keys()].sort(), protoFiles().sort());
    const text = protoc(['--decode=google.protobuf.FileDescriptorSet', 'google/protobuf/descriptor.proto'], committed).toString();
    for (const entry of ['LabelsEntry', 'MetadataEntry', 'StatusesEntry']) assert.match(text, new RegExp(`name: "${entry}"`));
    const mapFields = protoFiles().flatMap((f) => [...readFileSync(join('proto', f), 'utf8').matchAll(/^\s*map<[^>]+>\s+(\w+)\s*=/gm)].map((m) => m[1]!));
    assert.equal((text.match(/map_entry: true/g) ?? []).length, mapFields.length, 'one map entry type per map field');
    for (const field of mapFields) assert.match(text, new RegExp(`name: "${field.replace(/(^|_)(\w)/g, (_, __, c: string) => c.toUpperCase())}Entry"`));
  });
});

/** The README's grpcurl lines, parsed; a flag or form this test cannot reproduce fails it. */
function readmeGrpcurlLines(): Array<{ line: string; verb: string; data: string | undefined }> {
  const lines = readFileSync('README.md', 'utf8').split('\n').filter((l) => /^grpcurl\s/.test(l));
  assert.ok(lines.length >= 2, 'the README shows grpcurl');
  return lines.map((line) => {
    const args = [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!).slice(1);
    let data: string | undefined;
    const positional: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '-plaintext') continue;
      if (args[i] === '-d') data = args[++i];
      else if (args[i]!.startsWith('-')) assert.fail(`README grpcurl flag this test does not reproduce: ${args[i]} in ${line}`);
      else positional.push(args[i]!);
    }
    const [address, verb, ...rest] = positional;
    assert.equal(address, '127.0.0.1:7443', 'the README addresses the default listen address');
    assert.ok(verb && rest.length === 0 && (verb === 'list' || /^[\w.]+[/.]\w+$/.test(verb)), `README grpcurl line this test does not reproduce: ${line}`);
    return { line, verb, data };
  });
}

describe('server reflection, read by strict consumers', () => {
  let server: TestServer;
  let reflected: Map<string, Buffer>;
  let setFile: string;
  const SERVED = ['grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection', 'signet.v1.CredentialService', 'signet.v1.LedgerService', 'signet.v1.SigningService'];

  before(async () => {
    server = await startTestServer();
    const stream = new ReflectionStream(server.address);
    try {
      reflected = await reflectFiles(stream, await stream.listServices());
    } finally {
      stream.close();
    }
    setFile = join(tmp, 'reflected.binpb');
    writeFileSync(setFile, fileDescriptorSet(reflected));
  });
  after(() => server?.stop());

  for (const version of ['v1', 'v1alpha'] as ReflectionVersion[]) {
    it(`when asked over ${version}, lists exactly the services served`, async () => {
      const stream = new ReflectionStream(server.address, undefined, version);
      try {
        assert.deepEqual((await stream.listServices()).sort(), SERVED);
        const files = await stream.files({ file_containing_symbol: 'signet.v1.SigningService.Sign' });
        assert.deepEqual([...files.keys()], ['signet/v1/signing.proto']);
      } finally {
        stream.close();
      }
    });
  }

  it('serves protoc\'s bytes unchanged, one file per .proto', () => {
    const mine = filesOf(committed);
    assert.deepEqual([...reflected.keys()].sort(), protoFiles().sort());
    for (const [name, bytes] of reflected) assert.ok(bytes.equals(mine.get(name)!), `${name} is served as protoc wrote it`);
  });

  it('protoc loads the reflected set and encodes a request with maps that the server\'s own types decode', () => {
    const bytes = protoc(
      [`--descriptor_set_in=${setFile}`, '--encode=signet.v1.RegisterAgentRequest', 'signet/v1/credentials.proto'],
      'name: "agent-1" owner: "ops" groups: "ci" labels { key: "team" value: "payments" } metadata { key: "k" value: "v" }',
    );
    const def = protoLoader.loadSync('signet/v1/credentials.proto', LOADER_OPTIONS);
    const message = (def['signet.v1.CredentialService'] as protoLoader.ServiceDefinition).RegisterAgent!.requestDeserialize(bytes) as Record<string, unknown>;
    assert.deepEqual({ name: message.name, owner: message.owner, groups: message.groups, labels: message.labels, metadata: message.metadata }, {
      name: 'agent-1',
      owner: 'ops',
      groups: ['ci'],
      labels: { team: 'payments' },
      metadata: { k: 'v' },
    });
    // …and decodes it back to the same text.
    const text = protoc([`--descriptor_set_in=${setFile}`, '--decode=signet.v1.RegisterAgentRequest', 'signet/v1/credentials.proto'], bytes).toString();
    assert.match(text, /labels \{\n\s+key: "team"\n\s+value: "payments"\n\}/);
    for (const [type, file] of [['grpc.health.v1.HealthCheckRequest', 'grpc/health/v1/health.proto'], ['grpc.reflection.v1.ServerReflectionRequest', 'grpc/reflection/v1/reflection.proto'], ['grpc.reflection.v1alpha.ServerReflectionRequest', 'grpc/reflection/v1alpha/reflection.proto']]) {
      protoc([`--descriptor_set_in=${setFile}`, `--encode=${type}`, file!], '');
    }
  });

  it('a Sign request that protoc encodes is signed, and protoc decodes the reply', async () => {
    const request = protoc([`--descriptor_set_in=${setFile}`, '--encode=signet.v1.SignRequest', 'signet/v1/signing.proto'], 'key: "default" message: "hello"');
    const client = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const reply = await new Promise<Buffer>((ok, fail) =>
      client.makeUnaryRequest('/signet.v1.SigningService/Sign', (b: Buffer) => b, (b: Buffer) => b, request, (err, res) => (err ? fail(err) : ok(res!))),
    );
    client.close();
    const text = protoc([`--descriptor_set_in=${setFile}`, '--decode=signet.v1.SignResponse', 'signet/v1/signing.proto'], reply).toString();
    assert.match(text, /algorithm: ALGORITHM_ED25519/);
    const signature = unescapeTextBytes(/^signature: "((?:[^"\\]|\\.)*)"$/m.exec(text)![1]!);
    const { public_key } = await invokeByReflection(server.address, 'signet.v1.SigningService/GetPublicKey', '{"key":"default"}');
    assert.ok(verify(null, Buffer.from('hello'), createPublicKey((public_key as { spki_pem: string }).spki_pem), signature), 'the signature verifies with node:crypto');
  });

  it('every grpcurl line in README.md works as printed, through reflection alone (Node client)', async () => {
    for (const { line, verb, data } of readmeGrpcurlLines()) {
      if (verb === 'list') {
        const stream = new ReflectionStream(server.address);
        assert.deepEqual((await stream.listServices()).sort(), SERVED, line);
        stream.close();
      } else {
        await checkAnswer(line, verb, data, await invokeByReflection(server.address, verb, data ?? '{}'));
      }
    }
  });

  it('every grpcurl line in README.md works through reflection in Python\'s strict protobuf DescriptorPool', async () => {
    // The reflection protocol's own descriptors, from @grpc/reflection's copy (not the served one).
    const boot = join(tmp, 'boot.binpb');
    protoc([`--descriptor_set_out=${boot}`, `--proto_path=${join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')), 'build/proto')}`, 'grpc/reflection/v1/reflection.proto']);
    // Asynchronous: the server under test runs in this process's event loop.
    const python = async (...args: string[]) => (await execFileAsync('/usr/bin/python3', ['test/helpers/reflect_call.py', boot, server.address, ...args])).stdout;
    for (const { line, verb, data } of readmeGrpcurlLines()) {
      if (verb === 'list') assert.deepEqual((await python('list')).trim().split('\n'), SERVED, line);
      else {
        // protobuf JSON: lowerCamelCase names, bytes as base64, enums by name.
        const res = JSON.parse(await python(verb, data ?? '{}')) as Record<string, unknown>;
        await checkAnswer(line, verb, data, { ...res, key_id: res.keyId });
      }
    }
  });

  /** What a README grpcurl call must answer: for Sign, a signature that verifies with node:crypto. */
  async function checkAnswer(line: string, verb: string, data: string | undefined, res: Record<string, unknown>): Promise<void> {
    if (verb !== 'signet.v1.SigningService/Sign') assert.fail(`README grpcurl call this test has no check for: ${line}`);
    const req = JSON.parse(data!) as { key: string; message: string };
    const { public_key } = await invokeByReflection(server.address, 'signet.v1.SigningService/GetPublicKey', JSON.stringify({ key: req.key }));
    const ok = verify(null, Buffer.from(req.message, 'base64'), createPublicKey((public_key as { spki_pem: string }).spki_pem), Buffer.from(res.signature as string, 'base64'));
    assert.ok(ok, `${line}: the signature verifies`);
    assert.equal(res.key_id, (public_key as { key_id: string }).key_id, line);
  }

  it('when a client sends 300 requests before reading any answer, all 300 answers arrive in order', async () => {
    const stream = new ReflectionStream(server.address);
    try {
      const symbols = Array.from({ length: 300 }, (_, i) => (i % 2 ? 'signet.v1.RegisterAgentRequest' : 'signet.v1.SignRequest'));
      const answers = await Promise.all(symbols.map((s) => stream.ask({ file_containing_symbol: s })));
      answers.forEach((a, i) => assert.equal(a.original_request.file_containing_symbol, symbols[i]));
    } finally {
      stream.close();
    }
  });

  it('when a symbol, file or extension is unknown, the answer is a NOT_FOUND error response and the stream goes on', async () => {
    const stream = new ReflectionStream(server.address);
    try {
      for (const request of [{ file_containing_symbol: 'signet.v1.Nope' }, { file_by_filename: 'signet/v1/nope.proto' }, { file_containing_extension: { containing_type: 'signet.v1.SignRequest', extension_number: 99 } }, { all_extension_numbers_of_type: 'signet.v1.Nope' }]) {
        const res = await stream.ask(request);
        assert.equal(res.error_response?.error_code, grpc.status.NOT_FOUND, JSON.stringify(request));
      }
      const res = await stream.ask({ all_extension_numbers_of_type: 'signet.v1.SignRequest' });
      assert.equal(res.all_extension_numbers_response.base_type_name, 'signet.v1.SignRequest');
      assert.deepEqual(res.all_extension_numbers_response.extension_number ?? [], []);
      for (const symbol of ['signet.v1.SignRequest', 'signet.v1.Algorithm', 'signet.v1.ALGORITHM_ED25519', 'signet.v1.RegisterAgentRequest.LabelsEntry', 'grpc.health.v1.HealthCheckResponse.ServingStatus']) {
        assert.equal((await stream.files({ file_containing_symbol: symbol })).size >= 1, true, symbol);
      }
    } finally {
      stream.close();
    }
  });
});
