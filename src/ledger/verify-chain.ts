// VerifyChain: re-derives every leaf hash, chain link and checkpoint root of a range of the ledger
// from the stored entries, checks every checkpoint signature, and names the first bad index.
// "Valid" means every entry in the answer is covered by a checkpoint whose signature was checked:
// a range is extended to the next checkpoint, and a whole-ledger answer counts every stored row.
import { performance } from 'node:perf_hooks';
import { invalidArgument, SignetError } from '../lib/errors.js';
import { checkCheckpointNote, type NoteVerifiers } from './checkpoint-check.js';
import { ChainScanner, nodesCompletedBy, type BadNode, type ScannedChunk, type StoredLevel } from './chain-scan.js';
import { EMPTY_ROOT, TreeBuilder, frontierAddresses, leafHash } from './merkle.js';
import type { LedgerStore, StoredCheckpoint } from './store.js';

export interface VerifyChainOptions {
  /** First entry index to check (default 0). */
  start?: number;
  /**
   * One past the last index to check; extended to the next checkpoint at or after it, so every
   * entry answered for is under a checked signature. Absent: the whole ledger, every stored row
   * included (rows beyond the latest checkpoint make the answer invalid).
   */
  end?: number;
  /** Trust roots: public keys accepted for every checkpoint (at least one must verify each). */
  verifiers: NoteVerifiers;
  /** The log's name: every checkpoint's origin line must be it. */
  origin: string;
  /**
   * The keys accepted for the checkpoint at a size, when the ledger's key events vouch for more
   * than the roots (see key-schedule.ts); default: `verifiers` for every checkpoint.
   */
  keysAt?: (size: number) => NoteVerifiers;
  /** Rows read per step; bounds memory on large ledgers. */
  chunk?: number;
  onProgress?(checked: number, total: number): void;
}

export interface ChainReport {
  valid: boolean;
  start: number;
  /** One past the last entry answered for: the requested end extended to the checkpoint covering it. */
  end: number;
  entriesChecked: number;
  checkpointsChecked: number;
  /** The first index at fault; for a bad checkpoint, the last index it covers (size − 1, or 0). */
  firstBadIndex?: number;
  /** Set when the fault is a checkpoint: its tree size. */
  badCheckpointSize?: number;
  reason?: string;
}

const ZERO_LEAF = Buffer.alloc(32);
/** Longest stretch of VerifyChain work on the event loop between two turns of it. */
const SLICE_MS = 4;

