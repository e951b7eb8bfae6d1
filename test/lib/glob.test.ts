import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { caseFold, Glob, globMatch, type GlobSteps } from '../../src/lib/glob.js';
import { seededRandom, withSeed, type Random } from '../helpers/seeded.js';

/** The backtracking regular expression the matcher replaced, as an oracle on small inputs. */
function oracle(pattern: string, value: string): boolean {
  const NOT_DOT = '(?!\\.{1,2}(?:/|$))';
  let src = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    const guard = i === 0 || pattern[i - 1] === '/' ? NOT_DOT : '';
    if (c === '*' && pattern[i + 1] === '*') {
      src += `${guard}[^/]*(?:/${NOT_DOT}[^/]*)*`;
      i++;
    } else if (c === '*') src += `${guard}[^/]*`;
    else if (c === '?') src += `${guard}[^/]`;
    else src += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${src}$`, 's').test(value);
}

function plainOracle(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's').test(value);
}

const pieces = ['a', 'b', '.', '..', '/', '-', 'A'];
const gen = (r: Random, extra: string[], max: number) => Array.from({ length: r.int(max) }, () => r.pick([...pieces, ...extra])).join('');

describe('glob matching agrees with the regular expressions it replaced', () => {
  it('when 20 000 generated path patterns meet generated values: the same answer as the old regex', () => {
    const r = seededRandom(1138);
    for (let i = 0; i < 20_000; i++) {
      const pattern = gen(r, ['*', '**', '?', '*', '/*', '/**/'], 7);
      const value = gen(r, [], 8);
      withSeed(r, `case ${i}: ${JSON.stringify(pattern)} vs ${JSON.stringify(value)}`, () => {
        assert.equal(globMatch(pattern, value), oracle(pattern, value));
      });
    }
  });

  it('when 10 000 generated plain patterns (authorization identities) meet values: the same answer as .* regex', () => {
    const r = seededRandom(4242);
    for (let i = 0; i < 10_000; i++) {
      const pattern = gen(r, ['*', '?', ':'], 7);
      const value = gen(r, ['?', ':'], 8);
      withSeed(r, `case ${i}: ${JSON.stringify(pattern)} vs ${JSON.stringify(value)}`, () => {
        assert.equal(Glob.compile(pattern, { syntax: 'plain' }).matches(value), plainOracle(pattern, value));
      });
    }
  });

  it('when case-insensitive: matches exactly what the case-folded pattern matches on the case-folded value', () => {
    const r = seededRandom(77);
    for (let i = 0; i < 5000; i++) {
      const pattern = gen(r, ['*', '**', '?', 'B', 'ß', 'SS'], 7);
      const value = gen(r, ['B', 'ß', 'ss', 'SS'], 8);
      withSeed(r, `case ${i}`, () => assert.equal(globMatch(pattern, value, { caseInsensitive: true }), oracle(caseFold(pattern), caseFold(value))));
    }
  });
});

describe('glob matching takes at most c·|pattern|·|value| steps', () => {
  const MAX_VALUE = 1024; // intent.action and intent.resource are at most 1024 characters
  const MAX_PATTERN = 1024; // policy patterns are at most 1024 characters
  const adversarial: [string, string, string][] = [
    ['many ** before a missing letter', '**a'.repeat(MAX_PATTERN / 3) + 'b', 'a/'.repeat(MAX_VALUE / 2)],
    ['many * in one segment', '*a'.repeat(MAX_PATTERN / 2) + 'b', 'a'.repeat(MAX_VALUE)],
    ['? and * alternating', '?*'.repeat(MAX_PATTERN / 2) + 'z', 'x'.repeat(MAX_VALUE)],
    ['** segments', '**/'.repeat(MAX_PATTERN / 3) + 'z', 'a/'.repeat(MAX_VALUE / 2)],
    ['dot segments under **', 'x/**/**/**/y', 'x/' + './'.repeat(MAX_VALUE / 2 - 2) + 'y'],
  ];
  for (const [name, pattern, value] of adversarial) {
    it(`when the pattern has ${name} (${pattern.length} × ${value.length}): bounded steps, and the right answer`, () => {
      const counter: GlobSteps = { steps: 0 };
      const got = Glob.compile(pattern).matches(value, counter);
      assert.ok(pattern.length <= MAX_PATTERN + 1 && value.length <= MAX_VALUE);
      assert.ok(counter.steps <= 2 * (pattern.length + 1) * (value.length + 1), `${counter.steps} steps`);
      assert.equal(got, false);
    });
  }

  it('when the value doubles, the steps at most double (linear in the value)', () => {
    const pattern = '**a'.repeat(50) + 'b';
    const steps = (len: number) => {
      const c: GlobSteps = { steps: 0 };
      Glob.compile(pattern).matches('a/'.repeat(len), c);
      return c.steps;
    };
    const s1 = steps(256);
    const s2 = steps(512);
    assert.ok(s2 <= 2 * s1 + 2 * pattern.length, `${s1} then ${s2}`);
  });

  it('when a plain authorization pattern has many * and the identity is long: bounded steps', () => {
    const pattern = 'spiffe://' + '*a'.repeat(500) + 'b';
    const value = 'spiffe://' + 'a'.repeat(4000);
    const counter: GlobSteps = { steps: 0 };
    assert.equal(Glob.compile(pattern, { syntax: 'plain' }).matches(value, counter), false);
    assert.ok(counter.steps <= 2 * (pattern.length + 1) * (value.length + 1));
  });
});
