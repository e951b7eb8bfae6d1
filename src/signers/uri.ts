// Key URIs, parsed in this one place: every scheme Signet knows, RFC 7512 for pkcs11.
// A parsed URI keeps its secrets out of `redacted`, the only form that may be logged.
import { SignetError } from '../lib/errors.js';

export type KeyScheme = 'file' | 'pkcs11' | 'awskms' | 'gcpkms' | 'azurekms' | 'hashivault';
export const KEY_SCHEMES: readonly KeyScheme[] = ['file', 'pkcs11', 'awskms', 'gcpkms', 'azurekms', 'hashivault'];

/**
 * The query parameters each driver reads. Any other is refused, naming it: a misspelt `pin-sorce=`
 * must stop start-up, not be ignored. (A few listed here are refused by their driver with a more
 * specific message: `secret-access-key`, and `token` for Vault.)
 */
const QUERY_PARAMS: Record<KeyScheme, readonly string[]> = {
  file: ['create', 'alg', 'passphrase-source', 'passphrase'],
  pkcs11: ['module-path', 'pin-source', 'pin-value', 'profile', 'max-sessions', 'max-waiters', 'sign-threads'],
  awskms: ['endpoint', 'region', 'cache-ttl', 'max-in-flight', 'open-timeout-ms', 'previous-keys', 'secret-access-key'],
  gcpkms: ['endpoint', 'cache-ttl', 'max-in-flight', 'protection-level', 'insecure', 'ca-file', 'token-source', 'open-timeout'],
  azurekms: ['endpoint', 'alg', 'hsm', 'cache-ttl', 'max-in-flight', 'tenant-id', 'client-id', 'client-secret-source', 'client-secret', 'authority-host', 'ca-file'],
  hashivault: ['address', 'token-source', 'token', 'namespace', 'marshaling', 'ca-file', 'cache-ttl', 'timeout'],
};

/** RFC 7512 path attributes the pkcs11 driver selects by; others would be silently ignored, so they are refused. */
const PKCS11_PATH_ATTRIBUTES = ['token', 'serial', 'slot-id', 'object', 'id', 'type'];

/** Query parameters whose values are secrets: never logged, never echoed in errors. */
const SECRET_PARAMS = new Set(['pin-value', 'passphrase', 'token', 'client-secret', 'secret-access-key']);

interface UriBase {
  /** The URI as given. May hold secrets: never log it. */
  readonly raw: string;
  /** The URI with secret values replaced by REDACTED. */
  readonly redacted: string;
  /** Query parameters (percent-decoded). */
  readonly params: ReadonlyMap<string, string>;
}

export interface FileKeyUri extends UriBase {
  scheme: 'file';
  path: string;
}

export interface Pkcs11KeyUri extends UriBase {
  scheme: 'pkcs11';
  /** Path attributes of RFC 7512: token, serial, slot-id, object, type …; `id` appears here as hex. */
  attrs: ReadonlyMap<string, string>;
  /** CKA_ID as bytes, from the `id` attribute. */
  id: Uint8Array | undefined;
}

export interface AwsKmsKeyUri extends UriBase {
  scheme: 'awskms';
  /** Key id, key ARN, alias name or alias ARN. */
  keyId: string;
  /** Endpoint from the URI host (https) or the `endpoint` parameter. */
  endpoint: string | undefined;
  region: string | undefined;
}

export interface GcpKmsKeyUri extends UriBase {
  scheme: 'gcpkms';
  /** projects/…/cryptoKeys/K or projects/…/cryptoKeys/K/cryptoKeyVersions/N */
  name: string;
  endpoint: string | undefined;
}

export interface AzureKmsKeyUri extends UriBase {
  scheme: 'azurekms';
  vaultUrl: string;
  keyName: string;
  version: string | undefined;
}

export interface HashiVaultKeyUri extends UriBase {
  scheme: 'hashivault';
  mount: string;
  keyName: string;
  /** Vault address from the `address` parameter; otherwise VAULT_ADDR. */
  address: string | undefined;
}

