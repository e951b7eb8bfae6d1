// awskms driver throughput against the AWS KMS emulator with injected latency: one call at a time,
// 64 calls in flight, and signMany batches — concurrency, not the backend's latency, sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/awskms/driver.js';
import type { KeyAlgorithm, Signer } from '../src/signers/contract.js';
import { openSigner } from '../src/signers/registry.js';
import { createAwsKmsTestKey, startAwsKmsEmulator } from '../test/emulators/aws-kms.js';

export interface AwsKmsBenchOptions {
  latencyMs: number;
  /** Calls in flight for the concurrent figure. */
  inFlight: number;
  /** How long each figure is measured. */
  durationMs: number;
  /** Messages per signMany call (KMS has no batch Sign: the driver sends them, max-in-flight at once). */
  batchSize: number;
  /** The driver's max-in-flight for signMany. */
  batchInFlight: number;
  algorithms: KeyAlgorithm[];
}

export interface AwsKmsBenchFigures {
  algorithm: KeyAlgorithm;
  sequentialPerSec: number;
  concurrentPerSec: number;
  batchedPerSec: number;
  /** Mean time of one signMany call of batchSize messages. */
  batchCallMs: number;
  /** CPU time (client + emulator, one process) per signature in the 64-in-flight run. */
  cpuMsPerSig: number;
}

const DEFAULTS: AwsKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 2000, batchSize: 256, batchInFlight: 64, algorithms: ['Ed25519', 'ES256'] };

export async function benchAwsKms(options: Partial<AwsKmsBenchOptions> = {}): Promise<AwsKmsBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulator = await startAwsKmsEmulator();
  const figures: AwsKmsBenchFigures[] = [];
  try {
    for (const algorithm of o.algorithms) {
      const { uri, env } = await createAwsKmsTestKey(emulator, algorithm, {
        alias: `alias/bench-${algorithm.toLowerCase()}`,
        params: `max-in-flight=${o.batchInFlight}`,
      });
      const signer = await openSigner(uri, { env });
      try {
        await signer.sign({ message: Buffer.from('warm-up') });
        emulator.faults.latency(o.latencyMs);
        const sequential = await rate(o.durationMs, 1, async (i) => void (await sign(signer, i)));
        const cpu = process.cpuUsage();
        const concurrent = await rate(o.durationMs, o.inFlight, async (i) => void (await sign(signer, i)));
        const used = process.cpuUsage(cpu);
        let batchCalls = 0;
        const batched = await rate(o.durationMs, 1, async (i) => {
          const inputs = Array.from({ length: o.batchSize }, (_, k) => ({ message: Buffer.from(`receipt ${i}.${k}`) }));
          await signer.signMany(inputs, { deadline: Date.now() + 30_000 });
          batchCalls++;
        });
        figures.push({
          algorithm,
          sequentialPerSec: sequential.perSec,
          concurrentPerSec: concurrent.perSec,
          batchedPerSec: batched.perSec * o.batchSize,
          batchCallMs: batched.elapsedMs / Math.max(1, batchCalls),
          cpuMsPerSig: (used.user + used.system) / 1000 / Math.max(1, concurrent.done),
        });
      } finally {
        emulator.faults.clear();
        await signer.close();
      }
    }
  } finally {
    await emulator.stop();
  }
  return figures;
}

function sign(signer: Signer, i: number) {
  return signer.sign({ message: Buffer.from(`message ${i}`) }, { deadline: Date.now() + 10_000 });
}

/** Runs `op` with `workers` in flight until the time is up; returns completed ops per second. */
async function rate(durationMs: number, workers: number, op: (i: number) => Promise<void>): Promise<{ perSec: number; elapsedMs: number; done: number }> {
  let done = 0;
  let next = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < end) {
        await op(next++);
        done++;
      }
    }),
  );
  const elapsedMs = performance.now() - start;
  return { perSec: (done * 1000) / elapsedMs, elapsedMs, done };
}

export function formatAwsKmsFigures(figures: AwsKmsBenchFigures[], o: Partial<AwsKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize, batchInFlight } = { ...DEFAULTS, ...o };
  const lines = [`# awskms driver vs AWS KMS emulator (JSON 1.1 + SigV4 over HTTP), ${latencyMs} ms injected latency per request`];
  for (const f of figures) {
    lines.push(
      `${f.algorithm.padEnd(8)} one call at a time        ${f.sequentialPerSec.toFixed(0).padStart(8)} sig/s`,
      `${f.algorithm.padEnd(8)} ${String(inFlight).padStart(3)} calls in flight        ${f.concurrentPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.concurrentPerSec / f.sequentialPerSec).toFixed(1)}; ${f.cpuMsPerSig.toFixed(2)} ms CPU per signature)`,
      `${f.algorithm.padEnd(8)} signMany of ${String(batchSize).padEnd(4)} (${batchInFlight} fly) ${f.batchedPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.batchedPerSec / f.sequentialPerSec).toFixed(1)}, ${f.batchCallMs.toFixed(0)} ms per signMany)`,
    );
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchAwsKms({ durationMs });
  for (const line of formatAwsKmsFigures(figures, { durationMs })) console.log(line);
}
