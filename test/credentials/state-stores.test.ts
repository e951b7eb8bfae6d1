// The credential state stores as conditions, run unchanged on SQLite and on PostgreSQL; on
// PostgreSQL also as two replicas (two connection pools) racing on the same facts.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Agent } from '../../src/credentials/agent-store.js';
import { openPgState, openSqliteState, type CredentialStateStores } from '../../src/credentials/state-stores.js';
import { isSignetError } from '../../src/lib/errors.js';
import { jwkThumbprint } from '../../src/signers/keys.js';
import type { PublicJwk } from '../../src/signers/contract.js';
import { testSchema, type TestSchema } from '../helpers/postgres.js';

function agent(id: string, owner: string, groups: string[]): Agent {
  return { id, name: `n-${id}`, owner, publicKeyJwk: { kty: 'OKP', crv: 'Ed25519', x: id } as PublicJwk, thumbprint: `t-${id}`, groups, labels: { l: id }, metadata: {}, createdAt: 1000 };
}

function ringKey() {
  const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as PublicJwk;
  return { kid: jwkThumbprint(jwk), algorithm: 'Ed25519' as const, jwk };
}

function conformance(name: string, open: () => Promise<{ state: CredentialStateStores; cleanup(): Promise<void> }>): void {
  describe(`${name} credential state (conformance)`, () => {
    let s: CredentialStateStores;
    let cleanup: () => Promise<void>;
    before(async () => {
      ({ state: s, cleanup } = await open());
    });
    after(async () => {
      await s.close();
      await cleanup();
    });

    it('stores agents, refuses a second registration of one id with ALREADY_EXISTS, and pages by id', async () => {
      // Ids differ in case and in bytes above ASCII, so byte order (not a locale's) is what pages.
      for (const [id, owner, groups] of [['b', 'o1', ['g1']], ['a', 'o2', ['g1', 'g2']], ['B', 'o1', []], ['é', 'o1', ['g2']]] as const) {
        await s.agents.insert(agent(id, owner, [...groups]));
      }
      await assert.rejects(s.agents.insert(agent('a', 'o9', [])), (e) => isSignetError(e, 'ALREADY_EXISTS'));
      assert.deepEqual(await s.agents.get('a'), agent('a', 'o2', ['g1', 'g2']));
      assert.equal(await s.agents.get('zz'), undefined);
      assert.deepEqual((await s.agents.list({ pageSize: 10 })).map((a) => a.id), ['B', 'a', 'b', 'é']);
      assert.deepEqual((await s.agents.list({ pageSize: 2, after: 'B' })).map((a) => a.id), ['a', 'b']);
      assert.deepEqual((await s.agents.list({ pageSize: 10, owner: 'o1' })).map((a) => a.id), ['B', 'b', 'é']);
      assert.deepEqual((await s.agents.list({ pageSize: 10, group: 'g2' })).map((a) => a.id), ['a', 'é']);
    });

    it('revokes an agent once, and a group in one step, naming the agents it revoked', async () => {
      assert.equal(await s.agents.revoke('b', 2000, 'lost'), true);
      assert.equal(await s.agents.revoke('b', 3000, 'again'), false);
      const b = (await s.agents.get('b'))!;
      assert.deepEqual([b.revokedAt, b.revokedReason], [2000, 'lost']);
      assert.deepEqual(await s.agents.revokeGroup('g1', 4000, 'incident'), ['a']);
      assert.deepEqual(await s.agents.revokeGroup('g1', 5000, 'incident'), []);
      assert.equal((await s.agents.get('é'))!.revokedAt, undefined);
    });

    it('consumes a single-use credential exactly once, undoes a consume, revokes once, and prunes the expired', async () => {
      const c = s.credentials;
      await c.markSingleUse('j1', 100);
      await c.markSingleUse('j1', 100);
      assert.equal(await c.isSingleUse('j1'), true);
      assert.equal(await c.isSingleUse('j2'), false);
      assert.equal(await c.consume('j1', 10, 100), true);
      assert.equal(await c.consume('j1', 11, 100), false);
      await c.unconsume('j1');
      assert.equal(await c.consume('j1', 12, 100), true);
      assert.equal(await c.revoke('j3', 10, 'leaked', 100), true);
      assert.equal(await c.revoke('j3', 11, 'leaked'), false);
      assert.equal(await c.isRevoked('j3'), true);
      assert.deepEqual(await c.status('j3'), { revoked: true, singleUse: false });
      assert.deepEqual(await c.status('j1'), { revoked: false, singleUse: true });
      assert.equal(await c.prune(100 + 3600), 0, 'kept for an hour past exp');
      assert.equal(await c.prune(100 + 3601), 3);
      assert.equal(await c.isSingleUse('j1'), false);
    });

    it('remembers the issuing key, retires the one before, and prunes retired keys', async () => {
      const [k1, k2] = [ringKey(), ringKey()];
      assert.deepEqual(await s.ring.makeCurrent(k1, 1000), []);
      assert.deepEqual(await s.ring.makeCurrent(k2, 2000), [{ ...k1, retiredAt: 2000 }]);
      const k3 = ringKey();
      await s.ring.addRetired(k3, 1500);
      await s.ring.prune(1600);
      assert.deepEqual(await s.ring.makeCurrent(k2, 3000), [{ ...k1, retiredAt: 2000 }]);
    });
  });
}

