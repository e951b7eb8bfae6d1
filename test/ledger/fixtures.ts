// Shared pieces of the ledger tests: a temp directory, a file-held ledger key, sample receipts.
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LedgerRecord } from '../../src/ledger/contract.js';
import '../../src/signers/file/driver.js';
import { openSigner } from '../../src/signers/registry.js';
import type { Signer } from '../../src/signers/contract.js';

export const ORIGIN = 'signet.test/ledger';

export interface TempLedgerDir {
  dir: string;
  db: string;
  signer: Signer;
  pem: string;
  cleanup(): Promise<void>;
}

export async function tempLedgerDir(alg: 'ed25519' | 'p256' = 'ed25519'): Promise<TempLedgerDir> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-ledger-'));
  const signer = await openSigner(`file://${dir}/ledger-key.pem?create=true&alg=${alg}`);
  const pem = (await signer.publicKey()).pem;
  return {
    dir,
    db: join(dir, 'ledger.db'),
    signer,
    pem,
    async cleanup() {
      await signer.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const hexOf = (text: string) => createHash('sha256').update(text).digest('hex');

export function receipt(i: number, extra: Record<string, unknown> = {}): LedgerRecord {
  return {
    type: 'receipt',
    agent: `agent-${i % 7}`,
    action: 'files.read',
    resource: `s3://bucket/object-${i}`,
    request_sha256: hexOf(`request ${i}`),
    response_sha256: hexOf(`response ${i}`),
    outcome: 'success',
    ...extra,
  };
}
