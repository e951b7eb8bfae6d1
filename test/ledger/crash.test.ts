// Crash safety: a ledger server process is killed with SIGKILL while clients append, again and
// again; after each restart every receipt a client was answered is in the ledger with a valid proof.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { SignetClient } from '../../src/client/client.js';
import type { AppendReceiptRequest } from '../../src/gen/signet/v1/AppendReceiptRequest.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { openSigner } from '../../src/signers/registry.js';
import { REPO } from '../helpers/cli.js';
import { checkNote, rootFromInclusion } from './independent.js';
import { hexOf, tempLedgerDir, type TempLedgerDir } from './fixtures.js';

const ROUNDS = 10;
const WORKERS = 6;
const ORIGIN = 'signet.test/crash';
const CHILD = join(REPO, 'test', 'helpers', 'ledger-child.ts');

function startChild(db: string, key: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, db, key, ORIGIN], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.stderr!.on('data', (d) => (err += d));
    child.once('exit', (code) => reject(new Error(`ledger child exited (${code}) before serving: ${err}`)));
  });
}

interface Ack {
  entry: Buffer;
  resource: string;
}

describe('crash safety', () => {
  let t: TempLedgerDir;
  before(async () => {
    t = await tempLedgerDir();
  });
  after(async () => t.cleanup());

  it(`when the server is killed with SIGKILL mid-append ${ROUNDS} times and restarted, every acknowledged receipt is there with a valid proof, no index is used twice, and VerifyChain is valid`, async (ctx) => {
    const keyPath = join(t.dir, 'ledger-key.pem');
    const acked = new Map<number, Ack>();
    let retry: AppendReceiptRequest[] = [];
    let failedCalls = 0;
    let seq = 0;

    const remember = (entry: Buffer, index: number) => {
      const resource = JSON.parse(entry.toString()).resource as string;
      const known = acked.get(index);
      if (known) assert.ok(known.entry.equals(entry), `index ${index} was acknowledged for two different entries`);
      acked.set(index, { entry, resource });
    };
    const request = (round: number, w: number): AppendReceiptRequest => {
      const n = ++seq;
      const resource = `crash/${round}/${w}/${n}`;
      return {
        receipt: { agent: `w${w}`, action: 'write', resource, request_sha256: hexOf(`q${n}`), response_sha256: hexOf(`r${n}`), outcome: 'success' },
        idempotency_key: n % 2 === 0 ? resource : '',
      };
    };

    for (let round = 0; round < ROUNDS; round++) {
      const { child, port } = await startChild(t.db, keyPath);
      const exited = new Promise((ok) => child.once('exit', ok));
      // No client-side retries: the test itself retries, across restarts, what went unanswered.
      const signet = new SignetClient({ address: `127.0.0.1:${port}`, retry: false });
      const client = signet.ledger;
      const before = acked.size;
      let stop = false;
      const toRetry = retry;
      retry = [];
      const worker = async (w: number) => {
        while (!stop) {
          const many = w % 3 === 0;
          const reqs = w === 0 && toRetry.length > 0 ? toRetry.splice(0, 20) : Array.from({ length: many ? 20 : 1 }, () => request(round, w));
          try {
            if (reqs.length === 1) {
              const r = await client.appendReceipt(reqs[0]!);
              remember(r.entry, r.index);
            } else {
              const res = await client.appendReceipts({ receipts: reqs });
              res.receipts.forEach((r) => remember(r.entry, r.index));
            }
          } catch {
            failedCalls++;
            // Unanswered appends with an idempotency key are retried after the restart.
            retry.push(...reqs.filter((r) => r.idempotency_key));
            if (stop) return;
          }
        }
      };
      const workers = Array.from({ length: WORKERS }, (_, w) => worker(w));
      const waitUntil = Date.now() + 15_000;
      while (acked.size === before && Date.now() < waitUntil) await sleep(5);
      await sleep(50 + Math.floor(Math.random() * 250));
      child.kill('SIGKILL');
      await exited;
      stop = true;
      await Promise.allSettled(workers);
      signet.close();
      assert.ok(acked.size > before, `round ${round}: some appends were acknowledged before the kill`);
    }
    assert.ok(failedCalls > 0, 'some calls were cut off by the kills');

    // Restart once more (in process) and check everything a client was ever told.
    const signer = await openSigner(`file://${keyPath}`);
    const ledger = await Ledger.open({ path: t.db, signer, origin: ORIGIN });
    try {
      const latest = await ledger.reader.latest();
      const cp = checkNote(latest.note, t.pem);
      for (const [index, ack] of acked) {
        const stored = await ledger.reader.entry(index);
        assert.ok(Buffer.from(stored.entry).equals(ack.entry), `entry ${index} is the one acknowledged`);
        const { proof } = await ledger.reader.inclusion(index);
        assert.ok(rootFromInclusion(stored.leafHash, index, cp.size, proof).equals(cp.root), `entry ${index} is proved in the latest checkpoint`);
      }
      const resources = new Set<string>();
      const { entries } = { entries: await ledger.store.entries(0, ledger.size) };
      for (const e of entries) {
        const resource = JSON.parse(Buffer.from(e.entry).toString()).resource as string;
        assert.ok(!resources.has(resource), `${resource} is in the ledger once, retries included`);
        resources.add(resource);
      }
      const report = await ledger.verifyChain();
      assert.equal(report.valid, true, report.reason);
      assert.equal(report.entriesChecked, ledger.size);
      assert.ok(ledger.size >= acked.size);
      ctx.diagnostic(`${ROUNDS} kills; ${acked.size} receipts acknowledged, ${ledger.size} entries in the ledger, ${failedCalls} calls cut off`);
    } finally {
      await ledger.close();
      await signer.close();
    }
  });
});
