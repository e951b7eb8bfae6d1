// Ledger benchmark, all figures from one run: no-op gRPC baseline, single and batched appends over
// gRPC, custody signatures per 10,000 receipts, and at 1M entries: raw SHA-256 vs VerifyChain,
// inclusion proofs/s and RSS. Runnable standalone: node --import tsx bench/ledger.ts [entries]
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { unary } from '../src/client/grpc.js';
import { SignetClient } from '../src/client/client.js';
import { Ledger } from '../src/ledger/ledger.js';
import type { LedgerRecord } from '../src/ledger/contract.js';
import '../src/signers/file/driver.js';
import { openSigner } from '../src/signers/registry.js';
import type { Signer } from '../src/signers/contract.js';
import { startChild } from './lib/child-server.js';
import type { MillionFigures } from './lib/ledger-million.js';
import { fmt, ratioLine, runLoad } from './lib/load.js';
import { noopClient } from './lib/noop-server.js';
import { compositionBound, interleave } from './lib/rounds.js';
import { perCall, probeArgs } from './lib/thread-cpu.js';

const here = dirname(fileURLToPath(import.meta.url));
/** Children run as compiled .js from dist/, or as .ts through tsx when this file is run with tsx. */
const viaTsx = import.meta.url.endsWith('.ts');
const childArgs = (file: string) => (viaTsx ? ['--import', 'tsx', join(here, `${file}.ts`)] : [join(here, `${file}.js`)]);

export interface LedgerBenchOptions {
  durationMs: number;
  /** Interleaved rounds of the gRPC figures (medians reported). */
  rounds: number;
  /** Calls in flight for the no-op and single-append figures. */
  concurrency: number;
  /** Receipts per AppendReceipts call, and calls in flight for it. */
  batchSize: number;
  batchConcurrency: number;
  /** The sequencer's batch delay for the gRPC figures. */
  maxDelayMs: number;
  /** Entries in the large ledger (1,000,000 for the recorded figures). */
  entries: number;
}

export const DEFAULTS: LedgerBenchOptions = { durationMs: 2000, rounds: 5, concurrency: 64, batchSize: 1000, batchConcurrency: 4, maxDelayMs: 5, entries: 1_000_000 };

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const wireReceipt = (i: number) => ({
  agent: `agent-${i % 16}`,
  action: 'tickets.update',
  resource: `jira://PROJ-${i}`,
  request_sha256: sha(`q${i}`),
  response_sha256: sha(`r${i}`),
  outcome: 'success',
  jti: `jti-${i}`,
});
const record = (i: number): LedgerRecord => ({ type: 'receipt', ...wireReceipt(i), metadata: { attempt: 1, region: 'eu' } });

function counts(db: string): { entries: number; checkpoints: number } {
  const d = new Database(db, { readonly: true });
  try {
    return {
      entries: d.prepare('SELECT COUNT(*) FROM entries').pluck().get() as number,
      checkpoints: (d.prepare('SELECT COUNT(*) FROM checkpoints').pluck().get() as number) - 1, // minus the size-0 checkpoint
    };
  } finally {
    d.close();
  }
}

/**
 * gRPC figures in interleaved rounds (medians): the no-op baseline, single appends (64 in flight)
 * and 1000-receipt calls, each Signet figure with the server's CPU per receipt by thread; and the
 * sequencer in this process without gRPC (the backend's own rate) for the batched figure's bound.
 */
