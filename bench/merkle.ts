// The ledger's hashing figures against raw SHA-256 (node:crypto): leaf hashing, TreeBuilder appends
// and a VerifyChain-style rehash of N entries. Exported for the bench runner; runnable standalone.
import crypto, { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { canonicalBytes } from '../src/lib/jcs.js';
import { TreeBuilder, leafHash, leafHashLatin1 } from '../src/ledger/merkle.js';

export interface HashRate {
  hashesPerSec: number;
  megabytesPerSec: number;
}

type OneShot = (alg: string, data: Uint8Array, enc: 'buffer' | 'latin1') => Buffer | string;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

/** The raw ways node:crypto hashes one input; the baseline is whichever is fastest here. */
const RAW_WAYS: Record<string, ((input: Uint8Array) => unknown) | undefined> = {
  'createHash().digest()': (input) => createHash('sha256').update(input).digest(),
  "crypto.hash(…, 'buffer')": oneShot && ((input) => oneShot('sha256', input, 'buffer')),
  "crypto.hash(…, 'latin1') (a string, no Buffer)": oneShot && ((input) => oneShot('sha256', input, 'latin1')),
};

function timed(durationMs: number, step: () => void): { count: number; seconds: number } {
  for (let i = 0; i < 1000; i++) step();
  let count = 0;
  const start = performance.now();
  const end = start + durationMs;
  while (performance.now() < end) {
    for (let i = 0; i < 256; i++) step();
    count += 256;
  }
  return { count, seconds: (performance.now() - start) / 1000 };
}

/** Raw SHA-256 through node:crypto on `bytes`-sized inputs, the fastest way here (named in `via`). */
export function rawSha256Rate(bytes: number, durationMs = 1000): HashRate & { via: string } {
  const input = randomBytes(bytes);
  const ways = Object.entries(RAW_WAYS).filter(([, f]) => f !== undefined) as [string, (i: Uint8Array) => unknown][];
  let best = { via: '', hashesPerSec: 0 };
  for (const [via, hash] of ways) {
    const { count, seconds } = timed(durationMs / ways.length, () => hash(input));
    if (count / seconds > best.hashesPerSec) best = { via, hashesPerSec: count / seconds };
  }
  return { ...best, megabytesPerSec: (best.hashesPerSec * bytes) / 1e6 };
}

/** RFC 6962 leaf hashes per second of `bytes`-sized entries. */
export function leafHashRate(bytes: number, durationMs = 1000): HashRate {
  const entry = randomBytes(bytes);
  const { count, seconds } = timed(durationMs, () => leafHash(entry));
  return { hashesPerSec: count / seconds, megabytesPerSec: (count * bytes) / seconds / 1e6 };
}

/** Typical ledger entries: canonical JSON of receipt records, about 330 bytes each. */
export function sampleEntries(count: number): Uint8Array[] {
  const entries: Uint8Array[] = [];
  let prev = '0'.repeat(64);
  for (let i = 0; i < count; i++) {
    const bytes = canonicalBytes({
      v: 1,
      type: 'receipt',
      time: new Date(1_764_000_000_000 + i).toISOString(),
      agent: `agent-${i % 97}`,
      action: 'tickets.update',
      resource: `tickets/${i}`,
      request_sha256: createHash('sha256').update(`req${i}`).digest('hex'),
      prev,
    });
    prev = createHash('sha256').update(bytes).digest('hex');
    entries.push(bytes);
  }
  return entries;
}

/** leafHash + TreeBuilder.append per second over given entries (the sequencer's hot path). */
export function appendRate(entries: Uint8Array[]): { appendsPerSec: number; nodesStored: number } {
  const builder = new TreeBuilder();
  let nodes = 0;
  const start = performance.now();
  for (const entry of entries) nodes += builder.append(leafHash(entry)).length;
  builder.root();
  const seconds = (performance.now() - start) / 1000;
  return { appendsPerSec: entries.length / seconds, nodesStored: nodes };
}

export interface RehashFigures {
  entries: number;
  /** Raw SHA-256 of every entry, by each node:crypto call; `rawMs` is the fastest of them. */
  rawByWay: Record<string, number>;
  rawVia: string;
  rawMs: number;
  leafOnlyMs: number;
  treeMs: number;
  /** The same with hashes kept as latin1 strings (leafHashLatin1 + extendLatin1): no Buffers. */
  treeLatin1Ms: number;
  /** Leaf hashes and the whole tree (n leaf + n-1 node hashes) against raw SHA-256 of the entries. */
  treeRatio: number;
  treeLatin1Ratio: number;
  leafRatio: number;
}

/**
 * A VerifyChain-style rehash: raw SHA-256 of every entry (the baseline), RFC 6962 leaf hashes
 * alone, leaf hashes plus the whole tree to its root (TreeBuilder.extend: no records), and that
 * again with hashes as latin1 strings. Timed chunk by chunk, interleaved, so a shared machine's
 * load falls on all alike.
 */
export function rehashFigures(entries: Uint8Array[], chunk = 8192): RehashFigures {
  let sink = 0;
  let leafOnlyMs = 0;
  let treeMs = 0;
  let treeLatin1Ms = 0;
  const builder = new TreeBuilder();
  const fast = new TreeBuilder();
  const ways = Object.entries(RAW_WAYS).filter(([, f]) => f !== undefined) as [string, (i: Uint8Array) => unknown][];
  const rawByWay: Record<string, number> = Object.fromEntries(ways.map(([via]) => [via, 0]));
  for (let from = 0; from < entries.length; from += chunk) {
    const to = Math.min(entries.length, from + chunk);
    let t = 0;
    for (const [via, raw] of ways) {
      t = performance.now();
      for (let i = from; i < to; i++) sink ^= (raw(entries[i]!) as { length: number }).length;
      rawByWay[via]! += performance.now() - t;
    }
    t = performance.now();
    for (let i = from; i < to; i++) sink ^= leafHash(entries[i]!)[0]!;
    leafOnlyMs += performance.now() - t;
    t = performance.now();
    for (let i = from; i < to; i++) builder.extend(leafHash(entries[i]!));
    treeMs += performance.now() - t;
    t = performance.now();
    for (let i = from; i < to; i++) fast.extendLatin1(leafHashLatin1(entries[i]!));
    treeLatin1Ms += performance.now() - t;
  }
  const [rawVia, rawMs] = Object.entries(rawByWay).sort((a, b) => a[1] - b[1])[0]!;
  let t = performance.now();
  sink ^= builder.root()[0]!;
  treeMs += performance.now() - t;
  t = performance.now();
  sink ^= fast.root()[0]!;
  treeLatin1Ms += performance.now() - t;
  if (Buffer.compare(builder.root(), fast.root()) !== 0) throw new Error('the two rehashes disagree');
  if (sink === 256) console.log('unreachable');
  return {
    entries: entries.length,
    rawByWay,
    rawVia,
    rawMs,
    leafOnlyMs,
    treeMs,
    treeLatin1Ms,
    treeRatio: treeMs / rawMs,
    treeLatin1Ratio: treeLatin1Ms / rawMs,
    leafRatio: leafOnlyMs / rawMs,
  };
}

export interface MerkleFigures {
  raw: { bytes: number; rate: HashRate & { via: string } }[];
  leaf: { bytes: number; rate: HashRate }[];
  append: { entries: number; entryBytes: number; appendsPerSec: number; nodesStored: number };
  rehash: RehashFigures;
}

/** Every figure of this file, for the bench runner: `entries` sample entries for append and rehash. */
export function merkleFigures(entries = 1_000_000): MerkleFigures {
  const raw = [64, 330, 1024 * 1024].map((bytes) => ({ bytes, rate: rawSha256Rate(bytes, bytes > 4096 ? 2000 : 1000) }));
  const leaf = [64, 330].map((bytes) => ({ bytes, rate: leafHashRate(bytes) }));
  const sample = sampleEntries(entries);
  const entryBytes = sample.reduce((sum, e) => sum + e.length, 0) / sample.length;
  const append = { entries, entryBytes, ...appendRate(sample) };
  return { raw, leaf, append, rehash: rehashFigures(sample) };
}

async function standalone(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  const f = merkleFigures(n);
  console.log('# ledger hashing (node:crypto SHA-256)');
  for (const { bytes, rate } of f.raw) {
    console.log(`raw sha256   ${String(bytes).padStart(7)} B  ${rate.hashesPerSec.toFixed(0).padStart(9)} hash/s  ${rate.megabytesPerSec.toFixed(0).padStart(6)} MB/s  via ${rate.via}`);
  }
  for (const { bytes, rate } of f.leaf) {
    console.log(`leafHash     ${String(bytes).padStart(7)} B  ${rate.hashesPerSec.toFixed(0).padStart(9)} hash/s  ${rate.megabytesPerSec.toFixed(0).padStart(6)} MB/s`);
  }
  const a = f.append;
  console.log(`append       ${a.entries} entries of ~${a.entryBytes.toFixed(0)} B: ${a.appendsPerSec.toFixed(0)} appends/s (leafHash + TreeBuilder.append), ${a.nodesStored} nodes`);
  const r = f.rehash;
  for (const [via, ms] of Object.entries(r.rawByWay)) {
    console.log(`rehash raw   ${r.entries} entries via ${via}: ${ms.toFixed(0)} ms; leaves + tree (latin1) is ${(r.treeLatin1Ms / ms).toFixed(2)}× this`);
  }
  console.log(
    `rehash       ${r.entries} entries: raw sha256 ${r.rawMs.toFixed(0)} ms (${r.rawVia}), leaf hashes ${r.leafOnlyMs.toFixed(0)} ms (${r.leafRatio.toFixed(2)}×), ` +
      `leaves + tree to root ${r.treeMs.toFixed(0)} ms (${r.treeRatio.toFixed(2)}×), ` +
      `the same as latin1 strings ${r.treeLatin1Ms.toFixed(0)} ms (${r.treeLatin1Ratio.toFixed(2)}×)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  standalone().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
