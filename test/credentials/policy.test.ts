import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parsePolicy } from '../../src/credentials/policy-file.js';
import { PolicySource } from '../../src/credentials/policy-source.js';
import { authorize, type PolicyAgent } from '../../src/credentials/policy.js';
import { globMatch } from '../../src/credentials/glob.js';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, type Fixture } from './fixture.js';

const limits = { maxTtlSeconds: 3600, defaultTtlSeconds: 60 };
const ci: PolicyAgent = { id: 'did:key:z6MkA', groups: ['ci'], labels: { env: 'prod' } };
const other: PolicyAgent = { id: 'did:key:z6MkB', groups: [], labels: {} };

const POLICY = `
rules:
  - name: ci-read
    agents: [{group: ci}]
    actions: [repo:read]
    resources: ["github.com/acme/*"]
  - name: deep
    agents: [{labels: {env: prod}}]
    actions: ["fs:*"]
    resources: ["/srv/**"]
    max_ttl: 5m
  - name: mcp-search
    agents: [{id: did:key:z6MkB}]
    actions: [tools/call]
    resources: ["mcp://search/web_*"]
`;

describe('policy decisions', () => {
  const policy = parsePolicy(POLICY, 'test.yaml', limits);

  it('when no rule matches: DENY by default, with no rule named', () => {
    const d = authorize(policy, other, { action: 'repo:read', resource: 'github.com/acme/app' });
    assert.equal(d.allow, false);
    assert.equal(d.rule, '');
    assert.match(d.reason, /default deny/);
  });
  it('when an empty rule list is given: everything is denied', () => {
    assert.equal(authorize(parsePolicy('rules: []', 'e.yaml', limits), ci, { action: 'a', resource: 'b' }).allow, false);
  });
  it('matches resource globs: * stays within a segment, ** crosses segments', () => {
    assert.equal(authorize(policy, ci, { action: 'repo:read', resource: 'github.com/acme/app' }).rule, 'ci-read');
    assert.equal(authorize(policy, ci, { action: 'repo:read', resource: 'github.com/acme/app/sub' }).allow, false);
    assert.equal(authorize(policy, ci, { action: 'fs:write', resource: '/srv/a/b/c' }).rule, 'deep');
    assert.equal(authorize(policy, ci, { action: 'fs:write', resource: '/etc/passwd' }).allow, false);
    assert.equal(globMatch('a?c', 'abc'), true);
    assert.equal(globMatch('a.c', 'abc'), false, 'dots are literal');
  });
  it('answers the (agent, MCP tool on server) form as tools/call on mcp://SERVER/TOOL', () => {
    assert.equal(authorize(policy, other, { action: 'tools/call', resource: 'mcp://search/web_fetch' }).allow, true);
    assert.equal(authorize(policy, other, { action: 'tools/call', resource: 'mcp://search/shell' }).allow, false);
  });
  it('reads max_ttl in seconds or with a unit', () => {
    assert.equal(policy.rules.find((r) => r.name === 'deep')!.maxTtlSeconds, 300);
    assert.equal(policy.rules.find((r) => r.name === 'ci-read')!.maxTtlSeconds, 60);
  });
});

