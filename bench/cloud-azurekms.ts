// azurekms driver throughput against the Azure Key Vault emulator (HTTPS, bearer tokens, in its own
// process) with injected latency: one call at a time, 64 in flight, signMany — concurrency sets the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/azurekms/driver.js';
import { openSigner } from '../src/signers/registry.js';
import { startAzureEmulatorProcess } from './lib/azure-emulator-process.js';
import { type DriverRateOptions, type KeyFigures, formatDriverFigures, measureKeys } from './lib/driver-rates.js';

/** batchSize: Key Vault has no batch sign, so the driver sends a signMany's messages, batchInFlight at once. */
export interface AzureKmsBenchOptions extends DriverRateOptions {
  latencyMs: number;
  /** The driver's max-in-flight for signMany. */
  batchInFlight: number;
}

/** Key Vault has P-256 only. cpuMsPerSignature is this process's only (driver, SDK, TLS): the emulator runs apart. */
export type AzureKmsBenchFigures = KeyFigures<'ES256'>;

const DEFAULTS: AzureKmsBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 2000, batchSize: 256, batchInFlight: 64 };

export async function benchAzureKms(options: Partial<AzureKmsBenchOptions> = {}): Promise<AzureKmsBenchFigures> {
  const o = { ...DEFAULTS, ...options };
  const emulator = await startAzureEmulatorProcess(o.latencyMs, { 'max-in-flight': String(o.batchInFlight) });
  try {
    // Warm the connection pool to the size each figure uses, so TLS handshakes are not measured.
    const [figures] = await measureKeys(['ES256'] as const, () => openSigner(emulator.uri, { env: emulator.env }), { ...o, warmUpInFlight: Math.max(o.inFlight, o.batchInFlight) });
    return figures!;
  } finally {
    await emulator.stop();
  }
}

export function formatAzureKmsFigures(f: AzureKmsBenchFigures, o: Partial<AzureKmsBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize, batchInFlight } = { ...DEFAULTS, ...o };
  return [
    ...formatDriverFigures(`# azurekms driver vs Azure Key Vault emulator (REST over HTTPS, bearer token, separate process), ${latencyMs} ms injected latency per request`, [f], {
      inFlight,
      batchLabel: `signMany of ${batchSize} (${batchInFlight} fly)`,
      batchCallName: 'signMany',
    }),
    `         driver-side CPU per signature (SDK, TLS) ${f.cpuMsPerSignature.toFixed(2)} ms → ceiling ≈ ${(1000 / f.cpuMsPerSignature).toFixed(0)} sig/s per free core`,
  ];
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchAzureKms({ durationMs });
  for (const line of formatAzureKmsFigures(figures, { durationMs })) console.log(line);
}
