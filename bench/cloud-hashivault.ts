// Vault Transit driver throughput against the emulator (its own process) with injected latency:
// one call at a time, 64 in flight, batch_input batches — concurrency and batching set the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/hashivault/driver.js';
import { driverFor, openSigner } from '../src/signers/registry.js';
import { canGenerate } from '../src/signers/capabilities.js';
import type { KeyAlgorithm } from '../src/signers/contract.js';
import { parseKeyUri } from '../src/signers/uri.js';
import { spawnVaultEmulator } from '../test/emulators/vault-process.js';
import { type DriverRateOptions, type KeyFigures, formatDriverFigures, measureKeys } from './lib/driver-rates.js';

/** batchSize: messages per signMany, which the driver sends as Transit batch_input calls of up to 1,000. */
export interface HashivaultBenchOptions extends DriverRateOptions {
  latencyMs: number;
  algorithms: KeyAlgorithm[];
}

/** batchCallMs is the mean time of one batched (batch_input) call of batchSize messages. */
export type HashivaultBenchFigures = KeyFigures<KeyAlgorithm>;

const DEFAULTS: HashivaultBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 3000, batchSize: 500, algorithms: ['Ed25519', 'ES256'] };

export async function benchHashivault(options: Partial<HashivaultBenchOptions> = {}): Promise<HashivaultBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  const vault = await spawnVaultEmulator(o.latencyMs);
  const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.token };
  try {
    const open = async (algorithm: KeyAlgorithm) => {
      const uri = parseKeyUri(`hashivault://transit/bench-${algorithm.toLowerCase()}?address=${vault.address}&token-source=env:SIGNET_BENCH_VAULT_TOKEN`);
      process.env.SIGNET_BENCH_VAULT_TOKEN = vault.token;
      const driver = driverFor(uri);
      if (canGenerate(driver)) await driver.generate(uri, algorithm);
      return openSigner(uri, { env: { ...process.env, ...env } });
    };
    return await measureKeys(o.algorithms, open, o);
  } finally {
    await vault.stop();
  }
}

export function formatFigures(figures: HashivaultBenchFigures[], o: Partial<HashivaultBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize } = { ...DEFAULTS, ...o };
  return formatDriverFigures(`# hashivault driver vs Vault Transit emulator (own process), ${latencyMs} ms injected latency per request`, figures, {
    inFlight,
    batchLabel: `batch_input of ${batchSize}`,
    batchCallName: 'batch call',
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchHashivault({ durationMs });
  for (const line of formatFigures(figures)) console.log(line);
}
