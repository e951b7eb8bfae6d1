// The raw-bytes check of every request: generated field values (valid and invalid UTF-8, sizes at
// and past each limit), truncations and byte flips of valid messages, 64-bit integers beyond 2^53,
// repeated singular fields and oneof members, unknown enum values. Seeded; the seed is printed.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';
import * as protoLoader from '@grpc/proto-loader';
import { SignetError } from '../../src/lib/errors.js';
import { FIELD_RULES, MAX_NESTING, type FieldRule } from '../../src/server/field-limits.js';
import { loadPackageDefinition, LOADER_OPTIONS } from '../../src/server/proto.js';
import { compileRequestSchemas, descriptorsOf, T, type FieldSchema, type MessageSchema } from '../../src/server/request-schema.js';
import { checkRequestBytes } from '../../src/server/wire-check.js';
import { INVALID_UTF8, len, msg, num, prng, randomUtf8, tag, varint } from '../helpers/protowire.js';

const SEED = Number(process.env.SIGNET_TEST_SEED ?? Date.now() % 1_000_000);
console.log(`wire-check seed: ${SEED} (rerun with SIGNET_TEST_SEED=${SEED})`);

const SERVICES = ['signet.v1.SigningService', 'signet.v1.LedgerService', 'signet.v1.CredentialService'];
const MAX_BATCH = 50;
const pd = loadPackageDefinition();
const schemas = compileRequestSchemas(descriptorsOf(pd), SERVICES, { maxBatch: MAX_BATCH });
const decoders = new Map<string, (b: Buffer) => any>();
for (const service of SERVICES) {
  for (const method of Object.values(pd[service] as Record<string, { path: string; requestDeserialize: (b: Buffer) => unknown }>)) {
    decoders.set(method.path, method.requestDeserialize);
  }
}

/** The error `checkRequestBytes` throws, or undefined when it accepts. */
function refusal(buf: Buffer, schema: MessageSchema): SignetError | undefined {
  try {
    checkRequestBytes(buf, schema);
    return undefined;
  } catch (err) {
    if (!(err instanceof SignetError)) throw new Error(`seed ${SEED}: a non-SignetError escaped: ${String(err)}`);
    return err;
  }
}

interface FieldPath {
  chain: FieldSchema[];
  /** The name an error gives, e.g. receipts[0].receipt.agent or labels.key. */
  name: string;
}

/** Every scalar field reachable from a request, with the chain of message fields leading to it. */
function leafPaths(schema: MessageSchema, prefix: FieldSchema[] = [], seen = new Set<MessageSchema>()): FieldPath[] {
  const out: FieldPath[] = [];
  for (const field of schema.fields.values()) {
    const chain = [...prefix, field];
    if (field.type === T.MESSAGE) {
      if (seen.has(field.message!)) continue;
      out.push(...leafPaths(field.message!, chain, new Set([...seen, field.message!])));
    } else out.push({ chain, name: errorName(chain) });
  }
  return out;
}

function errorName(chain: FieldSchema[]): string {
  return chain.map((f) => (f.repeated && !(f.type === T.MESSAGE && f.message!.isMapEntry) ? `${f.name}[0]` : f.name)).join('.');
}

/** A message with `value` encoded at the end of `chain`, and every required field on the way filled. */
function encodeAt(chain: FieldSchema[], value: Buffer, root: MessageSchema): Buffer {
  let inner = value;
  for (let i = chain.length - 1; i >= 0; i--) {
    const owner = i === 0 ? root : chain[i - 1]!.message!;
    const fillers = owner.required.filter((r) => r !== chain[i]).map((r) => len(r.number, 'x'));
    const wrapped = i === chain.length - 1 ? inner : len(chain[i]!.number, inner);
    inner = msg(...fillers, wrapped);
  }
  return inner;
}

const leafValue = (f: FieldSchema, bytes: Buffer) => len(f.number, bytes);

