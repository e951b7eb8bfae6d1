// AWS Signature Version 4 checked the way AWS checks it: the canonical request and the signature
// are recomputed from the request with the secret key (node:crypto HMAC) and compared.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface SigV4Request {
  method: string;
  /** Path and query as sent, e.g. "/" or "/a%20b?x=1". */
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface SigV4Expectation {
  /** Access key id → secret access key. */
  secrets: ReadonlyMap<string, string>;
  region: string;
  service: string;
  now?: number;
}

/** An AWS-shaped refusal: the `__type` and message AWS would send, with HTTP 400. */
export interface SigV4Failure {
  type: 'MissingAuthenticationTokenException' | 'IncompleteSignatureException' | 'UnrecognizedClientException' | 'InvalidSignatureException';
  message: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_SKEW_MS = 15 * 60_000;

/** Returns undefined when the signature is valid, or the failure AWS would report. */
export function verifySigV4(req: SigV4Request, expect: SigV4Expectation): SigV4Failure | undefined {
  const auth = header(req.headers, 'authorization');
  if (!auth) return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const parsed = parseAuthorization(auth);
  if (!parsed) return { type: 'IncompleteSignatureException', message: 'Authorization header requires Credential, SignedHeaders and Signature' };
  const { accessKeyId, date, region, service, signedHeaders, signature } = parsed;

  const secret = expect.secrets.get(accessKeyId);
  if (secret === undefined) return { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' };

  const amzDate = header(req.headers, 'x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) {
    return { type: 'IncompleteSignatureException', message: 'Authorization requires a valid X-Amz-Date header' };
  }
  if (!signedHeaders.includes('host') || !signedHeaders.includes('x-amz-date')) {
    return { type: 'InvalidSignatureException', message: "'Host' and 'X-Amz-Date' must be signed headers" };
  }
  if (amzDate.slice(0, 8) !== date) return { type: 'InvalidSignatureException', message: 'Credential date does not match X-Amz-Date' };
  if (region !== expect.region) {
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to a valid region, not '${region}'` };
  }
  if (service !== expect.service) {
    return { type: 'InvalidSignatureException', message: `Credential should be scoped to correct service: '${expect.service}'` };
  }
  const at = Date.parse(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  if (Math.abs((expect.now ?? Date.now()) - at) > MAX_SKEW_MS) {
    return { type: 'InvalidSignatureException', message: 'Signature expired: the request time is more than 15 minutes from the server time' };
  }

  const payloadHash = sha256Hex(req.body);
  const claimed = header(req.headers, 'x-amz-content-sha256');
  if (claimed && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== payloadHash) {
    return { type: 'InvalidSignatureException', message: 'The provided x-amz-content-sha256 header does not match the payload' };
  }
  const canonical = canonicalRequest(req, signedHeaders, payloadHash);
  if (canonical === undefined) return { type: 'InvalidSignatureException', message: 'A signed header is missing from the request' };
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
  const expected = hmac(signingKey(secret, date, region, service), stringToSign).toString('hex');
  const ok = expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
  if (!ok) {
    return {
      type: 'InvalidSignatureException',
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return undefined;
}

function parseAuthorization(value: string) {
  if (!value.startsWith(`${ALGORITHM} `)) return undefined;
  const fields = new Map<string, string>();
  for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential')?.split('/');
  const signedHeaders = fields.get('SignedHeaders')?.split(';');
  const signature = fields.get('Signature');
  if (!credential || credential.length !== 5 || credential[4] !== 'aws4_request' || !signedHeaders || !signature) return undefined;
  const [accessKeyId, date, region, service] = credential as [string, string, string, string];
  return { accessKeyId, date, region, service, signedHeaders, signature };
}

function canonicalRequest(req: SigV4Request, signedHeaders: string[], payloadHash: string): string | undefined {
  const q = req.url.indexOf('?');
  const path = q < 0 ? req.url : req.url.slice(0, q);
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const lines: string[] = [];
  for (const name of signedHeaders) {
    const value = header(req.headers, name);
    if (value === undefined) return undefined;
    lines.push(`${name}:${value.trim().replace(/\s+/g, ' ')}\n`);
  }
  return [req.method, canonicalPath(path), canonicalQuery(query), lines.join(''), signedHeaders.join(';'), payloadHash].join('\n');
}

/** Non-S3 services: each path segment is normalised, then URI-encoded twice. */
function canonicalPath(path: string): string {
  if (path === '' || path === '/') return '/';
  const segments = path.split('/').map((s) => encodeRfc3986(encodeRfc3986(decodeURIComponent(s))));
  return segments.join('/');
}

function canonicalQuery(query: string): string {
  if (!query) return '';
  return query
    .split('&')
    .filter(Boolean)
    .map((p) => {
      const eq = p.indexOf('=');
      const k = decodeURIComponent(eq < 0 ? p : p.slice(0, eq));
      const v = eq < 0 ? '' : decodeURIComponent(p.slice(eq + 1));
      return [encodeRfc3986(k), encodeRfc3986(v)] as const;
    })
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function encodeRfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(',') : v;
}

function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
