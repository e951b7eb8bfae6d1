// The server's limits on messages, calls and connections: one table of settings (config key under
// `limits`, environment variable, range, default) that config.ts reads and docs/operations.md lists.

export interface ServerLimits {
  /** One request or response message, bytes. */
  maxMessageBytes: number;
  /** Elements of SignBatch and AppendReceipts. */
  maxBatch: number;
  /** Calls from their headers to their status, including those still waiting for their body. */
  maxInFlight: number;
  /** Open client connections; more are closed as soon as they are accepted. */
  maxConnections: number;
  /** HTTP/2 streams one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS). */
  maxStreamsPerConnection: number;
  /** A request whose body has not ended this long after its headers is reset. */
  requestBodyTimeoutMs: number;
  /** A response the client has not read this long after the server finished it is reset. */
  responseDrainTimeoutMs: number;
  /** Per connection: queued response bytes, header tables, streams (HTTP/2 session memory), MiB. */
  maxConnectionMemoryMb: number;
  /** All connections: response bytes written but not yet taken by their clients, MiB. */
  maxPendingResponseMb: number;
  /** Request headers (metadata) of one call, bytes (SETTINGS_MAX_HEADER_LIST_SIZE). */
  maxMetadataBytes: number;
  /** Ping a connection after this long without activity; 0 turns keepalive pings off. */
  keepaliveTimeMs: number;
  /** Close a connection whose ping is not answered within this. */
  keepaliveTimeoutMs: number;
  /** Close a connection with no call for this long. */
  idleConnectionTimeoutMs: number;
}

interface LimitSetting {
  key: keyof ServerLimits;
  /** Under `limits:` in the config file. */
  name: string;
  env: string;
  min: number;
  max: number;
  default: number;
}

const MiB = 1024 * 1024;

export const LIMIT_SETTINGS: readonly LimitSetting[] = [
  { key: 'maxMessageBytes', name: 'max_message_bytes', env: 'SIGNET_MAX_MESSAGE_BYTES', min: 1024, max: 64 * MiB, default: 4 * MiB },
  { key: 'maxBatch', name: 'max_batch', env: 'SIGNET_MAX_BATCH', min: 1, max: 100_000, default: 1000 },
  { key: 'maxInFlight', name: 'max_in_flight', env: 'SIGNET_MAX_IN_FLIGHT', min: 1, max: 1_000_000, default: 4096 },
  { key: 'maxConnections', name: 'max_connections', env: 'SIGNET_MAX_CONNECTIONS', min: 1, max: 1_000_000, default: 1024 },
  { key: 'maxStreamsPerConnection', name: 'max_streams_per_connection', env: 'SIGNET_MAX_STREAMS_PER_CONNECTION', min: 1, max: 10_000, default: 100 },
  { key: 'requestBodyTimeoutMs', name: 'request_body_timeout_ms', env: 'SIGNET_REQUEST_BODY_TIMEOUT_MS', min: 100, max: 600_000, default: 10_000 },
  { key: 'responseDrainTimeoutMs', name: 'response_drain_timeout_ms', env: 'SIGNET_RESPONSE_DRAIN_TIMEOUT_MS', min: 100, max: 600_000, default: 30_000 },
  { key: 'maxConnectionMemoryMb', name: 'max_connection_memory_mb', env: 'SIGNET_MAX_CONNECTION_MEMORY_MB', min: 1, max: 4096, default: 16 },
  { key: 'maxPendingResponseMb', name: 'max_pending_response_mb', env: 'SIGNET_MAX_PENDING_RESPONSE_MB', min: 1, max: 65_536, default: 64 },
  { key: 'maxMetadataBytes', name: 'max_metadata_bytes', env: 'SIGNET_MAX_METADATA_BYTES', min: 1024, max: 1 * MiB, default: 16 * 1024 },
  { key: 'keepaliveTimeMs', name: 'keepalive_time_ms', env: 'SIGNET_KEEPALIVE_TIME_MS', min: 0, max: 86_400_000, default: 60_000 },
  { key: 'keepaliveTimeoutMs', name: 'keepalive_timeout_ms', env: 'SIGNET_KEEPALIVE_TIMEOUT_MS', min: 100, max: 600_000, default: 20_000 },
  { key: 'idleConnectionTimeoutMs', name: 'idle_connection_timeout_ms', env: 'SIGNET_IDLE_CONNECTION_TIMEOUT_MS', min: 1000, max: 86_400_000, default: 300_000 },
];

export const DEFAULT_LIMITS: ServerLimits = Object.fromEntries(LIMIT_SETTINGS.map((s) => [s.key, s.default])) as unknown as ServerLimits;

/**
 * Every limit from the environment, else the config file, else its default. `fromFile` reads a
 * whole number in [min, max] under `limits:` (or undefined); `fromEnv` the same from a variable.
 */
export function resolveLimits(
  fromFile: (name: string, min: number, max: number) => number | undefined,
  fromEnv: (variable: string, min: number, max: number) => number | undefined,
): ServerLimits {
  const out: Partial<ServerLimits> = {};
  for (const s of LIMIT_SETTINGS) out[s.key] = fromEnv(s.env, s.min, s.max) ?? fromFile(s.name, s.min, s.max) ?? s.default;
  return out as ServerLimits;
}