describe('FIELD_RULES covers every request field', () => {
  it('gives every string, bytes, repeated and map field of every request a limit, or the server does not start', () => {
    assert.equal(schemas.size, Object.values(SERVICES).reduce((n, s) => n + Object.keys(pd[s] as object).length, 0));
    for (const [path, schema] of schemas) {
      for (const { chain, name } of leafPaths(schema)) {
        const f = chain.at(-1)!;
        if (f.type === T.STRING || f.type === T.BYTES) assert.ok(f.rule.maxBytes! > 0, `${path} ${name}`);
      }
    }
  });

  it('docs/operations.md lists every rule with its numbers', () => {
    const doc = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../docs/operations.md'), 'utf8');
    for (const [message, fields] of Object.entries(FIELD_RULES)) {
      for (const [field, rule] of Object.entries(fields)) {
        const name = `${message.replace(/^signet\.v1\./, '').replace('.v1alpha.', '.v1.')}.${field}`;
        const row = doc.split('\n').find((line) => line.startsWith(`| \`${name}\``));
        assert.ok(row, `docs/operations.md has no row for ${name}`);
        for (const n of [rule.maxBytes, rule.keyBytes, rule.valueBytes, typeof rule.maxCount === 'number' ? rule.maxCount : undefined, ...(rule.range ?? [])]) {
          if (n !== undefined) assert.ok(row.includes(String(n)), `${name}: the docs do not say ${n}`);
        }
        if (rule.maxCount === 'batch') assert.ok(row.includes('limits.max_batch'), name);
        if (rule.required) assert.ok(row.includes('required'), name);
      }
    }
  });

  it('when a rule is missing, compiling the schema fails and names the field', () => {
    const { key: _dropped, ...rest } = FIELD_RULES['signet.v1.SignRequest']!;
    const rules = { ...FIELD_RULES, 'signet.v1.SignRequest': rest };
    assert.throws(() => compileRequestSchemas(descriptorsOf(pd), SERVICES, { maxBatch: 1 }, rules), /signet\.v1\.SignRequest\.key has no maxBytes rule/);
  });

  it('when a rule names a field that does not exist, compiling fails', () => {
    const rules = { ...FIELD_RULES, 'signet.v1.SignRequest': { ...FIELD_RULES['signet.v1.SignRequest'], kee: { maxBytes: 1 } } };
    assert.throws(() => compileRequestSchemas(descriptorsOf(pd), SERVICES, { maxBatch: 1 }, rules), /names signet\.v1\.SignRequest\.kee/);
  });
});

describe('string and bytes fields of every request', () => {
  const r = prng(SEED);
  for (const [path, schema] of schemas) {
    const decode = decoders.get(path)!;
    for (const { chain, name } of leafPaths(schema)) {
      const f = chain.at(-1)!;
      if (f.type !== T.STRING && f.type !== T.BYTES) continue;
      const max = f.rule.maxBytes!;

      it(`${path} ${name}: at most ${max} bytes; one byte more is INVALID_ARGUMENT naming it`, () => {
        const atMax = Buffer.alloc(max, 'a');
        assert.equal(refusal(encodeAt(chain, leafValue(f, atMax), schema), schema), undefined, `seed ${SEED}`);
        const over = Buffer.concat([atMax, Buffer.from('a')]);
        const err = refusal(encodeAt(chain, leafValue(f, over), schema), schema);
        assert.equal(err?.code, 'INVALID_ARGUMENT', `seed ${SEED}`);
        assert.equal(err.field, name);
        assert.match(err.message, new RegExp(`is ${max + 1} bytes; at most ${max}`));
        assert.ok(err.message.length < 200, 'the error never quotes the value');
      });

      if (f.type !== T.STRING) continue;
      it(`${path} ${name}: invalid UTF-8 anywhere is INVALID_ARGUMENT naming it; valid UTF-8 decodes unchanged`, () => {
        for (let i = 0; i < 12; i++) {
          const text = randomUtf8(r, 1 + r.int(Math.max(1, Math.min(40, max / 4 - 1))));
          const good = Buffer.from(text, 'utf8');
          if (good.length > max) continue;
          const bytes = encodeAt(chain, leafValue(f, good), schema);
          assert.equal(refusal(bytes, schema), undefined, `seed ${SEED}`);
          assert.ok(JSON.stringify(decode(bytes)).includes(JSON.stringify(text).slice(1, -1)), `seed ${SEED}: decodes unchanged`);

          const bad = r.pick(INVALID_UTF8);
          const at = r.int(good.length + 1);
          const spoiled = Buffer.concat([good.subarray(0, at), bad, good.subarray(at)]);
          if (spoiled.length > max) continue;
          const err = refusal(encodeAt(chain, leafValue(f, spoiled), schema), schema);
          assert.equal(err?.code, 'INVALID_ARGUMENT', `seed ${SEED}: ${spoiled.toString('hex')} at ${name}`);
          assert.equal(err.field, name);
          assert.match(err.message, /not valid UTF-8/);
        }
      });
    }
  }
});

