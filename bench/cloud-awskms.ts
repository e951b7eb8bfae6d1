// awskms driver throughput against the AWS KMS emulator with injected latency: one call at a time,
// 64 calls in flight, and signMany batches — concurrency, not the backend's latency, sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/awskms/driver.js';
import type { KeyAlgorithm } from '../src/signers/contract.js';
import { openSigner } from '../src/signers/registry.js';
import { createAwsKmsTestKey, startAwsKmsEmulator } from '../test/emulators/aws-kms.js';
import { type DriverRateOptions, type KeyFigures, formatDriverFigures, measureKeys } from './lib/driver-rates.js';

/** batchSize: KMS has no batch Sign, so the driver sends a signMany's messages, batchInFlight at once. */
export interface AwsKmsBenchOptions extends DriverRateOptions {
  latencyMs: number;
  /** The driver's max-in-flight for signMany. */
  batchInFlight: number;
  algorithms: KeyAlgorithm[];
}

/** cpuMsPerSignature counts client and emulator: they share this process. */
export type AwsKmsBenchFigures = KeyFigures<KeyAlgorithm>;

const DEFAULTS: AwsKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 2000, batchSize: 256, batchInFlight: 64, algorithms: ['Ed25519', 'ES256'] };

export async function benchAwsKms(options: Partial<AwsKmsBenchOptions> = {}): Promise<AwsKmsBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const emulator = await startAwsKmsEmulator();
  try {
    const open = async (algorithm: KeyAlgorithm) => {
      const { uri, env } = await createAwsKmsTestKey(emulator, algorithm, {
        alias: `alias/bench-${algorithm.toLowerCase()}`,
        params: `max-in-flight=${o.batchInFlight}`,
      });
      return openSigner(uri, { env });
    };
    // The latency is injected after the warm-up and cleared before the next key is created.
    return await measureKeys(o.algorithms, open, o, {
      ready: () => emulator.faults.latency(o.latencyMs),
      done: () => emulator.faults.clear(),
    });
  } finally {
    await emulator.stop();
  }
}

export function formatAwsKmsFigures(figures: AwsKmsBenchFigures[], o: Partial<AwsKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize, batchInFlight } = { ...DEFAULTS, ...o };
  return formatDriverFigures(`# awskms driver vs AWS KMS emulator (JSON 1.1 + SigV4 over HTTP), ${latencyMs} ms injected latency per request`, figures, {
    inFlight,
    batchLabel: `signMany of ${batchSize} (${batchInFlight} fly)`,
    batchCallName: 'signMany',
    showCpu: true,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchAwsKms({ durationMs });
  for (const line of formatAwsKmsFigures(figures, { durationMs })) console.log(line);
}