export async function verifyChain(store: LedgerStore, options: VerifyChainOptions): Promise<ChainReport> {
  const latest = await store.latestCheckpoint();
  if (!latest) throw new SignetError('FAILED_PRECONDITION', 'the ledger has no checkpoint; it was never created');
  const start = options.start ?? 0;
  const requested = options.end ?? latest.size;
  checkIndex(start, 'start');
  checkIndex(requested, 'end');
  if (start > requested) throw invalidArgument('start', `${start} is greater than end ${requested}`);
  if (requested > latest.size) throw new SignetError('OUT_OF_RANGE', `end: ${requested} is beyond the tree size ${latest.size}`, { field: 'end' });
  // An entry is vouched for only by a checkpoint at or after it: the range runs to the next one.
  const end = (await firstCheckpointFrom(store, requested, latest)).size;
  const chunk = options.chunk ?? 4096;
  const total = end - start;

  let entriesChecked = 0;
  let checkpointsChecked = 0;
  const report = (fault: { index: number; reason: string; checkpointSize?: number }): ChainReport => ({
    valid: false,
    start,
    end,
    // Entries before the fault are known good; a fault found late (by a link) is not counted.
    entriesChecked: fault.checkpointSize === undefined ? Math.max(0, Math.min(entriesChecked, fault.index - start)) : entriesChecked,
    checkpointsChecked,
    firstBadIndex: fault.index,
    ...(fault.checkpointSize === undefined ? {} : { badCheckpointSize: fault.checkpointSize }),
    reason: fault.reason,
  });
  const checkpoint = (c: StoredCheckpoint, root: Uint8Array): string | undefined => {
    checkpointsChecked++;
    if (!Buffer.from(c.root).equals(root)) return `checkpoint at size ${c.size}: stored root differs from the root recomputed from the entries`;
    return checkCheckpointNote(c, options.keysAt?.(c.size) ?? options.verifiers, options.origin);
  };
  const checkpointFault = (c: StoredCheckpoint, why: string) => report({ index: Math.max(0, c.size - 1), checkpointSize: c.size, reason: why });

  // Where the range starts: the stored frontier and the leaf hash of the entry before it.
  let prev: Uint8Array = ZERO_LEAF;
  let frontier: Uint8Array[] = [];
  const levels = frontierAddresses(start).map((a) => a.level);
  if (start > 0) {
    const [before] = await store.entries(start - 1, start);
    if (!before || before.index !== start - 1) return report({ index: start - 1, reason: `entry ${start - 1} is missing` });
    prev = leafHash(before.entry);
    try {
      frontier = await store.readNodes(frontierAddresses(start));
    } catch (err) {
      return report({ index: start, reason: `the stored tree nodes at size ${start} are missing (${(err as Error).message})` });
    }
  }
  const genesis = await store.checkpointAt(start);
  if (genesis) {
    const why = checkpoint(genesis, start === 0 ? EMPTY_ROOT : TreeBuilder.fromFrontier(start, frontier).root());
    if (why) return checkpointFault(genesis, why);
  }

  // The hot loop reads entry bytes only; stored leaf hashes are consulted when something fails,
  // to name the entry at fault rather than the link or checkpoint that exposed it.
  const alteredIn = async (from: number, to: number): Promise<number | undefined> => {
    for (const e of await store.entries(from, to)) {
      if (!Buffer.from(leafHash(e.entry)).equals(e.leafHash)) return e.index;
    }
    return undefined;
  };
  const altered = (i: number) => report({ index: i, reason: `entry ${i}: its bytes do not hash to its stored leaf hash (entry altered)` });
  const missingIn = async (from: number, to: number): Promise<number> => {
    let i = from;
    for (const e of await store.entries(from, to)) {
      if (e.index !== i) break;
      i++;
    }
    return i;
  };
  let segment = start;

  // Leaf hashes, links and roots are computed on a worker, a chunk ahead. On SQLite the worker reads
  // the rows too; on other stores this thread reads (asynchronous I/O) and hands them over.
  const scanner = new ChainScanner({ prev, size: start, frontier, levels, sqlitePath: store.sqlitePath });
  type Chunk = { from: number; to: number; gap: boolean; checkpoints: StoredCheckpoint[]; scan?: Promise<ScannedChunk> };
  // A read ahead is moot once a fault is found and the scanner stops: its rejection is not an error.
  const readAhead = (from: number, to: number): Promise<Chunk> => {
    const next = read(from, to);
    next.catch(() => {});
    return next;
  };
  const read = async (from: number, to: number): Promise<Chunk> => {
    if (scanner.reads) {
      const chunk = await scanner.scanRange(from, to);
      if (chunk.gap >= 0) return { from, to, gap: true, checkpoints: chunk.checkpoints };
      return { from, to, gap: false, checkpoints: chunk.checkpoints, scan: Promise.resolve(chunk as ScannedChunk) };
    }
    const rows = await store.entries(from, to);
    const checkpoints = await store.checkpointsBetween(from + 1, to);
    if (rows.length !== to - from) return { from, to, gap: true, checkpoints };
    const nodes = await storedNodes(store, from, to);
    const scan = scanner.scan(rows.map((r) => r.entry), rows.map((r) => r.leafHash), nodes, checkpoints.map((c) => c.size));
    scan.catch(() => {}); // a fault found earlier stops the scanner; this chunk's answer is then moot
    return { from, to, gap: false, checkpoints, scan };
  };
  const brokenAt = async (i: number): Promise<ChainReport> => {
    if (i > start && (await alteredIn(i - 1, i)) !== undefined) return altered(i - 1);
    return report({ index: i, reason: `entry ${i}: prev is not the leaf hash of entry ${i - 1} (chain broken: entry removed, replaced or reordered)` });
  };
  // A bad stored node is reported once the entry after its last leaf is scanned: an entry altered
  // with its stored leaf hash rewritten to match also changes the nodes above it, and the broken
  // link that follows names the entry, which is the better answer.
  let badNode: { after: number; fault: ChainReport } | undefined;
  const nodeFault = (n: BadNode, from: number): { after: number; fault: ChainReport } => {
    const first = n.index * 2 ** n.level;
    const last = first + 2 ** n.level - 1;
    const what = n.missing ? 'is missing from the store' : 'differs from the one recomputed from the entries';
    return { after: from + n.at + 1, fault: report({ index: first, reason: `tree node at level ${n.level}, index ${n.index} (entries ${first}..${last}) ${what}; proofs through it fail` }) };
  };
  try {
    let ahead: Promise<Chunk> | undefined = start < end ? readAhead(start, Math.min(end, start + chunk)) : undefined;
    while (ahead) {
      const { from, to, gap, checkpoints, scan } = await ahead;
      if (gap) {
        const missing = await missingIn(from, to);
        const bad = await alteredIn(segment, missing);
        if (bad !== undefined) return altered(bad);
        if (badNode && badNode.after <= missing) return badNode.fault;
        return report({ index: missing, reason: `entry ${missing} is missing` });
      }
      ahead = to < end ? readAhead(to, Math.min(end, to + chunk)) : undefined;
      const { broken, leafBad, badNode: node, roots } = await scan!;
      const brokenIndex = broken < 0 ? Infinity : from + broken;
      const leafBadIndex = leafBad < 0 ? Infinity : from + leafBad;
      const entryFault = Math.min(brokenIndex, leafBadIndex);
      if (!badNode && node) badNode = nodeFault(node, from);
      const stop = Math.min(entryFault, badNode?.after ?? Infinity);
      for (let k = 0; k < checkpoints.length; k++) {
        const c = checkpoints[k]!;
        if (stop < c.size) break;
        entriesChecked = c.size - start;
        await breathe(); // a signature check is ~0.1 ms: thousands of small batches are checked in slices
        const why = checkpoint(c, roots[k]!);
        if (why) {
          const bad = await alteredIn(segment, c.size);
          return bad === undefined ? checkpointFault(c, why) : altered(bad);
        }
        segment = c.size;
      }
      if (entryFault <= (badNode?.after ?? Infinity) && entryFault !== Infinity) {
        entriesChecked = entryFault - start;
        if (leafBadIndex <= brokenIndex) {
          return report({ index: leafBadIndex, reason: `entry ${leafBadIndex}: its bytes do not hash to its stored leaf hash (entry or leaf hash altered)` });
        }
        return await brokenAt(brokenIndex);
      }
      // A node completed by this chunk's last entry waits for the next chunk's first link.
      if (badNode && (badNode.after < to || to === end)) return badNode.fault;
      entriesChecked = to - start;
      options.onProgress?.(to - start, total);
    }
  } finally {
    await scanner.close();
  }
  if (options.end === undefined) {
    const stray = await unanchoredRows(store);
    if (stray) return report(stray);
  }
  return { valid: true, start, end, entriesChecked, checkpointsChecked };
}

