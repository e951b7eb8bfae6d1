// gcpkms driver throughput against the Cloud KMS emulator (its own process) with injected latency:
// one call at a time, 64 in flight, signMany batches — concurrency, not the backend's latency, sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/gcpkms/driver.js';
import type { KeyAlgorithm } from '../src/signers/contract.js';
import { openSigner } from '../src/signers/registry.js';
import { spawnGcpKmsEmulator } from '../test/emulators/gcp-kms-process.js';
import { type DriverRateOptions, type KeyFigures, formatDriverFigures, measureKeys } from './lib/driver-rates.js';

/** batchSize: Cloud KMS has no batch call, so the driver sends a signMany's messages concurrently, max-in-flight 64. */
export interface GcpKmsBenchOptions extends DriverRateOptions {
  latencyMs: number;
  algorithms: KeyAlgorithm[];
}

export type GcpKmsBenchFigures = KeyFigures<KeyAlgorithm>;

const DEFAULTS: GcpKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 3000, batchSize: 256, algorithms: ['Ed25519', 'ES256'] };

export async function benchGcpKms(options: Partial<GcpKmsBenchOptions> = {}): Promise<GcpKmsBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  const emulator = await spawnGcpKmsEmulator(o.latencyMs);
  try {
    return await measureKeys(o.algorithms, (algorithm) => openSigner(emulator.keys[algorithm].uri, { env: emulator.keys[algorithm].env }), o);
  } finally {
    await emulator.stop();
  }
}

export function formatGcpKmsFigures(figures: GcpKmsBenchFigures[], o: Partial<GcpKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize } = { ...DEFAULTS, ...o };
  return formatDriverFigures(`# gcpkms driver vs Cloud KMS emulator (gRPC + TLS, own process), ${latencyMs} ms injected latency per request`, figures, {
    inFlight,
    batchLabel: `signMany of ${batchSize}`,
    batchCallName: 'signMany',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchGcpKms({ durationMs });
  for (const line of formatGcpKmsFigures(figures, { durationMs })) console.log(line);
}
