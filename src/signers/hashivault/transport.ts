// The HTTP transport handed to node-vault (its `request-promise` option): node:http(s), bounded
// by the caller's deadline (timeout and AbortSignal), keeping Retry-After, and never the token.
import http from 'node:http';
import https from 'node:https';

/** Per-call options the driver passes through node-vault's requestOptions to this transport. */
export interface CallOptions {
  /** Milliseconds this request may take: the time left before the caller's deadline. */
  timeout: number;
  signal?: AbortSignal;
  /** Filled in by the transport: what node-vault's own error object cannot carry. */
  trace: { status?: number; retryAfter?: string };
}

/** A failure below HTTP (reset, refused, timed out, aborted). Carries no request data. */
export class TransportError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
  }
}

interface RequestOptions extends Partial<CallOptions> {
  method: string;
  uri: string;
  headers?: Record<string, string>;
  json?: unknown;
}

export interface TransportResponse {
  statusCode: number;
  body: unknown;
  request: { path: string };
}

/** The `request-promise`-shaped object node-vault accepts: `defaults(opts)` returns the request function. */
export function vaultTransport(tls: { ca?: string | Buffer; rejectUnauthorized?: boolean } = {}) {
  const httpAgent = new http.Agent({ keepAlive: true });
  const httpsAgent = new https.Agent({ keepAlive: true, ...tls });
  const request = (options: RequestOptions) => send(options, httpAgent, httpsAgent);
  return {
    defaults: () => request,
    close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

function send(options: RequestOptions, httpAgent: http.Agent, httpsAgent: https.Agent): Promise<TransportResponse> {
  const url = new URL(options.uri);
  const secure = url.protocol === 'https:';
  const body = options.json !== undefined && typeof options.json === 'object' ? JSON.stringify(options.json) : undefined;
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (body !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(body));
  }
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new TransportError('ABORTED', 'request aborted before it was sent'));
    const req = (secure ? https : http).request(url, {
      method: options.method,
      headers,
      agent: secure ? httpsAgent : httpAgent,
      timeout: options.timeout,
      signal: options.signal,
    });
    req.on('timeout', () => req.destroy(new TransportError('ETIMEDOUT', `no answer within ${options.timeout} ms`)));
    req.on('error', (err: NodeJS.ErrnoException) => reject(sanitize(err)));
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', (err) => reject(sanitize(err)));
      res.on('end', () => {
        if (options.trace) {
          options.trace.status = res.statusCode;
          const retryAfter = res.headers['retry-after'];
          if (retryAfter !== undefined) options.trace.retryAfter = String(retryAfter);
        }
        resolve({ statusCode: res.statusCode ?? 0, body: parseBody(Buffer.concat(chunks)), request: { path: url.pathname } });
      });
    });
    req.end(body);
  });
}

function parseBody(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  const text = raw.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return { errors: [text.slice(0, 200)] };
  }
}

/** Node's errors can carry request options; keep only the code and a short message. */
function sanitize(err: NodeJS.ErrnoException): TransportError {
  if (err instanceof TransportError) return err;
  if (err.name === 'AbortError') return new TransportError('ABORTED', 'request aborted at the deadline');
  const code = err.code ?? 'ERROR';
  return new TransportError(code, `${code}: ${err.message}`.slice(0, 200));
}
