// The measuring shared by the cloud driver benchmarks: one signer, signed one call at a time, with
// N calls in flight and in signMany batches, each a closed loop for a fixed time; and its lines.
import type { Signer } from '../../src/signers/contract.js';

export interface DriverRateOptions {
  /** How long each figure is measured. */
  durationMs: number;
  /** Calls in flight for the concurrent figure. */
  inFlight: number;
  /** Messages per signMany call. */
  batchSize: number;
}

export interface DriverFigures {
  sequentialPerSec: number;
  concurrentPerSec: number;
  batchedPerSec: number;
  /** Mean time of one signMany call of batchSize messages. */
  batchCallMs: number;
  /** CPU time of this process per signature in the concurrent run (an in-process emulator's too). */
  cpuMsPerSignature: number;
}

/** One key's figures. */
export type KeyFigures<A extends string> = DriverFigures & { algorithm: A };

/** Signs `inFlight` messages at once, so connections (and TLS handshakes) are set up before measuring. */
async function warmUp(signer: Signer, inFlight = 1): Promise<void> {
  await Promise.all(Array.from({ length: inFlight }, (_, i) => sign(signer, i)));
}

export interface KeyMeasureHooks {
  /** Runs after the warm-up, before measuring (e.g. to inject latency into an emulator). */
  ready?(): void;
  /** Runs after measuring, before the signer closes, even when measuring failed. */
  done?(): void;
}

/** For each algorithm in turn: opens its signer, warms it up (`warmUpInFlight` calls at once), measures it, closes it. */
export async function measureKeys<A extends string>(
  algorithms: readonly A[],
  open: (algorithm: A) => Promise<Signer>,
  o: DriverRateOptions & { warmUpInFlight?: number },
  hooks: KeyMeasureHooks = {},
): Promise<KeyFigures<A>[]> {
  const figures: KeyFigures<A>[] = [];
  for (const algorithm of algorithms) {
    const signer = await open(algorithm);
    try {
      await warmUp(signer, o.warmUpInFlight);
      hooks.ready?.();
      figures.push({ algorithm, ...(await measureSigner(signer, o)) });
    } finally {
      hooks.done?.();
      await signer.close();
    }
  }
  return figures;
}

export async function measureSigner(signer: Signer, o: DriverRateOptions): Promise<DriverFigures> {
  const sequential = await rate(o.durationMs, 1, async (i) => void (await sign(signer, i)));
  const cpu = process.cpuUsage();
  const concurrent = await rate(o.durationMs, o.inFlight, async (i) => void (await sign(signer, i)));
  const used = process.cpuUsage(cpu);
  const batched = await rate(o.durationMs, 1, async (i) => {
    const inputs = Array.from({ length: o.batchSize }, (_, k) => ({ message: Buffer.from(`receipt ${i}.${k}`) }));
    await signer.signMany(inputs, { deadline: Date.now() + 30_000 });
  });
  return {
    sequentialPerSec: sequential.perSec,
    concurrentPerSec: concurrent.perSec,
    batchedPerSec: batched.perSec * o.batchSize,
    batchCallMs: batched.elapsedMs / Math.max(1, batched.done),
    cpuMsPerSignature: (used.user + used.system) / 1000 / Math.max(1, concurrent.done),
  };
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

export interface DriverFigureLayout {
  inFlight: number;
  /** How the batch row is named, e.g. `signMany of 256 (64 fly)`. */
  batchLabel: string;
  /** What one batch call is called in its timing, e.g. `signMany`. */
  batchCallName: string;
  /** Adds the CPU per signature to the concurrent row. */
  showCpu?: boolean;
}

/** The title line, then three rows per key: one call at a time, N in flight, batches. */
export function formatDriverFigures(title: string, figures: ReadonlyArray<KeyFigures<string>>, layout: DriverFigureLayout): string[] {
  const labels = { sequential: 'one call at a time', concurrent: `${String(layout.inFlight).padStart(3)} calls in flight`, batched: layout.batchLabel };
  const width = Math.max(24, ...Object.values(labels).map((label) => label.length + 2));
  const row = (algorithm: string, label: string, perSec: number, note = '') =>
    `${algorithm.padEnd(8)} ${label.padEnd(width)}${perSec.toFixed(0).padStart(8)} sig/s${note}`;
  const lines = [title];
  for (const f of figures) {
    const cpu = layout.showCpu ? `; ${f.cpuMsPerSignature.toFixed(2)} ms CPU per signature` : '';
    lines.push(
      row(f.algorithm, labels.sequential, f.sequentialPerSec),
      row(f.algorithm, labels.concurrent, f.concurrentPerSec, `  (×${(f.concurrentPerSec / f.sequentialPerSec).toFixed(1)}${cpu})`),
      row(f.algorithm, labels.batched, f.batchedPerSec, `  (×${(f.batchedPerSec / f.sequentialPerSec).toFixed(1)}, ${f.batchCallMs.toFixed(0)} ms per ${layout.batchCallName})`),
    );
  }
  return lines;
}
