// Reads the names a client certificate carries — URI and DNS subjectAltNames, subject CNs — from its
// DER bytes, exactly as encoded, so no text rendering (Node's "URI:a, DNS:b" string) can be confused.

/** Names as the certificate encodes them, in certificate order; undecodable values are `undefined`. */
export interface CertificateNames {
  uris: (string | undefined)[];
  dnsNames: (string | undefined)[];
  commonNames: (string | undefined)[];
  /** True when the certificate has a subjectAltName extension (of any name type). */
  hasSan: boolean;
}

const OID_CN = '550403'; // 2.5.4.3
const OID_SAN = '551d11'; // 2.5.29.17
const TAG_SEQUENCE = 0x30;
const TAG_SET = 0x31;
const TAG_OID = 0x06;
const TAG_OCTET_STRING = 0x04;
const TAG_BOOLEAN = 0x01;
const TAG_DNS_NAME = 0x82; // [2] IMPLICIT IA5String
const TAG_URI = 0x86; // [6] IMPLICIT IA5String

interface Tlv {
  tag: number;
  body: Uint8Array;
}

/** Thrown for bytes that are not DER; the caller treats the certificate as carrying no names. */
export class MalformedCertificate extends Error {}

/** Splits `bytes` into its DER elements (definite lengths only, minimal length encoding). */
function elements(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let i = 0;
  while (i < bytes.length) {
    const tag = bytes[i++]!;
    if ((tag & 0x1f) === 0x1f) throw new MalformedCertificate('high tag numbers are not used in certificates');
    if (i >= bytes.length) throw new MalformedCertificate('truncated length');
    let length = bytes[i++]!;
    if (length & 0x80) {
      const count = length & 0x7f;
      if (count === 0 || count > 4) throw new MalformedCertificate('indefinite or oversized length');
      if (i + count > bytes.length) throw new MalformedCertificate('truncated length');
      if (bytes[i] === 0) throw new MalformedCertificate('non-minimal length');
      length = 0;
      for (let k = 0; k < count; k++) length = length * 256 + bytes[i++]!;
      if (length < 0x80) throw new MalformedCertificate('non-minimal length');
    }
    if (i + length > bytes.length) throw new MalformedCertificate('element runs past its parent');
    out.push({ tag, body: bytes.subarray(i, i + length) });
    i += length;
  }
  return out;
}

function only(bytes: Uint8Array, tag: number): Uint8Array {
  const list = elements(bytes);
  if (list.length !== 1 || list[0]!.tag !== tag) throw new MalformedCertificate(`expected one element with tag ${tag}`);
  return list[0]!.body;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf16be = new TextDecoder('utf-16be', { fatal: true, ignoreBOM: true });

/** Text of a string value, or undefined when it is not text we can read one way only. */
function decode(tag: number, body: Uint8Array): string | undefined {
  try {
    switch (tag) {
      case 0x0c: // UTF8String
      case 0x13: // PrintableString
      case 0x16: // IA5String
      case TAG_DNS_NAME:
      case TAG_URI:
        return utf8.decode(body);
      case 0x1e: // BMPString (UTF-16BE)
        return body.length % 2 === 0 ? utf16be.decode(body) : undefined;
      default: // TeletexString, UniversalString …: no single agreed reading
        return undefined;
    }
  } catch {
    return undefined;
  }
}

export function certificateNames(der: Uint8Array): CertificateNames {
  const names: CertificateNames = { uris: [], dnsNames: [], commonNames: [], hasSan: false };
  const tbs = elements(only(der, TAG_SEQUENCE));
  if (tbs.length !== 3 || tbs[0]!.tag !== TAG_SEQUENCE) throw new MalformedCertificate('not a certificate');
  const fields = elements(tbs[0]!.body);
  let at = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version
  at += 3; // serialNumber, signature, issuer
  at += 1; // validity
  const subject = fields[at];
  if (!subject || subject.tag !== TAG_SEQUENCE) throw new MalformedCertificate('no subject');
  for (const rdn of elements(subject.body)) {
    if (rdn.tag !== TAG_SET) throw new MalformedCertificate('subject RDN is not a SET');
    for (const atv of elements(rdn.body)) {
      const [type, value] = elements(atv.body);
      if (atv.tag !== TAG_SEQUENCE || type?.tag !== TAG_OID || !value) throw new MalformedCertificate('bad subject attribute');
      if (hex(type.body) === OID_CN) names.commonNames.push(decode(value.tag, value.body));
    }
  }
  const extensions = fields.slice(at + 2).find((f) => f.tag === 0xa3);
  if (!extensions) return names;
  for (const ext of elements(only(extensions.body, TAG_SEQUENCE))) {
    const parts = elements(ext.body);
    if (ext.tag !== TAG_SEQUENCE || parts[0]?.tag !== TAG_OID) throw new MalformedCertificate('bad extension');
    if (hex(parts[0].body) !== OID_SAN) continue;
    // RFC 5280 §4.2: an extension appears at most once; two SAN lists would make the names ambiguous.
    if (names.hasSan) throw new MalformedCertificate('two subjectAltName extensions');
    names.hasSan = true;
    const value = parts[1]?.tag === TAG_BOOLEAN ? parts[2] : parts[1];
    if (value?.tag !== TAG_OCTET_STRING) throw new MalformedCertificate('bad subjectAltName value');
    for (const name of elements(only(value.body, TAG_SEQUENCE))) {
      if (name.tag === TAG_URI) names.uris.push(decode(name.tag, name.body));
      else if (name.tag === TAG_DNS_NAME) names.dnsNames.push(decode(name.tag, name.body));
    }
  }
  return names;
}
