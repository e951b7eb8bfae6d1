// `signet serve` with its ledger and signing keys in SoftHSM, through two real outages (1 s and 10 s)
// under load: refusals are UNAVAILABLE with retry-after, health and metrics follow each key, the log
// says each change once, no acknowledged receipt is lost and `signet ledger verify` is valid after.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import type { ChildProcess } from 'node:child_process';
import * as grpc from '@grpc/grpc-js';
import { serviceClient, signingClient, unary } from '../../src/client/grpc.js';
import type { LedgerServiceClient } from '../../src/gen/signet/v1/LedgerService.js';
import type { SigningServiceClient } from '../../src/gen/signet/v1/SigningService.js';
import { openSigner } from '../../src/signers/index.js';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { healthCheck } from '../helpers/std-clients.js';
import { directoryMoved } from '../helpers/token-faults.js';
import { verifyIndependently } from '../signers/conformance.js';

const token = softhsmToken();
const OUTAGES_MS = [1000, 10_000];

interface Failure {
  what: string;
  code: grpc.status;
  details: string;
  retryAfter: string | undefined;
  at: number;
}

describe('signet serve through SoftHSM outages', () => {
  let dir: string;
  let child: ChildProcess;
  let stderr = '';
  let address: string;
  let metricsPort: number;
  let ledgerPem: string;
  let signPem: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'signet-outage-e2e-'));
    const ledgerUri = await softhsmKey('Ed25519', 'e2e-outage-ledger');
    const signUri = await softhsmKey('ES256', 'e2e-outage-default');
    for (const [uri, set] of [[ledgerUri, (p: string) => (ledgerPem = p)], [signUri, (p: string) => (signPem = p)]] as const) {
      const s = await openSigner(uri);
      set((await s.publicKey()).pem);
      await s.close();
    }
    writeFileSync(join(dir, 'ledger.pub.pem'), ledgerPem);
    const config = {
      listen: '127.0.0.1:0',
      plaintext: true,
      data_dir: dir,
      keys: { default: signUri, ledger: ledgerUri, issuer: `file:${dir}/issuer.pem?create=true&alg=ed25519` },
      credentials: { enabled: false },
      metrics: { listen: '127.0.0.1:0' },
      ledger: { batch: { max_delay_ms: 5 } },
    };
    writeFileSync(join(dir, 'signet.json'), JSON.stringify(config));
    child = spawnCli(['serve', '--config', join(dir, 'signet.json')]);
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const seen = await waitForLine(child, /"msg":"signet serving"/, 60_000);
    const line = JSON.parse(seen.split('\n').find((l) => l.includes('"msg":"signet serving"'))!);
    address = `127.0.0.1:${line.port}`;
    metricsPort = line.metricsPort;
  });
  after(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const keyUp = async (key: string): Promise<number | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const m = new RegExp(`^signet_key_backend_up\\{key="${key}",driver="pkcs11"\\} (\\d)$`, 'm').exec(text);
    return m ? Number(m[1]) : undefined;
  };

  it('refuses with UNAVAILABLE while the token is away, flips health and metrics, logs each change once, and loses no acknowledged receipt', { timeout: 120_000 }, async (t) => {
    const ledger = serviceClient<LedgerServiceClient>('signet.v1.LedgerService', address);
    const signing: SigningServiceClient = signingClient(address);
    const acked: { index: number; entry: Buffer; at: number }[] = [];
    const windows: { from: number; to: number }[] = [];
    const failures: Failure[] = [];
    const unverified: string[] = [];
    let stopped = false;
    const failed = (what: string, err: unknown) => {
      const e = err as grpc.ServiceError;
      failures.push({ what, code: e.code, details: e.details, retryAfter: e.metadata?.get('retry-after')[0]?.toString(), at: Date.now() });
    };
    const appenders = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stopped; i++) {
        const receipt = {
          agent: `agent-${w}`,
          action: 'repo.push',
          resource: `git://repo/${w}/${i}`,
          request_sha256: createHash('sha256').update(`req ${w} ${i}`).digest('hex'),
          response_sha256: createHash('sha256').update(`res ${w} ${i}`).digest('hex'),
          outcome: 'success',
          jti: `jti-${w}-${i}`,
        };
        try {
          const r = await unary(ledger, ledger.AppendReceipt, { receipt }, { timeoutMs: 15_000 });
          acked.push({ index: Number(r.index), entry: Buffer.from(r.entry), at: Date.now() });
        } catch (err) {
          failed('AppendReceipt', err);
        }
        await sleep(5);
      }
    });
    const signers = Array.from({ length: 2 }, async (_, w) => {
      for (let i = 0; !stopped; i++) {
        const message = Buffer.from(`sign ${w} ${i}`);
        try {
          const r = await unary(signing, signing.Sign, { key: 'default', message }, { timeoutMs: 15_000 });
          if (!verifyIndependently(signPem, 'ES256', message, r.signature)) unverified.push(message.toString());
        } catch (err) {
          failed('Sign', err);
        }
        await sleep(5);
      }
    });
    const health: Record<string, string[]> = { 'signet.key.ledger': [], 'signet.key.default': [], 'signet.v1.LedgerService': [], '': [] };
    const poll = (async () => {
      while (!stopped) {
        for (const [service, seen] of Object.entries(health)) {
          const status = await healthCheck(address, service).catch((e: Error) => `error ${e.message}`);
          if (seen.at(-1) !== status) seen.push(status);
        }
        await sleep(50);
      }
    })();
    const metricsDuring: (number | undefined)[] = [];

    try {
      let healthyFrom = Date.now();
      for (const ms of OUTAGES_MS) {
        await sleep(1000);
        windows.push({ from: healthyFrom, to: Date.now() });
        const fault = directoryMoved(token);
        fault.inject();
        try {
          await sleep(Math.min(ms, 800));
          metricsDuring.push(await keyUp('ledger'));
          await sleep(Math.max(0, ms - 800));
        } finally {
          fault.restore();
        }
        const restoredAt = Date.now();
        const before = acked.length;
        while (acked.length === before || health['signet.key.ledger']!.at(-1) !== 'SERVING') {
          assert.ok(Date.now() - restoredAt < 20_000, `appends and health resumed by themselves after the token came back; health ${JSON.stringify(health)}; log:\n${stderr.slice(-3000)}`);
          await sleep(20);
        }
        healthyFrom = Date.now();
      }
      await sleep(1000);
      windows.push({ from: healthyFrom, to: Date.now() });
    } finally {
      stopped = true;
      await Promise.all([...appenders, ...signers, poll]);
    }

    // During each outage: UNAVAILABLE with a retry-after, never "no such key".
    assert.ok(failures.length > 100, `${failures.length} calls refused`);
    for (const f of failures) {
      assert.equal(f.code, grpc.status.UNAVAILABLE, `${f.what}: ${f.code} ${f.details}`);
      assert.ok(Number(f.retryAfter) >= 1, `${f.what}: retry-after ${f.retryAfter} on ${f.details}`);
      assert.doesNotMatch(f.details, /create one|no private key/);
    }
    assert.deepEqual(unverified, []);

    // Health and metrics name the keys; the process itself stays SERVING.
    for (const service of ['signet.key.ledger', 'signet.key.default', 'signet.v1.LedgerService']) {
      assert.deepEqual(health[service], ['SERVING', 'NOT_SERVING', 'SERVING', 'NOT_SERVING', 'SERVING'], service);
    }
    assert.deepEqual(health[''], ['SERVING']);
    assert.deepEqual(metricsDuring, [0, 0]);
    assert.equal(await keyUp('ledger'), 1);

    // Every acknowledged receipt is in the ledger, as acknowledged.
    for (const w of windows) assert.ok(acked.some((a) => a.at >= w.from && a.at <= w.to), 'receipts acknowledged before, between and after the outages');
    assert.equal(new Set(acked.map((a) => a.index)).size, acked.length, 'no index acknowledged twice');
    for (const a of acked) {
      const stored = await unary(ledger, ledger.GetEntry, { index: a.index });
      assert.ok(Buffer.from(stored.entry).equals(a.entry), `entry ${a.index} is what was acknowledged`);
    }
    ledger.close();
    signing.close();

    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));

    // The log: one line per change of state per key, not one per refused call.
    const lines = stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; key?: string; retryEverySeconds?: number });
    for (const key of ['ledger', 'default']) {
      const changes = lines.filter((l) => l.key === key && /^key backend/.test(l.msg)).map((l) => l.msg);
      assert.deepEqual(
        changes,
        [0, 1].flatMap(() => ['key backend unavailable: calls get UNAVAILABLE; retrying every 2 s', 'key backend available again']),
        key,
      );
    }
    const perCall = lines.filter((l) => l.msg === 'request failed');
    assert.ok(perCall.length <= 10, `${perCall.length} per-call failure lines for ${failures.length} refused calls`);
    t.diagnostic(`${acked.length} receipts acknowledged, ${failures.length} calls refused, ${lines.length} log lines (${perCall.length} per-call)`);

    const verify = runCli(['ledger', 'verify', '--db', join(dir, 'ledger.db'), '--key', join(dir, 'ledger.pub.pem')]);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
    const checked = Number(/\((\d+) entries/.exec(verify.stdout)?.[1]);
    assert.match(verify.stdout, /^valid: /);
    assert.ok(checked >= acked.length, `${checked} entries verified, ${acked.length} acknowledged`);
  });
});
