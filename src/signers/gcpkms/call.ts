// One Cloud KMS call under the shared retry policy: the driver's deadline, the SDK's own retries
// off, its per-call timeout just past the deadline, and the call cancelled when the deadline passes.
import type { SignOptions } from '../contract.js';
import { withRetry, type Attempt } from '../retry.js';
import type { CallLimits } from './client.js';
import { describeStatus, retryDecision } from './status.js';

export function retrying<T>(call: (limits: CallLimits) => Promise<T>, options: SignOptions): Promise<T> {
  return withRetry((attempt: Attempt) => call({ timeoutMs: attempt.transportTimeoutMs(), signal: attempt.signal }), {
    driver: 'gcpkms',
    deadline: options.deadline,
    signal: options.signal,
    retryable: retryDecision,
    describe: describeStatus,
  });
}