export type KeyUri = FileKeyUri | Pkcs11KeyUri | AwsKmsKeyUri | GcpKmsKeyUri | AzureKmsKeyUri | HashiVaultKeyUri;

export function parseKeyUri(raw: string): KeyUri {
  if (typeof raw !== 'string' || raw.length === 0) throw bad(raw, 'a key URI is required');
  const colon = raw.indexOf(':');
  const scheme = colon > 0 ? raw.slice(0, colon).toLowerCase() : '';
  if (!(KEY_SCHEMES as readonly string[]).includes(scheme)) {
    throw bad(raw, `unknown key URI scheme "${scheme || raw.split(/[/?]/)[0]}"; expected one of ${KEY_SCHEMES.join(', ')}`);
  }
  const rest = raw.slice(colon + 1);
  const q = rest.indexOf('?');
  const body = q >= 0 ? rest.slice(0, q) : rest;
  const params = parseQuery(raw, q >= 0 ? rest.slice(q + 1) : '');
  refuseUnknownParams(raw, scheme as KeyScheme, params);
  const base = { raw, redacted: redact(raw, scheme, body, params), params };

  switch (scheme as KeyScheme) {
    case 'file':
      return { ...base, scheme: 'file', path: filePath(raw, body) };
    case 'pkcs11':
      return parsePkcs11(base, raw, body);
    case 'awskms': {
      const { host, path } = authority(raw, body);
      if (!path) throw bad(raw, 'awskms: needs a key id, ARN or alias after the host, e.g. awskms:///alias/signet');
      return {
        ...base,
        scheme: 'awskms',
        keyId: path,
        endpoint: params.get('endpoint') ?? (host ? `https://${host}` : undefined),
        region: params.get('region') ?? /^arn:aws[\w-]*:kms:([^:]+):/.exec(path)?.[1],
      };
    }
    case 'gcpkms': {
      const { host, path } = authority(raw, body);
      const name = [host, path].filter(Boolean).join('/');
      if (!/^projects\/[^/]+\/locations\/[^/]+\/keyRings\/[^/]+\/cryptoKeys\/[^/]+(\/cryptoKeyVersions\/[^/]+)?$/.test(name)) {
        throw bad(raw, 'gcpkms: expected gcpkms://projects/P/locations/L/keyRings/R/cryptoKeys/K[/cryptoKeyVersions/N]');
      }
      return { ...base, scheme: 'gcpkms', name, endpoint: params.get('endpoint') };
    }
    case 'azurekms': {
      const { host, path } = authority(raw, body);
      const parts = path.split('/').filter(Boolean);
      if (!host || parts.length < 1 || parts.length > 2) {
        throw bad(raw, 'azurekms: expected azurekms://NAME.vault.azure.net/KEY[/VERSION]');
      }
      const vaultUrl = params.get('endpoint') ?? `https://${host}`;
      return { ...base, scheme: 'azurekms', vaultUrl, keyName: parts[0]!, version: parts[1] };
    }
    case 'hashivault': {
      const { host, path } = authority(raw, body);
      const parts = [host, ...path.split('/')].filter(Boolean);
      if (parts.length < 2) throw bad(raw, 'hashivault: expected hashivault://MOUNT/KEY, e.g. hashivault://transit/signet');
      const keyName = parts.pop()!;
      return { ...base, scheme: 'hashivault', mount: parts.join('/'), keyName, address: params.get('address') };
    }
  }
}

