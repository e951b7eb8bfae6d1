// An optional small HTTP listener serving /.well-known/jwks.json, so any JWT library can fetch
// the keys that verify Signet credentials and passports. Read-only; nothing else is served.
import { createServer, type Server } from 'node:http';
import type { Jwks } from '../credentials/index.js';

export interface JwksHttp {
  server: Server;
  port: number;
  close(): Promise<void>;
}

/** `maxAgeSeconds`: how long caches may keep the set (short, so rotations show up quickly). */
export function startJwksHttp(host: string, port: number, jwks: () => Jwks, maxAgeSeconds = 300): Promise<JwksHttp> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/.well-known/jwks.json') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const body = JSON.stringify(jwks());
    res.writeHead(200, {
      'content-type': 'application/jwk-set+json',
      'cache-control': `public, max-age=${maxAgeSeconds}`,
      'content-length': Buffer.byteLength(body),
      'x-content-type-options': 'nosniff',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 10_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((ok) => server.close(() => ok())),
      });
    });
  });
}
