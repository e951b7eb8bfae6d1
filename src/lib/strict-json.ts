// Strict, bounded JSON for untrusted input: the size is checked before any parsing, nesting depth
// is bounded while parsing (it stops at the first level too deep), and I-JSON (RFC 7493) holds.
import { SignetError } from './errors.js';

export interface JsonBounds {
  /** UTF-8 bytes of the text; refused before a single character is parsed. */
  maxBytes: number;
  /** Nested arrays and objects; the top-level container is depth 1. */
  maxDepth: number;
}

/** Filled in when given: how far the parser read (to prove a refusal stopped early). */
export interface JsonParseStats {
  /** Characters of the text the parser looked at. */
  visited: number;
}

/** The hard ceiling on depth: recursion stays far from the stack limit. */
const MAX_DEPTH_CEILING = 512;

/**
 * JSON.parse for untrusted text, with the same result for every text it accepts. Refused with
 * INVALID_ARGUMENT on `field`: more than maxBytes, nesting deeper than maxDepth, duplicate member
 * names at any depth, lone surrogates (escaped or raw), numbers beyond a double, and anything
 * JSON.parse itself refuses.
 */
export function parseStrictJson(text: string, field: string, bounds: JsonBounds, stats?: JsonParseStats): unknown {
  if (stats) stats.visited = 0;
  if (typeof text !== 'string') throw bad(field, 'must be JSON text');
  // A UTF-16 unit is at least one UTF-8 byte, so a long string is refused without reading it.
  if (text.length > bounds.maxBytes || Buffer.byteLength(text, 'utf8') > bounds.maxBytes) {
    throw bad(field, `is larger than ${bounds.maxBytes} bytes`);
  }
  const parser = new Parser(text, field, Math.min(bounds.maxDepth, MAX_DEPTH_CEILING));
  try {
    parser.skipSpace();
    const value = parser.value(0, []);
    parser.skipSpace();
    if (parser.pos < text.length) throw parser.fail('unexpected text after the JSON value');
    return value;
  } finally {
    if (stats) stats.visited = parser.pos;
  }
}

function bad(field: string, message: string): SignetError {
  return new SignetError('INVALID_ARGUMENT', `${field}: ${message}`, { field });
}

type Trail = (string | number)[];

function pathOf(trail: Trail): string {
  let path = '$';
  for (const step of trail) path += typeof step === 'number' ? `[${step}]` : `.${JSON.stringify(step.slice(0, 40))}`;
  return path;
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  pos = 0;
  readonly #text: string;
  readonly #field: string;
  readonly #maxDepth: number;

  constructor(text: string, field: string, maxDepth: number) {
    this.#text = text;
    this.#field = field;
    this.#maxDepth = maxDepth;
  }

  fail(message: string, trail?: Trail): SignetError {
    const where = trail ? ` at ${pathOf(trail)}` : ` at offset ${this.pos}`;
    return bad(this.#field, `${message}${where}`);
  }

  skipSpace(): void {
    const t = this.#text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  value(depth: number, trail: Trail): unknown {
    const t = this.#text;
    if (this.pos >= t.length) throw this.fail('is not JSON: unexpected end');
    const c = t[this.pos]!;
    if (c === '{' || c === '[') {
      if (depth + 1 > this.#maxDepth) throw this.fail(`nests deeper than ${this.#maxDepth} levels`);
      return c === '{' ? this.#object(depth + 1, trail) : this.#array(depth + 1, trail);
    }
    if (c === '"') return this.#string(trail);
    if (c === 't') return this.#literal('true', true);
    if (c === 'f') return this.#literal('false', false);
    if (c === 'n') return this.#literal('null', null);
    return this.#number(trail);
  }

  #literal<T>(word: string, value: T): T {
    if (!this.#text.startsWith(word, this.pos)) throw this.fail('is not JSON');
    this.pos += word.length;
    return value;
  }

  #number(trail: Trail): number {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.#text);
    if (!m) throw this.fail('is not JSON');
    this.pos += m[0].length;
    const n = Number(m[0]);
    // RFC 7493 §2.2: a number must fit an IEEE 754 double.
    if (!Number.isFinite(n)) throw this.fail('holds a number too large for a double (RFC 7493)', trail);
    return n;
  }

  #string(trail: Trail): string {
    const t = this.#text;
    this.pos++; // opening quote
    let out = '';
    let start = this.pos;
    for (;;) {
      if (this.pos >= t.length) throw this.fail('is not JSON: unterminated string');
      const c = t.charCodeAt(this.pos);
      if (c === 0x22) break;
      if (c < 0x20) throw this.fail('is not JSON: control character in a string');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += t.slice(start, this.pos);
      const e = t[this.pos + 1];
      if (e === 'u') {
        const hex = t.slice(this.pos + 2, this.pos + 6);
        if (!/^[0-9A-Fa-f]{4}$/.test(hex)) throw this.fail('is not JSON: bad \\u escape');
        out += String.fromCharCode(parseInt(hex, 16));
        this.pos += 6;
      } else {
        const s = e === undefined ? undefined : ESCAPES[e];
        if (s === undefined) throw this.fail('is not JSON: bad escape');
        out += s;
        this.pos += 2;
      }
      start = this.pos;
    }
    out += t.slice(start, this.pos);
    this.pos++; // closing quote
    if (hasLoneSurrogate(out)) throw this.fail('holds a lone surrogate (RFC 7493)', trail);
    return out;
  }

  #array(depth: number, trail: Trail): unknown[] {
    const t = this.#text;
    this.pos++;
    const out: unknown[] = [];
    this.skipSpace();
    if (t[this.pos] === ']') {
      this.pos++;
      return out;
    }
    for (;;) {
      trail.push(out.length);
      out.push(this.value(depth, trail));
      trail.pop();
      this.skipSpace();
      const c = t[this.pos];
      this.pos++;
      if (c === ']') return out;
      if (c !== ',') throw this.#backFail('is not JSON: expected , or ]');
      this.skipSpace();
    }
  }

  #object(depth: number, trail: Trail): Record<string, unknown> {
    const t = this.#text;
    this.pos++;
    const out: Record<string, unknown> = {};
    this.skipSpace();
    if (t[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      if (t[this.pos] !== '"') throw this.fail('is not JSON: expected a member name');
      const key = this.#string(trail);
      if (Object.prototype.hasOwnProperty.call(out, key)) {
        throw this.fail(`has the member name ${JSON.stringify(key.slice(0, 40))} twice (RFC 7493)`, trail);
      }
      this.skipSpace();
      if (t[this.pos] !== ':') throw this.fail('is not JSON: expected :');
      this.pos++;
      this.skipSpace();
      trail.push(key);
      const value = this.value(depth, trail);
      trail.pop();
      // JSON.parse makes "__proto__" an own member; plain assignment would set the prototype.
      if (key === '__proto__') Object.defineProperty(out, key, { value, writable: true, enumerable: true, configurable: true });
      else out[key] = value;
      this.skipSpace();
      const c = t[this.pos];
      this.pos++;
      if (c === '}') return out;
      if (c !== ',') throw this.#backFail('is not JSON: expected , or }');
      this.skipSpace();
    }
  }

  #backFail(message: string): SignetError {
    this.pos--;
    return this.fail(message);
  }
}

function hasLoneSurrogate(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
    }
    return true;
  }
  return false;
}
