// RFC 8785 JSON Canonicalization Scheme: the one byte form of a JSON value that ledger entries
// and intent fingerprints are hashed over. Strict: anything JSON cannot say exactly is refused.
import { SignetError } from './errors.js';

/** Deeper nesting than this is refused rather than risking the stack on untrusted input. */
export const MAX_JCS_DEPTH = 256;

const LONE_SURROGATE_CANDIDATE = /[\uD800-\uDFFF]/;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function refuse(path: string, why: string): SignetError {
  return new SignetError('INVALID_ARGUMENT', `${path}: ${why} (RFC 8785 canonical JSON)`, { field: path });
}

/** RFC 8785 §3.2.2.2: strings are I-JSON, so a lone surrogate cannot be canonicalised. */
function serializeString(value: string, path: string): string {
  if (LONE_SURROGATE_CANDIDATE.test(value)) {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff) {
        const next = value.charCodeAt(i + 1);
        if (next >= 0xdc00 && next <= 0xdfff) {
          i++;
          continue;
        }
        throw refuse(path, 'string holds a lone surrogate');
      }
      if (c >= 0xdc00 && c <= 0xdfff) throw refuse(path, 'string holds a lone surrogate');
    }
  }
  // JSON.stringify escapes exactly what RFC 8785 §3.2.2.2 escapes: " \ and controls (\b \t \n
  // \f \r as such, others as lowercase \u00xx), and leaves every other character as it is.
  return JSON.stringify(value);
}

/** RFC 8785 §3.2.2.3: the ECMAScript Number-to-String algorithm, which String() implements. */
function serializeNumber(value: number, path: string): string {
  if (!Number.isFinite(value)) throw refuse(path, `${value} is not a JSON number`);
  return Object.is(value, -0) ? '0' : String(value);
}

function serialize(value: unknown, path: string, depth: number, seen: Set<object>): string {
  switch (typeof value) {
    case 'string':
      return serializeString(value, path);
    case 'number':
      return serializeNumber(value, path);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      break;
    default:
      throw refuse(path, `a ${typeof value} is not JSON`);
  }
  if (value === null) return 'null';
  if (depth >= MAX_JCS_DEPTH) throw refuse(path, `nesting deeper than ${MAX_JCS_DEPTH}`);
  if (seen.has(value)) throw refuse(path, 'cycle');
  seen.add(value);
  try {
    if (Array.isArray(value)) {
      let out = '[';
      for (let i = 0; i < value.length; i++) {
        if (i > 0) out += ',';
        out += serialize(value[i], `${path}[${i}]`, depth + 1, seen);
      }
      return out + ']';
    }
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) {
      throw refuse(path, `a ${proto?.constructor?.name ?? 'non-plain object'} is not JSON; convert it first`);
    }
    // Default sort compares UTF-16 code units, which is the order RFC 8785 §3.2.3 asks for.
    const keys = Object.keys(value).sort();
    let out = '{';
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      if (i > 0) out += ',';
      out += serializeString(key, path) + ':' + serialize((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1, seen);
    }
    return out + '}';
  } finally {
    seen.delete(value);
  }
}

/** The RFC 8785 canonical JSON text of a value. Throws INVALID_ARGUMENT for anything not JSON. */
export function canonicalize(value: unknown): string {
  return serialize(value, '$', 0, new Set());
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
