// The large-ledger figures, measured in a fresh process so its RSS is that of a process holding the
// ledger open: raw SHA-256 baselines, VerifyChain, inclusion proofs/s. Prints one JSON line.
import crypto, { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { noteVerifierFromPublicKey } from '../../src/ledger/note.js';
import { LedgerReader } from '../../src/ledger/reader.js';
import { SqliteLedgerStore } from '../../src/ledger/sqlite-store.js';
import { verifyChain } from '../../src/ledger/verify-chain.js';

type OneShot = (alg: string, data: Uint8Array, enc: 'buffer') => Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

export interface MillionFigures {
  entries: number;
  entryBytes: number;
  /** Seconds to SHA-256 every entry once (0x00‖entry), from memory: the faster of two APIs. */
  rawEntriesS: number;
  /** Seconds for the same plus the n−1 interior node hashes (65-byte inputs) any full recomputation needs. */
  rawTreeS: number;
  verifyS: number;
  verifyCpuS: number;
  checkpoints: number;
  proofsPerS: number;
  rssMb: number;
  maxRssMb: number;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Hashes `n` inputs cycling through `sample`; the faster of a Hash object and crypto.hash. */
function rawHash(sample: Buffer[], n: number): number {
  const run = (hash: (b: Buffer) => unknown) => {
    const start = performance.now();
    for (let i = 0; i < n; i++) hash(sample[i % sample.length]!);
    return (performance.now() - start) / 1000;
  };
  const object = run((b) => createHash('sha256').update(b).digest());
  return oneShot ? Math.min(object, run((b) => oneShot('sha256', b, 'buffer'))) : object;
}

export async function millionFigures(db: string, pem: string, origin: string, proofMs: number): Promise<MillionFigures> {
  const store = new SqliteLedgerStore(db, { readonly: true });
  try {
    const reader = new LedgerReader(store);
    const n = (await reader.latest()).size;
    const sample = (await store.entryBytes(0, Math.min(n, 20_000))).map((e) => Buffer.concat([Buffer.from([0]), e]));
    const avg = sample.reduce((s, e) => s + e.length, 0) / sample.length;
    const rawEntriesS = rawHash(sample, n);
    const nodes = Array.from({ length: 64 }, (_, i) => Buffer.alloc(65, i));
    const rawTreeS = rawEntriesS + rawHash(nodes, n - 1);
    sample.length = 0;

    const c = cpu();
    const t = performance.now();
    const report = await verifyChain(store, { verifiers: [noteVerifierFromPublicKey(origin, pem)], origin });
    const verifyS = (performance.now() - t) / 1000;
    const verifyCpuS = cpu() - c;
    if (!report.valid) throw new Error(`VerifyChain: ${report.reason}`);

    // As a running server would be: the store's cache of high tree nodes warmed for 1 s first.
    let x = 12345;
    const next = () => (x = (x * 1103515245 + 12345) % 2147483648) % n;
    for (const warm = performance.now(); performance.now() - warm < 1000; ) await reader.inclusion(next());
    let proofs = 0;
    const start = performance.now();
    while (performance.now() - start < proofMs) {
      await reader.inclusion(next());
      proofs++;
    }
    const proofsPerS = proofs / ((performance.now() - start) / 1000);
    return {
      entries: n,
      entryBytes: Math.round(avg),
      rawEntriesS,
      rawTreeS,
      verifyS,
      verifyCpuS,
      checkpoints: report.checkpointsChecked,
      proofsPerS,
      rssMb: process.memoryUsage().rss / 1048576,
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await store.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [db, pemPath, origin, proofMs] = process.argv.slice(2);
  const { readFileSync } = await import('node:fs');
  millionFigures(db!, readFileSync(pemPath!, 'utf8'), origin!, Number(proofMs ?? 3000)).then(
    (f) => {
      process.stdout.write(JSON.stringify(f) + '\n');
      process.exit(0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
