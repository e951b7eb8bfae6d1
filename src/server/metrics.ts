// Prometheus metrics of one server instance, served on an optional plain-HTTP listener.
import { createServer, type Server } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

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
    help: 'gRPC request latency by method',
    labelNames: ['method'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly inFlight = new Gauge({ name: 'signet_grpc_in_flight', help: 'gRPC requests being handled', registers: [this.registry] });
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
