// How mcp-gate names a call's resource and fingerprints its arguments, attacked with generated
// respellings: only the exact arguments name the allowed resource; one argument, one segment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { intentOfCall, parseResourceFlag, parseTemplate } from '../../src/cli/gate-intent.js';
import { isSignetError } from '../../src/lib/errors.js';
import { seeded } from '../helpers/seeded.js';

const target = { server: 'records', templates: new Map([parseResourceFlag('delete_record=records/{table}/{id}'), parseResourceFlag('read_file=files/{path*}')]) };
const SEED = 99;

describe('mcp-gate intents', () => {
  it('the tool is the action, the template names the resource, the canonical arguments are a constraint', () => {
    const a = intentOfCall(target, 'delete_record', { table: 'demo', id: '42', reason: 'x' });
    assert.deepEqual(a.intent.action, 'delete_record');
    assert.equal(a.intent.resource, 'records/demo/42');
    const b = intentOfCall(target, 'delete_record', { reason: 'x', id: '42', table: 'demo' });
    assert.equal(b.argsSha256, a.argsSha256, 'member order does not change the fingerprint');
    assert.deepEqual(a.intent.constraints, { args_sha256: a.argsSha256 });
    const c = intentOfCall(target, 'delete_record', { table: 'demo', id: '42', reason: 'y' });
    assert.notEqual(c.argsSha256, a.argsSha256);
    assert.equal(intentOfCall(target, 'other_tool', {}).intent.resource, 'mcp://records/other_tool');
    assert.equal(intentOfCall(target, 'read_file', { path: 'a/b/c.txt' }).intent.resource, 'files/a/b/c.txt');
  });

  it('generated respellings of the arguments name records/demo/42 only when they are exactly demo and 42', () => {
    const random = seeded(SEED);
    const pieces = ['demo', '42', '..', '.', '', '/', '%2f', '%2e%2e', '\uff0e\uff0e', 'demo/42', '42/', '/42', 'Demo', '042', '42 ', '\u0034\u0032', '４２', 'de\u0000mo', '\\', 'demo\\42', 42, true, null, { a: 1 }, ['42']];
    let refused = 0;
    let exact = 0;
    for (let round = 0; round < 4000; round++) {
      const table = random.next() < 0.5 ? random.pick(pieces) : `${random.pick(pieces)}${random.pick(pieces)}`;
      const id = random.next() < 0.5 ? random.pick(pieces) : `${random.pick(pieces)}${random.pick(pieces)}`;
      const args = random.next() < 0.1 ? { table } : { table, id };
      try {
        const { intent } = intentOfCall(target, 'delete_record', args);
        const named = intent.resource === 'records/demo/42';
        assert.equal(named, (table === 'demo' && (id === '42' || id === 42)), `seed ${SEED} round ${round}: ${JSON.stringify(args)} → ${intent.resource}`);
        if (named) exact++;
        assert.equal(intent.resource.split('/').length, 3, `one argument, one segment: ${intent.resource}`);
      } catch (err) {
        assert.ok(isSignetError(err, 'INVALID_ARGUMENT'), `seed ${SEED} round ${round}: ${String(err)}`);
        refused++;
      }
    }
    assert.ok(refused > 100 && exact > 0, `refused ${refused}, exact ${exact}`);
  });

  it('a template with a stray brace, or a flag without TOOL=, is refused', () => {
    assert.throws(() => parseTemplate('records/{table'), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => parseResourceFlag('records/{table}'), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
    assert.throws(() => intentOfCall(target, 'delete_record', ['x']), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'params.arguments');
    assert.throws(() => intentOfCall(target, '', {}), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'params.name');
  });
});
