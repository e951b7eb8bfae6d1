// A bad-input suite over every RPC of every service the server offers (Signet's three, health,
// reflection v1 and v1alpha): random and mutated protobuf bytes sent raw, plus oversize, deeply
// nested, invalid UTF-8, extreme integers, huge and empty batches, and huge metadata. Every reply
// is a specific status within a bound — never INTERNAL, never a hang — a probe call keeps answering
// and the server's event loop keeps turning, memory stays bounded, and afterwards VerifyChain is
// valid and no refused call wrote an entry. Seeded; the seed is printed and in every failure.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { descriptorsOf, compileRequestSchemas, T, type FieldSchema, type MessageSchema } from '../../src/server/request-schema.js';
import { ALL_PROTO_FILES, allMethods, callRaw, mutate, type Method, type Reply } from '../helpers/bad-input.js';
import { spawnServerChild, type ChildServer } from '../helpers/child-server.js';
import { INVALID_UTF8, len, msg, num, prng } from '../helpers/protowire.js';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from '../../src/server/proto.js';

const SEED = Number(process.env.SIGNET_TEST_SEED ?? Date.now() % 1_000_000);
console.log(`bad-input seed: ${SEED} (rerun with SIGNET_TEST_SEED=${SEED})`);

const MAX_BATCH = 100;
/** Random and mutated cases per method, besides the cases built from its schema. */
const READER_CASES = 200;
const WRITER_CASES = 120;
const MB = 1024 * 1024;
/** Methods whose calls may append to the ledger: run one at a time, the tree size checked after each. */
const WRITERS = new Set([
  'AppendReceipt', 'AppendReceipts', 'AddCosignature', 'RegisterAgent', 'RevokeAgent', 'RevokeGroup', 'Authorize', 'Issue',
  'VerifyCredential', 'RevokeCredential', 'RevokeIssuingKey', 'IssuePassport',
]);
/** A refusal by policy may be recorded, and only as one of these. */
const RECORDED_REFUSALS = new Set(['denial', 'attestation_failure']);
const ALLOWED = new Set([
  grpc.status.OK, grpc.status.INVALID_ARGUMENT, grpc.status.NOT_FOUND, grpc.status.ALREADY_EXISTS, grpc.status.PERMISSION_DENIED,
  grpc.status.UNAUTHENTICATED, grpc.status.FAILED_PRECONDITION, grpc.status.OUT_OF_RANGE, grpc.status.RESOURCE_EXHAUSTED,
]);

const POLICY = `
version: 1
rules:
  - name: ci-repos
    agents: [{group: ci}]
    actions: ["repo:read"]
    resources: ["github.com/acme/**"]
    audiences: ["https://api.github.com"]
`;

