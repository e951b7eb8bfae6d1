// azurekms driver throughput against the Azure Key Vault emulator (HTTPS, bearer tokens, in its own
// process) with injected latency: one call at a time, 64 in flight, signMany — concurrency sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/azurekms/driver.js';
import type { Signer } from '../src/signers/contract.js';
import { openSigner } from '../src/signers/registry.js';
import { startAzureEmulatorProcess } from './lib/azure-emulator-process.js';

export interface AzureKmsBenchOptions {
  latencyMs: number;
  /** Calls in flight for the concurrent figure. */
  inFlight: number;
  /** How long each figure is measured. */
  durationMs: number;
  /** Messages per signMany call (Key Vault has no batch sign: the driver sends them, max-in-flight at once). */
  batchSize: number;
  /** The driver's max-in-flight for signMany. */
  batchInFlight: number;
}

export interface AzureKmsBenchFigures {
  /** Key Vault has P-256 only. */
  algorithm: 'ES256';
  sequentialPerSec: number;
  concurrentPerSec: number;
  batchedPerSec: number;
  /** Mean time of one signMany call of batchSize messages. */
  batchCallMs: number;
  /** CPU time of this process (driver, SDK, TLS; the emulator runs apart) per signature at 64 in flight. */
  cpuMsPerSignature: number;
}

const DEFAULTS: AzureKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 2000, batchSize: 256, batchInFlight: 64 };

export async function benchAzureKms(options: Partial<AzureKmsBenchOptions> = {}): Promise<AzureKmsBenchFigures> {
  const o = { ...DEFAULTS, ...options };
  const emulator = await startAzureEmulatorProcess(o.latencyMs, { 'max-in-flight': String(o.batchInFlight) });
  try {
    const signer = await openSigner(emulator.uri, { env: emulator.env });
    try {
      // Warm the connection pool to the size each figure uses, so TLS handshakes are not measured.
      await Promise.all(Array.from({ length: Math.max(o.inFlight, o.batchInFlight) }, (_, i) => sign(signer, i)));
      const sequential = await rate(o.durationMs, 1, async (i) => void (await sign(signer, i)));
      const cpu = process.cpuUsage();
      const concurrent = await rate(o.durationMs, o.inFlight, async (i) => void (await sign(signer, i)));
      const used = process.cpuUsage(cpu);
      const cpuMsPerSignature = (used.user + used.system) / 1000 / Math.max(1, concurrent.done);
      let batchCalls = 0;
      const batched = await rate(o.durationMs, 1, async (i) => {
        const inputs = Array.from({ length: o.batchSize }, (_, k) => ({ message: Buffer.from(`receipt ${i}.${k}`) }));
        await signer.signMany(inputs, { deadline: Date.now() + 30_000 });
        batchCalls++;
      });
      return {
        algorithm: 'ES256',
        sequentialPerSec: sequential.perSec,
        concurrentPerSec: concurrent.perSec,
        batchedPerSec: (batchCalls * o.batchSize * 1000) / batched.elapsedMs,
        batchCallMs: batched.elapsedMs / Math.max(1, batchCalls),
        cpuMsPerSignature,
      };
    } finally {
      await signer.close();
    }
  } finally {
    await emulator.stop();
  }
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

export function formatAzureKmsFigures(f: AzureKmsBenchFigures, o: Partial<AzureKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize, batchInFlight } = { ...DEFAULTS, ...o };
  return [
    `# azurekms driver vs Azure Key Vault emulator (REST over HTTPS, bearer token, separate process), ${latencyMs} ms injected latency per request`,
    `ES256    one call at a time        ${f.sequentialPerSec.toFixed(0).padStart(8)} sig/s`,
    `ES256    ${String(inFlight).padStart(3)} calls in flight        ${f.concurrentPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.concurrentPerSec / f.sequentialPerSec).toFixed(1)})`,
    `ES256    signMany of ${String(batchSize).padEnd(4)} (${batchInFlight} fly) ${f.batchedPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.batchedPerSec / f.sequentialPerSec).toFixed(1)}, ${f.batchCallMs.toFixed(0)} ms per signMany)`,
    `         driver-side CPU per signature (SDK, TLS) ${f.cpuMsPerSignature.toFixed(2)} ms → ceiling ≈ ${(1000 / f.cpuMsPerSignature).toFixed(0)} sig/s per free core`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchAzureKms({ durationMs });
  for (const line of formatAzureKmsFigures(figures, { durationMs })) console.log(line);
}
