import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { loadConfig, resolveConfig } from '../../src/server/config.js';
import { isSignetError } from '../../src/lib/errors.js';
import { LIMIT_SETTINGS } from '../../src/server/limits.js';

const example = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'examples', 'signet.yaml');

describe('configuration', () => {
  it('the documented example loads, and its values are the embedded defaults', () => {
    const fromFile = loadConfig(example, {}).config;
    const defaults = loadConfig(undefined, {}).config;
    assert.deepEqual({ ...fromFile, keys: {} }, { ...defaults, keys: {} });
    assert.match(fromFile.keys.default!, /^file:\.signet\/dev-ed25519\.pem/);
    assert.deepEqual(Object.keys(fromFile.keys), Object.keys(defaults.keys));
  });

  it('the ledger and credentials keys default to the keys named for them, and one must exist', () => {
    const c = resolveConfig({ keys: { a: 'file:/a', ledger: 'file:/l', issuer: 'file:/i' } }, {});
    assert.equal(c.ledger.key, 'ledger');
    assert.equal(c.credentials.key, 'issuer');
    const shared = resolveConfig({ keys: { a: 'file:/a', issuer: 'file:/i' } }, {});
    assert.equal(shared.ledger.key, 'issuer');
    assert.throws(() => resolveConfig({ keys: { a: 'file:/a' } }, {}), (e) => isSignetError(e, 'CONFIG') && /ledger.key is required/.test(e.message));
    const off = resolveConfig({ keys: { a: 'file:/a' }, ledger: { enabled: false }, credentials: { enabled: false } }, {});
    assert.equal(off.ledger.enabled, false);
  });

  it('environment variables override the file', () => {
    const c = resolveConfig({ listen: '0.0.0.0:1' }, { SIGNET_LISTEN: '127.0.0.1:9', SIGNET_KEY_ISSUER: 'file:/k.pem', SIGNET_LOG_LEVEL: 'debug' });
    assert.equal(c.listen, '127.0.0.1:9');
    assert.equal(c.keys.issuer, 'file:/k.pem');
    assert.equal(c.log.level, 'debug');
  });

  it('every limit comes from SIGNET_<NAME>, else limits.<name>, else its default; a bad value names the variable', () => {
    for (const setting of LIMIT_SETTINGS) {
      const value = Math.min(setting.max, setting.min + 1);
      assert.equal(resolveConfig({ limits: { [setting.name]: value } }, {}).limits[setting.key], value, setting.name);
      assert.equal(resolveConfig({ limits: { [setting.name]: value } }, { [setting.env]: String(setting.min) }).limits[setting.key], setting.min, setting.env);
      assert.equal(resolveConfig({}, {}).limits[setting.key], setting.default);
      for (const bad of ['-1', '1e3', String(setting.max + 1), 'x']) {
        assert.throws(() => resolveConfig({}, { [setting.env]: bad }), (e) => isSignetError(e, 'CONFIG') && e.message.includes(setting.env), `${setting.env}=${bad}`);
      }
    }
    assert.equal(resolveConfig({}, { SIGNET_SHUTDOWN_GRACE_MS: '250' }).shutdownGraceMs, 250);
    assert.throws(() => resolveConfig({ limits: { max_sockets: 1 } }, {}), /limits.max_sockets is not a known setting/);
  });

  it('docs/operations.md and examples/signet.yaml list every limit with its variable and default', () => {
    const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const doc = readFileSync(join(repo, 'docs', 'operations.md'), 'utf8').split('\n');
    const yaml = readFileSync(example, 'utf8').split('\n');
    for (const s of LIMIT_SETTINGS) {
      const row = doc.find((l) => l.startsWith(`| \`${s.name}\` `));
      assert.ok(row?.includes(`\`${s.env}\``) && row.includes(`| ${s.default} |`), `docs row for ${s.name}`);
      assert.ok(yaml.some((l) => new RegExp(`^  ${s.name}: ${s.default}\\b`).test(l)), `example line for ${s.name}`);
    }
  });

  it('each mistake is one CONFIG error naming the field', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ listen: 'nohost' }, /listen "nohost" is not host:port/],
      [{ limits: { max_batch: 0 } }, /limits.max_batch must be a whole number from 1/],
      [{ ledger: { batch: { max_delay_ms: 'fast' } } }, /ledger.batch.max_delay_ms must be a whole number/],
      [{ keys: { 'bad name!': 'file:/x' } }, /keys.bad name! key names are/],
      [{ tls: { cert: '/c.pem' } }, /tls give both cert and key/],
      [{ credentials: { pop_mode: 'lenient' } }, /credentials.pop_mode is strict or permissive/],
      [{ credentials: { default_ttl: 600, max_ttl: 60 } }, /default_ttl is more than max_ttl/],
      [{ tls: { cert: '/c', key: '/k', client_ca: '/ca' }, authorization: [{ identity: 'uri:a', keys: ['ghost'] }] }, /authorization\[0\].keys names key "ghost"/],
      [{ keys: [] }, /keys must be a mapping/],
      [{ tls: { cert: '/c', key: '/k', client_ca: '/ca' }, authorization: [{ identity: 'spiffe://example.org/a' }] }, /authorization\[0\].identity "spiffe:\/\/example.org\/a" does not say which kind of name/],
      [{ tls: { cert: '/c', key: '/k', client_ca: '/ca' }, authorization: [{ identity: 'cn:ci' }] }, /authorization\[0\].identity is a cn: rule, but .* tls.cn_identity/],
      [{ tls: { cert: '/c', key: '/k', client_ca: '/ca' }, authorization: [{ identity: '*', rpcs: ['/signet.v1.SigningService/Sign'] }] }, /authorization\[0\].rpcs "\/signet.v1.SigningService\/Sign" is not an RPC/],
      [{ tls: { cn_identity: true } }, /tls.cn_identity needs tls.cert and tls.key/],
      [{ health: { open_to_authenticated: 'yes' } }, /health.open_to_authenticated must be true or false/],
      [{ health: { open: true } }, /health.open is not a known setting/],
      [{ tls: { cert: '/c', key: '/k', cn_identity: 'yes' } }, /tls.cn_identity must be true or false/],
    ];
    for (const [raw, message] of cases) {
      assert.throws(() => resolveConfig(raw, {}), (e) => isSignetError(e, 'CONFIG') && message.test(e.message), String(message));
    }
  });
});

describe('configuration of TLS and authorization', () => {
  it('when client certificates are required without a client CA, refuses (the public roots would be trusted)', () => {
    assert.throws(
      () => resolveConfig({ tls: { cert: '/c.pem', key: '/k.pem', require_client_cert: true } }, {}),
      (e) => isSignetError(e, 'CONFIG') && /tls.require_client_cert needs tls.client_ca/.test(e.message),
    );
  });

  it('when authorization rules are given without mutual TLS, refuses (every caller would be anonymous)', () => {
    for (const tls of [undefined, { cert: '/c.pem', key: '/k.pem' }]) {
      assert.throws(
        () => resolveConfig({ tls, authorization: [{ identity: '*', rpcs: ['*'] }] }, {}),
        (e) => isSignetError(e, 'CONFIG') && /authorization needs mutual TLS/.test(e.message),
      );
    }
  });
});
