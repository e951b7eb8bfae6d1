// Start-up: open every configured key, build the services, listen. Nothing starts half-configured:
// any failure closes what was opened and surfaces as one CONFIG error.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createCredentials } from '../credentials/index.js';
import { cosignerFromVkey } from '../ledger/cosignature.js';
import { Ledger } from '../ledger/ledger.js';
import { WitnessedCheckpoints } from '../ledger/witnesses.js';
import { PgLedgerStore } from '../ledger/pg-store.js';
import { redactUrl } from '../lib/pg.js';
import type { Logger } from '../lib/logger.js';
import { credentialService } from './credential-service.js';
import { startJwksHttp } from './jwks-http.js';
import { ledgerService } from './ledger-service.js';
import type { SignetConfig } from './config.js';
import { parseHostPort, reservedKeys } from './config.js';
import { previousKeyId } from './reserved-keys.js';
import { routeGrpcLogs } from './grpc-log.js';
import { startGrpcServer, type RunningGrpcServer } from './grpc-server.js';
import { followKeyHealth } from './key-health.js';
import { KeySet } from './key-set.js';
import { lockDataPaths } from './data-lock.js';
import { probeListen } from './listen-probe.js';
import { checkTransport } from './transport.js';
import { ServerMetrics } from './metrics.js';
import type { ServiceModule } from './service.js';
import { signingService } from './signing-service.js';
import { SignetError } from '../lib/errors.js';
import { setSignerTelemetry } from '../signers/index.js';

export interface RunningSignet {
  port: number;
  metricsPort: number | undefined;
  keys: KeySet;
  grpc: RunningGrpcServer;
  ledger: Ledger | undefined;
  jwksPort: number | undefined;
  /** Graceful: stop taking calls, finish calls and the open ledger batch, close keys. */
  shutdown(): Promise<void>;
  /** Re-reads the TLS certificate, key and client CA (SIGHUP); true when something changed. */
  reloadTls(reason?: string): boolean;
}

