// RFC 8785 JSON Canonicalization Scheme: the one byte form of a JSON value that ledger entries
// and intent fingerprints are hashed over. Strict: anything JSON cannot say exactly is refused.
import { SignetError } from './errors.js';

/** Deeper nesting than this is refused rather than risking the stack on untrusted input. */
export const MAX_JCS_DEPTH = 256;

const LONE_SURROGATE_CANDIDATE = /[\uD800-\uDFFF]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Where a value sits, kept as a stack of keys and indices; joined into "$.a[2]" only for errors. */
type Trail = (string | number)[];

function pathOf(trail: Trail): string {
  let path = '$';
  for (const step of trail) path += typeof step === 'number' ? `[${step}]` : `.${step}`;
  return path;
}

function refuse(trail: Trail, why: string): SignetError {
  const path = pathOf(trail);
  return new SignetError('INVALID_ARGUMENT', `${path}: ${why} (RFC 8785 canonical JSON)`, { field: path });
}

/** RFC 8785 §3.2.2.2: strings are I-JSON, so a lone surrogate cannot be canonicalised. */
function serializeString(value: string, trail: Trail): string {
  if (LONE_SURROGATE_CANDIDATE.test(value)) {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
        throw refuse(trail, 'string holds a lone surrogate');
      }
      if (c >= 0xdc00 && c <= 0xdfff) throw refuse(trail, 'string holds a lone surrogate');
    }
  }
  // JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 escapes: " \ and controls (\b \t \n
  // \f \r as such, others as lowercase \u00xx), and leaves every other character as it is.
  return JSON.stringify(value);
}

/** RFC 8785 §3.2.2.3: the ECMAScript Number-to-String algorithm, which String() implements. */
function serializeNumber(value: number, trail: Trail): string {
  if (!Number.isFinite(value)) throw refuse(trail, `${value} is not a JSON number`);
  return Object.is(value, -0) ? '0' : String(value);
}

/** `trail` holds the keys down to `value`; `ancestors` the containers above it (cycle check). */
function serialize(value: unknown, trail: Trail, ancestors: object[]): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, trail);
    case 'number':
      return serializeNumber(value, trail);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw refuse(trail, `a ${typeof value} is not JSON`);
  }
  if (value === null) return 'null';
  if (ancestors.length >= MAX_JCS_DEPTH) throw refuse(trail, `nesting deeper than ${MAX_JCS_DEPTH}`);
  if (ancestors.includes(value)) throw refuse(trail, 'cycle');
  ancestors.push(value);
  let out: string;
  if (Array.isArray(value)) {
    out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      trail.push(i);
      out += serialize(value[i], trail, ancestors);
      trail.pop();
    }
    out += ']';
  } else {
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw refuse(trail, `a ${proto?.constructor?.name ?? 'non-plain object'} is not JSON; convert it first`);
    }
    // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 asks for.
    const keys = Object.keys(value).sort();
    out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) out += ',';
      trail.push(key);
      out += serializeString(key, trail) + ':' + serialize((value as Record<string, unknown>)[key], trail, ancestors);
      trail.pop();
    }
    out += '}';
  }
  ancestors.pop();
  return out;
}

/**
 * The members of a plain object as canonical `"key":value` texts, in RFC 8785 order: joined with
 * commas inside braces they are canonicalize(value). Lets a caller add members without
 * serialising the rest again.
 */
export function canonicalMembers(value: object): Array<[key: string, text: string]> {
  const proto = Object.getPrototypeOf(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || (proto !== Object.prototype && proto !== null)) throw refuse([], 'not a plain object');
  const trail: Trail = [];
  const ancestors: object[] = [value];
  return Object.keys(value)
    .sort()
    .map((key) => {
      trail.push(key);
      const text = serializeString(key, trail) + ':' + serialize((value as Record<string, unknown>)[key], trail, ancestors);
      trail.pop();
      return [key, text];
    });
}

/** The RFC 8785 canonical JSON text of a value. Throws INVALID_ARGUMENT for anything not JSON. */
export function canonicalize(value: unknown): string {
  return serialize(value, [], []);
}

/** The canonical JSON as UTF-8 bytes: what is hashed and stored. */
export function canonicalBytes(value: unknown): Uint8Array {
  return Buffer.from(canonicalize(value), 'utf8');
}

/**
 * Parses bytes that must already be canonical JSON (valid UTF-8, re-canonicalising to the very
 * same bytes). Throws INVALID_ARGUMENT otherwise; duplicate keys and number spellings such as
 * 1.0 or 1E3 are caught by the byte comparison.
 */
export function parseCanonical(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch (err) {
    throw new SignetError('INVALID_ARGUMENT', 'canonical JSON: not valid UTF-8', { cause: err });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new SignetError('INVALID_ARGUMENT', 'canonical JSON: not JSON', { cause: err });
  }
  const again = canonicalBytes(value);
  if (!Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).equals(again)) {
    throw new SignetError('INVALID_ARGUMENT', 'canonical JSON: bytes are JSON but not in RFC 8785 canonical form');
  }
  return value;
}
