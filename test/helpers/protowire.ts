// A tiny protobuf wire encoder for tests that must write what no well-behaved encoder would:
// invalid UTF-8, repeated singular fields, huge varints, truncated lengths.
import { mulberry32 } from './seeded.js';

export function varint(value: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Buffer.from(out);
}

export const tag = (field: number, wireType: number): Buffer => varint((BigInt(field) << 3n) | BigInt(wireType));

/** A length-delimited field (string, bytes, message). */
export const len = (field: number, bytes: Uint8Array | string): Buffer => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  return Buffer.concat([tag(field, 2), varint(b.length), b]);
};

/** A varint field. */
export const num = (field: number, value: bigint | number): Buffer => Buffer.concat([tag(field, 0), varint(value)]);

export const msg = (...parts: Buffer[]): Buffer => Buffer.concat(parts);

/** A seeded PRNG (mulberry32, from ./seeded.ts): the same seed gives the same cases. */
export function prng(seed: number): { next(): number; int(n: number): number; bytes(n: number): Buffer; pick<T>(a: readonly T[]): T } {
  const next = mulberry32(seed);
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    bytes: (n: number) => Buffer.from(Array.from({ length: n }, () => int(256))),
    pick: <T>(arr: readonly T[]) => arr[int(arr.length)]!,
  };
}

/** Byte sequences that are not UTF-8: each is invalid wherever it appears. */
export const INVALID_UTF8: readonly Buffer[] = [
  [0x80], // lone continuation byte
  [0xbf],
  [0xc0, 0xaf], // overlong '/'
  [0xc1, 0xbf],
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // UTF-16 surrogate D800
  [0xed, 0xbf, 0xbf], // surrogate DFFF
  [0xf0, 0x80, 0x80, 0xaf], // overlong
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0xf5, 0x80, 0x80, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xfe],
  [0xff],
  [0xc3], // truncated 2-byte sequence
  [0xe2, 0x82], // truncated 3-byte sequence
  [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
].map((b) => Buffer.from(b));

/** Random valid UTF-8 text of about `n` code points, including 2-, 3- and 4-byte ones. */
export function randomUtf8(r: ReturnType<typeof prng>, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) {
    const kind = r.int(4);
    if (kind === 0) s += String.fromCodePoint(0x20 + r.int(0x5f));
    else if (kind === 1) s += String.fromCodePoint(0x80 + r.int(0x780));
    else if (kind === 2) {
      let cp = 0x800 + r.int(0xf800);
      if ((cp >= 0xd800 && cp <= 0xdfff) || cp === 0xfffd) cp = 0xe000; // no surrogates, no U+FFFD
      s += String.fromCodePoint(cp);
    } else s += String.fromCodePoint(0x10000 + r.int(0x100000));
  }
  return s;
}
