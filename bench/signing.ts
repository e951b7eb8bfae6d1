// Signing benchmark: raw async C_Sign on SoftHSM, a no-op gRPC unary call, Signet's Sign (one
// message per call) and SignBatch, all measured in this one run, and the ratios between them.
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { signingClient, unary } from '../src/client/grpc.js';
import { softhsmKey, softhsmToken } from '../test/helpers/softhsm.js';
import { startChild } from './lib/child-server.js';
import { fmt, ratioLine, runLoad } from './lib/load.js';
import { noopClient } from './lib/noop-server.js';
import { rawSignRate } from './pkcs11-raw.js';

const here = dirname(fileURLToPath(import.meta.url));

export interface SigningBenchOptions {
  durationMs: number;
  concurrency: number;
  batchSize: number;
  batchConcurrency: number;
  sessions: number;
  /** The pkcs11 driver's sign-threads (C_SignInit + C_Sign in worker threads); 0 = main thread + libuv. */
  signThreads: number;
}

export async function benchSigning(o: SigningBenchOptions = { durationMs: 4000, concurrency: 64, batchSize: 256, batchConcurrency: 8, sessions: 8, signThreads: 0 }): Promise<string[]> {
  const out: string[] = [];
  const log = (line: string) => {
    out.push(line);
    console.log(line);
  };
  const token = softhsmToken();
  const edUri = await softhsmKey('ed25519', 'bench-ed25519');
  const p256Uri = await softhsmKey('p256', 'bench-p256');
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-'));
  try {
    log(`# signing benchmark (${o.durationMs} ms per figure, ${o.concurrency} calls in flight, SoftHSM ${o.sessions} sessions, sign-threads=${o.signThreads})`);
    const raw: Record<string, number> = {};
    for (const [alg, label] of [['Ed25519', 'bench-ed25519'], ['ES256', 'bench-p256']] as const) {
      raw[alg] = await rawSignRate({ modulePath: token.modulePath, tokenLabel: token.label, pin: token.pin, keyLabel: label, alg, concurrency: o.sessions, durationMs: o.durationMs });
      log(`raw async C_Sign ${alg.padEnd(8)}                   ${fmt(raw[alg]!).padStart(10)} sig/s`);
    }

    const noop = await startChild([join(here, 'lib', 'noop-server.js')]);
    const nc = noopClient(`127.0.0.1:${noop.port}`);
    const payload = Buffer.alloc(64, 7);
    const noopRate = await runLoad(() => unary(nc, nc.Echo as never, { key: 'bench', message: payload }), { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 500 });
    nc.close();
    await noop.stop();
    log(`no-op gRPC unary                           ${fmt(noopRate.rate).padStart(10)} calls/s  p50 ${noopRate.p50Ms.toFixed(2)} ms  p99 ${noopRate.p99Ms.toFixed(2)} ms`);

    const config = join(dir, 'signet.yaml');
    writeFileSync(
      config,
      `listen: 127.0.0.1:0\ndata_dir: ${dir}\nkeys:\n  ed: "${edUri}&max-sessions=${o.sessions}&sign-threads=${o.signThreads}"\n  p256: "${p256Uri}&max-sessions=${o.sessions}&sign-threads=${o.signThreads}"\nlimits:\n  max_batch: ${o.batchSize}\nledger:\n  enabled: false\ncredentials:\n  enabled: false\n`,
    );
    const signet = await startChild([join(here, '..', 'src', 'cli', 'main.js'), 'serve', '--config', config], { SIGNET_LOG_LEVEL: 'info' });
    const sc = signingClient(`127.0.0.1:${signet.port}`);
    const rates: Record<string, { one: number; batched: number }> = {};
    for (const [alg, key] of [['Ed25519', 'ed'], ['ES256', 'p256']] as const) {
      const one = await runLoad(() => unary(sc, sc.Sign, { key, message: payload }), { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 500 });
      const messages = Array.from({ length: o.batchSize }, (_, i) => Buffer.from(`receipt ${i} `.padEnd(64, '.')));
      const batch = await runLoad(() => unary(sc, sc.SignBatch, { key, messages }), { concurrency: o.batchConcurrency, durationMs: o.durationMs, warmupMs: 500 });
      rates[alg] = { one: one.rate, batched: batch.rate * o.batchSize };
      log(`Signet Sign ${alg.padEnd(8)} (one per call)         ${fmt(one.rate).padStart(10)} sig/s    p50 ${one.p50Ms.toFixed(2)} ms  p99 ${one.p99Ms.toFixed(2)} ms`);
      log(`Signet SignBatch ${alg.padEnd(8)} (${o.batchSize} per call)     ${fmt(batch.rate * o.batchSize).padStart(10)} sig/s`);
    }
    sc.close();
    await signet.stop();

    log('');
    for (const alg of ['Ed25519', 'ES256'] as const) {
      log(ratioLine(`Sign ${alg} ÷ no-op gRPC`, rates[alg]!.one / noopRate.rate, 0.7));
      log(ratioLine(`SignBatch ${alg} ÷ raw C_Sign`, rates[alg]!.batched / raw[alg]!, 0.9));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  benchSigning().then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
