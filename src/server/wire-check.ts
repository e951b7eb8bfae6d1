// Checks a request's raw protobuf bytes against its schema and field rules before anything decodes
// them: structure, UTF-8 of every string, sizes and counts, 64-bit integers that a JS number would
// round, unknown enum values, and one spelling per message (no repeated singular fields, one oneof
// member). Linear in the bytes; errors name the field and never quote the caller's bytes.
import { isUtf8 } from 'node:buffer';
import { SignetError, invalidArgument } from '../lib/errors.js';
import { MAX_NESTING } from './field-limits.js';
import { T, type FieldSchema, type MessageSchema } from './request-schema.js';
import { WIRE, WireCursor, malformed } from './wire-reader.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const UINT32_MAX = 2n ** 32n - 1n;

/** Throws SignetError (INVALID_ARGUMENT or OUT_OF_RANGE, with the field) when `buf` is not acceptable. */
export function checkRequestBytes(buf: Uint8Array, schema: MessageSchema): void {
  walk(new WireCursor(buf), buf.length, schema, '', 0);
}

function walk(c: WireCursor, end: number, schema: MessageSchema, path: string, depth: number): void {
  if (depth > MAX_NESTING) throw invalidArgument(path, `messages are nested more than ${MAX_NESTING} deep`);
  const counts = new Map<number, number>();
  const nonEmpty = new Set<number>();
  const oneofMember = new Map<number, string>();
  const mapKeys = schema.isMapEntry ? undefined : new Map<number, Set<string>>();
  while (c.pos < end) {
    c.varint(end, path || undefined);
    if (c.hi !== 0 || c.lo >>> 3 === 0) throw malformed(path || undefined, 'has a field number out of range');
    const number = c.lo >>> 3;
    const wireType = c.lo & 7;
    const field = schema.fields.get(number);
    if (!field) {
      c.skip(wireType, end, path || undefined);
      continue;
    }
    const count = (counts.get(number) ?? 0) + 1;
    counts.set(number, count);
    const name = join(path, field.name);
    const here = field.repeated ? `${name}[${count - 1}]` : name;
    if (!field.repeated && count > 1) throw invalidArgument(name, 'appears more than once in the message');
    if (field.repeated && count > field.maxCount) throw invalidArgument(name, `has more than ${field.maxCount} elements`);
    if (field.oneof !== undefined) {
      const other = oneofMember.get(field.oneof);
      if (other !== undefined && other !== field.name) {
        throw invalidArgument(name, `give only one of ${schema.oneofNames[field.oneof]} (${other} is set too)`);
      }
      oneofMember.set(field.oneof, field.name);
    }
    if (field.type === T.STRING || field.type === T.BYTES || field.type === T.MESSAGE) {
      if (wireType !== WIRE.LEN) throw malformed(here, `has wire type ${wireType} for a length-delimited field`);
      const valueEnd = c.length(end, here);
      const size = valueEnd - c.pos;
      if (size > 0) nonEmpty.add(number);
      if (field.type === T.MESSAGE) {
        if (field.message!.isMapEntry) checkMapEntry(c, valueEnd, field, name, mapKeys!);
        else walk(c, valueEnd, field.message!, here, depth + 1);
      } else {
        const max = field.rule.maxBytes!;
        if (size > max) throw invalidArgument(here, `is ${size} bytes; at most ${max}`);
        if (field.type === T.STRING && !isUtf8(c.buf.subarray(c.pos, valueEnd))) throw invalidArgument(here, 'is not valid UTF-8');
      }
      c.pos = valueEnd;
    } else if (field.repeated && wireType === WIRE.LEN) {
      // A packed run of scalars: every element counts towards the limit.
      const valueEnd = c.length(end, here);
      let n = count - 1;
      while (c.pos < valueEnd) {
        if (++n > field.maxCount) throw invalidArgument(name, `has more than ${field.maxCount} elements`);
        scalar(c, valueEnd, field, packedWireType(field.type), `${name}[${n - 1}]`);
      }
      counts.set(number, n);
      nonEmpty.add(number);
    } else {
      scalar(c, end, field, wireType, here);
      nonEmpty.add(number);
    }
  }
  for (const field of schema.required) {
    if (!nonEmpty.has(field.number)) throw invalidArgument(join(path, field.name), 'is required');
  }
}

