// Low-level protobuf wire reading over untrusted bytes: varints and tags that never read past the
// end and refuse what no encoder writes (varints over 64 bits, field number 0, groups).
import { SignetError } from '../lib/errors.js';

export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

/** A cursor over one buffer; `lo`/`hi` hold the last varint read, as unsigned 32-bit halves. */
export class WireCursor {
  readonly buf: Uint8Array;
  pos: number;
  lo = 0;
  hi = 0;

  constructor(buf: Uint8Array, pos = 0) {
    this.buf = buf;
    this.pos = pos;
  }

  /** Reads a varint ending before `end` into lo/hi. */
  varint(end: number, field: string | undefined): void {
    const buf = this.buf;
    let lo = 0;
    let hi = 0;
    for (let n = 0; n < 10; n++) {
      if (this.pos >= end) throw malformed(field, 'ends inside a varint');
      const b = buf[this.pos++]!;
      const bits = b & 0x7f;
      if (n < 4) lo |= bits << (7 * n);
      else if (n === 4) {
        lo |= (bits & 0x0f) << 28;
        hi |= bits >> 4;
      } else hi |= bits << (7 * n - 32);
      if (n === 9 && b > 1) throw malformed(field, 'has a varint beyond 64 bits');
      if (b < 0x80) {
        this.lo = lo >>> 0;
        this.hi = hi >>> 0;
        return;
      }
    }
    throw malformed(field, 'has a varint longer than 10 bytes');
  }

  /** The last varint as an unsigned 64-bit value. */
  get value(): bigint {
    return (BigInt(this.hi) << 32n) | BigInt(this.lo);
  }

  /** A length prefix, checked against the bytes left before `end`. Returns where the bytes end. */
  length(end: number, field: string | undefined): number {
    this.varint(end, field);
    if (this.hi !== 0 || this.lo > end - this.pos) throw malformed(field, 'has a length beyond the end of its message');
    return this.pos + this.lo;
  }

  /** Skips the value of a field the schema does not know. */
  skip(wireType: number, end: number, field: string | undefined): void {
    if (wireType === WIRE.VARINT) this.varint(end, field);
    else if (wireType === WIRE.LEN) this.pos = this.length(end, field);
    else if (wireType === WIRE.I64 || wireType === WIRE.I32) {
      const size = wireType === WIRE.I64 ? 8 : 4;
      if (end - this.pos < size) throw malformed(field, 'ends inside a fixed-size value');
      this.pos += size;
    } else throw malformed(field, `uses wire type ${wireType}, which proto3 messages do not have`);
  }
}

/** Malformed bytes: INVALID_ARGUMENT naming the innermost field, never quoting the bytes. */
export function malformed(field: string | undefined, what: string): SignetError {
  const where = field ? `${field}: ` : '';
  return new SignetError('INVALID_ARGUMENT', `${where}the request is not a valid protobuf message (${what})`, field ? { field } : {});
}
