// A Signet gRPC server with only the ledger service, as a child process for the ledger benchmarks:
// the real Ledger (SQLite, WAL, synchronous=FULL; or a PostgreSQL replica), the same server and
// interceptors as `signet serve`.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../src/ledger/ledger.js';
import { PgLedgerStore } from '../../src/ledger/pg-store.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ledgerService } from '../../src/server/ledger-service.js';
import { startGrpcServer } from '../../src/server/grpc-server.js';
import type { Signer } from '../../src/signers/contract.js';
import { openSigner } from '../../src/signers/index.js';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Env: SIGNET_BENCH_KEY (checkpoint key URI), SIGNET_BENCH_DB (SQLite file) or SIGNET_BENCH_PG_URL +
 * SIGNET_BENCH_PG_SCHEMA (a replica on PostgreSQL), SIGNET_BENCH_DELAY_MS, SIGNET_BENCH_MAX_ENTRIES,
 * SIGNET_BENCH_SIGN_DELAY_MS,
 * SIGNET_BENCH_STATS (a file that receives the sequencer's and the lock's figures on SIGTERM).
 */
async function serve(): Promise<void> {
  const env = process.env;
  const custody = await openSigner(env.SIGNET_BENCH_KEY!);
  // SIGNET_BENCH_SIGN_DELAY_MS: each signature takes this much longer (a remote KMS's round trip).
  const delayMs = Number(env.SIGNET_BENCH_SIGN_DELAY_MS ?? 0);
  const signer: Signer = delayMs > 0
    ? new Proxy(custody, {
        get(target, prop) {
          if (prop === 'sign') return async (...args: Parameters<Signer['sign']>) => (await sleep(delayMs), target.sign(...args));
          const v = Reflect.get(target, prop);
          return typeof v === 'function' ? v.bind(target) : v;
        },
      })
    : custody;
  const pg = env.SIGNET_BENCH_PG_URL ? await PgLedgerStore.open({ url: env.SIGNET_BENCH_PG_URL, schema: env.SIGNET_BENCH_PG_SCHEMA ?? 'signet', poolSize: 4 }) : undefined;
  const ledger = await Ledger.open({
    ...(pg ? { store: pg } : { path: env.SIGNET_BENCH_DB! }),
    signer,
    origin: 'signet.bench/ledger',
    batch: { maxDelayMs: Number(env.SIGNET_BENCH_DELAY_MS ?? 5), maxEntries: Number(env.SIGNET_BENCH_MAX_ENTRIES ?? 4096), maxPending: 1 << 20 },
  });
  const server = await startGrpcServer('127.0.0.1:0', {
    modules: [ledgerService(ledger)],
    logger: silentLogger,
    limits: { maxMessageBytes: 64 * 1024 * 1024, maxBatch: 10_000, maxInFlight: 4096 },
  });
  process.stdout.write(`listening ${server.port}\n`);
  process.once('SIGTERM', () => {
    void server
      .shutdown(5000)
      .then(() => {
        if (!env.SIGNET_BENCH_STATS) return;
        const s = pg?.sequencing;
        const lock = s && { batches: s.batches, failed: s.failed, waitMsTotal: s.waitMsTotal, holdMsTotal: s.holdMsTotal, holdMsMax: s.holdMsMax, holdP50: s.holdQuantile(0.5), holdP99: s.holdQuantile(0.99) };
        writeFileSync(env.SIGNET_BENCH_STATS, JSON.stringify({ ledger: ledger.stats, lock }));
      })
      .then(() => signer.close())
      .finally(() => process.exit(0));
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  serve().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
