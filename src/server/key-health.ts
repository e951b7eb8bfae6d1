// Each key's backend health, where operators look: grpc.health.v1 (`signet.key.NAME`, and the
// services that sign with it), a gauge per key, and one log line per change of state.
import type { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../lib/logger.js';
import { reportsHealth, type BackendStateChange } from '../signers/index.js';
import type { KeySet } from './key-set.js';
import type { ServerMetrics } from './metrics.js';

/** The health-service name of one key. */
export function keyHealthName(key: string): string {
  return `signet.key.${key}`;
}

/**
 * Follows every key whose driver reports its health. `dependents` maps a gRPC service to the key it
 * cannot work without (LedgerService → ledger key): that service is NOT_SERVING while the key is.
 * Returns a function that stops following.
 */
export function followKeyHealth(
  keys: KeySet,
  health: HealthImplementation,
  logger: Logger,
  metrics: ServerMetrics | undefined,
  dependents: Record<string, string>,
): () => void {
  const unsubscribe: (() => void)[] = [];
  for (const { name, signer } of keys.list()) {
    const set = (up: boolean) => {
      const status = up ? 'SERVING' : 'NOT_SERVING';
      health.setStatus(keyHealthName(name), status);
      for (const [service, key] of Object.entries(dependents)) if (key === name) health.setStatus(service, status);
      metrics?.keyUp.set({ key: name, driver: signer.driver }, up ? 1 : 0);
    };
    if (!reportsHealth(signer)) {
      set(true);
      continue;
    }
    set(signer.state() === 'ready');
    unsubscribe.push(
      signer.onStateChange((change: BackendStateChange) => {
        set(change.state === 'ready');
        const fields = { key: name, driver: signer.driver, uri: signer.uri };
        if (change.state === 'unavailable') {
          const how = change.recovery ? `; ${change.recovery}` : '';
          logger.warn({ ...fields, reason: change.reason, retryEverySeconds: change.retryEverySeconds }, `key backend unavailable: calls get UNAVAILABLE${how}`);
        } else {
          logger.info({ ...fields, downMs: change.downMs, attempts: change.attempts }, 'key backend available again');
        }
      }),
    );
  }
  return () => {
    for (const u of unsubscribe) u();
  };
}
