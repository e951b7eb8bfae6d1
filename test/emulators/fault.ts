// Fault injection shared by every cloud emulator: throttle, 5xx, latency, connection reset, and
// named extras (e.g. a wrong CRC32C), each armed for the next N calls or held on until cleared.

export type Fault =
  | { kind: 'throttle'; retryAfterSeconds: number | undefined }
  | { kind: 'error'; status: number }
  | { kind: 'reset' };

export class FaultInjector {
  #throttle = 0;
  #throttleRetryAfter: number | undefined;
  #errors = 0;
  #errorStatus = 503;
  #resets = 0;
  #down = false;
  #latencyMs = 0;
  readonly #extras = new Map<string, number>();
  /** Calls seen (each call to take()), for tests that count backend round trips. */
  calls = 0;

  /** The next `n` calls are throttled (429 / ThrottlingException / RESOURCE_EXHAUSTED). */
  throttle(n: number, retryAfterSeconds?: number): this {
    this.#throttle = n;
    this.#throttleRetryAfter = retryAfterSeconds;
    return this;
  }

  /** The next `n` calls fail with a server error (503 unless given). */
  serverError(n: number, status = 503): this {
    this.#errors = n;
    this.#errorStatus = status;
    return this;
  }

  /** Every call fails with a server error until clear(): a backend that stays down. */
  down(on = true, status = 503): this {
    this.#down = on;
    this.#errorStatus = status;
    return this;
  }

  /** The next `n` calls have their connection reset without an answer. */
  reset(n: number): this {
    this.#resets = n;
    return this;
  }

  /** Every call waits this long before it is answered. */
  latency(ms: number): this {
    this.#latencyMs = ms;
    return this;
  }

  get latencyMs(): number {
    return this.#latencyMs;
  }

  /** Arms a named, emulator-specific fault for the next `n` calls. */
  arm(name: string, n = 1): this {
    this.#extras.set(name, n);
    return this;
  }

  /** True (and consumes one) if the named fault is armed. */
  consume(name: string): boolean {
    const n = this.#extras.get(name) ?? 0;
    if (n <= 0) return false;
    this.#extras.set(name, n - 1);
    return true;
  }

  clear(): this {
    this.#throttle = this.#errors = this.#resets = this.#latencyMs = 0;
    this.#down = false;
    this.#extras.clear();
    return this;
  }

  /** Waits out the injected latency, then returns the fault this call should suffer, if any. */
  async take(): Promise<Fault | undefined> {
    this.calls++;
    if (this.#latencyMs > 0) await new Promise((r) => setTimeout(r, this.#latencyMs));
    if (this.#resets > 0) {
      this.#resets--;
      return { kind: 'reset' };
    }
    if (this.#throttle > 0) {
      this.#throttle--;
      return { kind: 'throttle', retryAfterSeconds: this.#throttleRetryAfter };
    }
    if (this.#down) return { kind: 'error', status: this.#errorStatus };
    if (this.#errors > 0) {
      this.#errors--;
      return { kind: 'error', status: this.#errorStatus };
    }
    return undefined;
  }
}
