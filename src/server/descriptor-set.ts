// An index over protoc's FileDescriptorSet (src/gen/descriptors.ts): which file defines which symbol,
// and each file's bytes exactly as protoc wrote them, so reflection serves them unchanged.

export interface DescriptorFile {
  name: string;
  /** The serialized FileDescriptorProto, byte for byte from protoc. */
  bytes: Buffer;
  dependencies: string[];
  services: string[];
}

/** A minimal protobuf wire reader: length-delimited and varint fields, the rest skipped. */
function* fields(buf: Buffer): Generator<{ number: number; bytes?: Buffer; varint?: number }> {
  let i = 0;
  const varint = () => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= buf.length || shift > 49) throw new Error('descriptor set: bad varint');
      const b = buf[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const number = Math.floor(key / 8);
    switch (key & 7) {
      case 0:
        yield { number, varint: varint() };
        break;
      case 1:
        i += 8;
        break;
      case 2: {
        const n = varint();
        if (i + n > buf.length) throw new Error('descriptor set: truncated field');
        yield { number, bytes: buf.subarray(i, i + n) };
        i += n;
        break;
      }
      case 5:
        i += 4;
        break;
      default:
        throw new Error(`descriptor set: wire type ${key & 7} is not used by descriptors`);
    }
  }
}

const text = (b: Buffer | undefined) => (b ? b.toString('utf8') : '');
const nameOf = (msg: Buffer) => text([...fields(msg)].find((f) => f.number === 1)?.bytes);

export class DescriptorSet {
  readonly #files = new Map<string, DescriptorFile>();
  /** Fully-qualified symbol (no leading dot) → the file that defines it. */
  readonly #symbols = new Map<string, string>();
  readonly #messages = new Set<string>();
  /** Message type → extension numbers declared for it. */
  readonly #extensions = new Map<string, number[]>();
  /** `${extendee}#${number}` → the file that declares that extension. */
  readonly #extensionFiles = new Map<string, string>();

  constructor(set: Buffer) {
    for (const f of fields(set)) {
      if (f.number !== 1 || !f.bytes) continue;
      this.#addFile(Buffer.from(f.bytes));
    }
  }

  #addFile(bytes: Buffer): void {
    const file: DescriptorFile = { name: '', bytes, dependencies: [], services: [] };
    let pkg = '';
    const later: Array<{ number: number; bytes?: Buffer }> = [];
    for (const f of fields(bytes)) {
      if (f.number === 1) file.name = text(f.bytes);
      else if (f.number === 2) pkg = text(f.bytes);
      else if (f.number === 3) file.dependencies.push(text(f.bytes));
      else later.push(f);
    }
    const scope = (name: string) => (pkg ? `${pkg}.${name}` : name);
    const define = (symbol: string) => this.#symbols.set(symbol, file.name);
    for (const f of later) {
      if (!f.bytes) continue;
      if (f.number === 4) this.#message(f.bytes, pkg, define); // message_type
      else if (f.number === 5) this.#enum(f.bytes, pkg, define); // enum_type
      else if (f.number === 7) this.#extension(f.bytes, pkg, define); // extension
      else if (f.number === 6) {
        // service: its methods are symbols too (grpcurl asks for Service.Method)
        const service = scope(nameOf(f.bytes));
        define(service);
        file.services.push(service);
        for (const m of fields(f.bytes)) if (m.number === 2 && m.bytes) define(`${service}.${nameOf(m.bytes)}`);
      }
    }
    this.#files.set(file.name, file);
  }

  #message(msg: Buffer, parent: string, define: (s: string) => void): void {
    const full = parent ? `${parent}.${nameOf(msg)}` : nameOf(msg);
    define(full);
    this.#messages.add(full);
    for (const f of fields(msg)) {
      if (!f.bytes) continue;
      if (f.number === 2) define(`${full}.${nameOf(f.bytes)}`); // field
      else if (f.number === 3) this.#message(f.bytes, full, define); // nested_type
      else if (f.number === 4) this.#enum(f.bytes, full, define); // enum_type
      else if (f.number === 6) this.#extension(f.bytes, full, define); // extension
      else if (f.number === 8) define(`${full}.${nameOf(f.bytes)}`); // oneof_decl
    }
  }

  /** An enum and its values, which protobuf scopes beside the enum, not inside it. */
  #enum(msg: Buffer, parent: string, define: (s: string) => void): void {
    define(parent ? `${parent}.${nameOf(msg)}` : nameOf(msg));
    for (const f of fields(msg)) if (f.number === 2 && f.bytes) define(parent ? `${parent}.${nameOf(f.bytes)}` : nameOf(f.bytes));
  }

  #extension(field: Buffer, parent: string, define: (s: string) => void): void {
    const parts = [...fields(field)];
    const symbol = parent ? `${parent}.${nameOf(field)}` : nameOf(field);
    define(symbol);
    const extendee = text(parts.find((p) => p.number === 2)?.bytes).replace(/^\./, '');
    const number = parts.find((p) => p.number === 3)?.varint;
    if (!extendee || number === undefined) return;
    this.#extensions.set(extendee, [...(this.#extensions.get(extendee) ?? []), number]);
    this.#extensionFiles.set(`${extendee}#${number}`, this.#symbols.get(symbol)!);
  }

  file(name: string): DescriptorFile | undefined {
    return this.#files.get(name);
  }

  fileOfSymbol(symbol: string): DescriptorFile | undefined {
    const name = this.#symbols.get(symbol.replace(/^\./, ''));
    return name === undefined ? undefined : this.#files.get(name);
  }

  isMessage(symbol: string): boolean {
    return this.#messages.has(symbol.replace(/^\./, ''));
  }

  fileOfExtension(type: string, number: number): DescriptorFile | undefined {
    const name = this.#extensionFiles.get(`${type.replace(/^\./, '')}#${number}`);
    return name === undefined ? undefined : this.#files.get(name);
  }

  extensionNumbers(type: string): number[] {
    return this.#extensions.get(type.replace(/^\./, '')) ?? [];
  }

  /** `file` first, then every file it imports, transitively, each once. */
  withDependencies(file: DescriptorFile): DescriptorFile[] {
    const out: DescriptorFile[] = [];
    const seen = new Set<string>();
    const visit = (f: DescriptorFile) => {
      if (seen.has(f.name)) return;
      seen.add(f.name);
      out.push(f);
      for (const dep of f.dependencies) {
        const d = this.#files.get(dep);
        if (!d) throw new Error(`descriptor set: ${f.name} imports ${dep}, which is not in the set`);
        visit(d);
      }
    };
    visit(file);
    return out;
  }

  get services(): string[] {
    return [...this.#files.values()].flatMap((f) => f.services);
  }
}
