// A ledger key rotation at the server: the new key signs from now on, and the old key, listed in
// ledger.previous_keys, keeps the old checkpoints verifying; without it, start-up refuses.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { silentLogger } from '../../src/lib/logger.js';
import { isSignetError } from '../../src/lib/errors.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet } from '../../src/server/start.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const receipt = (action: string) => ({ type: 'receipt' as const, agent: 'did:key:z6Mk', action, resource: 'r', outcome: 'ok', request_sha256: sha('q'), response_sha256: sha('a') });

describe('ledger key rotation at the server', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-rotation-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const config = (ledgerKey: string, previous: string[] = []) =>
    resolveConfig(
      {
        listen: '127.0.0.1:0',
        plaintext: true,
        data_dir: dir,
        // Only the current ledger key is configured: a retired one left under keys would be served
        // by Sign, and start-up refuses that (test/server/reserved-key-aliases).
        keys: { [ledgerKey]: `file:${dir}/${ledgerKey}.pem?create=true`, issuer: `file:${dir}/i.pem?create=true` },
        ledger: { key: ledgerKey, previous_keys: previous },
      },
      {},
    );

  it('when the ledger key changes, start-up refuses until the old key is in previous_keys; then appends and VerifyChain work', async () => {
    const first = await startSignet(config('a'), silentLogger, {});
    try {
      await first.ledger!.append(receipt('read'));
    } finally {
      await first.shutdown();
    }

    await assert.rejects(startSignet(config('b'), silentLogger, {}), (e) => isSignetError(e) && /previous_keys/.test(e.message));

    const pubA = join(dir, 'a.pub.pem');
    writeFileSync(pubA, createPublicKey(createPrivateKey(readFileSync(join(dir, 'a.pem')))).export({ type: 'spki', format: 'pem' }));
    const second = await startSignet(config('b', [pubA]), silentLogger, {});
    try {
      await second.ledger!.append(receipt('write'));
      const report = await second.ledger!.verifyChain({});
      assert.equal(report.valid, true, JSON.stringify(report));
    } finally {
      await second.shutdown();
    }
  });

  it('when a previous key is neither a vkey nor a readable file, start-up names the entry', async () => {
    await assert.rejects(startSignet(config('a', [join(dir, 'missing.pem')]), silentLogger, {}), (e) => isSignetError(e, 'CONFIG') && /ledger.previous_keys\[0\]/.test(e.message));
  });
});