export async function benchAppends(o: LedgerBenchOptions, dir: string, keyUri: string, log: (l: string) => void) {
  const noopProbe = join(dir, 'noop-threads.txt');
  const np = probeArgs(noopProbe);
  const noop = await startChild([...np.args, ...childArgs('lib/noop-server').slice(viaTsx ? 2 : 0)], np.env);
  const nc = noopClient(`127.0.0.1:${noop.port}`);
  const payload = Buffer.alloc(64, 7);
  const db = join(dir, 'grpc.db');
  const probe = join(dir, 'ledger-threads.txt');
  const lp = probeArgs(probe);
  const env = { ...lp.env, SIGNET_BENCH_KEY: keyUri, SIGNET_BENCH_DB: db, SIGNET_BENCH_DELAY_MS: String(o.maxDelayMs) };
  const server = await startChild([...lp.args, ...childArgs('lib/ledger-server').slice(viaTsx ? 2 : 0)], env);
  const signet = new SignetClient({ address: `127.0.0.1:${server.port}`, retry: false, deadlineMs: 120_000 });
  const client = signet.ledger;
  const signer = await openSigner(keyUri);
  const local = await Ledger.open({ path: join(dir, 'in-process.db'), signer, origin: 'signet.bench/ledger', batch: { maxDelayMs: o.maxDelayMs, maxEntries: 4096, maxPending: 1 << 20 } });
  try {
    let n = 0;
    const receipts = Array.from({ length: o.batchSize }, (_, i) => ({ receipt: wireReceipt(i) }));
    const records = Array.from({ length: o.batchSize }, (_, i) => record(i));
    const srv = { pid: server.child.pid!, probe };
    const segment = { concurrency: o.concurrency, durationMs: o.durationMs, warmupMs: 250 };
    const batched = { concurrency: o.batchConcurrency, durationMs: o.durationMs, warmupMs: 250 };
    const rounds = await interleave(
      o.rounds,
      [
        { name: 'no-op', run: () => runLoad(() => unary(nc, nc.Echo as never, { key: 'bench', message: payload }), segment), server: { pid: noop.child.pid!, probe: noopProbe } },
        { name: 'AppendReceipt', run: () => runLoad(() => client.appendReceipt({ receipt: wireReceipt(n++) }), segment), server: srv },
        { name: 'AppendReceipts', run: () => runLoad(() => client.appendReceipts({ receipts }), batched), unitsPerCall: o.batchSize, server: srv },
        { name: 'sequencer in-process', run: () => runLoad(() => local.appendMany(records), batched), unitsPerCall: o.batchSize },
        { name: 'sequencer in-process single', run: () => runLoad(() => local.append(record(n++)), segment) },
      ],
      log,
    );
    const end = counts(db);
    const r = (name: string) => rounds.get(name)!;
    const [noopRate, single, many, inProcess, inProcessSingle] = [r('no-op'), r('AppendReceipt'), r('AppendReceipts'), r('sequencer in-process'), r('sequencer in-process single')];
    log('');
    log(`no-op gRPC unary                              ${fmt(noopRate.rate).padStart(10)} calls/s  p50 ${noopRate.p50Ms.toFixed(2)} ms  p99 ${noopRate.p99Ms.toFixed(2)} ms`);
    log(`${''.padEnd(46)}${perCall(noopRate.cpu!, noopRate.units, 'workers')}`);
    log(`AppendReceipt (one per call, ${o.concurrency} in flight)    ${fmt(single.rate).padStart(10)} receipts/s  p50 ${single.p50Ms.toFixed(2)} ms  p99 ${single.p99Ms.toFixed(2)} ms`);
    log(`${''.padEnd(46)}${perCall(single.cpu!, single.units)}`);
    log(`AppendReceipts (${o.batchSize} per call, ${o.batchConcurrency} in flight)     ${fmt(many.rate).padStart(10)} receipts/s  p50 ${many.p50Ms.toFixed(1)} ms per call`);
    log(`${''.padEnd(46)}${perCall(many.cpu!, many.units)} per receipt`);
    log(`sequencer in-process (appendMany ${o.batchSize}, no gRPC) ${fmt(inProcess.rate).padStart(10)} receipts/s  (the backend's own rate: the bound without gRPC)`);
    log(`sequencer in-process (append, ${o.concurrency} in flight)    ${fmt(inProcessSingle.rate).padStart(10)} receipts/s  p50 ${inProcessSingle.p50Ms.toFixed(2)} ms`);
    const singleBound = compositionBound(noopRate.rate, inProcessSingle.rate);
    log(`bound no-op ∘ sequencer in-process append     ${fmt(singleBound).padStart(10)} calls/s`);
    const perTenK = (end.checkpoints / end.entries) * 10_000;
    log(`custody signatures per 10,000 receipts        ${fmt(perTenK, 1).padStart(10)} overall (${end.checkpoints} checkpoints for ${end.entries} receipts, 1 per batch)`);
    return { noop: noopRate, single, many, inProcess, singleBound, perTenK, cpuPerReceipt: many.cpu!.total / many.units };
  } finally {
    nc.close();
    signet.close();
    await local.close();
    await signer.close();
    await noop.stop();
    await server.stop();
  }
}

/** Runs the large-ledger figures in a fresh process (bench/lib/ledger-million). */
function millionInChild(db: string, pemPath: string, proofMs: number): Promise<MillionFigures> {
  const child = spawn(process.execPath, [...childArgs('lib/ledger-million'), db, pemPath, 'signet.bench/ledger', String(proofMs)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`ledger-million exited ${code}`)))));
}

/** Builds an N-entry ledger through the sequencer's batched path (appendMany, 4096 per batch). */
export async function buildLedger(path: string, signer: Signer, n: number, log: (l: string) => void): Promise<{ batches: number; signatures: number }> {
  const ledger = await Ledger.open({ path, signer, origin: 'signet.bench/ledger', batch: { maxDelayMs: 1000, maxEntries: 4096, maxPending: 1 << 20 } });
  const start = performance.now();
  const step = 4096;
  let stats;
  try {
    for (let i = 0; i < n; i += step) {
      await ledger.appendMany(Array.from({ length: Math.min(step, n - i) }, (_, k) => record(i + k)));
      if ((i / step) % 25 === 0) process.stderr.write(`\rbuilding ${fmt(i)} / ${fmt(n)}`);
    }
    stats = { ...ledger.stats };
  } finally {
    await ledger.close();
  }
  const s = (performance.now() - start) / 1000;
  process.stderr.write('\r'.padEnd(40) + '\r');
  log(`built ${fmt(n)} entries in-process (sequencer, 4096 per batch)   ${fmt(n / s).padStart(10)} receipts/s  (${s.toFixed(1)} s; ${stats.batches} batches, ${stats.signatures} signatures)`);
  return stats;
}

