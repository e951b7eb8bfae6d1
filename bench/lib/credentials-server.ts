// A Signet gRPC server with only the credentials service, as a child process for the credentials
// benchmark: SoftHSM issuing key, the real ledger (SQLite), the same server and interceptors.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCredentials } from '../../src/credentials/index.js';
import { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/lib/logger.js';
import { credentialService } from '../../src/server/credential-service.js';
import { startGrpcServer } from '../../src/server/grpc-server.js';
import { openSigner } from '../../src/signers/index.js';

/** Env: SIGNET_BENCH_KEY (issuing key URI), SIGNET_BENCH_DIR (data), SIGNET_BENCH_POLICY (file). */
async function serve(): Promise<void> {
  const env = process.env;
  const signer = await openSigner(env.SIGNET_BENCH_KEY!);
  const ledger = await Ledger.open({ path: join(env.SIGNET_BENCH_DIR!, 'ledger.db'), signer, origin: 'signet.bench/ledger' });
  const credentials = await createCredentials({
    signer,
    ledger,
    issuer: 'https://signet.bench',
    db: join(env.SIGNET_BENCH_DIR!, 'credentials.db'),
    policy: env.SIGNET_BENCH_POLICY!,
  });
  const server = await startGrpcServer('127.0.0.1:0', {
    modules: [credentialService({ credentials })],
    logger: silentLogger,
    limits: { maxMessageBytes: 4 * 1024 * 1024, maxBatch: 1000, maxInFlight: 4096 },
  });
  process.stdout.write(`listening ${server.port}\n`);
  process.once('SIGTERM', () => {
    void server
      .shutdown(5000)
      .then(() => ledger.close())
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
