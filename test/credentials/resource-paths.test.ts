import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { globMatch } from '../../src/credentials/glob.js';
import { parseIntent } from '../../src/credentials/intent.js';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, type Fixture, type TestAgent } from './fixture.js';

const GH = 'https://api.github.com';
const tricks = [
  'github.com/acme/prod-db/',
  'github.com/acme/x/../prod-db',
  'github.com/acme//prod-db',
  'github.com/acme/./prod-db',
  'github.com/acme/%2e%2e/prod-db',
  'github.com/acme/x%2Fprod-db',
  'github.com/acme/x%5c..%5cprod-db',
  'github.com/acme\\prod-db',
  'github.com/acme/\uFF0E\uFF0E/prod-db',
  '/github.com/acme/prod-db',
];

describe('resource path tricks', () => {
  for (const resource of tricks) {
    it(`when the resource is ${JSON.stringify(resource)}: INVALID_ARGUMENT on intent.resource`, () => {
      assert.throws(() => parseIntent({ action: 'repo:delete', resource }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.resource');
    });
  }

  it('when the resource is a URL or an MCP tool, scheme slashes are not an empty segment', () => {
    for (const resource of ['mcp://search/web', 'https://api.example.com/v1/items', 'file:///srv/data', 'github.com/acme/app', 'a/.hidden/b', 'ledger/x..y']) {
      assert.equal(parseIntent({ action: 'a', resource }).resource, resource);
    }
  });

  it('when a value has a dot segment, * and ** never match it', () => {
    assert.equal(globMatch('github.com/acme/**', 'github.com/acme/../other/x'), false);
    assert.equal(globMatch('github.com/acme/**', 'github.com/acme/x/./y'), false);
    assert.equal(globMatch('github.com/acme/*', 'github.com/acme/..'), false);
    assert.equal(globMatch('a/??', 'a/..'), false);
    assert.equal(globMatch('github.com/acme/**', 'github.com/acme/x/y'), true);
    assert.equal(globMatch('github.com/acme/*', 'github.com/acme/.hidden'), true, 'a segment that only starts with a dot is ordinary');
    assert.equal(globMatch('github.com/acme/prod-**', 'github.com/acme/prod-x/y'), true);
    assert.equal(globMatch('**', 'mcp://search/web'), true, 'scheme slashes still match **');
  });

  describe('through Issue, for a ci agent whose prod delete is denied', () => {
    let f: Fixture;
    let agent: TestAgent;
    before(async () => {
      f = await makeFixture();
      agent = await f.agent(['ci']);
    });
    after(() => f.close());

    it('when the path is plain, the deny rule decides (PERMISSION_DENIED)', async () => {
      await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: { action: 'repo:delete', resource: 'github.com/acme/prod-db' }, audience: GH }), (e) => isSignetError(e, 'PERMISSION_DENIED'));
    });

    it('when the path is dressed up to dodge the deny rule: INVALID_ARGUMENT, nothing issued', async () => {
      const before = f.ledger.ofType('issuance').length;
      for (const resource of tricks) {
        await assert.rejects(f.creds.issuer.issue({ agentId: agent.id, intent: { action: 'repo:delete', resource }, audience: GH }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.resource', resource);
      }
      assert.equal(f.ledger.ofType('issuance').length, before);
    });

    it('when an MCP server or tool name is a dot segment, Authorize refuses it with INVALID_ARGUMENT', async () => {
      await assert.rejects(f.creds.authorize({ agentId: agent.id, mcp: { server: '..', tool: 'x' } }), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
      await assert.rejects(f.creds.authorize({ agentId: agent.id, mcp: { server: 'search', tool: '..' } }), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
    });
  });
});