describe('bad input on every RPC', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bad-input-'));
  const pd = protoLoader.loadSync(ALL_PROTO_FILES, LOADER_OPTIONS);
  const methods = allMethods(pd);
  const byName = (name: string) => methods.find((m) => m.name === name)!;
  const schemas = compileRequestSchemas(descriptorsOf(pd), [...new Set(methods.map((m) => m.service))], { maxBatch: MAX_BATCH });
  let server: ChildServer;
  let client: grpc.Client;
  const templates = new Map<string, Buffer>();
  const failures: string[] = [];
  let cases = 0;
  const codes = new Map<string, number>();

  const fail = (method: Method, how: string, bytes: Buffer, reply: Reply, why: string) => {
    failures.push(`seed ${SEED}: ${method.path} (${how}, ${bytes.length} bytes ${bytes.subarray(0, 48).toString('hex')}…): ${why}: ${grpc.status[reply.code]} ${reply.details}`);
  };
  const judge = (method: Method, how: string, bytes: Buffer, reply: Reply, expect?: Set<grpc.status>) => {
    cases++;
    codes.set(grpc.status[reply.code]!, (codes.get(grpc.status[reply.code]!) ?? 0) + 1);
    // A server that died fails the suite at once rather than case by case.
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`seed ${SEED}: the server exited during ${method.path} (${how}, ${bytes.subarray(0, 48).toString('hex')}…)`);
    }
    if (!ALLOWED.has(reply.code)) fail(method, how, bytes, reply, 'not a specific status');
    else if (expect && !expect.has(reply.code)) fail(method, how, bytes, reply, `expected ${[...expect].map((c) => grpc.status[c]).join('/')}`);
    if (reply.ms > 15_000) fail(method, how, bytes, reply, `took ${reply.ms} ms`);
    if (/\b[a-z0-9]{200,}/i.test(reply.details) || reply.details.length > 600) fail(method, how, bytes, reply, 'details echo the input');
  };
  const size = async (): Promise<number> => {
    const reply = await callRaw(client, byName('GetCheckpoint'), Buffer.alloc(0));
    assert.equal(reply.code, grpc.status.OK, reply.details);
    return Number(byName('GetCheckpoint').deserializeResponse(reply.response!).size);
  };
  const entryTypes = async (from: number, to: number): Promise<string[]> => {
    const reply = await callRaw(client, byName('GetEntries'), msg(num(1, from), num(2, to - from)));
    assert.equal(reply.code, grpc.status.OK, reply.details);
    const page = byName('GetEntries').deserializeResponse(reply.response!) as { entries: Array<{ entry: Buffer }> };
    return page.entries.map((e) => JSON.parse(Buffer.from(e.entry).toString('utf8')).type as string);
  };

  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), POLICY);
    server = await spawnServerChild({
      limits: { max_batch: MAX_BATCH },
      credentials: { policy: join(dir, 'policy.yaml'), signing: 'direct', pop_mode: 'strict' },
    });
    client = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());

    // Valid requests for every method, the seeds of the mutations.
    const jwk = () => JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    const hex = 'ab'.repeat(32);
    const receipt = { agent: 'agent-1', action: 'read', resource: 'doc:1', request_sha256: hex, response_sha256: hex, outcome: 'success', metadata_json: '{"k":[1,2]}' };
    const call = async (name: string, value: unknown) => {
      const m = byName(name);
      const reply = await callRaw(client, m, m.serialize(value));
      assert.equal(reply.code, grpc.status.OK, `${name}: ${reply.details}`);
      return m.deserializeResponse(reply.response!);
    };
    const agent = (await call('RegisterAgent', { name: 'fuzz-a', public_key_jwk: jwk(), owner: 'o', groups: ['ci'] })).id as string;
    const victim = (await call('RegisterAgent', { name: 'fuzz-b', public_key_jwk: jwk(), owner: 'o', groups: ['victims'] })).id as string;
    const intent = { action: 'repo:read', resource: 'github.com/acme/x' };
    const audience = 'https://api.github.com';
    const issued = await call('Issue', { agent_id: agent, intent, audience });
    const passport = await call('IssuePassport', { agent_id: agent });
    await call('AppendReceipts', { receipts: [{ receipt }, { receipt }, { receipt }] });
    const checkpoint = await call('GetCheckpoint', {});
    const values: Record<string, unknown> = {
      Sign: { key: 'default', message: Buffer.from('hello') },
      SignBatch: { key: 'default', messages: [Buffer.from('a'), Buffer.from('b')] },
      GetPublicKey: { key: 'default' },
      ListKeys: {},
      AppendReceipt: { receipt, idempotency_key: 'fuzz-1' },
      AppendReceipts: { receipts: [{ receipt }, { receipt }] },
      GetEntry: { index: 1 },
      GetEntries: { start: 0, page_size: 10 },
      GetCheckpoint: {},
      GetInclusionProof: { index: 1 },
      GetConsistencyProof: { size1: 1 },
      VerifyChain: { start: 0 },
      AddCosignature: { note: checkpoint.note },
      RegisterAgent: { name: 'fuzz-c', public_key_jwk: jwk(), owner: 'o', groups: ['ci'], labels: { team: 'x' }, metadata: { m: 'v' } },
      GetAgent: { agent_id: agent },
      ListAgents: { page_size: 10, group: 'ci' },
      RevokeAgent: { agent_id: victim, reason: 'fuzz' },
      RevokeGroup: { group: 'victims', reason: 'fuzz' },
      Authorize: { agent_id: agent, intent, audience },
      Issue: { agent_id: agent, intent, audience, ttl_seconds: 30, delegation: [{ sub: 'user:a' }] },
      VerifyCredential: { token: issued.token, intent, audience },
      RevokeCredential: { jti: issued.jti, reason: 'fuzz' },
      RevokeIssuingKey: { kid: 'A'.repeat(43), reason: 'fuzz' },
      GetJwks: {},
      IssuePassport: { agent_id: agent },
      VerifyPassport: { token: passport.token, online: true },
      Check: { service: '' },
      Watch: { service: 'signet.v1.SigningService' },
      List: {},
      ServerReflectionInfo: { host: '', list_services: '' },
    };
    for (const m of methods) {
      assert.ok(m.name in values, `no template for ${m.path}`);
      templates.set(m.path, m.serialize(values[m.name]));
    }
  });

  after(async () => {
    client?.close();
    server?.kill();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Cases built from each method's schema: oversize, invalid UTF-8, extreme integers, nesting. */
  function schemaCases(m: Method): Array<{ how: string; bytes: Buffer; expect?: Set<grpc.status> }> {
    const schema = schemas.get(m.path)!;
    const template = templates.get(m.path)!;
    const refused = new Set([grpc.status.INVALID_ARGUMENT]);
    // Past limits.max_message_bytes the whole message is refused first, by its size.
    const tooBig = new Set([grpc.status.INVALID_ARGUMENT, grpc.status.RESOURCE_EXHAUSTED]);
    const out: Array<{ how: string; bytes: Buffer; expect?: Set<grpc.status> }> = [];
    for (const f of schema.fields.values()) {
      // Fields appended after the template: a repeated field simply gets one more element.
      const tail = (bytes: Buffer) => (f.repeated ? Buffer.concat([template, bytes]) : Buffer.concat([stripField(template, schema, f), bytes]));
      if (f.type === T.STRING || f.type === T.BYTES) {
        const over = tail(len(f.number, Buffer.alloc(f.rule.maxBytes! + 1, 'a')));
        out.push({ how: `${f.name} over its limit`, bytes: over, expect: over.length > 4 * MB ? tooBig : refused });
        if (f.rule.maxBytes! < MB) out.push({ how: `${f.name} of 1 MB`, bytes: tail(len(f.number, Buffer.alloc(MB, 'a'))), expect: refused });
      }
      if (f.type === T.STRING) {
        for (const bad of INVALID_UTF8.slice(0, 6)) out.push({ how: `${f.name} invalid UTF-8 ${bad.toString('hex')}`, bytes: tail(len(f.number, Buffer.concat([Buffer.from('ok'), bad]))), expect: refused });
      }
      if (f.type === T.MESSAGE && !f.message!.isMapEntry) {
        for (const inner of f.message!.fields.values()) {
          if (inner.type !== T.STRING) continue;
          out.push({ how: `${f.name}.${inner.name} invalid UTF-8`, bytes: tail(len(f.number, len(inner.number, Buffer.from([0x61, 0xed, 0xa0, 0x80])))), expect: refused });
        }
      }
      if ([T.INT32, T.INT64, T.UINT32, T.UINT64, T.BOOL, T.ENUM, T.SINT32, T.SINT64].includes(f.type as 5)) {
        for (const v of [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n, 2n ** 32n, 2n ** 31n]) out.push({ how: `${f.name} = ${v}`, bytes: tail(num(f.number, v)) });
      }
    }
    // A field the schema does not know, nested 20 000 deep: skipped without being entered.
    out.push({ how: 'an unknown field nested 20 000 deep', bytes: Buffer.concat([template, DEEP_UNKNOWN]) });
    return out;
  }

  it('every method of every service is covered and its template is accepted', () => {
    const services = new Set(methods.map((m) => m.service));
    for (const s of ['signet.v1.SigningService', 'signet.v1.LedgerService', 'signet.v1.CredentialService', 'grpc.health.v1.Health', 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection']) {
      assert.ok(services.has(s), s);
    }
    assert.ok(methods.length >= 30, `${methods.length} methods`);
  });

  it('random and mutated bytes, oversize, invalid UTF-8, extreme integers: a specific status, no hang, nothing written by a refusal', async () => {
    const r = prng(SEED);
    const others = [...templates.values()];
    const probe = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
    let probing = true;
    let worstProbe = 0;
    const probeLoop = (async () => {
      while (probing) {
        const reply = await callRaw(probe, byName('Check'), Buffer.alloc(0), { timeoutMs: 20_000 });
        worstProbe = Math.max(worstProbe, reply.ms);
        if (reply.code !== grpc.status.OK && reply.code !== grpc.status.RESOURCE_EXHAUSTED) failures.push(`seed ${SEED}: probe answered ${grpc.status[reply.code]}`);
        await new Promise((ok) => setTimeout(ok, 200));
      }
    })();
    await server.eventLoopDelay(); // from here on
    const before = await server.memory();

    // Methods that cannot write: many calls at once; the tree must not grow at all.
    const readers = methods.filter((m) => !WRITERS.has(m.name));
    const sizeBefore = await size();
    const work: Array<() => Promise<void>> = [];
    for (const m of readers) {
      const template = templates.get(m.path)!;
      for (const c of schemaCases(m)) work.push(async () => judge(m, c.how, c.bytes, await callRaw(client, m, c.bytes), c.expect));
      for (let i = 0; i < READER_CASES; i++) {
        const { how, bytes } = mutate(r, template, others);
        work.push(async () => judge(m, how, bytes, await callRaw(client, m, bytes)));
      }
    }
    await runAll(work, 16);
    const readersEld = await server.eventLoopDelay();
    assert.equal(await size(), sizeBefore, 'a method that cannot write wrote an entry');

    // Methods that can write: one call at a time; a refusal writes nothing (a policy refusal at
    // most its denial record).
    for (const m of methods.filter((x) => WRITERS.has(x.name))) {
      const template = templates.get(m.path)!;
      const cs: Array<{ how: string; bytes: Buffer; expect?: Set<grpc.status> }> = [...schemaCases(m), ...Array.from({ length: WRITER_CASES }, () => mutate(r, template, others))];
      for (const c of cs) {
        const was = await size();
        const reply = await callRaw(client, m, c.bytes);
        judge(m, c.how, c.bytes, reply, c.expect);
        const now = await size();
        if (reply.code === grpc.status.OK || now === was) continue;
        const types = await entryTypes(was, now);
        const policyRefusal = reply.code === grpc.status.PERMISSION_DENIED || reply.code === grpc.status.UNAUTHENTICATED;
        if (!policyRefusal || !types.every((t) => RECORDED_REFUSALS.has(t))) fail(m, c.how, c.bytes, reply, `a refused call wrote ${types.join(', ')}`);
      }
    }
    const writersEld = await server.eventLoopDelay();
    probing = false;
    await probeLoop;
    probe.close();
    const afterMemory = await server.memory();
    const grew = afterMemory.heapUsed + afterMemory.external - (before.heapUsed + before.external);
    console.log(
      `${cases} cases over ${methods.length} methods; worst probe ${worstProbe} ms; event-loop delay p99 ${readersEld.p99}/${writersEld.p99} ms, ` +
        `max ${readersEld.max}/${writersEld.max} ms; heap+external grew ${(grew / MB).toFixed(1)} MB; tree ${sizeBefore} → ${await size()}; ` +
        [...codes].sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n}`).join(', '),
    );
    assert.deepEqual(failures.slice(0, 20), [], `${failures.length} failures`);
    assert.ok(cases >= 5000, `${cases} cases`);
    // Generous bounds (a busy shared machine): what matters is that no case stalls the loop for seconds.
    assert.ok(worstProbe < 5000, `a probe call took ${worstProbe} ms`);
    assert.ok(readersEld.p99 < 1000 && writersEld.p99 < 1000, 'event-loop delay p99');
    assert.ok(grew < 100 * MB, `grew ${grew} bytes`);
  });

  it('huge and empty batches are refused before any element is decoded', async () => {
    const hex = 'ab'.repeat(32);
    const receipt = len(1, msg(len(2, 'a'), len(3, 'read'), len(4, 'doc'), len(5, hex), len(6, hex), len(8, 'ok')));
    const was = await size();
    const cases: Array<[string, string, Buffer, grpc.status]> = [
      ['AppendReceipts', 'empty', Buffer.alloc(0), grpc.status.INVALID_ARGUMENT],
      ['AppendReceipts', `${MAX_BATCH + 1} receipts`, msg(...Array.from({ length: MAX_BATCH + 1 }, () => len(1, receipt))), grpc.status.INVALID_ARGUMENT],
      ['AppendReceipts', '1.3 million empty receipts (4 MB)', Buffer.alloc(4 * MB - 1024, Buffer.from([0x0a, 0x00])), grpc.status.INVALID_ARGUMENT],
      ['SignBatch', 'empty', len(1, 'default'), grpc.status.INVALID_ARGUMENT],
      ['SignBatch', `${MAX_BATCH + 1} messages`, msg(len(1, 'default'), ...Array.from({ length: MAX_BATCH + 1 }, () => len(2, 'm'))), grpc.status.INVALID_ARGUMENT],
      ['SignBatch', '2 million empty messages (4 MB)', Buffer.concat([len(1, 'default'), Buffer.alloc(4 * MB - 1024, Buffer.from([0x12, 0x00]))]), grpc.status.INVALID_ARGUMENT],
      ['AppendReceipts', 'a batch of exactly max_batch', msg(...Array.from({ length: MAX_BATCH }, () => len(1, receipt))), grpc.status.OK],
    ];
    for (const [name, how, bytes, expected] of cases) {
      const reply = await callRaw(client, byName(name), bytes);
      assert.equal(reply.code, expected, `seed ${SEED}: ${name} ${how}: ${reply.details}`);
      assert.ok(reply.ms < 10_000, `${name} ${how} took ${reply.ms} ms`);
    }
    assert.equal(await size(), was + MAX_BATCH, 'only the accepted batch wrote');
  });

  it('deeply nested JSON in a JSON field is refused by its depth, not parsed', async () => {
    const hex = 'ab'.repeat(32);
    const nested = '['.repeat(8000) + ']'.repeat(8000);
    const bytes = len(1, msg(len(2, 'a'), len(3, 'read'), len(4, 'doc'), len(5, hex), len(6, hex), len(8, 'ok'), len(9, nested)));
    const reply = await callRaw(client, byName('AppendReceipt'), bytes);
    assert.equal(reply.code, grpc.status.INVALID_ARGUMENT, reply.details);
    assert.equal(reply.ms < 5000, true);
  });

  it('huge metadata: refused without an INTERNAL, and the server keeps serving', async () => {
    const check = byName('Check');
    const cases: Array<[string, grpc.Metadata]> = [];
    const one = (n: number) => {
      const md = new grpc.Metadata();
      md.set('x-big', 'a'.repeat(n));
      return md;
    };
    cases.push(['a 20 KB header', one(20_000)], ['a 60 KB header', one(60_000)]);
    const many = new grpc.Metadata();
    for (let i = 0; i < 2000; i++) many.set(`x-h${i}`, 'v');
    cases.push(['2000 headers', many]);
    for (const [how, metadata] of cases) {
      const reply = await callRaw(client, check, Buffer.alloc(0), { metadata });
      assert.equal(reply.code, grpc.status.RESOURCE_EXHAUSTED, `${how}: ${grpc.status[reply.code]} ${reply.details}`);
    }
    // One header beyond HPACK's 64 KiB is a connection error (COMPRESSION_ERROR): the client's
    // library reports it as it will, but the server lives on and answers the next call.
    await callRaw(client, check, Buffer.alloc(0), { metadata: one(1_000_000) });
    assert.equal((await callRaw(client, check, Buffer.alloc(0))).code, grpc.status.OK);
  });

  it('afterwards VerifyChain is valid and the server is still up', async () => {
    const reply = await callRaw(client, byName('VerifyChain'), Buffer.alloc(0), { timeoutMs: 60_000 });
    assert.equal(reply.code, grpc.status.OK, reply.details);
    const report = byName('VerifyChain').deserializeResponse(reply.response!);
    assert.equal(report.valid, true, report.reason);
    assert.ok(Number(report.entries_checked) > 0);
    assert.equal((await callRaw(client, byName('Check'), Buffer.alloc(0))).code, grpc.status.OK);
  });
});

/** The template without any occurrence of `field` (so a case can set it once). */
function stripField(bytes: Buffer, schema: MessageSchema, field: FieldSchema): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    let key = 0;
    let shift = 0;
    for (;;) {
      const b = bytes[pos++]!;
      key += (b & 0x7f) * 2 ** shift;
      shift += 7;
      if (b < 0x80) break;
    }
    const wireType = key % 8;
    if (wireType === 0) while (bytes[pos++]! >= 0x80);
    else if (wireType === 1) pos += 8;
    else if (wireType === 5) pos += 4;
    else {
      let length = 0;
      shift = 0;
      for (;;) {
        const b = bytes[pos++]!;
        length += (b & 0x7f) * 2 ** shift;
        shift += 7;
        if (b < 0x80) break;
      }
      pos += length;
    }
    const number = Math.floor(key / 8);
    const other = schema.fields.get(number);
    // Members of the same oneof go too: a case sets one member alone.
    if (number !== field.number && !(other && field.oneof !== undefined && other.oneof === field.oneof)) out.push(bytes.subarray(start, pos));
  }
  return Buffer.concat(out);
}

/** Field 1007 (unknown everywhere) holding itself 20 000 times, built outside in, in linear time. */
const DEEP_UNKNOWN = (() => {
  const core = Buffer.from([0x08, 0x01]);
  const heads: Buffer[] = [];
  let length = core.length;
  for (let i = 0; i < 20_000; i++) {
    const head = Buffer.concat([Buffer.from([0xfa, 0x3e]), varintOf(length)]);
    heads.push(head);
    length += head.length;
  }
  return Buffer.concat([...heads.reverse(), core]);
})();

function varintOf(n: number): Buffer {
  const out: number[] = [];
  do {
    out.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n = Math.floor(n / 128);
  } while (n > 0);
  return Buffer.from(out);
}

async function runAll(work: Array<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < work.length) await work[next++]!();
    }),
  );
}
