// The ledger's hashing figures against raw SHA-256 (node:crypto): leaf hashing, TreeBuilder appends
// and a VerifyChain-style rehash of N entries. Exported for the bench runner; runnable standalone.
import crypto, { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { canonicalBytes } from '../src/lib/jcs.js';
import { TreeBuilder, leafHash } from '../src/ledger/merkle.js';

export interface HashRate {
  hashesPerSec: number;
  megabytesPerSec: number;
}

type OneShot = (alg: string, data: Uint8Array, enc: 'buffer') => Buffer;
const oneShot = (crypto as unknown as { hash?: OneShot }).hash;

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

/**
 * Raw SHA-256 through node:crypto on `bytes`-sized inputs: the baseline. Reports the faster of
 * a Hash object per input and the one-shot crypto.hash, so ratios against it are not flattered.
 */
export function rawSha256Rate(bytes: number, durationMs = 1000): HashRate {
  const input = randomBytes(bytes);
  const viaObject = timed(durationMs / 2, () => createHash('sha256').update(input).digest());
  const viaOneShot = oneShot ? timed(durationMs / 2, () => oneShot('sha256', input, 'buffer')) : viaObject;
  const best = Math.max(viaObject.count / viaObject.seconds, viaOneShot.count / viaOneShot.seconds);
  return { hashesPerSec: best, megabytesPerSec: (best * bytes) / 1e6 };
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
  rawMs: number;
  leafOnlyMs: number;
  treeMs: number;
  /** Leaf hashes and the whole tree (n leaf + n-1 node hashes) against raw SHA-256 of the entries. */
  treeRatio: number;
  leafRatio: number;
}

/**
 * A VerifyChain-style rehash: raw SHA-256 of every entry (the baseline), RFC 6962 leaf hashes
 * alone, and leaf hashes plus the whole tree to its root (TreeBuilder.extend: no records). The
 * three are timed chunk by chunk, interleaved, so a shared machine's load falls on all alike.
 */
export function rehashFigures(entries: Uint8Array[], chunk = 8192): RehashFigures {
  let sink = 0;
  let rawMs = 0;
  let leafOnlyMs = 0;
  let treeMs = 0;
  const builder = new TreeBuilder();
  for (let from = 0; from < entries.length; from += chunk) {
    const to = Math.min(entries.length, from + chunk);
    let t = performance.now();
    if (oneShot) for (let i = from; i < to; i++) sink ^= oneShot('sha256', entries[i]!, 'buffer')[0]!;
    else for (let i = from; i < to; i++) sink ^= createHash('sha256').update(entries[i]!).digest()[0]!;
    rawMs += performance.now() - t;
    t = performance.now();
    for (let i = from; i < to; i++) sink ^= leafHash(entries[i]!)[0]!;
    leafOnlyMs += performance.now() - t;
    t = performance.now();
    for (let i = from; i < to; i++) builder.extend(leafHash(entries[i]!));
    treeMs += performance.now() - t;
  }
  const t = performance.now();
  sink ^= builder.root()[0]!;
  treeMs += performance.now() - t;
  if (sink === 256) console.log('unreachable');
  return { entries: entries.length, rawMs, leafOnlyMs, treeMs, treeRatio: treeMs / rawMs, leafRatio: leafOnlyMs / rawMs };
}

async function standalone(): Promise<void> {
  const n = Number(process.argv[2] ?? 1_000_000);
  console.log('# ledger hashing (node:crypto SHA-256)');
  for (const bytes of [64, 330, 1024 * 1024]) {
    const raw = rawSha256Rate(bytes, bytes > 4096 ? 2000 : 1000);
    console.log(`raw sha256   ${String(bytes).padStart(7)} B  ${raw.hashesPerSec.toFixed(0).padStart(9)} hash/s  ${raw.megabytesPerSec.toFixed(0).padStart(6)} MB/s`);
  }
  for (const bytes of [64, 330]) {
    const leaf = leafHashRate(bytes);
    console.log(`leafHash     ${String(bytes).padStart(7)} B  ${leaf.hashesPerSec.toFixed(0).padStart(9)} hash/s  ${leaf.megabytesPerSec.toFixed(0).padStart(6)} MB/s`);
  }
  const entries = sampleEntries(n);
  const avg = entries.reduce((s, e) => s + e.length, 0) / entries.length;
  const append = appendRate(entries);
  console.log(`append       ${n} entries of ~${avg.toFixed(0)} B: ${append.appendsPerSec.toFixed(0)} appends/s (leafHash + TreeBuilder), ${append.nodesStored} nodes`);
  const r = rehashFigures(entries);
  console.log(
    `rehash       ${r.entries} entries: raw sha256 ${r.rawMs.toFixed(0)} ms, leaf hashes ${r.leafOnlyMs.toFixed(0)} ms (${r.leafRatio.toFixed(2)}×), ` +
      `leaves + tree to root ${r.treeMs.toFixed(0)} ms (${r.treeRatio.toFixed(2)}×)`,
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  standalone().catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
}
