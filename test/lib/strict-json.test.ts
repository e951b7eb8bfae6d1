import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { parseStrictJson, type JsonParseStats } from '../../src/lib/strict-json.js';
import { seededRandom, withSeed, type Random } from '../helpers/seeded.js';

const BOUNDS = { maxBytes: 64 * 1024, maxDepth: 32 };
const refusedOn = (field: string, pattern?: RegExp) => (e: unknown) =>
  isSignetError(e, 'INVALID_ARGUMENT') && e.field === field && (pattern === undefined || pattern.test(e.message));

describe('strict JSON: bounded before parsed', () => {
  it('when a 3.8 MB nested array arrives: refused on size, the parser reads none of it', () => {
    const text = '['.repeat(1_900_000) + ']'.repeat(1_900_000);
    const stats: JsonParseStats = { visited: -1 };
    assert.throws(() => parseStrictJson(text, 'receipt.metadata_json', BOUNDS, stats), refusedOn('receipt.metadata_json', /larger than 65536 bytes/));
    assert.equal(stats.visited, 0);
  });

  it('when a nested array fits the size but not the depth: the parser stops one level past the limit', () => {
    for (const open of ['[', '{"a":']) {
      const text = open.repeat(30_000) + '0' + (open === '[' ? ']' : '}').repeat(30_000);
      const bounds = { maxBytes: 1024 * 1024, maxDepth: 32 };
      const stats: JsonParseStats = { visited: -1 };
      assert.throws(() => parseStrictJson(text, 'f', bounds, stats), refusedOn('f', /deeper than 32/));
      assert.ok(stats.visited <= 33 * open.length, `visited ${stats.visited} characters of ${text.length}`);
    }
  });

  it('when the depth is exactly the limit: accepted', () => {
    assert.deepEqual(parseStrictJson('['.repeat(32) + ']'.repeat(32), 'f', BOUNDS), JSON.parse('['.repeat(32) + ']'.repeat(32)));
  });

  it('when the text is at most maxBytes as UTF-8: accepted; one byte more: refused', () => {
    const fits = JSON.stringify('é'.repeat(10)); // 22 bytes: 20 for the letters, 2 quotes
    assert.equal(parseStrictJson(fits, 'f', { maxBytes: 22, maxDepth: 1 }), 'é'.repeat(10));
    assert.throws(() => parseStrictJson(fits, 'f', { maxBytes: 21, maxDepth: 1 }), refusedOn('f', /larger than 21 bytes/));
  });
});

