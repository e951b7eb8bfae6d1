// Who is calling: typed identities from a verified client certificate (uri:, dns:, cn:), one
// canonical caller string per call, and the typed patterns authorization rules match them with.
import { createHash } from 'node:crypto';
import type { ServerUnaryCall } from '@grpc/grpc-js';
import { globMatch } from '../credentials/glob.js';
import { SignetError } from '../lib/errors.js';
import { certificateNames, MalformedCertificate } from './peer-certificate.js';

/** Where an identity comes from: a URI SAN, a DNS SAN, or (only when configured) the subject CN. */
export type IdentityType = 'uri' | 'dns' | 'cn';
export const IDENTITY_TYPES: readonly IdentityType[] = ['uri', 'dns', 'cn'];

export interface CallerIdentity {
  type: IdentityType;
  /** The value exactly as the certificate encodes it (UTF-8); never normalised. */
  value: string;
}

/** The caller of every call without a verified client certificate (plaintext, server-only TLS). */
export const ANONYMOUS_CALLER = 'anonymous';

export interface Caller {
  /** Every usable identity of the certificate: URI SANs, then DNS SANs, then the CN when enabled. */
  identities: readonly CallerIdentity[];
  /**
   * One stable string per caller: `uri:…` (first URI SAN), else `dns:…`, else `cn:…`, else
   * `x509-sha256:<hex>` (a verified certificate with no usable name), else `anonymous`.
   */
  caller: string;
}

export interface IdentityOptions {
  /** Take the subject CN as a `cn:` identity when the certificate has no URI or DNS SAN. */
  cnIdentity: boolean;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const formatIdentity = (id: CallerIdentity): string => `${id.type}:${id.value}`;

/**
 * A value can name a caller when it is well-formed text with no control characters: a NUL or a
 * line break could cut or forge a name wherever it is logged or stored, so such a name is dropped.
 */
export function usableIdentityValue(value: string | undefined): value is string {
  return value !== undefined && value !== '' && value.length <= 1024 && !LONE_SURROGATE.test(value) && !CONTROL.test(value);
}

/** The caller of a call, from its verified peer certificate (DER), or anonymous without one. */
export function callerFromCertificate(der: Uint8Array | undefined, options: IdentityOptions): Caller {
  if (!der) return { identities: [], caller: ANONYMOUS_CALLER };
  const identities: CallerIdentity[] = [];
  try {
    const names = certificateNames(der);
    for (const value of names.uris) if (usableIdentityValue(value)) identities.push({ type: 'uri', value });
    for (const value of names.dnsNames) if (usableIdentityValue(value)) identities.push({ type: 'dns', value });
    // RFC 6125 §6.4.4: the CN counts only without names of the types we use; two CNs are ambiguous.
    const cn = names.commonNames;
    if (options.cnIdentity && names.uris.length === 0 && names.dnsNames.length === 0 && cn.length === 1 && usableIdentityValue(cn[0])) {
      identities.push({ type: 'cn', value: cn[0] });
    }
  } catch (err) {
    if (!(err instanceof MalformedCertificate)) throw err;
  }
  const first = identities[0];
  return {
    identities,
    caller: first ? formatIdentity(first) : `x509-sha256:${createHash('sha256').update(der).digest('hex')}`,
  };
}

/** grpc-js gives the peer certificate only when the TLS layer verified it against tls.client_ca. */
export function callerOf(call: Pick<ServerUnaryCall<unknown, unknown>, 'getAuthContext'>, tls: { cnIdentity: boolean } | undefined): Caller {
  const der = tls ? call.getAuthContext()?.sslPeerCertificate?.raw : undefined;
  return callerFromCertificate(der, { cnIdentity: tls?.cnIdentity ?? false });
}

/** An authorization rule's identity: `*` (any authenticated caller) or a typed glob. */
export type IdentityPattern = { any: true } | { any: false; type: IdentityType; pattern: string };

/**
 * Parses a rule identity from config. Refuses an untyped or unknown-typed one, so `spiffe://x` or
 * a bare CN can never be read as one kind of name when the operator meant another.
 */
export function parseIdentityPattern(text: string, field: string, options: IdentityOptions): IdentityPattern {
  if (text === '*') return { any: true };
  const colon = text.indexOf(':');
  const type = text.slice(0, colon) as IdentityType;
  if (colon < 0 || !IDENTITY_TYPES.includes(type)) {
    throw new SignetError(
      'CONFIG',
      `config: ${field} "${text}" does not say which kind of name it is: write uri:VALUE (a URI SAN, e.g. uri:spiffe://example.org/app), dns:VALUE (a DNS SAN), cn:VALUE (the subject CN, with tls.cn_identity: true) or * (any authenticated caller)`,
      { field },
    );
  }
  const pattern = text.slice(colon + 1);
  if (!usableIdentityValue(pattern)) throw new SignetError('CONFIG', `config: ${field} needs a value after "${type}:", without control characters`, { field });
  if (pattern.trim() !== pattern) throw new SignetError('CONFIG', `config: ${field} "${text}" has spaces around its value; names match exactly, so remove them`, { field });
  if (type === 'cn' && !options.cnIdentity) {
    throw new SignetError('CONFIG', `config: ${field} is a cn: rule, but the subject CN is not an identity unless tls.cn_identity is true`, { field });
  }
  return { any: false, type, pattern };
}

/**
 * True when any of the caller's identities of the pattern's type matches it (types never cross);
 * `*` matches every caller with a verified client certificate, never the anonymous one.
 */
export function callerMatches(pattern: IdentityPattern, caller: Caller): boolean {
  if (pattern.any) return caller.caller !== ANONYMOUS_CALLER;
  return caller.identities.some((id) => id.type === pattern.type && globMatch(pattern.pattern, id.value));
}
