// Builds real, signed X.509 certificates byte by byte (node:crypto signs them), so tests can craft
// names that tools refuse to write: NUL bytes, commas, raw non-UTF-8 bytes, two CNs, any string type.
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

const len = (n: number): Buffer => {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
};
export const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...parts: Buffer[]) => tlv(0x30, ...parts);
const oid = (hex: string) => tlv(0x06, Buffer.from(hex, 'hex'));
const utcTime = (d: Date) => tlv(0x17, Buffer.from(d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z'));

export const OID = {
  cn: '550403',
  o: '55040a',
  san: '551d11',
  basicConstraints: '551d13',
  keyUsage: '551d0f',
  extKeyUsage: '551d25',
  clientAuth: '2b06010505070302',
  serverAuth: '2b06010505070301',
  ecdsaSha256: '2a8648ce3d040302',
};

/** DER string tags for subject values and SAN name tags (context-specific, implicit). */
export const TAG = { utf8: 0x0c, printable: 0x13, ia5: 0x16, teletex: 0x14, bmp: 0x1e, dns: 0x82, uri: 0x86, ip: 0x87, email: 0x81 };

/** One subject attribute: OID (hex), string tag, value bytes (a string is written as UTF-8). */
export type Attribute = [oidHex: string, tag: number, value: Buffer | string];
/** One SAN entry: name tag, value bytes. */
export type SanEntry = [tag: number, value: Buffer | string];

export interface CertificateSpec {
  /** RDNs of the subject, each a list of attributes (more than one makes a multi-valued RDN). */
  subject: Attribute[][];
  /** SAN entries; `undefined` leaves the extension out. A list of lists writes several SAN extensions. */
  san?: SanEntry[] | SanEntry[][];
  ca?: boolean;
  usage?: 'client' | 'server';
}

export interface Issued {
  der: Buffer;
  pem: string;
  key: KeyObject;
  keyPem: string;
  name: Buffer;
}

const bytes = (v: Buffer | string) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
const nameDer = (rdns: Attribute[][]) => seq(...rdns.map((rdn) => tlv(0x31, ...rdn.map(([o, tag, v]) => seq(oid(o), tlv(tag, bytes(v)))))));
const extension = (o: string, critical: boolean, value: Buffer) => seq(oid(o), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value));

/** Issues a certificate for `spec`, signed by `issuer` (or self-signed when absent). */
export function issueCertificate(spec: CertificateSpec, issuer?: Issued): Issued {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const subject = nameDer(spec.subject);
  const exts: Buffer[] = [];
  if (spec.ca) {
    exts.push(extension(OID.basicConstraints, true, seq(tlv(0x01, Buffer.from([0xff])))));
    exts.push(extension(OID.keyUsage, true, tlv(0x03, Buffer.from([0x01, 0x06])))); // keyCertSign, cRLSign
  } else if (spec.usage) {
    exts.push(extension(OID.extKeyUsage, false, seq(oid(spec.usage === 'client' ? OID.clientAuth : OID.serverAuth))));
  }
  if (spec.san) {
    const lists = Array.isArray(spec.san[0]?.[0]) ? (spec.san as SanEntry[][]) : [spec.san as SanEntry[]];
    for (const list of lists) exts.push(extension(OID.san, false, seq(...list.map(([tag, v]) => tlv(tag, bytes(v))))));
  }
  const algorithm = seq(oid(OID.ecdsaSha256));
  const now = Date.now();
  const serial = Buffer.concat([Buffer.from([0x01]), randomBytes(15)]);
  const tbs = seq(
    tlv(0xa0, tlv(0x02, Buffer.from([2]))),
    tlv(0x02, serial),
    algorithm,
    issuer ? issuer.name : subject,
    seq(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 2 * 86_400_000))),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    ...(exts.length ? [tlv(0xa3, seq(...exts))] : []),
  );
  const signature = sign('sha256', tbs, issuer ? issuer.key : privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.from([0]), signature));
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n').trimEnd();
  return {
    der,
    pem: `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`,
    key: privateKey,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    name: subject,
  };
}

export const cn = (value: Buffer | string, tag = TAG.utf8): Attribute[] => [[OID.cn, tag, value]];

/** A CA, a server certificate for localhost / 127.0.0.1, and a client issuer, all in memory. */
export function createCraftedPki(): { ca: Issued; server: Issued; client(spec: Omit<CertificateSpec, 'ca' | 'usage'>): Issued } {
  const ca = issueCertificate({ subject: [cn('Signet Crafted Test CA')], ca: true });
  const server = issueCertificate({ subject: [cn('localhost')], san: [[TAG.dns, 'localhost'], [TAG.ip, Buffer.from([127, 0, 0, 1])]], usage: 'server' }, ca);
  return { ca, server, client: (spec) => issueCertificate({ ...spec, usage: 'client' }, ca) };
}