describe('the example policy (examples/policy.yaml)', () => {
  it('loads, and its deny rule wins over the allow rules below it', () => {
    const p = PolicySource.load(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../examples/policy.yaml'), limits).current;
    assert.equal(p.rules.length, 5);
    const bot: PolicyAgent = { id: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH', groups: ['ci'], labels: {} };
    assert.equal(authorize(p, bot, { action: 'deploy', resource: 'env/prod/eu-west-1' }).rule, 'release-bot-deploys');
    assert.equal(authorize(p, bot, { action: 'repo:delete', resource: 'github.com/acme/prod-db' }).rule, 'never-delete-prod');
    assert.equal(authorize(p, bot, { action: 'repo:delete', resource: 'github.com/acme/prod-db' }).allow, false);
  });
});

describe('policy validation', () => {
  const refuse = (text: string, pattern: RegExp) =>
    assert.throws(() => parsePolicy(text, 'p.yaml', limits), (e) => isSignetError(e, 'CONFIG') && pattern.test(e.message));

  it('names file and line of an unknown field', () => {
    refuse('rules:\n  - name: a\n    agents: ["*"]\n    actions: [x]\n    resources: [y]\n    max_tll: 5\n', /^p\.yaml:6: rules\[0\]\.max_tll is not a known field/);
  });
  it('refuses a rule granting more than the server maximum TTL', () => {
    refuse('rules:\n  - name: a\n    agents: ["*"]\n    actions: [x]\n    resources: [y]\n    max_ttl: 2h\n', /^p\.yaml:6: .*more than the server's maximum/);
  });
  it('refuses a selector that is not id, group or labels', () => {
    refuse('rules:\n  - name: a\n    agents: [{role: x}]\n    actions: [x]\n    resources: [y]\n', /^p\.yaml:3: rules\[0\]\.agents\[0\]\.role/);
  });
  it('refuses YAML syntax errors with a line', () => {
    refuse('rules:\n  - name: a\n   bad: [\n', /^p\.yaml:\d+: /);
  });
  it('refuses a duplicate rule name and a missing rules list', () => {
    refuse('rules:\n  - {name: a, agents: ["*"], actions: [x], resources: [y]}\n  - {name: a, agents: ["*"], actions: [x], resources: [y]}\n', /used twice/);
    refuse('version: 1\n', /has no rules/);
  });
});

describe('policy reload', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-policy-'));
  const path = join(dir, 'policy.yaml');
  let f: Fixture;
  const allowRead = 'rules:\n  - {name: r, agents: [{group: ci}], actions: [read], resources: ["doc/*"]}\n';
  const allowWrite = 'rules:\n  - {name: w, agents: [{group: ci}], actions: [write], resources: ["doc/*"]}\n';
  before(async () => {
    writeFileSync(path, allowRead);
    f = await makeFixture({ policy: path });
  });
  after(async () => {
    await f.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks up a changed file on reload()', async () => {
    const a = await f.agent(['ci']);
    assert.equal((await f.creds.authorize({ agentId: a.id, intent: { action: 'read', resource: 'doc/1' } })).allow, true);
    const before = f.creds.policy.current.digest;
    writeFileSync(path, allowWrite);
    f.creds.policy.reload();
    assert.notEqual(f.creds.policy.current.digest, before);
    assert.equal((await f.creds.authorize({ agentId: a.id, intent: { action: 'read', resource: 'doc/1' } })).allow, false);
    assert.equal((await f.creds.authorize({ agentId: a.id, intent: { action: 'write', resource: 'doc/1' } })).rule, 'w');
  });

  it('when the new file is broken: reload is refused with CONFIG and the old policy stays in force', async () => {
    writeFileSync(path, allowWrite);
    f.creds.policy.reload();
    const digest = f.creds.policy.current.digest;
    writeFileSync(path, 'rules:\n  - {name: w, agents: [{group: ci}], actions: [write]}\n');
    assert.throws(() => f.creds.policy.reload(), (e) => isSignetError(e, 'CONFIG') && /resources/.test(e.message));
    assert.equal(f.creds.policy.current.digest, digest);
    const a = await f.agent(['ci']);
    assert.equal((await f.creds.authorize({ agentId: a.id, intent: { action: 'write', resource: 'doc/1' } })).allow, true);
  });

  it('reloads on SIGHUP', async () => {
    writeFileSync(path, allowWrite);
    const src = PolicySource.load(path, limits);
    assert.equal(src.current.rules[0]!.name, 'w');
    let heard: string | undefined;
    // A signal listener does not keep the event loop alive: the timer does, until the signal lands.
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((ok, fail) => {
      timer = setTimeout(() => fail(new Error('no SIGHUP reload within 10 s')), 10_000);
      src.watchSighup((err, p) => {
        heard = err ? `error ${err.message}` : p.rules[0]!.name;
        ok();
      });
    });
    writeFileSync(path, allowRead);
    process.kill(process.pid, 'SIGHUP');
    try {
      await done;
    } finally {
      clearTimeout(timer);
      src.close();
    }
    assert.equal(heard, 'r');
  });

  it('records Authorize denials in the ledger, for the MCP form too', async () => {
    const a = await f.agent(['ci']);
    const d = await f.creds.authorize({ agentId: a.id, mcp: { server: 'github', tool: 'delete_repo' } });
    assert.equal(d.allow, false);
    const rec = f.ledger.ofType('denial').at(-1)!;
    assert.equal(rec.resource, 'mcp://github/delete_repo');
    assert.equal(rec.what, 'authorize');
  });
});
