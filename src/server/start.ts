// Start-up: open every configured key, build the services, listen. Nothing starts half-configured:
// any failure closes what was opened and surfaces as one CONFIG error.
import type { Logger } from '../lib/logger.js';
import type { SignetConfig } from './config.js';
import { parseHostPort } from './config.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { KeySet } from './key-set.js';
import { ServerMetrics } from './metrics.js';
import type { ServiceModule } from './service.js';
import { signingService } from './signing-service.js';

export interface RunningSignet {
  port: number;
  metricsPort: number | undefined;
  keys: KeySet;
  grpc: RunningGrpcServer;
  /** Graceful: stop taking calls, finish calls and the open ledger batch, close keys. */
  shutdown(): Promise<void>;
}

export async function startSignet(config: SignetConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<RunningSignet> {
  const metrics = new ServerMetrics({ defaultMetrics: config.metrics.listen !== undefined });
  const keys = await KeySet.open(config.keys, env);
  const closers: Array<() => Promise<void>> = [];
  try {
    for (const { name, signer } of keys.list()) {
      const fields = { key: name, driver: signer.driver, uri: signer.uri, alg: signer.algorithm, keyId: signer.keyId() };
      if (signer.hardwareBacked) logger.info(fields, 'key opened');
      else logger.warn(fields, 'key opened: SOFTWARE KEY, NOT HARDWARE-BACKED (development only)');
    }
    const modules: ServiceModule[] = [signingService({ keys, maxBatch: config.limits.maxBatch, metrics })];

    const grpc = await startGrpcServer(config.listen, {
      modules,
      logger,
      metrics,
      limits: config.limits,
      tls: config.tls,
      authorization: config.authorization,
    });
    let metricsPort: number | undefined;
    if (config.metrics.listen) {
      const { host, port } = parseHostPort(config.metrics.listen, 'metrics.listen');
      const m = await metrics.listen(host, port);
      metricsPort = m.port;
      closers.push(() => new Promise((ok) => m.server.close(() => ok())));
    }
    logger.info({ listen: config.listen, port: grpc.port, tls: config.tls !== undefined, mtls: config.tls?.requireClientCert ?? false, metricsPort }, 'signet serving');

    return {
      port: grpc.port,
      metricsPort,
      keys,
      grpc,
      async shutdown() {
        logger.info('shutting down: finishing calls in flight');
        await grpc.shutdown(config.shutdownGraceMs);
        for (const close of closers) await close();
        await keys.close();
        logger.info('shut down');
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    await keys.close();
    throw err;
  }
}
