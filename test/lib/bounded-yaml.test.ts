import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { checkYamlBounds, FILE_YAML_BOUNDS } from '../../src/lib/bounded-yaml.js';
import { isSignetError } from '../../src/lib/errors.js';
import { parsePolicy, readPolicy } from '../../src/credentials/policy-file.js';
import { loadConfig } from '../../src/server/config.js';

const limits = { maxTtlSeconds: 3600, defaultTtlSeconds: 60 };
const config = (pattern?: RegExp) => (e: unknown) => isSignetError(e, 'CONFIG') && (pattern === undefined || pattern.test(e.message));

describe('YAML files are bounded before they are parsed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-yaml-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const hostile: [string, string, RegExp][] = [
    ['300 000 nested [', 'rules: ' + '['.repeat(300_000) + ']'.repeat(300_000), /deeper than 64 levels/],
    ['nested {a: …}', 'rules: ' + '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000), /deeper than 64 levels/],
    ['50 000 compact "- "', '- '.repeat(50_000) + 'x', /deeper than 256 columns/],
    ['1200 indented mappings', Array.from({ length: 1200 }, (_, i) => ' '.repeat(i) + 'k:').join('\n') + ' 1', /deeper than 256 columns/],
    ['brackets after a quote inside a plain scalar', `rules: [it's, a "x, ${'['.repeat(5000)}${']'.repeat(5000)}]`, /deeper than 64 levels/],
  ];
  for (const [name, text, why] of hostile) {
    it(`when a policy holds ${name}: CONFIG naming the file, without a stack overflow`, () => {
      assert.throws(() => parsePolicy(text, 'p.yaml', limits), config(why));
    });
    it(`when a config file holds ${name}: CONFIG naming the file`, () => {
      const path = join(dir, `c-${name.length}.yaml`);
      writeFileSync(path, text);
      assert.throws(() => loadConfig(path, {}), (e) => config(why)(e) && (e as Error).message.includes(path));
    });
  }

  it('when a file is larger than the bound: CONFIG before it is read', () => {
    const path = join(dir, 'big.yaml');
    writeFileSync(path, `# ${'x'.repeat(FILE_YAML_BOUNDS.maxBytes)}\nrules: []\n`);
    assert.throws(() => readPolicy(path, limits), config(/at most 1048576/));
    assert.throws(() => loadConfig(path, {}), config(/at most 1048576/));
  });

  it('when brackets sit inside quoted scalars, comments or block scalars: not counted as nesting', () => {
    const deep = '['.repeat(500);
    const text = `a: "${deep}"\nb: '${deep}'\n# ${deep}\nc: |\n  ${deep}\nd: [[[1]]]\n`;
    assert.doesNotThrow(() => checkYamlBounds(text, 't.yaml'));
  });

  it('when deep block nesting follows a block scalar: still counted', () => {
    assert.throws(() => checkYamlBounds(`c: |\n  body\n${'- '.repeat(200)}x\n`, 't'), config(/t:3: indented or nested deeper/));
  });

  it('when nesting is at the bound: accepted; one more: refused', () => {
    assert.doesNotThrow(() => checkYamlBounds('a: ' + '['.repeat(64) + ']'.repeat(64), 't'));
    assert.throws(() => checkYamlBounds('a: ' + '['.repeat(65) + ']'.repeat(65), 't'), config(/t:1: nests deeper/));
  });

  it('when a policy has duplicate keys (as YAML or as JSON): CONFIG', () => {
    assert.throws(() => parsePolicy('rules: []\nrules: []\n', 'p.yaml', limits), config());
    assert.throws(() => parsePolicy('{"rules": [], "rules": []}', 'p.json', limits), config());
  });
});
