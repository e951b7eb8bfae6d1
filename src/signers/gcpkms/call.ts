// One Cloud KMS call under the shared retry policy: the driver's deadline, the SDK's own retries
// off, its per-call timeout just past the deadline, and the call cancelled when the deadline passes.
import type { SignOptions } from '../contract.js';
import { withRetry, type Attempt } from '../retry.js';
import type { CallLimits } from './client.js';
import { describeStatus, retryDecision } from './status.js';

/**
 * The SDK's timeout is set a little past the deadline: the deadline's abort (which cancels the
 * call) is what ends a hung call, so the caller sees DEADLINE_EXCEEDED, not a timeout race.
 */
const SDK_TIMEOUT_SLACK_MS = 250;

export function retrying<T>(call: (limits: CallLimits) => Promise<T>, options: SignOptions): Promise<T> {
  return withRetry((attempt: Attempt) => call({ timeoutMs: attempt.remainingMs() + SDK_TIMEOUT_SLACK_MS, signal: attempt.signal }), {
    driver: 'gcpkms',
    deadline: options.deadline,
    signal: options.signal,
    retryable: retryDecision,
    describe: describeStatus,
  });
}
