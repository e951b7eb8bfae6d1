// The request schema the wire check walks: message and enum shapes read from the serialized
// FileDescriptorProtos of the loaded .proto files (exact, unlike proto-loader's JSON descriptors),
// joined with the field rules of field-limits.ts. A field without its rule stops start-up.
import type { PackageDefinition } from '@grpc/proto-loader';
import { FIELD_RULES, type FieldRule } from './field-limits.js';
import { WIRE, WireCursor } from './wire-reader.js';

/** FieldDescriptorProto.Type numbers. */
export const T = {
  DOUBLE: 1, FLOAT: 2, INT64: 3, UINT64: 4, INT32: 5, FIXED64: 6, FIXED32: 7, BOOL: 8, STRING: 9,
  GROUP: 10, MESSAGE: 11, BYTES: 12, UINT32: 13, ENUM: 14, SFIXED32: 15, SFIXED64: 16, SINT32: 17, SINT64: 18,
} as const;

export interface FieldSchema {
  name: string;
  number: number;
  type: number;
  repeated: boolean;
  /** Index of the real oneof it belongs to (proto3 `optional` is not one). */
  oneof: number | undefined;
  message: MessageSchema | undefined;
  enumValues: ReadonlySet<number> | undefined;
  rule: FieldRule;
  /** Resolved count limit for repeated fields. */
  maxCount: number;
}

export interface MessageSchema {
  fullName: string;
  fields: Map<number, FieldSchema>;
  oneofNames: string[];
  required: FieldSchema[];
  isMapEntry: boolean;
}

interface RawField {
  name: string; number: number; label: number; type: number; typeName: string; oneofIndex: number | undefined; proto3Optional: boolean;
}
interface RawMessage {
  fullName: string; fields: RawField[]; oneofs: string[]; mapEntry: boolean;
}

export interface SchemaLimits {
  maxBatch: number;
}

/** The FileDescriptorProtos proto-loader keeps with every type of a package definition. */
export function descriptorsOf(pd: PackageDefinition): Uint8Array[] {
  return Object.values(pd).flatMap((entry) => (entry as { fileDescriptorProtos?: Uint8Array[] }).fileDescriptorProtos ?? []);
}

/**
 * The request schema of every method of the named services, by method path
 * ('/signet.v1.SigningService/Sign'), from the serialized FileDescriptorProtos that define them.
 */
export function compileRequestSchemas(
  fileDescriptorProtos: Iterable<Uint8Array>,
  services: string[],
  limits: SchemaLimits,
  rules: Readonly<Record<string, Readonly<Record<string, FieldRule>>>> = FIELD_RULES,
): Map<string, MessageSchema> {
  const messages = new Map<string, RawMessage>();
  const enums = new Map<string, Set<number>>();
  const methods = new Map<string, { input: string; scope: string }>();
  const seenFiles = new Set<string>();
  for (const bytes of fileDescriptorProtos) {
    const key = Buffer.from(bytes).toString('base64');
    if (seenFiles.has(key)) continue;
    seenFiles.add(key);
    readFile(bytes, messages, enums, methods);
  }

  const compiled = new Map<string, MessageSchema>();
  const compile = (fullName: string, mapRule?: FieldRule): MessageSchema => {
    const cacheKey = mapRule ? `${fullName}#map` : fullName;
    const done = compiled.get(cacheKey);
    if (done) return done;
    const raw = messages.get(fullName);
    if (!raw) throw new Error(`request schema: message ${fullName} is not in the loaded protos`);
    const schema: MessageSchema = { fullName, fields: new Map(), oneofNames: raw.oneofs, required: [], isMapEntry: raw.mapEntry };
    compiled.set(cacheKey, schema);
    const table = mapRule ? undefined : rules[fullName];
    if (!mapRule && !table) throw new Error(`request schema: ${fullName} has no entry in FIELD_RULES (src/server/field-limits.ts)`);
    for (const name of Object.keys(table ?? {})) {
      if (!raw.fields.some((f) => f.name === name)) throw new Error(`request schema: FIELD_RULES names ${fullName}.${name}, which does not exist`);
    }
    for (const f of raw.fields) {
      const rule: FieldRule = mapRule ? { maxBytes: f.number === 1 ? mapRule.keyBytes : mapRule.valueBytes } : (table![f.name] ?? {});
      const where = `${fullName}.${f.name}`;
      const repeated = f.label === 3;
      const target = f.type === T.MESSAGE || f.type === T.ENUM ? resolve(f.typeName, fullName, f.type === T.MESSAGE ? messages : enums) : undefined;
      const isMap = f.type === T.MESSAGE && messages.get(target!)!.mapEntry;
      if ((f.type === T.STRING || f.type === T.BYTES) && rule.maxBytes === undefined) throw new Error(`request schema: ${where} has no maxBytes rule`);
      if (repeated && rule.maxCount === undefined) throw new Error(`request schema: ${where} is repeated and has no maxCount rule`);
      if (isMap && (rule.keyBytes === undefined || rule.valueBytes === undefined)) throw new Error(`request schema: ${where} is a map and needs keyBytes and valueBytes`);
      if (rule.range && f.type !== T.INT32 && f.type !== T.UINT32 && f.type !== T.SINT32) throw new Error(`request schema: ${where} has a range but is not a 32-bit integer`);
      const field: FieldSchema = {
        name: f.name,
        number: f.number,
        type: f.type,
        repeated,
        oneof: f.oneofIndex !== undefined && !f.proto3Optional ? f.oneofIndex : undefined,
        message: undefined,
        enumValues: f.type === T.ENUM ? enums.get(target!) : undefined,
        rule,
        maxCount: rule.maxCount === 'batch' ? limits.maxBatch : (rule.maxCount ?? 1),
      };
      schema.fields.set(f.number, field);
      if (rule.required) schema.required.push(field);
      if (f.type === T.MESSAGE) field.message = compile(target!, isMap ? rule : undefined);
      if (f.type === T.GROUP) throw new Error(`request schema: ${where} is a group, which proto3 does not have`);
    }
    return schema;
  };
  const byPath = new Map<string, MessageSchema>();
  for (const service of services) {
    const found = [...methods].filter(([path]) => path.startsWith(`/${service}/`));
    if (found.length === 0) throw new Error(`request schema: service ${service} is not in the loaded protos`);
    for (const [path, m] of found) byPath.set(path, compile(resolve(m.input, m.scope, messages)));
  }
  return byPath;
}