conformance('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-state-'));
  return { state: openSqliteState(join(dir, 'credentials.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

conformance('PostgreSQL', async () => {
  const db = await testSchema('creds');
  return { state: await openPgState({ url: db.url, schema: db.schema }, Date.now), cleanup: () => db.drop() };
});

describe('credential state shared by two replicas on PostgreSQL', () => {
  let db: TestSchema;
  let one: CredentialStateStores;
  let two: CredentialStateStores;
  const clock = { t: 1_000_000 };
  before(async () => {
    db = await testSchema('creds');
    // Two replicas opening an empty schema at the same instant: migrations run once.
    [one, two] = await Promise.all([openPgState({ url: db.url, schema: db.schema }, () => clock.t), openPgState({ url: db.url, schema: db.schema }, () => clock.t)]);
  });
  after(async () => {
    await one.close();
    await two.close();
    await db.drop();
  });

  it('migrated the credential tables once', async () => {
    const { rows } = await db.query("SELECT version FROM signet_migrations WHERE component = 'credentials' ORDER BY version");
    assert.deepEqual(rows, [{ version: 1 }, { version: 2 }]);
  });

  it('when both replicas race to consume each of 200 single-use credentials, exactly one consume wins for each', async () => {
    const jtis = Array.from({ length: 200 }, (_, i) => `race-${i}`);
    const results = await Promise.all(jtis.flatMap((j) => [one.credentials.consume(j, 1, 2), two.credentials.consume(j, 1, 2), one.credentials.consume(j, 1, 2)]));
    for (let i = 0; i < jtis.length; i++) {
      assert.equal(results.slice(3 * i, 3 * i + 3).filter(Boolean).length, 1, jtis[i]);
    }
  });

  it('when both replicas see the same nonce at once, exactly one accepts it; a nonce past its window may be used again', async () => {
    const nonces = Array.from({ length: 200 }, (_, i) => `agent|nonce-${i}`);
    const results = await Promise.all(nonces.flatMap((n) => [one.nonces!.remember(n, clock.t + 30_000), two.nonces!.remember(n, clock.t + 30_000)]));
    for (let i = 0; i < nonces.length; i++) assert.equal(results.slice(2 * i, 2 * i + 2).filter(Boolean).length, 1, nonces[i]);
    assert.equal(await two.nonces!.remember(nonces[0]!, clock.t + 30_000), false, 'a replay later, on the other replica');
    clock.t += 30_001;
    assert.equal(await one.nonces!.remember(nonces[0]!, clock.t + 30_000), true);
  });

  it('a revocation or registration on one replica is what the other reads next', async () => {
    await one.agents.insert(agent('shared', 'o', ['g']));
    assert.equal((await two.agents.get('shared'))!.id, 'shared');
    await two.credentials.revoke('jti-x', 1, 'r', 10);
    assert.equal(await one.credentials.isRevoked('jti-x'), true);
    assert.equal(await one.agents.revoke('shared', 5, 'r'), true);
    assert.equal((await two.agents.get('shared'))!.revokedAt, 5);
    assert.deepEqual(await Promise.all([one.agents.revokeGroup('g', 6, 'r'), two.agents.revokeGroup('g', 6, 'r')]), [[], []]);
  });

  it('a key rotation one replica records is loaded by the other', async () => {
    const [k1, k2] = [ringKey(), ringKey()];
    await one.ring.makeCurrent(k1, 1);
    await one.ring.makeCurrent(k2, 2);
    assert.deepEqual(await two.ring.makeCurrent(k2, 3), [{ ...k1, retiredAt: 2 }]);
  });
});
