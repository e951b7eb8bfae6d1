// Builds the @grpc/grpc-js server: services from their ServiceModules, interceptors around every
// handler, standard health and reflection, TLS or mutual TLS, and graceful shutdown.
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import { SignetError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { RequestChecks, checkingServer, refusedRequestInterceptor } from './checked-requests.js';
import { parseHostPort, type SignetConfig } from './config.js';
import { InFlightCalls } from './call-limits.js';
import { callerOf } from './caller.js';
import { listenForConnections } from './connections.js';
import { toGrpcError } from './errors.js';
import { guardedRegistrar, HEALTH_SERVICE } from './guarded-services.js';
import { accessLog, authorization, compose, deadlineCheck, type Interceptor } from './interceptors.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits.js';
import type { ServerMetrics } from './metrics.js';
import { TlsFiles } from './tls-files.js';
import { loadPackageDefinition } from './proto.js';
import { addReflection } from './reflection.js';
import type { CallContext, ServiceModule } from './service.js';

export interface GrpcServerOptions {
  modules: ServiceModule[];
  logger: Logger;
  metrics?: ServerMetrics;
  /** Message, batch and in-flight limits are required; connection limits default (limits.ts). */
  limits: Pick<ServerLimits, 'maxMessageBytes' | 'maxBatch' | 'maxInFlight'> & Partial<ServerLimits>;
  tls?: SignetConfig['tls'];
  authorization?: SignetConfig['authorization'];
  /** With authorization rules: any caller with a verified certificate may call Health (default true). */
  healthOpenToAuthenticated?: boolean;
}

export interface RunningGrpcServer {
  server: grpc.Server;
  port: number;
  health: HealthImplementation;
  /** The TLS files in use, when serving TLS: reload() re-reads them. */
  tls: TlsFiles | undefined;
  /** Stops taking calls, lets calls in flight finish (up to graceMs), then closes the modules. */
  shutdown(graceMs: number): Promise<void>;
}

export async function startGrpcServer(listen: string, options: GrpcServerOptions): Promise<RunningGrpcServer> {
  const { modules, logger, metrics } = options;
  const limits: ServerLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const packageDefinition = loadPackageDefinition([...new Set(modules.map((m) => m.protoFile))]);
  const grpcObject = grpc.loadPackageDefinition(packageDefinition);
  // Every request's raw bytes are checked against FIELD_RULES before they are decoded.
  const checks = new RequestChecks({ maxBatch: limits.maxBatch });
  // Calls count against max_in_flight from their headers on, so those still waiting for a body do.
  const inFlight = new InFlightCalls(limits.maxInFlight, {
    onInFlight: (delta) => metrics?.inFlight.inc(delta),
    onRefused: (path) => metrics?.requests.inc({ method: path.slice(1), code: 'RESOURCE_EXHAUSTED' }),
  });
  const server = new grpc.Server({
    'grpc.max_receive_message_length': limits.maxMessageBytes,
    'grpc.max_send_message_length': limits.maxMessageBytes,
    'grpc.keepalive_permit_without_calls': 1,
    'grpc.max_concurrent_streams': limits.maxStreamsPerConnection,
    'grpc.keepalive_time_ms': limits.keepaliveTimeMs > 0 ? limits.keepaliveTimeMs : 2 ** 31 - 1,
    'grpc.keepalive_timeout_ms': limits.keepaliveTimeoutMs,
    'grpc.max_connection_idle_ms': limits.idleConnectionTimeoutMs,
    'grpc-node.max_session_memory': limits.maxConnectionMemoryMb,
    interceptors: [
      inFlight.interceptor(),
      refusedRequestInterceptor((path, error) => {
        metrics?.requests.inc({ method: path.slice(1), code: error.code });
        logger.info({ method: path.slice(1), code: error.code, error: error.message, field: error.field }, 'request refused');
      }),
    ],
  });
  const interceptors: Interceptor[] = [
    accessLog(logger, metrics),
    deadlineCheck(),
    authorization(options.authorization),
  ];

  for (const module of modules) {
    const ctor = lookup(grpcObject, module.serviceName);
    const definition = ctor.service;
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [name, method] of Object.entries(definition)) {
      const handler = module.handlers[name];
      if (!handler) throw new Error(`${module.serviceName}/${name} has no handler`);
      if (method.requestStream || method.responseStream) throw new Error(`${module.serviceName}/${name}: only unary RPCs are supported`);
      const wrapped = compose(handler, { path: `${module.serviceName}/${name}` }, interceptors);
      implementation[name] = (call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        const context = callContext(call, options.tls);
        wrapped(call.request, context).then(
          (response) => {
            context.done();
            callback(null, response);
          },
          (err) => {
            context.done();
            callback(toGrpcError(err, (detail) => logger.error({ err: detail, method: `${module.serviceName}/${name}` }, 'internal error')));
          },
        );
      };
    }
    server.addService(checks.checked(definition), implementation);
  }

  const health = new HealthImplementation({ '': 'SERVING', ...Object.fromEntries(modules.map((m) => [m.serviceName, 'SERVING'])) });
  // Health and reflection go through the same request checks and authorization as the modules' RPCs.
  const guarded = guardedRegistrar(checkingServer(server, checks), {
    authorization: options.authorization,
    healthForAuthenticated: options.healthOpenToAuthenticated ?? true,
    tls: options.tls,
    logger,
  });
  health.addToServer(guarded);
  addReflection(guarded, [...modules.map((m) => m.serviceName), HEALTH_SERVICE]);

  const tls = options.tls ? new TlsFiles(options.tls, logger) : undefined;
  const { host, port: wanted } = parseHostPort(listen, 'listen');
  let refusedConnections = 0;
  const connections = await listenForConnections(server, host, wanted, tls?.credentials() ?? grpc.ServerCredentials.createInsecure(), limits, {
    onConnectionRefused: () => {
      metrics?.connectionEvents.inc({ event: 'connection_refused' });
      // One line per burst, not one per connection.
      if (refusedConnections++ === 0) {
        setTimeout(() => {
          logger.warn({ refused: refusedConnections, maxConnections: limits.maxConnections }, 'connections refused: limits.max_connections are open');
          refusedConnections = 0;
        }, 10_000).unref();
      }
    },
    onStreamReset: (reason) => metrics?.connectionEvents.inc({ event: reason }),
  }).catch((err: Error) => {
    throw bindError(listen, err);
  });
  const port = connections.port;
  tls?.watch();
  metrics?.observeConnections(connections);

  return {
    server,
    port,
    health,
    tls,
    async shutdown(graceMs: number) {
      tls?.close();
      for (const name of ['', ...modules.map((m) => m.serviceName)]) health.setStatus(name, 'NOT_SERVING');
      connections.stopAccepting();
      await new Promise<void>((ok) => {
        const timer = setTimeout(() => {
          logger.warn({ graceMs, connections: connections.open, inFlight: inFlight.count }, 'calls still in flight after the grace period; closing every connection');
          server.forceShutdown();
          ok();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          ok();
        });
      });
      // Whatever is left (a peer that never acknowledges, a handshake that never ends) goes now.
      connections.destroyAll();
      // Every module gets closed even if one fails; the first failure is reported after.
      const results = [];
      for (const m of modules) results.push(await Promise.allSettled([m.close?.()]).then((r) => r[0]!));
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      if (failed) throw failed.reason;
    },
  };
}

