// bin/signet.cjs, the package's `signet` command: it sizes libuv's threadpool before Node starts
// it, which the threads of the running server show in /proc; a size the operator set is kept.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO, waitForLine } from '../helpers/cli.js';

const LAUNCHER = join(REPO, 'bin', 'signet.cjs');

/** Threads of a `signet serve` started through the launcher, counted once it serves. */
async function serveThreads(threadpool: string | undefined): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-launcher-'));
  const env: NodeJS.ProcessEnv = { ...process.env, SIGNET_DATA_DIR: dir, SIGNET_LISTEN: '127.0.0.1:0', SIGNET_LOG_LEVEL: 'info' };
  delete env.UV_THREADPOOL_SIZE;
  delete env.SIGNET_CONFIG;
  if (threadpool !== undefined) env.UV_THREADPOOL_SIZE = threadpool;
  const child = spawn(process.execPath, [LAUNCHER, 'serve'], { cwd: dir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitForLine(child, /"msg":"signet serving"/, 60_000);
    return readdirSync(`/proc/${child.pid}/task`).length;
  } finally {
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the signet launcher', () => {
  it('sizes libuv\'s threadpool before it starts: 24 threads by default, the operator\'s UV_THREADPOOL_SIZE when set', { timeout: 180_000 }, async () => {
    // The same server three times; only the threadpool differs, and libuv starts all of its threads at once.
    const withFour = await serveThreads('4');
    const byDefault = await serveThreads(undefined);
    const withNine = await serveThreads('9');
    assert.equal(byDefault - withFour, 20, `${byDefault} threads by default, ${withFour} with UV_THREADPOOL_SIZE=4`);
    assert.equal(withNine - withFour, 5, `${withNine} threads with UV_THREADPOOL_SIZE=9, ${withFour} with 4`);
  });
});
