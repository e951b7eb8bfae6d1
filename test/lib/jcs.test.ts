// RFC 8785 canonical JSON: the RFC's own examples (§3.2.2, §3.2.3, Appendix B numbers), the
// values JSON cannot say, and the strict parse of entries that must already be canonical.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { canonicalBytes, canonicalize, parseCanonical, MAX_JCS_DEPTH } from '../../src/lib/jcs.js';

function assertInvalid(fn: () => unknown, field?: string): void {
  assert.throws(fn, (e) => {
    assert.ok(isSignetError(e, 'INVALID_ARGUMENT'), `expected INVALID_ARGUMENT, got ${String(e)}`);
    if (field !== undefined) assert.equal(e.field, field);
    return true;
  });
}

function fromBits(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

describe('RFC 8785 canonical JSON', () => {
  it('serialises the §3.2.2 sample exactly as the RFC prints it', () => {
    const input = `{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
      "literals": [null, true, false]
    }`;
    assert.equal(
      canonicalize(JSON.parse(input)),
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units, as in §3.2.3 (emoji surrogates before U+FB33)', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    assert.equal(
      canonicalize(value),
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serialises every finite Appendix B number as the RFC lists it', () => {
    const table: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of table) assert.equal(canonicalize(fromBits(bits)), text, bits);
    assert.equal(canonicalize([1e21, 1e-7, -0, 1e20, 0.1]), '[1e+21,1e-7,0,100000000000000000000,0.1]');
    assert.equal(canonicalize(JSON.parse('[1E-7, 1.0, -0, 1E21, 10e0]')), '[1e-7,1,0,1e+21,10]');
  });

  it('when a value is NaN or ±Infinity (Appendix B 7fffffffffffffff, 7ff0000000000000), refuses with INVALID_ARGUMENT', () => {
    assertInvalid(() => canonicalize(fromBits('7fffffffffffffff')), '$');
    assertInvalid(() => canonicalize({ a: [fromBits('7ff0000000000000')] }), '$.a[0]');
    assertInvalid(() => canonicalize(-Infinity));
  });

  it('when a value is undefined, a function, a symbol or a bigint, refuses and names where', () => {
    assertInvalid(() => canonicalize(undefined), '$');
    assertInvalid(() => canonicalize({ a: 1, b: undefined }), '$.b');
    assertInvalid(() => canonicalize([1, undefined]), '$[1]');
    assertInvalid(() => canonicalize({ f: () => 1 }), '$.f');
    assertInvalid(() => canonicalize({ s: Symbol('x') }), '$.s');
    assertInvalid(() => canonicalize({ n: { big: 10n } }), '$.n.big');
  });

  it('when a value is a Date, Map, Uint8Array or cyclic, refuses rather than guess', () => {
    assertInvalid(() => canonicalize({ t: new Date(0) }), '$.t');
    assertInvalid(() => canonicalize(new Map()));
    assertInvalid(() => canonicalize({ b: new Uint8Array(2) }), '$.b');
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    assertInvalid(() => canonicalize(cyclic), '$.self');
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_JCS_DEPTH; i++) deep = [deep];
    assertInvalid(() => canonicalize(deep));
  });

  it('when a string or key holds a lone surrogate, refuses (I-JSON strings only)', () => {
    assertInvalid(() => canonicalize('a\ud800b'));
    assertInvalid(() => canonicalize('\udc00'));
    assertInvalid(() => canonicalize({ ['k\ud83d']: 1 }));
    assert.equal(canonicalize('\ud83d\ude00'), '"\ud83d\ude00"');
  });

  it('keeps repeated references that are not cycles, and null-prototype objects', () => {
    const shared = { z: 1, a: 2 };
    assert.equal(canonicalize({ x: shared, y: shared }), '{"x":{"a":2,"z":1},"y":{"a":2,"z":1}}');
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = true;
    bare.a = null;
    assert.equal(canonicalize(bare), '{"a":null,"b":true}');
    assert.equal(canonicalize({}), '{}');
    assert.equal(canonicalize([]), '[]');
  });

  it('gives UTF-8 bytes, with non-ASCII characters unescaped', () => {
    assert.equal(Buffer.from(canonicalBytes({ e: '€', c: '\u001f' })).toString('hex'), Buffer.from('{"c":"\\u001f","e":"€"}', 'utf8').toString('hex'));
    assert.deepEqual([...canonicalBytes('€')], [0x22, 0xe2, 0x82, 0xac, 0x22]);
  });
});

describe('canonical JSON, randomised (seed 8785)', () => {
  /** An independent rendering: JSON.stringify with keys re-inserted in code-unit order. */
  function reference(value: unknown): string {
    return JSON.stringify(value, (_key, v) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    });
  }
  let seed = 8785;
  const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  const pieces = ['a', 'B', 'é', '€', '\ud83d\ude00', '"', '\\', '\n', '\u0001', ' ', 'z', '1', '\u00ff', '\ufb33'];
  const str = () => Array.from({ length: Math.floor(random() * 5) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
  const num = () => [0, 1, -1, 0.5, 1e21, 1e-7, 123456789, -2.5e-10, Math.floor(random() * 1e6) / 7][Math.floor(random() * 9)]!;
  function value(depth: number): unknown {
    const r = random();
    if (depth > 3 || r < 0.3) return [str(), num(), true, false, null][Math.floor(random() * 5)];
    if (r < 0.6) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    // Integer-like keys are left out: JSON.stringify would put them first, whatever the sort.
    return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, () => [`k${str()}`, value(depth + 1)]));
  }

  it('agrees with a sorted JSON.stringify on 500 random values, and parses back to the same value', () => {
    for (let n = 0; n < 500; n++) {
      const v = value(0);
      const text = canonicalize(v);
      assert.equal(text, reference(v), `value ${n}`);
      assert.deepEqual(parseCanonical(Buffer.from(text, 'utf8')), JSON.parse(text));
    }
  });
});

describe('parseCanonical', () => {
  const ok = Buffer.from('{"a":[1,"x",null],"b":{"c":1e+21}}', 'utf8');

  it('returns the value of bytes that are already canonical', () => {
    assert.deepEqual(parseCanonical(ok), { a: [1, 'x', null], b: { c: 1e21 } });
  });

  it('when the bytes are JSON but not canonical, refuses with INVALID_ARGUMENT', () => {
    for (const text of [
      '{"b":1,"a":2}', // unsorted
      '{"a":1, "b":2}', // whitespace
      '{"a":1.0}', // number spelling
      '{"a":1E3}',
      '{"a":1,"a":2}', // duplicate key
      '{"a":"\\u0041"}', // needless escape
      '{"a":1}\n', // trailing newline
      '\ufeff{"a":1}', // byte order mark
    ]) {
      assertInvalid(() => parseCanonical(Buffer.from(text, 'utf8')));
    }
  });

  it('when the bytes are not UTF-8 or not JSON, refuses with INVALID_ARGUMENT', () => {
    assertInvalid(() => parseCanonical(new Uint8Array([0x22, 0xff, 0x22])));
    assertInvalid(() => parseCanonical(Buffer.from('{"a":', 'utf8')));
    assertInvalid(() => parseCanonical(new Uint8Array(0)));
  });
});
