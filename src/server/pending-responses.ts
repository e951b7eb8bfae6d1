// A bound on response bytes written but not yet taken by clients, across all connections. A client
// that stops reading leaves its responses queued in the server; past the budget, the streams that
// have held bytes longest are reset, so slow readers cannot add memory without bound.
import * as http2 from 'node:http2';

/** What one stream holds: bytes written and not yet taken, and since when some have been. */
export interface HeldResponse {
  bytes: number;
  /** ms since epoch when bytes went from 0 to more; undefined while nothing is held. */
  pendingSince: number | undefined;
  closed: boolean;
}

export class PendingResponses {
  readonly #budget: number;
  readonly #onShed: () => void;
  /** Insertion order is the order of first writes: the first entries have waited longest. */
  readonly #held = new Map<http2.ServerHttp2Stream, HeldResponse>();
  #total = 0;

  constructor(budgetBytes: number, onShed: () => void = () => {}) {
    this.#budget = budgetBytes;
    this.#onShed = onShed;
  }

  /** Bytes written to streams and not yet sent. */
  get total(): number {
    return this.#total;
  }

  /** Counts every write to `stream` until its callback (the bytes left) or the stream's close. */
  watch(stream: http2.ServerHttp2Stream): HeldResponse {
    const held: HeldResponse = { bytes: 0, pendingSince: undefined, closed: false };
    const original = stream.write.bind(stream) as (...args: unknown[]) => boolean;
    const release = (size: number) => {
      if (held.closed) return;
      held.bytes -= size;
      this.#total -= size;
      if (held.bytes === 0) held.pendingSince = undefined;
    };
    stream.write = ((chunk: Uint8Array | string, encodingOrCallback?: unknown, maybeCallback?: unknown) => {
      const callback = (typeof encodingOrCallback === 'function' ? encodingOrCallback : maybeCallback) as ((err?: Error | null) => void) | undefined;
      const encoding = typeof encodingOrCallback === 'string' ? (encodingOrCallback as BufferEncoding) : undefined;
      const size = typeof chunk === 'string' ? Buffer.byteLength(chunk, encoding) : chunk.byteLength;
      if (!held.closed) {
        if (held.bytes === 0) {
          held.pendingSince = Date.now();
          if (!this.#held.has(stream)) this.#held.set(stream, held);
        }
        held.bytes += size;
        this.#total += size;
      }
      const done = (err?: Error | null) => {
        release(size);
        callback?.(err);
      };
      const ok = encoding === undefined ? original(chunk, done) : original(chunk, encoding, done);
      if (this.#total > this.#budget) this.#shed();
      return ok;
    }) as typeof stream.write;
    stream.once('close', () => this.#forget(stream, held));
    return held;
  }

  #forget(stream: http2.ServerHttp2Stream, held: HeldResponse): void {
    if (held.closed) return;
    held.closed = true;
    this.#total -= held.bytes;
    held.bytes = 0;
    this.#held.delete(stream);
  }

  /** Resets the longest-waiting streams until the total is within the budget again. */
  #shed(): void {
    for (const [stream, held] of this.#held) {
      if (this.#total <= this.#budget) break;
      if (held.bytes === 0) {
        this.#held.delete(stream);
        continue;
      }
      this.#forget(stream, held);
      this.#onShed();
      stream.close(http2.constants.NGHTTP2_CANCEL);
    }
  }
}
