// The listening socket and every connection on it, owned by Signet rather than grpc-js: a cap on
// connections, HTTP/2 settings grpc-js does not expose, a deadline for request bodies and for
// responses the client does not read, and shutdown that destroys whatever is left after the grace.
import { createServer, type Server as NetServer, type Socket } from 'node:net';
import * as http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import { SignetError } from '../lib/errors.js';
import type { ServerLimits } from './limits.js';
import { PendingResponses, type HeldResponse } from './pending-responses.js';

export type ConnectionLimits = Pick<
  ServerLimits,
  'maxConnections' | 'requestBodyTimeoutMs' | 'responseDrainTimeoutMs' | 'maxMetadataBytes' | 'maxStreamsPerConnection' | 'maxPendingResponseMb'
>;

export interface ConnectionEvents {
  /** A connection was closed at once because max_connections were open. */
  onConnectionRefused?(): void;
  /** A stream was ended by the server: its body never completed, its response was never read,
   * or it held response bytes longest when all pending responses went over their budget. */
  onStreamReset?(reason: 'request_body_timeout' | 'response_not_read' | 'pending_response_budget'): void;
}

export interface Connections {
  port: number;
  /** Connections open now. */
  readonly open: number;
  /** Response bytes written and not yet sent, all connections. */
  readonly pendingResponseBytes: number;
  /** Stops accepting connections; open ones are left to grpc-js's graceful shutdown. */
  stopAccepting(): void;
  /** Destroys every connection still open, whatever state its peer is in. */
  destroyAll(): void;
}

/** Listens on host:port and hands every accepted connection to `server`. */
export async function listenForConnections(
  server: grpc.Server,
  host: string,
  port: number,
  credentials: grpc.ServerCredentials,
  limits: ConnectionLimits,
  events: ConnectionEvents = {},
): Promise<Connections> {
  const http2Server = newHttp2Server(server, credentials);
  const injector = http2Server.injector;
  // Settings grpc-js does not pass through; they apply to every session created after this.
  http2Server.server.updateSettings({ maxHeaderListSize: limits.maxMetadataBytes, maxConcurrentStreams: limits.maxStreamsPerConnection });
  const pending = new PendingResponses(limits.maxPendingResponseMb * 1024 * 1024, () => events.onStreamReset?.('pending_response_budget'));
  http2Server.server.on('stream', (stream: http2.ServerHttp2Stream) => {
    guardStream(stream, pending.watch(stream), limits, events);
  });

  const sockets = new Set<Socket>();
  const listener: NetServer = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
    injector.injectConnection(socket);
  });
  listener.maxConnections = limits.maxConnections;
  listener.on('drop', () => events.onConnectionRefused?.());

  await new Promise<void>((ok, fail) => {
    listener.once('error', fail);
    listener.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port }, () => {
      listener.off('error', fail);
      ok();
    });
  });
  const bound = (listener.address() as { port: number }).port;

  return {
    port: bound,
    get open() {
      return sockets.size;
    },
    get pendingResponseBytes() {
      return pending.total;
    },
    stopAccepting() {
      // close() stops accepting at once; its callback would wait for every connection, so none is passed.
      if (listener.listening) listener.close();
    },
    destroyAll() {
      for (const socket of sockets) socket.destroy();
      injector.destroy();
    },
  };
}

/**
 * grpc-js's connection injector builds an HTTP/2 server with grpc-js's handlers; the server object
 * itself is kept in a private map, from which it is taken here so Signet can set HTTP/2 settings
 * and watch streams. Fails at start-up, not silently, if a grpc-js upgrade moves it.
 */
function newHttp2Server(server: grpc.Server, credentials: grpc.ServerCredentials) {
  const servers = (server as unknown as { http2Servers?: Map<unknown, unknown> }).http2Servers;
  if (!(servers instanceof Map)) throw new SignetError('INTERNAL', 'grpc-js internals changed: Server.http2Servers is gone (update src/server/connections.ts)');
  const before = new Set(servers.keys());
  const injector = server.createConnectionInjector(credentials);
  const created = [...servers.keys()].filter((k) => !before.has(k));
  const found = created[0];
  if (created.length !== 1 || !isHttp2Server(found)) {
    throw new SignetError('INTERNAL', 'grpc-js internals changed: no HTTP/2 server behind the connection injector (update src/server/connections.ts)');
  }
  return { injector, server: found as http2.Http2Server | http2.Http2SecureServer };
}

/** node:http2 does not export its server classes; they are known by their constructors' names. */
function isHttp2Server(value: unknown): boolean {
  const name = (value as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  return name === 'Http2Server' || name === 'Http2SecureServer';
}

/**
 * One timer per stream. A stream whose request has not ended after request_body_timeout_ms is
 * answered DEADLINE_EXCEEDED (or reset, once a response has begun); a stream holding response
 * bytes its client has not taken for response_drain_timeout_ms is reset. Calls still being
 * handled are left alone: their deadline is the caller's.
 */
function guardStream(stream: http2.ServerHttp2Stream, held: HeldResponse, limits: ConnectionLimits, events: ConnectionEvents): void {
  const check = () => {
    if (stream.closed || stream.destroyed) return;
    if (held.pendingSince !== undefined && Date.now() - held.pendingSince >= limits.responseDrainTimeoutMs) {
      events.onStreamReset?.('response_not_read');
      stream.close(http2.constants.NGHTTP2_CANCEL);
      return;
    }
    if (!stream.state?.remoteClose) {
      events.onStreamReset?.('request_body_timeout');
      if (!stream.headersSent) {
        const message = `the request did not end within ${limits.requestBodyTimeoutMs} ms of its headers`;
        stream.respond(
          { ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(grpc.status.DEADLINE_EXCEEDED), 'grpc-message': encodeURI(message) },
          { endStream: true },
        );
        // Node closes a stream whose both sides ended; a peer that keeps sending is reset here.
        setTimeout(() => stream.close(http2.constants.NGHTTP2_CANCEL), 1000).unref();
      } else stream.close(http2.constants.NGHTTP2_CANCEL);
      return;
    }
    const next = held.pendingSince === undefined ? limits.responseDrainTimeoutMs : held.pendingSince + limits.responseDrainTimeoutMs - Date.now();
    timer = setTimeout(check, Math.max(10, next)).unref();
  };
  let timer = setTimeout(check, limits.requestBodyTimeoutMs).unref();
  stream.once('close', () => clearTimeout(timer));
}
