// A small ledger server for the crash test, run as a child process: opens (and so recovers) the
// ledger at argv[2] with the file key at argv[3], serves LedgerService, prints "PORT n" when ready.
import { Ledger } from '../../src/ledger/ledger.js';
import { silentLogger } from '../../src/lib/logger.js';
import { startGrpcServer } from '../../src/server/grpc-server.js';
import { ledgerService } from '../../src/server/ledger-service.js';
// Only the file driver: loading every cloud SDK would make each restart slow.
import '../../src/signers/file/driver.js';
import { openSigner } from '../../src/signers/registry.js';

const [path, keyPath, origin = 'signet.test/crash'] = process.argv.slice(2);
if (!path || !keyPath) {
  process.stderr.write('usage: ledger-child.ts DB KEY.pem [ORIGIN]\n');
  process.exit(2);
}
const signer = await openSigner(`file://${keyPath}`);
const ledger = await Ledger.open({ path, signer, origin, batch: { maxDelayMs: 2, maxEntries: 512 } });
const server = await startGrpcServer('127.0.0.1:0', {
  modules: [ledgerService(ledger)],
  logger: silentLogger,
  limits: { maxMessageBytes: 8 * 1024 * 1024, maxBatch: 1000, maxInFlight: 10_000 },
});
process.stdout.write(`PORT ${server.port}\n`);