export async function benchLedger(o: LedgerBenchOptions = DEFAULTS): Promise<string[]> {
  const out: string[] = [];
  const log = (line: string) => {
    out.push(line);
    console.log(line);
  };
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-ledger-'));
  const keyUri = `file://${join(dir, 'ledger-key.pem')}?create=true&alg=ed25519`;
  const signer = await openSigner(keyUri);
  try {
    log(`# ledger benchmark ${new Date().toISOString()} — ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
    log(`# load average at start ${loadavg().map((l) => l.toFixed(1)).join(" ")} (the machine is shared; figures under load are lower bounds)`);
    log(`# ${o.rounds} interleaved rounds × ${o.durationMs} ms per gRPC figure (medians); ${o.concurrency} calls in flight; Ed25519 file key; SQLite WAL synchronous=FULL`);
    const grpcFigures = await benchAppends(o, dir, `file://${join(dir, 'ledger-key.pem')}`, log);
    log('');
    log(ratioLine('AppendReceipt ÷ no-op gRPC', grpcFigures.single.rate / grpcFigures.noop.rate, 0.7));
    log(`${'AppendReceipt ÷ bound (no-op ∘ in-process append)'.padEnd(44)} ${(grpcFigures.single.rate / grpcFigures.singleBound).toFixed(2).padStart(8)}`);
    log(ratioLine('AppendReceipt p99 ÷ no-op p99', grpcFigures.single.p99Ms / grpcFigures.noop.p99Ms, 2, false));
    log(ratioLine('AppendReceipts receipts/s ÷ 30,000', grpcFigures.many.rate / 30_000, 1));
    log(ratioLine('AppendReceipts server CPU µs per receipt', grpcFigures.cpuPerReceipt, 30, false));
    log(`${'AppendReceipts ÷ sequencer in-process'.padEnd(44)} ${(grpcFigures.many.rate / grpcFigures.inProcess.rate).toFixed(2).padStart(8)}`);

    if (o.entries === 0) return out;
    const big = join(dir, 'big.db');
    const built = await buildLedger(big, signer, o.entries, log);
    const pemPath = join(dir, 'ledger.pub.pem');
    writeFileSync(pemPath, (await signer.publicKey()).pem);
    const m = await millionInChild(big, pemPath, Math.min(o.durationMs, 3000));
    const mb = (m.entries * m.entryBytes) / 1e6;
    log(`raw SHA-256, each entry once (0x00‖entry)     ${fmt(m.entries / m.rawEntriesS).padStart(10)} entries/s  (${m.rawEntriesS.toFixed(2)} s for ${fmt(mb)} MB, ${m.entryBytes} B/entry)`);
    log(`raw SHA-256, entries + n−1 interior nodes     ${fmt(m.entries / m.rawTreeS).padStart(10)} entries/s  (${m.rawTreeS.toFixed(2)} s)`);
    log(`VerifyChain over ${fmt(m.entries)} entries (from SQLite) ${fmt(m.entries / m.verifyS).padStart(10)} entries/s  (${m.verifyS.toFixed(2)} s wall, ${m.verifyCpuS.toFixed(2)} s CPU on 2 threads, ${m.checkpoints} checkpoints)`);
    log(`inclusion proofs at ${fmt(m.entries)} entries          ${fmt(m.proofsPerS).padStart(10)} proofs/s (in-process, from stored nodes, after 1 s of warm-up)`);
    log(`RSS of a process with the ledger open         ${fmt(m.rssMb).padStart(10)} MB after VerifyChain and proofs (peak ${fmt(m.maxRssMb)} MB)`);
    log(`load average while measuring                  ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);

    log('');
    log(ratioLine('custody signatures per batch (1M build)', built.signatures / built.batches, 1, false));
    log(ratioLine('VerifyChain ÷ raw SHA-256 of the entries', m.verifyS / m.rawEntriesS, 2, false));
    log(ratioLine('VerifyChain ÷ raw SHA-256 of entries + nodes', m.verifyS / m.rawTreeS, 2, false));
    log(ratioLine('inclusion proofs/s ÷ 10,000', m.proofsPerS / 10_000, 1));
    log(ratioLine('RSS MB ÷ 256', m.rssMb / 256, 1, false));
    return out;
  } finally {
    await signer.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const entries = process.argv[2] ? Number(process.argv[2]) : Number(process.env.BENCH_LEDGER_ENTRIES ?? DEFAULTS.entries);
  const rounds = Number(process.env.BENCH_ROUNDS ?? DEFAULTS.rounds);
  const durationMs = Number(process.env.BENCH_DURATION_MS ?? DEFAULTS.durationMs);
  benchLedger({ ...DEFAULTS, entries, rounds, durationMs }).then(
    () => process.exit(0),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
