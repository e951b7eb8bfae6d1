import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { redactUrl } from '../../src/lib/pg.js';
import { join } from 'node:path';
import { loadConfig, resolveConfig } from '../../src/server/config.js';
import { REPO } from '../helpers/cli.js';

const URL_WITH_PASSWORD = 'postgres://signet:hunter2-secret@db.internal:5432/signet?sslmode=require';

describe('configuration of the shared PostgreSQL store', () => {
  it('by default both stores are SQLite and no database is configured', () => {
    const c = resolveConfig({}, {});
    assert.equal(c.ledger.store, 'sqlite');
    assert.equal(c.credentials.store, 'sqlite');
    assert.equal(c.postgres, undefined);
  });

  it('ledger.store: postgres takes the URL from postgres.url or SIGNET_DATABASE_URL (which wins), and the credential state follows it', () => {
    const fromFile = resolveConfig({ ledger: { store: 'postgres' }, postgres: { url: 'postgres://a@h/db', schema: 'prod_ledger', pool_size: 4 } }, {});
    assert.deepEqual(fromFile.postgres, { url: 'postgres://a@h/db', schema: 'prod_ledger', poolSize: 4, lockTimeoutMs: 10_000 });
    assert.equal(fromFile.credentials.store, 'postgres');
    const fromEnv = resolveConfig({ ledger: { store: 'postgres' }, postgres: { url: 'postgres://a@h/db' } }, { SIGNET_DATABASE_URL: URL_WITH_PASSWORD });
    assert.equal(fromEnv.postgres!.url, URL_WITH_PASSWORD);
    assert.equal(fromEnv.postgres!.schema, 'signet');
    const split = resolveConfig({ ledger: { store: 'postgres' }, credentials: { store: 'sqlite' } }, { SIGNET_DATABASE_URL: 'postgresql://h/db' });
    assert.equal(split.credentials.store, 'sqlite');
  });

  it('each mistake is one CONFIG error naming the field, and none repeats the URL', () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ ledger: { store: 'postgres' } }, /postgres.url is required when a store is postgres/],
      [{ credentials: { store: 'postgres' } }, /postgres.url is required/],
      [{ ledger: { store: 'mysql' } }, /ledger.store is sqlite or postgres/],
      [{ ledger: { store: 'postgres' }, postgres: { url: 'mysql://u:hunter2-secret@h/db' } }, /postgres.url must be a postgres:\/\/ or postgresql:\/\/ URL/],
      [{ ledger: { store: 'postgres' }, postgres: { url: URL_WITH_PASSWORD, schema: 'Bad-Name' } }, /postgres.schema is 1–63 of a-z/],
      [{ ledger: { store: 'postgres' }, postgres: { url: URL_WITH_PASSWORD, pool_size: 0 } }, /postgres.pool_size must be a whole number/],
      [{ postgres: { url: URL_WITH_PASSWORD, password: 'x' } }, /postgres.password is not a known setting/],
    ];
    for (const [raw, message] of cases) {
      assert.throws(() => resolveConfig(raw, {}), (e) => isSignetError(e, 'CONFIG') && message.test(e.message) && !e.message.includes('hunter2'), String(message));
    }
  });

  it("docker-compose's replica config puts the ledger and the credential state on PostgreSQL, the URL from SIGNET_DATABASE_URL", () => {
    const { config } = loadConfig(join(REPO, 'softhsm', 'signet.replicas.yaml'), { SIGNET_DATABASE_URL: 'postgres://signet:pw@postgres:5432/signet', SIGNET_PIN: '1234' });
    assert.deepEqual([config.ledger.store, config.credentials.store, config.postgres?.url, config.postgres?.schema], ['postgres', 'postgres', 'postgres://signet:pw@postgres:5432/signet', 'signet']);
    assert.throws(() => loadConfig(join(REPO, 'softhsm', 'signet.replicas.yaml'), {}), (e) => isSignetError(e, 'CONFIG') && /SIGNET_DATABASE_URL/.test(e.message));
  });

  it('a URL is logged with its password redacted, in the userinfo and in a password parameter', () => {
    assert.equal(redactUrl(URL_WITH_PASSWORD), 'postgres://signet:REDACTED@db.internal:5432/signet?sslmode=require');
    assert.equal(redactUrl('postgres://u@h/db?password=hunter2-secret'), 'postgres://u@h/db?password=REDACTED');
    assert.equal(redactUrl('postgres://u@h/db'), 'postgres://u@h/db');
    assert.ok(!redactUrl('postgres://u:hunter2-secret@[not a url').includes('hunter2'));
  });
});
