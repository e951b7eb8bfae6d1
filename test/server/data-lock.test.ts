// One writer per data directory: a second `signet serve` on the same data directory (or the same
// ledger file) exits 2 naming the pid that holds it, and after kill -9 of the holder the next start succeeds.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { DataLock, lockDataPaths } from '../../src/server/data-lock.js';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-data-lock-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function exited(child: ReturnType<typeof spawnCli>): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((ok) => child.once('exit', (code) => ok(code)));
}

describe('the data directory lock, between two real signet processes', () => {
  it('a second serve on the same data directory exits 2 naming the first one\'s pid; after kill -9 of the first, a new start serves', async () => {
    const data = join(dir, 'shared');
    const env = { SIGNET_DATA_DIR: data, SIGNET_LISTEN: '127.0.0.1:0' };
    const first = spawnCli(['serve'], env);
    try {
      await waitForLine(first, /signet serving/, 60_000);
      const second = runCli(['serve'], env, 60_000);
      assert.equal(second.status, 2, second.stderr);
      const line = second.stderr.split('\n').find((l) => l.startsWith('signet: '));
      assert.match(line ?? second.stderr, new RegExp(`data directory ${data.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another signet \\(pid ${first.pid};`));
      assert.doesNotMatch(second.stderr, /key opened/, 'the second opened no key');
      assert.doesNotMatch(second.stderr, /SQLITE|constraint/i);

      first.kill('SIGKILL');
      await exited(first);
      assert.equal(readFileSync(join(data, 'signet.lock.pid'), 'utf8').trim(), String(first.pid), 'a kill -9 leaves its pid file behind');

      const third = spawnCli(['serve'], env);
      try {
        await waitForLine(third, /signet serving/, 60_000);
        assert.equal(readFileSync(join(data, 'signet.lock.pid'), 'utf8').trim(), String(third.pid));
      } finally {
        third.kill('SIGTERM');
        assert.equal(await exited(third), 0);
      }
      assert.equal(existsSync(join(data, 'signet.lock.pid')), false, 'a clean shutdown removes the pid file');
    } finally {
      first.kill('SIGKILL');
    }
  });

  it('two data directories sharing one ledger file: the second is refused naming the ledger', async () => {
    const ledger = join(dir, 'ledgers', 'shared.db');
    const first = spawnCli(['serve'], { SIGNET_DATA_DIR: join(dir, 'a'), SIGNET_LEDGER_PATH: ledger, SIGNET_LISTEN: '127.0.0.1:0' });
    try {
      await waitForLine(first, /signet serving/, 60_000);
      const second = runCli(['serve'], { SIGNET_DATA_DIR: join(dir, 'b'), SIGNET_LEDGER_PATH: ledger, SIGNET_LISTEN: '127.0.0.1:0' }, 60_000);
      assert.equal(second.status, 2, second.stderr);
      assert.match(second.stderr, new RegExp(`signet: database ${ledger.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is in use by another signet \\(pid ${first.pid};`));
    } finally {
      first.kill('SIGTERM');
      await exited(first);
    }
  });
});

describe('DataLock in one process', () => {
  it('when held, a second acquire is CONFIG naming this pid; once released it can be taken again', () => {
    const path = join(dir, 'inproc', 'signet.lock');
    const lock = DataLock.acquire(path, 'data directory inproc');
    assert.throws(
      () => DataLock.acquire(path, 'data directory inproc'),
      (e) => isSignetError(e, 'CONFIG') && e.message.includes(`(pid ${process.pid};`),
    );
    lock.release();
    lock.release();
    DataLock.acquire(path, 'data directory inproc').release();
  });

  it('lockDataPaths holds all or none: when a database lock is taken, the directory lock is let go', () => {
    const data = join(dir, 'all-or-none');
    const outside = join(dir, 'elsewhere', 'ledger.db');
    const ledgerLock = DataLock.acquire(`${outside}.lock`, 'database');
    assert.throws(() => lockDataPaths(data, [outside]), (e) => isSignetError(e, 'CONFIG') && /database .*ledger\.db is in use/.test(e.message));
    ledgerLock.release();
    lockDataPaths(data, [outside]).release();
    lockDataPaths(data, [join(data, 'ledger.db')]).release();
  });
});