/** Resolves at once, or after the event loop has had a turn when this thread has worked ≥ 4 ms since the last. */
let sliceStarted = performance.now();
async function breathe(): Promise<void> {
  if (performance.now() - sliceStarted < SLICE_MS) return;
  await new Promise((resolve) => setImmediate(resolve));
  sliceStarted = performance.now();
}

/** The first checkpoint with size ≥ `size` (the latest one bounds the search). */
async function firstCheckpointFrom(store: LedgerStore, size: number, latest: StoredCheckpoint): Promise<StoredCheckpoint> {
  for (let lo = size, width = 64; lo <= latest.size; lo += width, width *= 8) {
    const [first] = await store.checkpointsBetween(lo, Math.min(latest.size, lo + width - 1));
    if (first) return first;
  }
  return latest;
}

/**
 * Rows no signed checkpoint covers: beyond the latest checkpoint (a batch commits its rows and its
 * checkpoint together, so the sequencer never leaves any) or below index 0. The row count is read
 * before the checkpoint, so a batch committed meanwhile is not mistaken for one.
 */
async function unanchoredRows(store: LedgerStore): Promise<{ index: number; reason: string } | undefined> {
  const count = await store.entryCount();
  const latest = await store.latestCheckpoint();
  const size = latest?.size ?? 0;
  if (count > size) {
    return { index: size, reason: `entries ${size}..${count - 1} are stored beyond the latest checkpoint (size ${size}): no signed checkpoint covers them` };
  }
  const [below] = await store.entries(Number.MIN_SAFE_INTEGER, 0);
  if (below) return { index: 0, reason: `a row with index ${below.index} is stored: not an entry of the ledger` };
  return undefined;
}

/** The stored interior nodes that appending entries from ≤ i < to completes, level by level. */
async function storedNodes(store: LedgerStore, from: number, to: number): Promise<StoredLevel[]> {
  return Promise.all(
    nodesCompletedBy(from, to).map(async ({ level, lo, hi }) => {
      const hashes = new Uint8Array((hi - lo) * 32);
      const present = new Uint8Array(hi - lo);
      for (const n of await store.nodesBetween(level, lo, hi)) {
        if (n.hash.length !== 32) continue; // malformed: left absent, reported as missing
        hashes.set(n.hash, (n.index - lo) * 32);
        present[n.index - lo] = 1;
      }
      return { level, lo, hashes, present };
    }),
  );
}

function checkIndex(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value < 0) throw invalidArgument(field, `must be a non-negative integer, got ${value}`);
}