/** Protobuf scoping: a relative name is looked up from the innermost enclosing scope outwards. */
function resolve(typeName: string, scope: string, known: Map<string, unknown>): string {
  if (typeName.startsWith('.')) {
    if (known.has(typeName.slice(1))) return typeName.slice(1);
  } else {
    const parts = scope.split('.');
    for (let n = parts.length; n >= 0; n--) {
      const candidate = [...parts.slice(0, n), typeName].join('.');
      if (known.has(candidate)) return candidate;
    }
  }
  throw new Error(`request schema: cannot resolve type ${typeName} from ${scope}`);
}

type Tagged = { no: number; int: number; bytes: Uint8Array | undefined };

/** The fields of one descriptor message: varints as numbers, length-delimited values as bytes. */
function tagged(buf: Uint8Array): Tagged[] {
  const c = new WireCursor(buf);
  const out: Tagged[] = [];
  while (c.pos < buf.length) {
    c.varint(buf.length, 'descriptor');
    const no = c.lo >>> 3;
    const wt = c.lo & 7;
    if (wt === WIRE.VARINT) {
      c.varint(buf.length, 'descriptor');
      out.push({ no, int: c.lo | 0, bytes: undefined });
    } else if (wt === WIRE.LEN) {
      const end = c.length(buf.length, 'descriptor');
      out.push({ no, int: 0, bytes: buf.subarray(c.pos, end) });
      c.pos = end;
    } else c.skip(wt, buf.length, 'descriptor');
  }
  return out;
}

const text = (b: Uint8Array | undefined) => Buffer.from(b ?? new Uint8Array(0)).toString('utf8');

function readFile(bytes: Uint8Array, messages: Map<string, RawMessage>, enums: Map<string, Set<number>>, methods: Map<string, { input: string; scope: string }>): void {
  const fields = tagged(bytes);
  const pkg = text(fields.find((f) => f.no === 2)?.bytes);
  const services: Array<{ name: string; methods: Array<{ name: string; input: string }> }> = [];
  for (const f of fields) {
    if (f.no === 4) readMessage(f.bytes!, pkg, messages, enums);
    if (f.no === 5) readEnum(f.bytes!, pkg, enums);
    if (f.no === 6) {
      const s = tagged(f.bytes!);
      services.push({
        name: text(s.find((x) => x.no === 1)?.bytes),
        methods: s.filter((x) => x.no === 2).map((m) => {
          const md = tagged(m.bytes!);
          return { name: text(md.find((x) => x.no === 1)?.bytes), input: text(md.find((x) => x.no === 2)?.bytes) };
        }),
      });
    }
  }
  for (const service of services) {
    const full = `${pkg ? `${pkg}.` : ''}${service.name}`;
    for (const m of service.methods) methods.set(`/${full}/${m.name}`, { input: m.input, scope: pkg });
  }
}

function readMessage(bytes: Uint8Array, scope: string, messages: Map<string, RawMessage>, enums: Map<string, Set<number>>): void {
  const d = tagged(bytes);
  const fullName = `${scope ? `${scope}.` : ''}${text(d.find((f) => f.no === 1)?.bytes)}`;
  const options = d.find((f) => f.no === 7)?.bytes;
  const raw: RawMessage = {
    fullName,
    fields: [],
    oneofs: d.filter((f) => f.no === 8).map((f) => text(tagged(f.bytes!).find((o) => o.no === 1)?.bytes)),
    mapEntry: options !== undefined && tagged(options).some((o) => o.no === 7 && o.int === 1),
  };
  for (const f of d) {
    if (f.no === 2) {
      const fd = tagged(f.bytes!);
      const int = (no: number) => fd.find((x) => x.no === no)?.int;
      raw.fields.push({
        name: text(fd.find((x) => x.no === 1)?.bytes),
        number: int(3) ?? 0,
        label: int(4) ?? 1,
        type: int(5) ?? 0,
        typeName: text(fd.find((x) => x.no === 6)?.bytes),
        oneofIndex: int(9),
        proto3Optional: int(17) === 1,
      });
    } else if (f.no === 3) readMessage(f.bytes!, fullName, messages, enums);
    else if (f.no === 4) readEnum(f.bytes!, fullName, enums);
  }
  messages.set(fullName, raw);
}

function readEnum(bytes: Uint8Array, scope: string, enums: Map<string, Set<number>>): void {
  const d = tagged(bytes);
  const values = new Set(d.filter((f) => f.no === 2).map((f) => tagged(f.bytes!).find((v) => v.no === 2)?.int ?? 0));
  enums.set(`${scope ? `${scope}.` : ''}${text(d.find((f) => f.no === 1)?.bytes)}`, values);
}
