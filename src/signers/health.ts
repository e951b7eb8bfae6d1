// Optional capability beside the custody contract: a key that knows whether its backend can sign
// right now and says when that changes, so health and logs follow outages, not individual calls.
import { SignetError } from '../lib/errors.js';

export type BackendState = 'ready' | 'unavailable';

export interface BackendStateChange {
  state: BackendState;
  /** Unavailable: why, secret-free (`token "signet" lost: CKR_GENERAL_ERROR`). */
  reason?: string;
  /** Unavailable: the longest wait between two recovery attempts, in seconds. */
  retryEverySeconds?: number;
  /** Unavailable: how it recovers, in a few words (`retrying every 2 s`, `ready again at the next call that succeeds`). */
  recovery?: string;
  /** Ready again: how long the key was unavailable (ms) and how many recovery attempts it took. */
  downMs?: number;
  attempts?: number;
}

export interface HealthReporter {
  state(): BackendState;
  /** Called once per change of state, never per call; returns a function that unsubscribes. */
  onStateChange(listener: (change: BackendStateChange) => void): () => void;
}

export function reportsHealth<T extends object>(x: T): x is T & HealthReporter {
  const h = x as Partial<HealthReporter>;
  return typeof h.state === 'function' && typeof h.onStateChange === 'function';
}

/**
 * The UNAVAILABLE a call gets while its backend is in an outage the backend already announced
 * (a state change): logs say the outage once, so a refused call is not worth a line of its own.
 */
export class BackendUnavailable extends SignetError {
  constructor(message: string, options: { retryAfter?: number; cause?: unknown } = {}) {
    super('UNAVAILABLE', message, options);
  }
}