/** A valid random request with every scalar field set (ids filled), top-level fields as separate parts. */
function randomRequest(schema: MessageSchema, r: ReturnType<typeof prng>, depth = 0): Buffer[] {
  const parts: Buffer[] = [];
  const oneofTaken = new Set<number>();
  for (const f of schema.fields.values()) {
    if (f.oneof !== undefined) {
      if (oneofTaken.has(f.oneof)) continue;
      oneofTaken.add(f.oneof);
    }
    const n = f.repeated ? 1 + r.int(Math.min(3, f.maxCount)) : 1;
    for (let i = 0; i < n; i++) {
      if (f.type === T.STRING) parts.push(len(f.number, randomUtf8(r, 1 + r.int(Math.min(8, f.rule.maxBytes! / 4)))));
      else if (f.type === T.BYTES) parts.push(len(f.number, r.bytes(Math.min(f.rule.maxBytes!, 1 + r.int(40)))));
      else if (f.type === T.MESSAGE) {
        if (depth > 4) continue;
        if (f.message!.isMapEntry) parts.push(len(f.number, msg(len(1, `k${i}`), len(2, randomUtf8(r, 3)))));
        else parts.push(len(f.number, msg(...randomRequest(f.message!, r, depth + 1))));
      } else if (f.type === T.BOOL) parts.push(num(f.number, r.int(2)));
      else if (f.rule.range) parts.push(num(f.number, f.rule.range[0] + r.int(f.rule.range[1] - f.rule.range[0] + 1)));
      else if (f.type === T.ENUM) parts.push(num(f.number, r.pick([...f.enumValues!])));
      else if (f.type === T.FIXED64 || f.type === T.SFIXED64 || f.type === T.DOUBLE) parts.push(Buffer.concat([tag(f.number, 1), r.bytes(6), Buffer.alloc(2)]));
      else if (f.type === T.FIXED32 || f.type === T.SFIXED32 || f.type === T.FLOAT) parts.push(Buffer.concat([tag(f.number, 5), r.bytes(4)]));
      else parts.push(num(f.number, r.int(1_000_000)));
    }
  }
  return parts;
}

