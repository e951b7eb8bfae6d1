// Vault Transit driver throughput against the emulator (its own process) with injected latency:
// one call at a time, 64 in flight, batch_input batches — concurrency and batching set the pace.
import { pathToFileURL } from 'node:url';
import '../src/signers/hashivault/driver.js';
import { driverFor, openSigner } from '../src/signers/registry.js';
import { canGenerate } from '../src/signers/capabilities.js';
import type { KeyAlgorithm, Signer } from '../src/signers/contract.js';
import { parseKeyUri } from '../src/signers/uri.js';
import { spawnVaultEmulator } from '../test/emulators/vault-process.js';

export interface HashivaultBenchOptions {
  latencyMs: number;
  /** Calls in flight for the concurrent figure. */
  inFlight: number;
  /** How long each figure is measured. */
  durationMs: number;
  batchSize: number;
  algorithms: KeyAlgorithm[];
}

export interface HashivaultBenchFigures {
  algorithm: KeyAlgorithm;
  sequentialPerSec: number;
  concurrentPerSec: number;
  batchedPerSec: number;
  /** Mean time of one batched call of batchSize messages. */
  batchCallMs: number;
}

const DEFAULTS: HashivaultBenchOptions = { latencyMs: 20, inFlight: 64, durationMs: 3000, batchSize: 500, algorithms: ['Ed25519', 'ES256'] };

export async function benchHashivault(options: Partial<HashivaultBenchOptions> = {}): Promise<HashivaultBenchFigures[]> {
  const o = { ...DEFAULTS, ...options };
  const vault = await spawnVaultEmulator(o.latencyMs);
  const env = { VAULT_ADDR: vault.address, VAULT_TOKEN: vault.token };
  const figures: HashivaultBenchFigures[] = [];
  try {
    for (const algorithm of o.algorithms) {
      const uri = parseKeyUri(`hashivault://transit/bench-${algorithm.toLowerCase()}?address=${vault.address}&token-source=env:SIGNET_BENCH_VAULT_TOKEN`);
      process.env.SIGNET_BENCH_VAULT_TOKEN = vault.token;
      const driver = driverFor(uri);
      if (canGenerate(driver)) await driver.generate(uri, algorithm);
      const signer = await openSigner(uri, { env: { ...process.env, ...env } });
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
    await vault.stop();
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

export function formatFigures(figures: HashivaultBenchFigures[], o: Partial<HashivaultBenchOptions> = {}): string[] {
  const { latencyMs, inFlight, batchSize } = { ...DEFAULTS, ...o };
  const lines = [`# hashivault driver vs Vault Transit emulator (own process), ${latencyMs} ms injected latency per request`];
  for (const f of figures) {
    lines.push(
      `${f.algorithm.padEnd(8)} one call at a time      ${f.sequentialPerSec.toFixed(0).padStart(8)} sig/s`,
      `${f.algorithm.padEnd(8)} ${String(inFlight).padStart(3)} calls in flight      ${f.concurrentPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.concurrentPerSec / f.sequentialPerSec).toFixed(1)})`,
      `${f.algorithm.padEnd(8)} batch_input of ${String(batchSize).padEnd(5)}    ${f.batchedPerSec.toFixed(0).padStart(8)} sig/s  (×${(f.batchedPerSec / f.sequentialPerSec).toFixed(1)}, ${f.batchCallMs.toFixed(0)} ms per batch call)`,
    );
  }
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  const figures = await benchHashivault({ durationMs });
  for (const line of formatFigures(figures)) console.log(line);
}
