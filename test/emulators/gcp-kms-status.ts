// gRPC error statuses the way Google services send them: a status code, a message, and for
// throttling a google.rpc.RetryInfo in grpc-status-details-bin (the gRPC form of Retry-After).
import * as grpc from '@grpc/grpc-js';

export interface EmulatorStatus {
  code: grpc.status;
  details: string;
  metadata?: grpc.Metadata;
}

export function statusError(code: grpc.status, details: string, retryAfterSeconds?: number): EmulatorStatus {
  if (retryAfterSeconds === undefined) return { code, details };
  const metadata = new grpc.Metadata();
  metadata.set('grpc-status-details-bin', rpcStatus(code, details, retryInfo(retryAfterSeconds)));
  return { code, details, metadata };
}

/** google.rpc.Status { code = 1; message = 2; repeated Any details = 3 }. */
function rpcStatus(code: number, message: string, detail: Buffer): Buffer {
  const any = Buffer.concat([field(1, Buffer.from('type.googleapis.com/google.rpc.RetryInfo')), field(2, detail)]);
  return Buffer.concat([Buffer.from([0x08]), varint(code), field(2, Buffer.from(message)), field(3, any)]);
}

/** google.rpc.RetryInfo { Duration retry_delay = 1 }, Duration { int64 seconds = 1; int32 nanos = 2 }. */
function retryInfo(seconds: number): Buffer {
  const whole = Math.floor(seconds);
  const nanos = Math.round((seconds - whole) * 1e9);
  const duration = Buffer.concat([Buffer.from([0x08]), varint(whole), ...(nanos ? [Buffer.from([0x10]), varint(nanos)] : [])]);
  return field(1, duration);
}

function field(number: number, bytes: Buffer): Buffer {
  return Buffer.concat([varint((number << 3) | 2), varint(bytes.length), bytes]);
}

function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return Buffer.from(out);
}
