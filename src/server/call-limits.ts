// The in-flight limit at the stream level: a call counts from the moment its headers arrive until
// its status is sent or it is cancelled, so calls still waiting for their body count too. Beyond
// the limit a call is refused at once with RESOURCE_EXHAUSTED and retry-after, before it is read.
import * as grpc from '@grpc/grpc-js';
import { SignetError } from '../lib/errors.js';
import { toGrpcError } from './errors.js';

export interface CallLimitEvents {
  /** Calls in flight changed (for the gauge). */
  onInFlight?(delta: 1 | -1): void;
  /** A call was refused for the limit. */
  onRefused?(path: string): void;
}

export class InFlightCalls {
  readonly #max: number;
  readonly #events: CallLimitEvents;
  #count = 0;

  constructor(max: number, events: CallLimitEvents = {}) {
    this.#max = max;
    this.#events = events;
  }

  get count(): number {
    return this.#count;
  }

  /** A grpc-js server interceptor; it must come first so that it sees every call. */
  interceptor(): grpc.ServerInterceptor {
    return (method, call) => {
      let counted = false;
      const release = () => {
        if (!counted) return;
        counted = false;
        this.#count--;
        this.#events.onInFlight?.(-1);
      };
      return new grpc.ServerInterceptingCall(call, {
        start: (next) => {
          if (this.#count >= this.#max) {
            this.#events.onRefused?.(method.path);
            const error = new SignetError('RESOURCE_EXHAUSTED', `server is at its limit of ${this.#max} calls in flight; retry with backoff`, { retryAfter: 1 });
            const reply = toGrpcError(error);
            call.sendStatus({ code: reply.code, details: reply.details, metadata: reply.metadata });
            return;
          }
          counted = true;
          this.#count++;
          this.#events.onInFlight?.(1);
          next({ onCancel: release });
        },
        sendStatus: (status, next) => {
          release();
          next(status);
        },
      });
    };
  }
}