describe('strict JSON: I-JSON (RFC 7493)', () => {
  const dupes = [
    '{"a":1,"a":2}',
    '{"a":1,"\\u0061":2}',
    '{"x":{"k":[1,{"b":1,"c":2,"b":3}]}}',
    '[[[{"__proto__":1,"__proto__":2}]]]',
    '{"é":1,"e\\u0301":2,"\\u00e9":3}',
  ];
  for (const text of dupes) {
    it(`when ${text} repeats a member name: refused, naming the field`, () => {
      assert.throws(() => parseStrictJson(text, 'intent.constraints_json', BOUNDS), refusedOn('intent.constraints_json', /twice/));
    });
  }

  it('when names differ only by normalisation, they are different names (no silent merge)', () => {
    assert.deepEqual(Object.keys(parseStrictJson('{"é":1,"e\\u0301":2}', 'f', BOUNDS) as object), ['é', 'e\u0301']);
  });

  for (const text of ['"\\ud800"', '"\\udc00x"', '{"\\udbff":1}', '["a\\ud800\\u0041"]', '"\ud800"']) {
    it(`when ${JSON.stringify(text)} holds a lone surrogate: refused`, () => {
      assert.throws(() => parseStrictJson(text, 'f', BOUNDS), refusedOn('f', /lone surrogate/));
    });
  }

  it('when a surrogate pair is escaped: accepted', () => {
    assert.equal(parseStrictJson('"\\ud83d\\ude00"', 'f', BOUNDS), '😀');
  });

  it('when a number overflows a double: refused', () => {
    assert.throws(() => parseStrictJson('{"n":1e400}', 'f', BOUNDS), refusedOn('f', /too large/));
    assert.throws(() => parseStrictJson('-1e309', 'f', BOUNDS), refusedOn('f', /too large/));
  });

  it('when __proto__ is a member: it stays an own member, as with JSON.parse', () => {
    const v = parseStrictJson('{"__proto__":{"polluted":true}}', 'f', BOUNDS) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(v), Object.prototype);
    assert.deepEqual(Object.keys(v), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

/** A random JSON value without duplicate names, lone surrogates or out-of-range numbers. */
function genValue(r: Random, depth: number): unknown {
  const k = r.int(depth > 4 ? 4 : 7);
  if (k === 0) return r.pick([null, true, false]);
  if (k === 1) return genNumber(r);
  if (k <= 3) return genString(r);
  if (k <= 4) return Array.from({ length: r.int(5) }, () => genValue(r, depth + 1));
  const out: Record<string, unknown> = {};
  for (let i = r.int(6); i > 0; i--) {
    const key = r.bool(0.1) ? r.pick(['__proto__', 'constructor', '0', '10', 'toString']) : genString(r);
    out[key] = genValue(r, depth + 1);
  }
  // Built with assignment, so __proto__ may have set the prototype: rebuild as own members.
  return JSON.parse(JSON.stringify(out));
}

function genNumber(r: Random): number {
  return r.pick([0, -0, 1, -1, 0.1, 1e21, 1e-7, 5e-324, 1.7976931348623157e308, 2 ** 53 + 1, r.next() * 1e6, -r.int(1000), r.next() * 10 ** (r.int(600) - 300)]);
}

function genString(r: Random): string {
  const pieces = ['a', 'Z', ' ', '"', '\\', '/', '\n', '\t', '\u0000', '\u001f', '\u007f', 'é', 'e\u0301', '\u2028', '😀', '\uFEFF', 'ｆ', '𝕏', '\uFFFF'];
  return Array.from({ length: r.int(8) }, () => r.pick(pieces)).join('');
}

/** Serialises with random whitespace and random (valid) escaping, as other encoders might. */
function spell(r: Random, v: unknown): string {
  const ws = () => (r.bool(0.3) ? r.pick([' ', '\n', '\t', '\r\n', '  ']) : '');
  if (typeof v === 'string') return spellString(r, v);
  if (typeof v === 'number') {
    if (Object.is(v, -0)) return r.pick(['-0', '-0.0', '-0e0']);
    return r.bool(0.2) && Number.isFinite(v) ? v.toExponential().replace('e+', r.pick(['e', 'E', 'e+'])) : String(v);
  }
  if (Array.isArray(v)) return `[${ws()}${v.map((x) => spell(r, x)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (v !== null && typeof v === 'object') {
    return `{${ws()}${Object.entries(v).map(([k, x]) => `${spellString(r, k)}${ws()}:${ws()}${spell(r, x)}`).join(`${ws()},${ws()}`)}${ws()}}`;
  }
  return String(v);
}

function spellString(r: Random, s: string): string {
  let out = '"';
  for (const ch of s) {
    const std = JSON.stringify(ch).slice(1, -1);
    if (r.bool(0.3)) {
      for (let i = 0; i < ch.length; i++) {
        const hex = ch.charCodeAt(i).toString(16).padStart(4, '0');
        out += `\\u${r.bool() ? hex.toUpperCase() : hex}`;
      }
    }
    else if (ch === '/' && r.bool()) out += '\\/';
    else out += std;
  }
  return out + '"';
}

describe('strict JSON: same answer as JSON.parse on everything it accepts', () => {
  it('when 3000 generated valid JSON texts (random whitespace and escapes) are parsed: identical to JSON.parse', () => {
    const r = seededRandom(7493);
    for (let i = 0; i < 3000; i++) {
      const text = spell(r, genValue(r, 0));
      withSeed(r, `case ${i}: ${text.slice(0, 200)}`, () => {
        const ours = parseStrictJson(text, 'f', BOUNDS);
        assert.deepStrictEqual(ours, JSON.parse(text));
        assert.ok(Object.is(ours, JSON.parse(text)) || typeof ours === 'object');
      });
    }
  });

  it('when 5000 texts are mutated at random: it refuses whatever JSON.parse refuses, and otherwise agrees', () => {
    const r = seededRandom(8259);
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', 'u', '0', '1', '-', '.', 'e', '+', ' ', 't', 'n', 'x', '\u0001', '\ud800'];
    for (let i = 0; i < 5000; i++) {
      let text = spell(r, genValue(r, 0));
      for (let m = 1 + r.int(3); m > 0; m--) {
        const at = r.int(text.length + 1);
        const op = r.int(3);
        if (op === 0) text = text.slice(0, at) + r.pick(alphabet) + text.slice(at);
        else if (op === 1) text = text.slice(0, at) + text.slice(at + 1);
        else text = text.slice(0, at) + r.pick(alphabet) + text.slice(at + 1);
      }
      withSeed(r, `case ${i}: ${JSON.stringify(text.slice(0, 200))}`, () => {
        let expected: unknown;
        let native = true;
        try {
          expected = JSON.parse(text);
        } catch {
          native = false;
        }
        let ours: unknown;
        try {
          ours = parseStrictJson(text, 'f', BOUNDS);
        } catch (err) {
          assert.ok(isSignetError(err, 'INVALID_ARGUMENT') && err.field === 'f', `not INVALID_ARGUMENT: ${String(err)}`);
          return;
        }
        assert.ok(native, 'accepted a text JSON.parse refuses');
        assert.deepStrictEqual(ours, expected);
      });
    }
  });
});
