// Interceptors around every unary handler: deadline, in-flight limit, authorization, logging and
// metrics, with errors mapped to gRPC status in one place (errors.ts).
import { globMatch } from '../credentials/glob.js';
import { SignetError, type SignetErrorCode } from '../lib/errors.js';
import { capped, quoted } from '../lib/quote.js';
import type { Logger } from '../lib/logger.js';
import { BackendUnavailable } from '../signers/index.js';
import { callerMatches } from './caller.js';
import type { AuthorizationRule } from './config.js';
import { grpcStatusName } from './errors.js';
import type { ServerMetrics } from './metrics.js';
import type { CallContext, UnaryHandler } from './service.js';

export interface MethodInfo {
  /** 'signet.v1.SigningService/Sign' */
  path: string;
}

export type Interceptor = (next: UnaryHandler, method: MethodInfo) => UnaryHandler;

export function compose(handler: UnaryHandler, method: MethodInfo, interceptors: Interceptor[]): UnaryHandler {
  return interceptors.reduceRight((next, interceptor) => interceptor(next, method), handler);
}

/** Refuses work beyond `max` concurrent calls at once, rather than queueing without bound. */
export function inFlightLimit(max: number, metrics?: ServerMetrics): Interceptor {
  let inFlight = 0;
  return (next) => async (request, context) => {
    if (inFlight >= max) {
      throw new SignetError('RESOURCE_EXHAUSTED', `server is at its limit of ${max} requests in flight; retry with backoff`, { retryAfter: 1 });
    }
    inFlight++;
    metrics?.inFlight.inc();
    try {
      return await next(request, context);
    } finally {
      inFlight--;
      metrics?.inFlight.dec();
    }
  };
}

/** Refuses calls whose deadline has already passed before any work is done. */
export function deadlineCheck(): Interceptor {
  return (next) => async (request, context) => {
    if (context.deadline !== undefined && context.deadline <= Date.now()) {
      throw new SignetError('DEADLINE_EXCEEDED', 'the deadline passed before the call started');
    }
    return next(request, context);
  };
}

/**
 * Default deny when rules are configured: a caller identity must match a rule that lists the RPC.
 * Key-level checks use `keyAllowed` from the context, called by handlers that pick a key.
 */
export function authorization(rules: AuthorizationRule[] | undefined): Interceptor {
  return (next, method) => async (request, context) => {
    if (rules) {
      const matching = matchingRules(rules, context, method.path);
      if (matching.length === 0) {
        throw new SignetError('PERMISSION_DENIED', `caller "${context.caller}" may not call ${method.path}`);
      }
      context.keyAllowed = (key: string) => matching.some((r) => r.keys.some((k) => k === '*' || k === key));
      context.agentAllowed = (agent: string) => matching.some((r) => (r.agents ?? ['*']).some((p) => p === '*' || globMatch(p, agent)));
    }
    return next(request, context);
  };
}

/**
 * Refuses (PERMISSION_DENIED naming `field`) an agent the caller's rules do not let it speak for:
 * a receipt in that agent's name, or a credential or decision for it.
 */
export function requireAgentAllowed(context: Pick<CallContext, 'caller' | 'agentAllowed'>, agent: string, field: string): void {
  if (context.agentAllowed && !context.agentAllowed(agent)) {
    throw new SignetError('PERMISSION_DENIED', `caller "${context.caller}" may not speak for agent ${quoted(agent)} (authorization rules: agents)`, { field });
  }
}

export function accessLog(logger: Logger, metrics?: ServerMetrics): Interceptor {
  return (next, method) => {
    // Label children bound on first use, once per method: no label hashing on every call.
    let ok: { inc(): void } | undefined;
    let latency: { observe(value: number): void } | undefined;
    return async (request, context) => {
      const started = process.hrtime.bigint();
      let code = 'OK';
      let failure: unknown;
      try {
        return await next(request, context);
      } catch (err) {
        code = err instanceof SignetError ? err.code : 'INTERNAL';
        failure = err;
        throw err;
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        if (metrics) {
          if (code === 'OK') {
            (ok ??= metrics.requests.labels({ method: method.path, code: 'OK' })).inc();
            (latency ??= metrics.latency.labels({ method: method.path, code: 'OK' })).observe(seconds);
          } else {
            // Labelled with the gRPC status the caller saw (CONFIG goes out as FAILED_PRECONDITION).
            const status = grpcStatusName(code as SignetErrorCode);
            metrics.requests.inc({ method: method.path, code: status });
            metrics.latency.observe({ method: method.path, code: status }, seconds);
          }
        }
        if (code !== 'OK') {
          // SignetError messages are written secret-free; the cause helps operators (IAM detail, CKR_ codes).
          // Capped like the reply: a message that quotes caller input never makes a long log line.
          const detail = failure instanceof SignetError ? { error: capped(failure.message), cause: causeOf(failure) } : {};
          // A refusal during an outage the key-health log already announced is not news: debug.
          const known = failure instanceof BackendUnavailable;
          const level = known ? 'debug' : code === 'UNAVAILABLE' || code === 'FAILED_PRECONDITION' || code === 'INTERNAL' ? 'warn' : 'info';
          logger[level]({ method: method.path, code, ...detail, ms: Math.round(seconds * 1e4) / 10, caller: context.caller }, 'request failed');
        } else if (logger.isLevelEnabled('debug')) {
          logger.debug({ method: method.path, ms: Math.round(seconds * 1e4) / 10, caller: context.caller }, 'request');
        }
      }
    };
  };
}

function causeOf(err: Error): string | undefined {
  const cause = err.cause;
  if (cause === undefined) return undefined;
  const text = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
  return text.slice(0, 300);
}

/** The rules that let this caller call `path`: its identity matches and one of its rpcs does. */
export function matchingRules(rules: AuthorizationRule[], caller: Pick<CallContext, 'caller' | 'identities'>, path: string): AuthorizationRule[] {
  return rules.filter((r) => callerMatches(r.identity, caller) && r.rpcs.some((p) => rpcMatches(p, path)));
}

/** `*` is every RPC; otherwise a glob of the policy module (`*` within a segment, `**` across). */
export function rpcMatches(pattern: string, path: string): boolean {
  return pattern === '*' || globMatch(pattern, path);
}

export type { CallContext };