describe('structure of every request', () => {
  it('every truncation of a valid request inside a field is INVALID_ARGUMENT; at a field boundary it is read as sent', () => {
    const r = prng(SEED + 1);
    for (const [path, schema] of schemas) {
      for (let round = 0; round < 3; round++) {
        const parts = randomRequest(schema, r);
        const whole = Buffer.concat(parts);
        assert.equal(refusal(whole, schema), undefined, `seed ${SEED}: ${path} ${whole.toString('hex')}`);
        const boundaries = new Set<number>();
        let at = 0;
        for (const p of parts) boundaries.add((at += p.length));
        for (let cut = 1; cut < whole.length; cut++) {
          const err = refusal(whole.subarray(0, cut), schema);
          if (boundaries.has(cut)) {
            if (err) assert.match(err.message, /is required/, `seed ${SEED}: ${path} cut ${cut}`);
          } else {
            assert.equal(err?.code, 'INVALID_ARGUMENT', `seed ${SEED}: ${path} cut at ${cut} of ${whole.toString('hex')}`);
          }
        }
      }
    }
  });

  it('random byte flips of valid requests are refused with a specific code or decode without U+FFFD', () => {
    const r = prng(SEED + 2);
    let refused = 0;
    let accepted = 0;
    for (const [path, schema] of schemas) {
      const decode = decoders.get(path)!;
      for (let round = 0; round < 150; round++) {
        const buf = Buffer.concat(randomRequest(schema, r));
        for (let k = 1 + r.int(3); k > 0 && buf.length > 0; k--) buf[r.int(buf.length)] = r.int(256);
        const err = refusal(buf, schema);
        if (err) {
          assert.ok(err.code === 'INVALID_ARGUMENT' || err.code === 'OUT_OF_RANGE', `seed ${SEED}: ${path} ${err.code}`);
          assert.ok(err.message.length < 300);
          refused++;
        } else {
          const decoded = JSON.stringify(decode(buf));
          const sentFffd = buf.includes(Buffer.from('\ufffd', 'utf8'));
          assert.ok(sentFffd || !decoded.includes('\ufffd'), `seed ${SEED}: ${path} accepted bytes that decode to U+FFFD: ${buf.toString('hex')}`);
          accepted++;
        }
      }
    }
    assert.ok(refused > 100 && accepted > 100, `both outcomes exercised (${refused} refused, ${accepted} accepted)`);
  });

  it('random bytes are refused or accepted, never anything but a SignetError, in time linear in their size', () => {
    const r = prng(SEED + 3);
    for (const schema of schemas.values()) {
      for (let i = 0; i < 300; i++) refusal(r.bytes(r.int(64)), schema);
    }
  });

  it('a singular field given twice, or two members of one oneof, is INVALID_ARGUMENT (one meaning per request)', () => {
    const sign = schemas.get('/signet.v1.SigningService/Sign')!;
    let err = refusal(msg(len(1, 'a'), len(1, 'b'), len(2, 'm')), sign);
    assert.equal(err?.code, 'INVALID_ARGUMENT');
    assert.equal(err.field, 'key');
    err = refusal(msg(len(1, 'k'), len(2, 'm'), len(3, Buffer.alloc(32))), sign);
    assert.equal(err?.code, 'INVALID_ARGUMENT');
    assert.equal(err.field, 'digest');
    assert.match(err.message, /only one of payload/);
    const checkpoint = schemas.get('/signet.v1.LedgerService/GetCheckpoint')!;
    assert.equal(refusal(msg(num(1, 3), num(1, 4)), checkpoint)?.field, 'size');
  });

  it('an empty id is INVALID_ARGUMENT "is required", not a lookup that finds nothing', () => {
    for (const [path, field] of [
      ['/signet.v1.CredentialService/GetAgent', 'agent_id'],
      ['/signet.v1.CredentialService/RevokeAgent', 'agent_id'],
      ['/signet.v1.CredentialService/RevokeCredential', 'jti'],
      ['/signet.v1.CredentialService/IssuePassport', 'agent_id'],
      ['/signet.v1.SigningService/Sign', 'key'],
      ['/signet.v1.SigningService/GetPublicKey', 'key'],
    ] as const) {
      const schema = schemas.get(path)!;
      for (const bytes of [Buffer.alloc(0), len(schema.required[0]!.number, '')]) {
        const err = refusal(bytes, schema);
        assert.equal(err?.code, 'INVALID_ARGUMENT', path);
        assert.equal(err.field, field);
        assert.match(err.message, /is required/);
      }
    }
  });
});

