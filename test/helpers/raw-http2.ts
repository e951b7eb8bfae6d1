// A raw HTTP/2 client for gRPC paths, for tests that behave as no gRPC library would: requests
// that never finish, responses never read, streams far beyond the server's limits.
import * as http2 from 'node:http2';

/** A gRPC length-prefixed message frame. */
export function grpcFrame(payload: Uint8Array): Buffer {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

export function connect(port: number, settings: http2.Settings = {}): http2.ClientHttp2Session {
  const session = http2.connect(`http://127.0.0.1:${port}`, { settings });
  session.on('error', () => {});
  return session;
}

export interface StreamOutcome {
  /** grpc-status from the trailers (or trailers-only headers), when one came. */
  grpcStatus: number | undefined;
  /** RST_STREAM code, when the stream was reset. */
  rstCode: number | undefined;
}

/** Opens a gRPC call on `path` and writes `body`; ends the request only when `end` is set. */
export function openCall(session: http2.ClientHttp2Session, path: string, body: Buffer, end: boolean): { stream: http2.ClientHttp2Stream; outcome: Promise<StreamOutcome> } {
  const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers' }, { endStream: false });
  let grpcStatus: number | undefined;
  const read = (headers: http2.IncomingHttpHeaders) => {
    if (headers['grpc-status'] !== undefined) grpcStatus = Number(headers['grpc-status']);
  };
  stream.on('response', read);
  stream.on('trailers', read);
  stream.on('error', () => {});
  const outcome = new Promise<StreamOutcome>((ok) => stream.once('close', () => ok({ grpcStatus, rstCode: stream.rstCode || undefined })));
  if (end) stream.end(body);
  else stream.write(body);
  return { stream, outcome };
}
