// Health for a remote backend that cannot tell by itself (cloud KMS, Vault): unavailable once a
// call ends in UNAVAILABLE (the driver's retries spent), ready again at the next call that succeeds.
import { isSignetError } from '../lib/errors.js';
import type { BackendState, BackendStateChange, HealthReporter } from './health.js';

export class OutcomeHealth implements HealthReporter {
  #state: BackendState = 'ready';
  #downSince = 0;
  #failures = 0;
  readonly #listeners = new Set<(change: BackendStateChange) => void>();

  state(): BackendState {
    return this.#state;
  }

  onStateChange(listener: (change: BackendStateChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Passes `call` through, noting whether the backend answered (a caller's own cancel says nothing). */
  track<T>(call: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    return call.then(
      (value) => {
        if (this.#state !== 'ready') this.#change({ state: 'ready', downMs: Date.now() - this.#downSince, attempts: this.#failures });
        return value;
      },
      (err: unknown) => {
        if (isSignetError(err, 'UNAVAILABLE') && !signal?.aborted) {
          this.#failures++;
          if (this.#state !== 'unavailable') {
            this.#downSince = Date.now();
            this.#failures = 1;
            this.#change({ state: 'unavailable', reason: err.message, recovery: 'ready again at the next call that succeeds' });
          }
        }
        throw err;
      },
    );
  }

  #change(change: BackendStateChange): void {
    this.#state = change.state;
    for (const l of this.#listeners) {
      try {
        l(change);
      } catch {
        // A listener's failure is its own; the state change stands.
      }
    }
  }
}