describe('integers', () => {
  const r = prng(SEED + 4);
  const wide = [...schemas].flatMap(([path, schema]) =>
    leafPaths(schema).filter(({ chain }) => [T.UINT64, T.INT64].includes(chain.at(-1)!.type as 3 | 4)).map((p) => ({ path, schema, ...p })),
  );

  it('finds 64-bit fields to test', () => assert.ok(wide.length >= 10));

  for (const { path, schema, chain, name } of wide) {
    const f = chain.at(-1)!;
    it(`${path} ${name}: 2^53-1 decodes exactly; anything above is OUT_OF_RANGE naming it`, () => {
      const decode = decoders.get(path)!;
      const ok = encodeAt(chain, num(f.number, Number.MAX_SAFE_INTEGER), schema);
      assert.equal(refusal(ok, schema), undefined);
      assert.ok(JSON.stringify(decode(ok)).includes(String(Number.MAX_SAFE_INTEGER)));
      const above = [2n ** 53n, 2n ** 63n - 1n, 2n ** 53n + BigInt(r.int(2 ** 30)) * 2n ** 20n];
      // For int64, 2^64-1 on the wire is -1; below -(2^53-1) is out of range too.
      if (f.type === T.INT64) above.push(BigInt.asUintN(64, -(2n ** 53n)), BigInt.asUintN(64, -(2n ** 63n)));
      else above.push(2n ** 64n - 1n);
      for (const v of above) {
        const err = refusal(encodeAt(chain, num(f.number, v), schema), schema);
        assert.equal(err?.code, 'OUT_OF_RANGE', `${name} = ${v}`);
        assert.equal(err.field, name);
      }
      if (f.type === T.INT64) assert.equal(refusal(encodeAt(chain, num(f.number, BigInt.asUintN(64, -(2n ** 53n - 1n))), schema), schema), undefined);
    });
  }

  it('page sizes outside 0–1000 are refused, not clamped', () => {
    for (const path of ['/signet.v1.LedgerService/GetEntries', '/signet.v1.CredentialService/ListAgents']) {
      const schema = schemas.get(path)!;
      const number = [...schema.fields.values()].find((f) => f.name === 'page_size')!.number;
      for (const ok of [0, 1, 1000]) assert.equal(refusal(num(number, ok), schema), undefined);
      for (const bad of [1001, 2 ** 31 - 1, -1]) {
        const err = refusal(num(number, bad), schema);
        assert.ok(err?.code === 'INVALID_ARGUMENT' || err?.code === 'OUT_OF_RANGE', `${path} ${bad}`);
        assert.equal(err.field, 'page_size');
      }
    }
  });

  it('a batch of max_batch is read; one more is refused before any element is decoded', () => {
    const schema = schemas.get('/signet.v1.SigningService/SignBatch')!;
    const items = (n: number) => Array.from({ length: n }, () => len(2, 'm'));
    assert.equal(refusal(msg(len(1, 'k'), ...items(MAX_BATCH)), schema), undefined);
    const err = refusal(msg(len(1, 'k'), ...items(MAX_BATCH + 1)), schema);
    assert.equal(err?.field, 'messages');
    assert.match(err.message, new RegExp(`more than ${MAX_BATCH} elements`));
  });
});

