// What custody reports for metrics without knowing who listens: signature latency by driver,
// retries of backend calls, and PKCS#11 session-pool use. The server installs a sink at start-up.

export interface SignerTelemetry {
  /** One backend call made `count` signatures in `seconds` (failed: `ok` false). */
  signed(driver: string, count: number, seconds: number, ok: boolean): void;
  /** A backend call failed retryably and will be tried again. */
  retried(driver: string, throttled: boolean): void;
}

/** A session pool's use, read when metrics are scraped. */
export interface SessionPoolProbe {
  readonly token: string;
  readonly maxSessions: number;
  size(): { open: number; idle: number; waiting: number };
}

let sink: SignerTelemetry | undefined;
const pools = new Set<SessionPoolProbe>();

export function setSignerTelemetry(telemetry: SignerTelemetry | undefined): void {
  sink = telemetry;
}

export function reportSigned(driver: string, count: number, seconds: number, ok: boolean): void {
  sink?.signed(driver, count, seconds, ok);
}

export function reportRetry(driver: string, throttled: boolean): void {
  sink?.retried(driver, throttled);
}

export function trackSessionPool(pool: SessionPoolProbe): () => void {
  pools.add(pool);
  return () => pools.delete(pool);
}

export function sessionPools(): SessionPoolProbe[] {
  return [...pools];
}