function parsePkcs11(base: Omit<UriBase, never>, raw: string, body: string): Pkcs11KeyUri {
  const attrs = new Map<string, string>();
  let id: Uint8Array | undefined;
  for (const part of body.split(';')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw bad(raw, `pkcs11: path attribute "${part}" is not NAME=VALUE`);
    const name = part.slice(0, eq).toLowerCase();
    const value = part.slice(eq + 1);
    if (attrs.has(name)) throw bad(raw, `pkcs11: attribute "${name}" appears twice`);
    if (name === 'pin-value') throw bad(raw, `pkcs11: "${name}" belongs in the query (after ?), where it is redacted; prefer pin-source`);
    if (!PKCS11_PATH_ATTRIBUTES.includes(name)) {
      throw bad(raw, `pkcs11: unknown path attribute ${JSON.stringify(name.slice(0, 64))}; Signet selects by ${PKCS11_PATH_ATTRIBUTES.join(', ')}`);
    }
    if (name === 'type' && value !== 'private') throw bad(raw, 'pkcs11: type must be "private" (Signet signs with the private key)');
    if (name === 'id') {
      id = percentBytes(raw, value);
      attrs.set(name, Buffer.from(id).toString('hex'));
    } else {
      attrs.set(name, decode(raw, value, `path attribute "${name}"`));
    }
  }
  if (base.params.has('pin-value') && base.params.has('pin-source')) {
    throw bad(raw, 'pkcs11: give pin-source or pin-value, not both');
  }
  return { ...base, scheme: 'pkcs11', attrs, id };
}

function refuseUnknownParams(raw: string, scheme: KeyScheme, params: ReadonlyMap<string, string>): void {
  const known = QUERY_PARAMS[scheme];
  for (const name of params.keys()) {
    if (!known.includes(name)) throw bad(raw, `unknown parameter ${JSON.stringify(name.slice(0, 64))} for ${scheme}: keys; known: ${known.join(', ')}`);
  }
}

function authority(raw: string, body: string): { host: string; path: string } {
  if (!body.startsWith('//')) throw bad(raw, 'expected SCHEME://… form');
  const rest = body.slice(2);
  const slash = rest.indexOf('/');
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const path = slash < 0 ? '' : rest.slice(slash + 1);
  return { host: decode(raw, host, 'the host'), path: decode(raw, path, 'the path') };
}

function filePath(raw: string, body: string): string {
  // file:///abs/path, file://localhost/abs/path, or file:relative/path
  let p = body;
  if (p.startsWith('//')) {
    const rest = p.slice(2);
    const slash = rest.indexOf('/');
    const host = slash < 0 ? rest : rest.slice(0, slash);
    if (host !== '' && host !== 'localhost') throw bad(raw, `file: remote host "${host}" is not supported`);
    p = slash < 0 ? '' : rest.slice(slash);
  }
  p = decode(raw, p, 'the path');
  if (!p) throw bad(raw, 'file: needs a path, e.g. file:///var/lib/signet/key.pem');
  return p;
}

function parseQuery(raw: string, query: string): Map<string, string> {
  const params = new Map<string, string>();
  if (!query) return params;
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = decode(raw, eq < 0 ? part : part.slice(0, eq), 'a query parameter name').toLowerCase();
    const value = eq < 0 ? '' : decode(raw, part.slice(eq + 1), `query parameter "${name}"`);
    if (params.has(name)) throw bad(raw, `query parameter "${name}" appears twice`);
    params.set(name, value);
  }
  return params;
}

function redact(raw: string, scheme: string, body: string, params: Map<string, string>): string {
  if (params.size === 0) return raw;
  const query = [...params]
    .map(([k, v]) => `${k}=${SECRET_PARAMS.has(k) ? 'REDACTED' : encodeURIComponent(v).replace(/%2F/gi, '/').replace(/%3A/gi, ':')}`)
    .join('&');
  return `${scheme}:${body}?${query}`;
}

/** Percent-decodes; an error names where, never the value, which may be a secret. */
function decode(raw: string, s: string, where: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw bad(raw, `malformed percent-encoding in ${where}`);
  }
}

function percentBytes(raw: string, s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '%') {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw bad(raw, 'pkcs11: malformed id attribute');
      out.push(parseInt(hex, 16));
      i += 2;
    } else {
      out.push(...Buffer.from(s[i]!, 'utf8'));
    }
  }
  return Uint8Array.from(out);
}

/** Error messages quote only the scheme, never the raw URI, which may carry a secret. */
function bad(raw: string, message: string): SignetError {
  const scheme = typeof raw === 'string' && raw.includes(':') ? raw.slice(0, raw.indexOf(':')) : 'key';
  return new SignetError('INVALID_ARGUMENT', `invalid ${scheme} key URI: ${message}`, { field: 'key_uri' });
}
