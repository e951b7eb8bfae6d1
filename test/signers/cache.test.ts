// TtlCache and the cache-ttl URI parameter, shared by the cloud drivers: one load in flight,
// expiry on a fake clock, stale value kept when a refresh fails.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { DEFAULT_CACHE_TTL_MS, TtlCache, cacheTtlFrom } from '../../src/signers/cache.js';

describe('TtlCache', () => {
  it('when many callers ask at once, one load serves them all', async () => {
    const cache = new TtlCache<string, number>(1_000);
    let loads = 0;
    const load = async () => {
      loads++;
      await new Promise((r) => setTimeout(r, 20));
      return 42;
    };
    const values = await Promise.all(Array.from({ length: 10 }, () => cache.get('k', load)));
    assert.deepEqual(values, Array(10).fill(42));
    assert.equal(loads, 1);
    assert.equal(await cache.get('k', load), 42);
    assert.equal(loads, 1, 'a fresh value is not loaded again');
  });

  it('when the TTL has passed, the next get loads again', async () => {
    let now = 0;
    const cache = new TtlCache<string, number>(100, () => now);
    let version = 1;
    const load = async () => version;
    assert.equal(await cache.get('k', load), 1);
    version = 2;
    now = 99;
    assert.equal(await cache.get('k', load), 1);
    now = 100;
    assert.equal(await cache.get('k', load), 2);
  });

  it('when a refresh fails, the stale value is kept; when the first load fails, the error surfaces', async () => {
    let now = 0;
    const cache = new TtlCache<string, string>(10, () => now);
    assert.equal(await cache.get('k', async () => 'v1'), 'v1');
    now = 20;
    assert.equal(await cache.get('k', async () => { throw new Error('backend down'); }), 'v1');
    await assert.rejects(cache.get('other', async () => { throw new Error('backend down'); }), /backend down/);
    assert.equal(cache.isFresh('k'), false);
    assert.equal(cache.peek('k'), 'v1');
  });
});

describe('cacheTtlFrom', () => {
  const ttl = (value?: string) => cacheTtlFrom(new Map(value === undefined ? [] : [['cache-ttl', value]]));
  it('reads seconds, ms, minutes and hours, 0, and the default', () => {
    assert.equal(ttl('300'), 300_000);
    assert.equal(ttl('500ms'), 500);
    assert.equal(ttl('30s'), 30_000);
    assert.equal(ttl('5m'), 300_000);
    assert.equal(ttl('1h'), 3_600_000);
    assert.equal(ttl('0'), 0);
    assert.equal(ttl(), DEFAULT_CACHE_TTL_MS);
  });
  it('when the value is not a duration, refuses it with CONFIG', () => {
    for (const bad of ['soon', '-1', '5 m', '1d']) {
      assert.throws(() => ttl(bad), (err) => isSignetError(err, 'CONFIG') && /cache-ttl/.test(err.message), bad);
    }
  });
});
