// A small TTL cache for public keys and key metadata of cloud drivers: one refresh in flight per
// key, and the stale value kept if a refresh fails, so a backend blip does not stop signing.
import { SignetError } from '../lib/errors.js';

/** Public keys and metadata are cached this long unless the URI's `cache-ttl` says otherwise. */
export const DEFAULT_CACHE_TTL_MS = 5 * 60_000;

interface Entry<V> {
  value: V;
  expires: number;
}

export class TtlCache<K, V> {
  readonly ttlMs: number;
  readonly #now: () => number;
  readonly #entries = new Map<K, Entry<V>>();
  readonly #loading = new Map<K, Promise<V>>();

  constructor(ttlMs = DEFAULT_CACHE_TTL_MS, now: () => number = Date.now) {
    this.ttlMs = ttlMs;
    this.#now = now;
  }

  /** The cached value if fresh; otherwise loads it (one load in flight per key). */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const entry = this.#entries.get(key);
    if (entry && entry.expires > this.#now()) return entry.value;
    return this.refresh(key, load, entry !== undefined);
  }

  /** Loads now, sharing a load already in flight. With `keepStale`, a failed load returns the old value. */
  refresh(key: K, load: () => Promise<V>, keepStale = false): Promise<V> {
    const inFlight = this.#loading.get(key);
    if (inFlight) return inFlight;
    const promise = load()
      .then((value) => {
        this.set(key, value);
        return value;
      })
      .catch((err) => {
        const stale = this.#entries.get(key);
        if (keepStale && stale) return stale.value;
        throw err;
      })
      .finally(() => this.#loading.delete(key));
    this.#loading.set(key, promise);
    return promise;
  }

  set(key: K, value: V): void {
    this.#entries.set(key, { value, expires: this.#now() + this.ttlMs });
  }

  /** The value whether fresh or stale, without loading. */
  peek(key: K): V | undefined {
    return this.#entries.get(key)?.value;
  }

  isFresh(key: K): boolean {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expires > this.#now();
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }
}

/**
 * Reads the `cache-ttl` URI parameter: `300` (seconds), `500ms`, `30s`, `5m`, `1h`; `0` disables
 * caching. Absent → DEFAULT_CACHE_TTL_MS.
 */
export function cacheTtlFrom(params: ReadonlyMap<string, string>, fallbackMs = DEFAULT_CACHE_TTL_MS): number {
  const raw = params.get('cache-ttl');
  if (raw === undefined || raw === '') return fallbackMs;
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(raw.trim());
  if (!match) throw new SignetError('CONFIG', `cache-ttl must be a duration like 300, 30s, 5m or 500ms, not "${raw}"`);
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[(match[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Math.round(Number(match[1]) * unit);
}
