// Prometheus metrics of one server instance, served on an optional plain-HTTP listener.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { sessionPools, type SignerTelemetry } from '../signers/index.js';

export class ServerMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'signet_grpc_requests_total',
    help: 'gRPC requests by method and status code',
    labelNames: ['method', 'code'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'signet_grpc_request_duration_seconds',
    help: 'gRPC request latency by method and status code',
    labelNames: ['method', 'code'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'signet_grpc_in_flight', help: 'gRPC calls from their headers to their status', registers: [this.registry] });
  readonly connectionEvents = new Counter({
    name: 'signet_connection_events_total',
    help: 'Connections refused at limits.max_connections, and streams the server ended (request_body_timeout, response_not_read)',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });
  readonly signatures = new Counter({
    name: 'signet_signatures_total',
    help: 'Custody signatures by key name and driver',
    labelNames: ['key', 'driver'] as const,
    registers: [this.registry],
  });

  readonly keyUp = new Gauge({
    name: 'signet_key_backend_up',
    help: "1 while a key's backend (HSM, KMS) can sign, 0 during an outage",
    labelNames: ['key', 'driver'] as const,
    registers: [this.registry],
  });

  readonly custodyLatency = new Histogram({
    name: 'signet_custody_sign_duration_seconds',
    help: 'Latency of one custody backend call (one signature, or one batch call), by driver and outcome',
    labelNames: ['driver', 'outcome'] as const,
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly custodySignatures = new Counter({
    name: 'signet_custody_signatures_total',
    help: 'Signatures asked of custody backends (Sign, checkpoints, credentials), by driver and outcome',
    labelNames: ['driver', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'signet_backend_retries_total',
    help: 'Backend calls retried after a throttling answer or a transient failure, by driver and reason',
    labelNames: ['driver', 'reason'] as const,
    registers: [this.registry],
  });
  readonly batchEntries = new Histogram({
    name: 'signet_ledger_batch_entries',
    help: 'Entries per durable ledger batch (one custody signature each)',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 16384],
    registers: [this.registry],
  });
  readonly batchSeal = new Histogram({
    name: 'signet_ledger_batch_seal_duration_seconds',
    help: 'Time to seal one ledger batch: sequence, sign the checkpoint, commit',
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  #ledgerPending: (() => number) | undefined;
  readonly poolDepth = new Gauge({
    name: 'signet_ledger_pool_depth',
    help: 'Appends waiting in the ledger pool or being sealed',
    registers: [this.registry],
    collect: () => {
      if (this.#ledgerPending) this.poolDepth.set(this.#ledgerPending());
    },
  });
  readonly sessions = new Gauge({
    name: 'signet_pkcs11_sessions',
    help: 'PKCS#11 sessions of each token pool: open, idle, in_use, and callers waiting for one',
    labelNames: ['token', 'state'] as const,
    registers: [this.registry],
    collect: () => {
      this.sessions.reset();
      for (const pool of sessionPools()) {
        const { open, idle, waiting } = pool.size();
        for (const [state, n] of [['open', open], ['idle', idle], ['in_use', open - idle], ['waiting', waiting]] as const) {
          this.sessions.inc({ token: pool.token, state }, n);
        }
      }
    },
  });
  readonly sessionsMax = new Gauge({
    name: 'signet_pkcs11_sessions_max',
    help: 'Most sessions each token pool opens (max-sessions)',
    labelNames: ['token'] as const,
    registers: [this.registry],
    collect: () => {
      this.sessionsMax.reset();
      for (const pool of sessionPools()) this.sessionsMax.set({ token: pool.token }, pool.maxSessions);
    },
  });

  /** What the drivers report (signature latency, retries), recorded here. */
  readonly signerTelemetry: SignerTelemetry = {
    signed: (driver, count, seconds, ok) => {
      const outcome = ok ? 'ok' : 'error';
      this.custodyLatency.observe({ driver, outcome }, seconds);
      this.custodySignatures.inc({ driver, outcome }, count);
    },
    retried: (driver, throttled) => this.retries.inc({ driver, reason: throttled ? 'throttled' : 'error' }),
  };

  /** A durable ledger batch: its entries and sealing time. */
  readonly observeBatch = (entries: number, seconds: number): void => {
    this.batchEntries.observe(entries);
    this.batchSeal.observe(seconds);
  };

  /** Where the ledger pool depth is read at scrape time. */
  watchLedgerPool(pending: () => number): void {
    this.#ledgerPending = pending;
  }

  /** Gauges read from the connection layer when /metrics is scraped. */
  observeConnections(source: { readonly open: number; readonly pendingResponseBytes: number }): void {
    this.registry.removeSingleMetric('signet_connections_open');
    this.registry.removeSingleMetric('signet_pending_response_bytes');
    new Gauge({ name: 'signet_connections_open', help: 'Client connections open', registers: [this.registry], collect() { this.set(source.open); } });
    new Gauge({
      name: 'signet_pending_response_bytes',
      help: 'Response bytes written and not yet taken by clients (bounded by limits.max_pending_response_mb)',
      registers: [this.registry],
      collect() {
        this.set(source.pendingResponseBytes);
      },
    });
  }

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Serves /metrics on host:port; returns the bound port. */
  async listen(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer(async (req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': this.registry.contentType }).end(await this.registry.metrics());
    });
    await new Promise<void>((ok, fail) => server.once('error', fail).listen(port, host, ok));
    return { server, port: (server.address() as { port: number }).port };
  }
}
