// How a gRPC service is plugged into the server: a proto file, a service name and thin handlers.
// The server wraps every handler with error mapping, deadlines, auth, limits, logs and metrics.
import type { Metadata } from '@grpc/grpc-js';
import type { CallerIdentity } from './caller.js';

export interface CallContext {
  /** Absolute deadline (ms since epoch) from the caller's grpc-timeout, if any. */
  deadline: number | undefined;
  /** Aborted when the caller cancels or the deadline passes. */
  signal: AbortSignal;
  /**
   * The caller, one canonical string: `uri:<first URI SAN>`, else `dns:<first DNS SAN>`, else
   * `cn:<subject CN>` (only with tls.cn_identity), else `x509-sha256:<certificate hash>`, and
   * `anonymous` without a verified client certificate. Stable across certificate renewals that keep
   * the name; use it to scope what a caller names (idempotency keys, nonces, page tokens).
   */
  caller: string;
  /** Every typed identity of the caller's verified certificate (empty when anonymous). */
  identities: readonly CallerIdentity[];
  /** @deprecated the same string as `caller`. */
  identity: string;
  peer: string;
  metadata: Metadata;
  /** Set by the authorization interceptor when rules apply: may this caller use the named key? */
  keyAllowed?: (keyName: string) => boolean;
  /** Set by the authorization interceptor when rules apply: may this caller speak for this agent? */
  agentAllowed?: (agent: string) => boolean;
}

/** A unary handler: validate, call the domain, return the response message. Throw SignetError. */
export type UnaryHandler<Req = any, Res = any> = (request: Req, context: CallContext) => Promise<Res>;

export interface ServiceModule {
  /** Proto file under proto/, e.g. 'signet/v1/ledger.proto'. */
  protoFile: string;
  /** Fully-qualified service name, e.g. 'signet.v1.LedgerService'. */
  serviceName: string;
  /** One handler per RPC, by method name as in the .proto. */
  handlers: Record<string, UnaryHandler>;
  /** Called on graceful shutdown, after the server stops taking calls (e.g. finish the open batch). */
  close?(): Promise<void>;
}