function lookup(root: grpc.GrpcObject, fullName: string): grpc.ServiceClientConstructor {
  let node: unknown = root;
  for (const part of fullName.split('.')) node = (node as Record<string, unknown>)?.[part];
  if (typeof node !== 'function' || !('service' in node)) throw new Error(`service ${fullName} is not in the loaded protos`);
  return node as grpc.ServiceClientConstructor;
}

/**
 * The call as handlers see it. The abort signal (with its deadline timer and cancel listener) is
 * made only when something asks for it: most calls finish without one, and it costs a timer, a
 * listener and an AbortController per call.
 */
function callContext(call: grpc.ServerUnaryCall<unknown, unknown>, tls: SignetConfig['tls']): CallContext & { done(): void } {
  const raw = call.getDeadline();
  const deadlineMs = raw instanceof Date ? raw.getTime() : raw;
  const deadline = Number.isFinite(deadlineMs) ? deadlineMs : undefined;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  const onCancel = () => controller!.abort(new SignetError('DEADLINE_EXCEEDED', 'the caller cancelled the call'));
  const signal = (): AbortSignal => {
    if (controller) return controller.signal;
    controller = new AbortController();
    if (call.cancelled) onCancel();
    else call.once('cancelled', onCancel);
    if (deadline !== undefined) {
      const expire = () => controller!.abort(new SignetError('DEADLINE_EXCEEDED', 'deadline exceeded'));
      if (deadline <= Date.now()) expire();
      else timer = setTimeout(expire, deadline - Date.now());
    }
    return controller.signal;
  };
  const { caller, identities } = callerOf(call, tls);
  return {
    deadline,
    get signal() {
      return signal();
    },
    caller,
    identities,
    identity: caller,
    get peer() {
      return call.getPeer();
    },
    metadata: call.metadata,
    done() {
      if (!controller) return;
      if (timer) clearTimeout(timer);
      call.removeListener('cancelled', onCancel);
    },
  };
}

function bindError(listen: string, err: Error): SignetError {
  return new SignetError('CONFIG', `listen: cannot bind ${listen} (${err.message})`, { cause: err });
}
