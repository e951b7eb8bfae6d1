// gcpkms driver throughput against the Cloud KMS emulator (its own process) with injected latency:
// one call at a time, 64 in flight, signMany batches — concurrency, not the backend's latency, sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/gcpkms/driver.js';
import type { KeyAlgorithm, Signer } from '../src/signers/contract.js';
import { openSigner } from '../src/signers/registry.js';
import { spawnGcpKmsEmulator } from '../test/emulators/gcp-kms-process.js';

export interface GcpKmsBenchOptions {
  latencyMs: number;
  /** Calls in flight for the concurrent figure. */
  inFlight: number;
  /** How long each figure is measured. */
  durationMs: number;
  /** Messages per signMany call (Cloud KMS has no batch call: the driver sends them concurrently, max-in-flight 64). */
  batchSize: number;
  algorithms: KeyAlgorithm[];
}

export interface GcpKmsBenchFigures {
  algorithm: KeyAlgorithm;
  sequentialPerSec: number;
  concurrentPerSec: number;
  batchedPerSec: number;
  /** Mean time of one signMany call of batchSize messages. */
  batchCallMs: number;
}

const DEFAULTS: GcpKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 3000, batchSize: 256, algorithms: ['Ed25519', 'ES256'] };

export async function benchGcpKms(options: Partial<GcpKmsBenchOptions> = {}): Promise<GcpKmsBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  const emulator = await spawnGcpKmsEmulator(o.latencyMs);
  const figures: GcpKmsBenchFigures[] = [];
  try {
    for (const algorithm of o.algorithms) {
      const { uri, env } = emulator.keys[algorithm];
      const signer = await openSigner(uri, { env });
      try {
        await signer.sign({ message: Buffer.from('warm-up') });
        const sequential = await rate(o.durationMs, 1, async (i) => void (await sign(signer, i)));
        const concurrent = await rate(o.durationMs, o.inFlight, async (i) => void (await sign(signer, i)));
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
        });
      } finally {
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
async function rate(durationMs: number, workers: number, op: (i: number) => Promise<void>): Promise<{ perSec: number; elapsedMs: number }> {
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
  return { perSec: (done * 1000) / elapsedMs, elapsedMs };
}

export function formatGcpKmsFigures(figures: GcpKmsBenchFigures[], o: Partial<GcpKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize } = { ...DEFAULTS, ...o };
  const lines = [`# gcpkms driver vs Cloud KMS emulator (gRPC + TLS, own process), ${latencyMs} ms injected latency per request`];
  for (const f of figures) {
    lines.push(
      `${f.algorithm.padEnd(8)} one call at a time      ${f.sequentialPerSec.toFixed(0).padStart(8)} sig/s`,
      `${f.algorithm.padEnd(8)} ${String(inFlight).padStart(3)} calls in flight      ${f.concurrentPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.concurrentPerSec / f.sequentialPerSec).toFixed(1)})`,
      `${f.algorithm.padEnd(8)} signMany of ${String(batchSize).padEnd(5)}       ${f.batchedPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.batchedPerSec / f.sequentialPerSec).toFixed(1)}, ${f.batchCallMs.toFixed(0)} ms per signMany)`,
    );
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchGcpKms({ durationMs });
  for (const line of formatGcpKmsFigures(figures, { durationMs })) console.log(line);
}