describe('schema features Signet requests do not use yet (wirecheck.proto)', () => {
  const here = dirname(fileURLToPath(import.meta.url));
  const probe = protoLoader.loadSync('wirecheck.proto', { ...LOADER_OPTIONS, includeDirs: [join(here, '../fixtures/proto')] });
  const rules: Record<string, Record<string, FieldRule>> = {
    'wirecheck.v1.Outer': { name: { maxBytes: 16 }, stamps: { maxCount: 4 }, tags: { maxCount: 3, keyBytes: 8, valueBytes: 8 }, text: { maxBytes: 8 }, blob: { maxBytes: 8 }, limited: { range: [-5, 5] } },
    'wirecheck.v1.Inner': { label: { maxBytes: 8 } },
  };
  const schema = compileRequestSchemas(descriptorsOf(probe), ['wirecheck.v1.Probe'], { maxBatch: 1 }, rules).get('/wirecheck.v1.Probe/Call')!;
  const refused = (b: Buffer) => refusal(b, schema);

  it('an unknown enum value is INVALID_ARGUMENT naming the field, at any depth', () => {
    assert.equal(refused(num(2, 2)), undefined);
    for (const v of [3, 99, -1, 2 ** 31]) assert.equal(refused(num(2, v))?.field, 'colour');
    assert.equal(refused(len(9, num(2, 7)))?.field, 'inner.colour');
  });

  it('packed and unpacked repeated 64-bit integers are each checked and counted', () => {
    const packed = (...vs: bigint[]) => len(3, Buffer.concat(vs.map((v) => varint(v))));
    assert.equal(refused(packed(1n, 2n)), undefined);
    assert.equal(refused(msg(num(3, 1), num(3, 2))), undefined);
    const big = refused(packed(1n, 2n ** 60n));
    assert.equal(big?.code, 'OUT_OF_RANGE');
    assert.equal(big.field, 'stamps[1]');
    assert.match(refused(msg(packed(1n, 2n, 3n), num(3, 4), num(3, 5)))!.message, /more than 4 elements/);
  });

  it('signed, unsigned and ranged 32-bit integers and bools accept only what their type holds', () => {
    const zigzag = (v: bigint) => (v << 1n) ^ (v >> 63n);
    assert.equal(refused(num(4, zigzag(-(2n ** 31n)))), undefined);
    assert.equal(refused(num(4, zigzag(2n ** 31n)))?.code, 'OUT_OF_RANGE');
    assert.equal(refused(num(5, zigzag(-(2n ** 53n))))?.code, 'OUT_OF_RANGE');
    assert.equal(refused(num(6, 2n ** 32n - 1n)), undefined);
    assert.equal(refused(num(6, 2n ** 32n))?.field, 'small');
    assert.equal(refused(num(7, 2))?.field, 'flag');
    assert.equal(refused(num(14, -5)), undefined);
    assert.equal(refused(num(14, 6))?.code, 'INVALID_ARGUMENT');
    assert.equal(refused(num(14, 2n ** 32n + 1n))?.code, 'OUT_OF_RANGE');
    assert.equal(refused(Buffer.concat([tag(8, 1), Buffer.from([0, 0, 0, 0, 0, 0, 0x20, 0])]))?.field, 'fixed');
  });

  it('map keys and values have their own limits and a key appears once', () => {
    const entry = (k: string, v: string) => len(10, msg(len(1, k), len(2, v)));
    assert.equal(refused(msg(entry('a', 'b'), entry('c', 'd'))), undefined);
    assert.equal(refused(entry('a'.repeat(9), 'b'))?.field, 'tags.key');
    assert.equal(refused(entry('a', 'b'.repeat(9)))?.field, 'tags.value');
    assert.match(refused(msg(entry('a', 'b'), entry('a', 'c')))!.message, /same key more than once/);
    assert.equal(refused(len(10, msg(len(1, Buffer.from([0xc0, 0xaf])))))?.field, 'tags.key');
  });

  it(`messages nested deeper than ${MAX_NESTING} are refused without recursing further`, () => {
    let inner = len(1, 'x');
    for (let i = 0; i < MAX_NESTING - 1; i++) inner = len(3, inner);
    assert.equal(refused(len(9, inner)), undefined);
    let deep = len(1, 'x');
    for (let i = 0; i < 10_000; i++) deep = len(3, deep);
    assert.match(refused(len(9, deep))!.message, /nested more than/);
  });

  it('groups, field number 0, overlong varints and lengths past the end are malformed', () => {
    for (const bad of [
      Buffer.from([0x0b, 0x0c]), // start group / end group of field 1
      Buffer.from([0x00, 0x01]), // field 0
      Buffer.concat([Buffer.from([0x20]), Buffer.alloc(10, 0xff), Buffer.from([0x01])]), // 11-byte varint
      Buffer.concat([Buffer.from([0x20]), Buffer.alloc(9, 0xff), Buffer.from([0x02])]), // beyond 64 bits
      Buffer.from([0x0a, 0x05, 0x61]), // length 5, one byte
      Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // length 2^32-1
      Buffer.from([0x0a]), // tag alone
      Buffer.from([0x41, 0x00]), // fixed64 cut short
    ]) {
      const err = refused(bad);
      assert.equal(err?.code, 'INVALID_ARGUMENT', bad.toString('hex'));
      assert.match(err.message, /not a valid protobuf message/);
    }
    assert.equal(refused(msg(len(11, 'a'), len(12, 'b')))?.field, 'blob');
    assert.equal(refused(msg(num(13, 1), num(13, 2)))?.field, 'maybe');
    assert.equal(refused(msg(len(99, 'unknown fields are skipped'), num(100, 5))), undefined);
  });
});
