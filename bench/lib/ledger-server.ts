// A Signet gRPC server with only the ledger service, as a child process for the ledger benchmark:
// the real Ledger (SQLite, WAL, synchronous=FULL), the same server and interceptors as `signet serve`.
import { fileURLToPath } from 'node:url';
import { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/lib/logger.js';
import { ledgerService } from '../../src/server/ledger-service.js';
import { startGrpcServer } from '../../src/server/grpc-server.js';
import { openSigner } from '../../src/signers/index.js';

/** Env: SIGNET_BENCH_KEY (checkpoint key URI), SIGNET_BENCH_DB, SIGNET_BENCH_DELAY_MS, SIGNET_BENCH_MAX_ENTRIES. */
async function serve(): Promise<void> {
  const env = process.env;
  const signer = await openSigner(env.SIGNET_BENCH_KEY!);
  const ledger = await Ledger.open({
    path: env.SIGNET_BENCH_DB!,
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
