// Registers services that are not Signet modules (health, reflection) under the same
// authorization as every other RPC: each call is checked before its handler runs.
import type * as grpc from '@grpc/grpc-js';
import { SignetError } from '../lib/errors.js';
import type { Logger } from '../lib/logger.js';
import { ANONYMOUS_CALLER, callerMatches, callerOf, type Caller } from './caller.js';
import type { AuthorizationRule, SignetConfig } from './config.js';
import { toGrpcError } from './errors.js';
import { matchingRules } from './interceptors.js';

export const HEALTH_SERVICE = 'grpc.health.v1.Health';

export interface GuardOptions {
  authorization: AuthorizationRule[] | undefined;
  /** With rules: any caller with a verified certificate may call grpc.health.v1.Health. */
  healthForAuthenticated: boolean;
  tls: SignetConfig['tls'];
  logger: Logger;
}

/** The health-service name of a key (key-health.ts): its health is the key's business only. */
const KEY_HEALTH_PREFIX = 'signet.key.';

/**
 * May `caller` call `path` ('pkg.Service/Method') with `request`? Without rules, everyone may.
 * Health about a key (`signet.key.NAME`) is answered only to callers whose rules give them that
 * key, so a caller learns nothing of other keys, not even whether they exist.
 */
export function mayCall(path: string, caller: Caller, options: Pick<GuardOptions, 'authorization' | 'healthForAuthenticated'>, request?: unknown): boolean {
  const rules = options.authorization;
  if (!rules) return true;
  if (path.startsWith(`${HEALTH_SERVICE}/`)) {
    const service = (request as { service?: unknown } | undefined)?.service;
    if (typeof service === 'string' && service.startsWith(KEY_HEALTH_PREFIX)) {
      const key = service.slice(KEY_HEALTH_PREFIX.length);
      const mine = rules.filter((r) => callerMatches(r.identity, caller));
      if (!mine.some((r) => r.keys.some((k) => k === '*' || k === key))) return false;
    }
    if (options.healthForAuthenticated && caller.caller !== ANONYMOUS_CALLER) return true;
  }
  return matchingRules(rules, caller, path).length > 0;
}

type AnyCall = grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerDuplexStream<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>;
type AnyHandler = (call: AnyCall, callback?: grpc.sendUnaryData<unknown>) => void;

/** A stand-in for `server` whose addService wraps every handler in the authorization check. */
export function guardedRegistrar(server: grpc.Server, options: GuardOptions): Pick<grpc.Server, 'addService'> {
  return {
    addService(definition: grpc.ServiceDefinition, implementation: grpc.UntypedServiceImplementation) {
      const guarded: grpc.UntypedServiceImplementation = {};
      for (const [name, method] of Object.entries(definition)) {
        const original = (implementation[name] ?? implementation[method.originalName ?? '']) as AnyHandler | undefined;
        if (!original) continue;
        const path = method.path.replace(/^\//, '');
        guarded[name] = ((call: AnyCall, callback?: grpc.sendUnaryData<unknown>) => {
          const caller = callerOf(call, options.tls);
          if (mayCall(path, caller, options, (call as { request?: unknown }).request)) return original.call(implementation, call, callback);
          options.logger.info({ method: path, code: 'PERMISSION_DENIED', caller: caller.caller }, 'request failed');
          const err = toGrpcError(new SignetError('PERMISSION_DENIED', `caller "${caller.caller}" may not call ${path}`));
          if (callback) callback(err);
          else (call as grpc.ServerWritableStream<unknown, unknown>).emit('error', err);
        }) as grpc.UntypedHandleCall;
      }
      server.addService(definition, guarded);
    },
  };
}