/** A previous ledger key: a note vkey (origin+keyid+base64) as is, or the text of a PEM file. */
function readPreviousKey(value: string, field: string): string {
  if (/^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value)) return value;
  try {
    return readFileSync(value, 'utf8');
  } catch (err) {
    throw new SignetError('CONFIG', `config: ${field} is neither a note vkey nor a readable PEM file (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { field });
  }
}

export async function startSignet(config: SignetConfig, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<RunningSignet> {
  checkTransport(config);
  routeGrpcLogs(logger);
  // Addresses first: a busy port is found before any key is opened or HSM logged in to.
  await probeListen(config.listen, 'listen');
  if (config.metrics.listen) await probeListen(config.metrics.listen, 'metrics.listen');
  if (config.credentials.enabled && config.credentials.jwksHttp) await probeListen(config.credentials.jwksHttp, 'credentials.jwks_http');
  // One writer per SQLite database: replicas whose state is all on PostgreSQL share nothing local
  // that needs a single writer, so they may share a data directory (file keys are only read).
  const sqliteFiles = [
    ...(config.ledger.enabled && config.ledger.store === 'sqlite' ? [config.ledger.path] : []),
    ...(config.credentials.enabled && config.credentials.store === 'sqlite' ? [config.credentials.db] : []),
  ];
  const lock = sqliteFiles.length > 0 ? lockDataPaths(config.dataDir, sqliteFiles) : { release() {} };
  const metrics = new ServerMetrics({ defaultMetrics: config.metrics.listen !== undefined });
  setSignerTelemetry(metrics.signerTelemetry);
  let keys: KeySet;
  try {
    keys = await KeySet.open(config.keys, env);
  } catch (err) {
    lock.release();
    throw err;
  }
  // Listeners close on shutdown; the ledger and credentials are closed by their service modules
  // (credentials first), except when start-up fails before the server owns them.
  const closers: Array<() => Promise<void>> = [];
  const closeOnFailure: Array<() => Promise<void>> = [];
  try {
    for (const { name, signer } of keys.list()) {
      const fields = { key: name, driver: signer.driver, uri: signer.uri, alg: signer.algorithm, keyId: signer.keyId() };
      if (signer.hardwareBacked) logger.info(fields, 'key opened');
      else logger.warn(fields, 'key opened: SOFTWARE KEY, NOT HARDWARE-BACKED (development only)');
    }
    const previousKeyIds = new Map(
      config.ledger.enabled ? config.ledger.previousKeys.map((k, i) => [previousKeyId(readPreviousKey(k, `ledger.previous_keys[${i}]`), `ledger.previous_keys[${i}]`), 'ledger checkpoints (an earlier ledger key in ledger.previous_keys, which verifiers still trust)'] as const) : [],
    );
    const modules: ServiceModule[] = [signingService({ keys, maxBatch: config.limits.maxBatch, reserved: reservedKeys(config), previousKeyIds, metrics })];

    // Module order is close order on shutdown: credentials before the ledger they write to.
    let ledger: Ledger | undefined;
    let jwksPort: number | undefined;
    const pg = config.postgres;
    if (config.ledger.enabled) {
      const shared = config.ledger.store === 'postgres' && pg;
      if (!shared) mkdirSync(dirname(config.ledger.path), { recursive: true, mode: 0o700 });
      ledger = await Ledger.open({
        ...(shared
          ? { store: await PgLedgerStore.open({ url: pg.url, schema: pg.schema, poolSize: pg.poolSize, lockTimeoutMs: pg.lockTimeoutMs, onIdleError: (err) => logger.warn({ err: err.message }, 'ledger database connection lost; it is replaced on next use') }) }
          : { path: config.ledger.path }),
        signer: keys.byName(config.ledger.key)!.signer,
        origin: config.ledger.origin,
        batch: config.ledger.batch,
        previousKeys: config.ledger.previousKeys.map((k, i) => readPreviousKey(k, `ledger.previous_keys[${i}]`)),
        maxConcurrentVerifications: config.ledger.maxConcurrentVerifications,
        onBatch: metrics.observeBatch,
      });
      const opened = ledger;
      metrics.watchLedgerPool(() => opened.pending);
      closeOnFailure.push(() => opened.close());
      const where = shared ? { store: 'postgres', database: redactUrl(pg.url), schema: pg.schema } : { store: 'sqlite', path: config.ledger.path };
      logger.info({ ...where, size: ledger.size, origin: config.ledger.origin, key: config.ledger.key }, 'ledger opened');
    }
    if (config.credentials.enabled) {
      if (!ledger) throw new SignetError('CONFIG', 'config: credentials.enabled needs the ledger (ledger.enabled: true): every issuance is recorded');
      const sharedState = config.credentials.store === 'postgres' && pg;
      if (!sharedState) mkdirSync(dirname(config.credentials.db), { recursive: true, mode: 0o700 });
      const credentials = await createCredentials({
        ...(sharedState ? { postgres: { url: pg.url, schema: pg.schema, poolSize: pg.poolSize, onIdleError: (err: Error) => logger.warn({ err: err.message }, 'credentials database connection lost; it is replaced on next use') } } : {}),
        signer: keys.byName(config.credentials.key)!.signer,
        ledger,
        issuer: config.credentials.issuer,
        db: config.credentials.db,
        policy: config.credentials.policy,
        defaultTtlSeconds: config.credentials.defaultTtlSeconds,
        maxTtlSeconds: config.credentials.maxTtlSeconds,
        skewSeconds: config.credentials.skewSeconds,
        popMode: config.credentials.popMode,
        popWindowSeconds: config.credentials.popWindowSeconds,
        passportTtlSeconds: config.credentials.passportTtlSeconds,
        signing: config.credentials.signing,
        issuingKeySeconds: config.credentials.issuingKeySeconds,
        logger,
      });
      logger.info(sharedState ? { store: 'postgres', database: redactUrl(pg.url), schema: pg.schema } : { store: 'sqlite', path: config.credentials.db }, 'credential state opened');
      logger.info({ signing: config.credentials.signing, ...(credentials.issuing ? { issuingKey: credentials.issuing.currentKid, issuingKeySeconds: config.credentials.issuingKeySeconds } : {}) }, 'credentials signing mode');
      modules.push(credentialService({ credentials }));
      closeOnFailure.unshift(() => credentials.close());
      if (!config.credentials.policy) logger.warn('no credentials.policy configured: every issuance is denied');
      if (config.credentials.jwksHttp) {
        const { host, port } = parseHostPort(config.credentials.jwksHttp, 'credentials.jwks_http');
        const http = await startJwksHttp(host, port, () => credentials.jwks());
        jwksPort = http.port;
        closers.push(() => http.close());
      }
    }
    if (ledger) {
      let witnesses: WitnessedCheckpoints | undefined;
      if (config.ledger.witnesses.length > 0) {
        mkdirSync(dirname(config.ledger.witnessDb), { recursive: true, mode: 0o700 });
        const opened = new WitnessedCheckpoints(config.ledger.witnessDb, config.ledger.witnesses.map(cosignerFromVkey), ledger.reader);
        witnesses = opened;
        closeOnFailure.push(async () => opened.close());
        logger.info({ witnesses: opened.witnessNames, path: config.ledger.witnessDb }, 'witness cosignatures accepted');
      }
      modules.push(ledgerService(ledger, { maxBatch: config.limits.maxBatch, maxMessageBytes: config.limits.maxMessageBytes, ...(witnesses ? { witnesses } : {}) }));
    }

    const grpc = await startGrpcServer(config.listen, {
      modules,
      logger,
      metrics,
      limits: config.limits,
      tls: config.tls,
      authorization: config.authorization,
      healthOpenToAuthenticated: config.health.openToAuthenticated,
    });
    // From here the server owns the modules: a later failure shuts it down, which closes them.
    closeOnFailure.splice(0, closeOnFailure.length, () => grpc.shutdown(0));
    const dependents: Record<string, string> = {};
    if (config.ledger.enabled) dependents['signet.v1.LedgerService'] = config.ledger.key;
    if (config.credentials.enabled) dependents['signet.v1.CredentialService'] = config.credentials.key;
    const unfollow = followKeyHealth(keys, grpc.health, logger, metrics, dependents);
    closers.push(async () => unfollow());
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
      ledger,
      jwksPort,
      reloadTls: (reason = 'reload requested') => grpc.tls?.reload(reason) ?? false,
      async shutdown() {
        logger.info('shutting down: finishing calls in flight and the open ledger batch');
        try {
          await grpc.shutdown(config.shutdownGraceMs);
        } finally {
          for (const close of closers) await close().catch((err) => logger.error({ err }, 'close failed'));
          await keys.close();
          lock.release();
        }
        logger.info('shut down');
      },
    };
  } catch (err) {
    for (const close of [...closers, ...closeOnFailure]) await close().catch(() => {});
    await keys.close();
    lock.release();
    throw err;
  }
}