/** A map entry (key = 1, value = 2): sizes and UTF-8 of both, and each key at most once per map. */
function checkMapEntry(c: WireCursor, end: number, field: FieldSchema, name: string, mapKeys: Map<number, Set<string>>): void {
  const entry = field.message!;
  const start = c.pos;
  walk(c, end, entry, name, 0);
  // Second pass for the key's bytes (the walk has checked structure and sizes already).
  const k = new WireCursor(c.buf, start);
  let key = '';
  while (k.pos < end) {
    k.varint(end, name);
    const no = k.lo >>> 3;
    if (no === 1 && (k.lo & 7) === WIRE.LEN) {
      const valueEnd = k.length(end, name);
      key = Buffer.from(k.buf.buffer, k.buf.byteOffset + k.pos, valueEnd - k.pos).toString('latin1');
      k.pos = valueEnd;
    } else k.skip(k.lo & 7, end, name);
  }
  let keys = mapKeys.get(field.number);
  if (!keys) mapKeys.set(field.number, (keys = new Set()));
  if (keys.has(key)) throw invalidArgument(name, 'has the same key more than once');
  keys.add(key);
}

function scalar(c: WireCursor, end: number, field: FieldSchema, wireType: number, here: string): void {
  const expected = packedWireType(field.type);
  if (wireType !== expected) throw malformed(here, `has wire type ${wireType} for a field of wire type ${expected}`);
  if (wireType === WIRE.I32 || wireType === WIRE.I64) {
    const size = wireType === WIRE.I32 ? 4 : 8;
    if (end - c.pos < size) throw malformed(here, 'ends inside a fixed-size value');
    if (field.type === T.FIXED64 || field.type === T.SFIXED64) {
      c.lo = new DataView(c.buf.buffer, c.buf.byteOffset + c.pos, 8).getUint32(0, true);
      c.hi = new DataView(c.buf.buffer, c.buf.byteOffset + c.pos, 8).getUint32(4, true);
      checkInteger(field, c.value, here);
    }
    c.pos += size;
    return;
  }
  c.varint(end, here);
  // Fast path: small non-negative values, by far the common case.
  if (c.hi === 0 && c.lo <= 0x7fffffff && field.type !== T.SINT32 && field.type !== T.SINT64) {
    checkInteger(field, BigInt(c.lo), here);
    return;
  }
  checkInteger(field, c.value, here);
}

function checkInteger(field: FieldSchema, raw: bigint, here: string): void {
  let v: bigint;
  switch (field.type) {
    case T.INT64:
    case T.SFIXED64:
    case T.INT32:
    case T.ENUM:
      v = BigInt.asIntN(64, raw);
      break;
    case T.SINT32:
    case T.SINT64:
      v = (raw >> 1n) ^ -(raw & 1n);
      break;
    default:
      v = raw;
  }
  switch (field.type) {
    case T.INT64:
    case T.SINT64:
    case T.SFIXED64:
      if (v > MAX_SAFE || v < -MAX_SAFE) throw outOfRange(here, 'must be between -(2^53-1) and 2^53-1');
      break;
    case T.UINT64:
    case T.FIXED64:
      if (v > MAX_SAFE) throw outOfRange(here, 'must be at most 2^53-1');
      break;
    case T.INT32:
    case T.SINT32:
      if (v < INT32_MIN || v > INT32_MAX) throw outOfRange(here, 'must fit in a signed 32-bit integer');
      break;
    case T.UINT32:
      if (v > UINT32_MAX) throw outOfRange(here, 'must fit in an unsigned 32-bit integer');
      break;
    case T.BOOL:
      if (v > 1n) throw invalidArgument(here, 'a bool is 0 or 1');
      break;
    case T.ENUM:
      if (!field.enumValues!.has(Number(v))) {
        throw invalidArgument(here, v < INT32_MIN || v > INT32_MAX ? 'is not an enum value' : `has no enum value ${v}`);
      }
      break;
  }
  const range = field.rule.range;
  if (range && (v < BigInt(range[0]) || v > BigInt(range[1]))) throw invalidArgument(here, `must be from ${range[0]} to ${range[1]}`);
}

function packedWireType(type: number): number {
  if (type === T.DOUBLE || type === T.FIXED64 || type === T.SFIXED64) return WIRE.I64;
  if (type === T.FLOAT || type === T.FIXED32 || type === T.SFIXED32) return WIRE.I32;
  return WIRE.VARINT;
}

function outOfRange(field: string, message: string): SignetError {
  return new SignetError('OUT_OF_RANGE', `${field}: ${message}`, { field });
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
