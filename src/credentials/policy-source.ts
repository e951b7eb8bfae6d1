// The policy in force: loaded at start-up, swapped on reload() or SIGHUP only when the new file
// is valid; a broken file is refused and the old policy stays.
import type { SignetError } from '../lib/errors.js';
import type { Policy } from './policy.js';
import { emptyPolicy, parsePolicy, readPolicy, type PolicyLimits } from './policy-file.js';

/** The policy in force, reloaded from its file on request or on SIGHUP. */
export class PolicySource {
  #policy: Policy;
  readonly #path: string | undefined;
  readonly #limits: PolicyLimits;
  #onSighup: (() => void) | undefined;

  private constructor(policy: Policy, path: string | undefined, limits: PolicyLimits) {
    this.#policy = policy;
    this.#path = path;
    this.#limits = limits;
  }

  /** Loads the file at start-up; a broken file is a CONFIG error and nothing starts. */
  static load(path: string | undefined, limits: PolicyLimits): PolicySource {
    return new PolicySource(path ? readPolicy(path, limits) : emptyPolicy(), path, limits);
  }

  /** A fixed policy from text, for tests and embedding. */
  static fromText(text: string, limits: PolicyLimits, source = '(inline policy)'): PolicySource {
    return new PolicySource(parsePolicy(text, source, limits), undefined, limits);
  }

  get current(): Policy {
    return this.#policy;
  }

  /** Re-reads the file. Throws CONFIG (and keeps the policy in force) when the file is broken. */
  reload(): Policy {
    if (!this.#path) return this.#policy;
    this.#policy = readPolicy(this.#path, this.#limits);
    return this.#policy;
  }

  /** Reloads on SIGHUP; `report` hears the outcome (the new digest, or why the file was refused). */
  watchSighup(report: (err: SignetError | undefined, policy: Policy) => void): void {
    if (this.#onSighup) return;
    this.#onSighup = () => {
      try {
        report(undefined, this.reload());
      } catch (err) {
        report(err as SignetError, this.#policy);
      }
    };
    process.on('SIGHUP', this.#onSighup);
  }

  close(): void {
    if (this.#onSighup) process.off('SIGHUP', this.#onSighup);
    this.#onSighup = undefined;
  }
}

