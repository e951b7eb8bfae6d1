// Caller identities are typed by where they come from (uri:, dns:, cn:), taken byte-exact from the
// certificate's DER, and matched by authorization rules only within their own type.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  callerFromCertificate,
  callerMatches,
  formatIdentity,
  parseIdentityPattern,
  type Caller,
  type CallerIdentity,
  type IdentityOptions,
} from '../../src/server/caller.js';
import { isSignetError } from '../../src/lib/errors.js';
import { mulberry32 } from '../helpers/seeded.js';
import { cn, createCraftedPki, OID, TAG, type CertificateSpec } from '../helpers/x509.js';

const pki = createCraftedPki();
const CN_OFF: IdentityOptions = { cnIdentity: false };
const CN_ON: IdentityOptions = { cnIdentity: true };
const rule = (text: string) => parseIdentityPattern(text, 'rule', CN_ON);
const matches = (text: string, caller: Caller) => callerMatches(rule(text), caller);

interface Case {
  when: string;
  cert: Omit<CertificateSpec, 'ca' | 'usage'>;
  options: IdentityOptions;
  identities: string[];
  /** The canonical caller; `x509` stands for the certificate-hash form. */
  caller: string;
  allowedBy?: string[];
  refusedBy?: string[];
}

const CASES: Case[] = [
  {
    when: 'the CN spells a SPIFFE id and there is no SAN (CN identities off)',
    cert: { subject: [cn('spiffe://example.org/admin')] },
    options: CN_OFF,
    identities: [],
    caller: 'x509',
    allowedBy: ['*'],
    refusedBy: ['uri:spiffe://example.org/admin', 'uri:spiffe://example.org/*', 'dns:spiffe://example.org/admin', 'cn:spiffe://example.org/admin'],
  },
  {
    when: 'the CN spells a SPIFFE id and CN identities are on',
    cert: { subject: [cn('spiffe://example.org/admin')] },
    options: CN_ON,
    identities: ['cn:spiffe://example.org/admin'],
    caller: 'cn:spiffe://example.org/admin',
    allowedBy: ['cn:spiffe://example.org/admin', '*'],
    refusedBy: ['uri:spiffe://example.org/admin', 'uri:**', 'dns:spiffe://example.org/admin'],
  },
  {
    when: 'the CN spells a DNS name and CN identities are on',
    cert: { subject: [cn('admin.example.org')] },
    options: CN_ON,
    identities: ['cn:admin.example.org'],
    caller: 'cn:admin.example.org',
    allowedBy: ['cn:admin.example.org', 'cn:*.example.org'],
    refusedBy: ['dns:admin.example.org', 'dns:*', 'uri:admin.example.org'],
  },
  {
    when: 'the certificate has several URI and DNS SANs and a CN',
    cert: {
      subject: [cn('ci-runner')],
      san: [[TAG.uri, 'spiffe://example.org/a'], [TAG.dns, 'a.example.org'], [TAG.uri, 'spiffe://example.org/b'], [TAG.email, 'a@example.org']],
    },
    options: CN_ON,
    identities: ['uri:spiffe://example.org/a', 'uri:spiffe://example.org/b', 'dns:a.example.org'],
    caller: 'uri:spiffe://example.org/a',
    allowedBy: ['uri:spiffe://example.org/a', 'uri:spiffe://example.org/b', 'dns:a.example.org', 'uri:spiffe://example.org/*'],
    refusedBy: ['cn:ci-runner', 'dns:spiffe://example.org/a', 'uri:a.example.org', 'uri:spiffe://example.org/c', 'dns:a@example.org'],
  },
  {
    when: 'there is only a DNS SAN',
    cert: { subject: [cn('x')], san: [[TAG.dns, 'svc.example.org']] },
    options: CN_ON,
    identities: ['dns:svc.example.org'],
    caller: 'dns:svc.example.org',
    allowedBy: ['dns:svc.example.org'],
    refusedBy: ['cn:x', 'uri:svc.example.org', 'dns:SVC.example.org', 'dns:svc.example.org.'],
  },
  {
    when: 'the SANs are of other types only (e-mail, IP), the CN counts when CN identities are on',
    cert: { subject: [cn('ops')], san: [[TAG.email, 'ops@example.org'], [TAG.ip, Buffer.from([10, 0, 0, 1])]] },
    options: CN_ON,
    identities: ['cn:ops'],
    caller: 'cn:ops',
    allowedBy: ['cn:ops'],
  },
  {
    when: 'a URI SAN contains ", DNS:" (the text Node renders SAN lists with)',
    cert: { subject: [cn('x')], san: [[TAG.uri, 'spiffe://example.org/a, DNS:admin.example.org']] },
    options: CN_OFF,
    identities: ['uri:spiffe://example.org/a, DNS:admin.example.org'],
    caller: 'uri:spiffe://example.org/a, DNS:admin.example.org',
    refusedBy: ['dns:admin.example.org', 'uri:spiffe://example.org/a'],
  },
  {
    when: 'a DNS SAN hides a NUL byte (good.example.org\\0.evil.net)',
    cert: { subject: [cn('good.example.org')], san: [[TAG.dns, Buffer.from('good.example.org\0.evil.net')]] },
    options: CN_ON,
    identities: [],
    caller: 'x509',
    refusedBy: ['dns:good.example.org', 'dns:good.example.org*', 'dns:*', 'cn:good.example.org'],
  },
  {
    when: 'a URI SAN has a line break (log forging) next to a clean one',
    cert: { subject: [cn('x')], san: [[TAG.uri, 'spiffe://example.org/a\nuri:spiffe://example.org/admin'], [TAG.uri, 'spiffe://example.org/b']] },
    options: CN_OFF,
    identities: ['uri:spiffe://example.org/b'],
    caller: 'uri:spiffe://example.org/b',
    refusedBy: ['uri:spiffe://example.org/admin', 'uri:spiffe://example.org/a'],
  },
  {
    when: 'SANs have spaces, percent-escapes and Unicode in two normal forms: each matches only itself, byte for byte',
    cert: {
      subject: [cn('x')],
      san: [[TAG.uri, 'spiffe://example.org/a b'], [TAG.uri, 'spiffe://example.org/%61'], [TAG.uri, 'spiffe://example.org/caf\u00e9'], [TAG.dns, 'xn--caf-dma.example']],
    },
    options: CN_OFF,
    identities: ['uri:spiffe://example.org/a b', 'uri:spiffe://example.org/%61', 'uri:spiffe://example.org/caf\u00e9', 'dns:xn--caf-dma.example'],
    caller: 'uri:spiffe://example.org/a b',
    allowedBy: ['uri:spiffe://example.org/a b', 'uri:spiffe://example.org/%61', 'uri:spiffe://example.org/caf\u00e9'],
    refusedBy: ['uri:spiffe://example.org/a', 'uri:spiffe://example.org/a%20b', 'uri:spiffe://example.org/cafe\u0301', 'dns:caf\u00e9.example', 'uri:spiffe://example.org/A b'],
  },
  {
    when: 'a SAN is not UTF-8 (a raw 0xff byte) or is empty',
    cert: { subject: [cn('x')], san: [[TAG.uri, Buffer.from([0x73, 0xff, 0x41])], [TAG.dns, ''], [TAG.dns, 'ok.example']] },
    options: CN_OFF,
    identities: ['dns:ok.example'],
    caller: 'dns:ok.example',
    refusedBy: ['uri:s\u00ffA', 'uri:s\ufffdA', 'uri:*'],
  },
  {
    when: 'the subject has two CNs: ambiguous, so neither is an identity',
    cert: { subject: [cn('admin'), cn('guest')] },
    options: CN_ON,
    identities: [],
    caller: 'x509',
    refusedBy: ['cn:admin', 'cn:guest'],
  },
  {
    when: 'the CN is a BMPString: read as UTF-16, the same name as its UTF-8 spelling',
    cert: { subject: [cn(Buffer.from('\u00feops', 'utf16le').swap16(), TAG.bmp)] },
    options: CN_ON,
    identities: ['cn:\u00feops'],
    caller: 'cn:\u00feops',
    allowedBy: ['cn:\u00feops'],
  },
  {
    when: 'the CN is a TeletexString (no single agreed reading)',
    cert: { subject: [cn('ops', TAG.teletex)] },
    options: CN_ON,
    identities: [],
    caller: 'x509',
    refusedBy: ['cn:ops'],
  },
  {
    when: 'the certificate has two SAN extensions (RFC 5280 forbids it)',
    cert: { subject: [cn('x')], san: [[[TAG.uri, 'spiffe://example.org/a']], [[TAG.uri, 'spiffe://example.org/admin']]] },
    options: CN_ON,
    identities: [],
    caller: 'x509',
    refusedBy: ['uri:spiffe://example.org/a', 'uri:spiffe://example.org/admin', 'cn:x'],
  },
];

describe('caller identities from a client certificate', () => {
  for (const c of CASES) {
    it(`when ${c.when}`, () => {
      const cert = pki.client(c.cert);
      const caller = callerFromCertificate(cert.der, c.options);
      assert.deepEqual(caller.identities.map(formatIdentity), c.identities);
      if (c.caller === 'x509') assert.match(caller.caller, /^x509-sha256:[0-9a-f]{64}$/);
      else assert.equal(caller.caller, c.caller);
      for (const r of c.allowedBy ?? []) assert.ok(matches(r, caller), `${r} should match`);
      for (const r of c.refusedBy ?? []) assert.ok(!matches(r, caller), `${r} must not match`);
    });
  }

  it('when there is no verified certificate, the caller is anonymous and even * does not match', () => {
    const caller = callerFromCertificate(undefined, CN_ON);
    assert.deepEqual(caller, { identities: [], caller: 'anonymous' });
    assert.ok(!matches('*', caller));
  });

  it('when the bytes are not DER, the certificate carries no identity', () => {
    const der = pki.client({ subject: [cn('x')], san: [[TAG.uri, 'spiffe://example.org/a']] }).der;
    for (const bad of [der.subarray(0, der.length - 1), Buffer.concat([der, Buffer.from([0])]), Buffer.from([0x30, 0x80, 0, 0])]) {
      const caller = callerFromCertificate(bad, CN_ON);
      assert.deepEqual(caller.identities, []);
      assert.match(caller.caller, /^x509-sha256:/);
    }
  });
});

// --- generated certificates: the typed identities are exactly the names an independent parser sees


const PIECES = ['spiffe://example.org/', 'a', 'b.example.org', ', ', 'DNS:', 'URI:', 'uri:', 'dns:', ':', '%', '%61', ' ', '*', '"', '\\', '\u00e9', 'e\u0301', '\u{1F511}', '\0', '\n', '\u202e', '\u2028', '.', '/'];

/** Node's X509Certificate.subjectAltName (values JSON-quoted when unusual, one \\u00XX per byte) → typed byte values. */
function namesByNode(der: Buffer): Array<{ type: string; value: Buffer }> {
  const text = new X509Certificate(der).subjectAltName ?? '';
  const out: Array<{ type: string; value: Buffer }> = [];
  const re = /(URI|DNS|email|IP Address):("(?:[^"\\]|\\.)*"|[^,]*)(?:, |$)/gy;
  let read = 0;
  for (let m = re.exec(text); m && m[0] !== ''; m = re.exec(text)) {
    const raw = m[2]!.startsWith('"') ? (JSON.parse(m[2]!) as string) : m[2]!;
    out.push({ type: m[1]!, value: Buffer.from(raw, 'latin1') });
    read = re.lastIndex;
  }
  assert.equal(read, text.length, `Node's SAN text was fully read: ${JSON.stringify(text)}`);
  return out;
}

describe('caller identities from generated certificates (seeded)', () => {
  it('when SANs are generated from confusing pieces, the typed identities are exactly the usable URI and DNS names Node sees, and a rule matches only its own type', () => {
    const random = mulberry32(0x5191e7);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    const seenKinds = { dropped: 0, cn: 0, crossChecked: 0 };
    for (let n = 0; n < 150; n++) {
      const san: Array<[number, Buffer]> = [];
      for (let k = 1 + Math.floor(random() * 4); k > 0; k--) {
        let value = '';
        for (let p = Math.floor(random() * 5); p >= 0; p--) value += pick(PIECES);
        const raw = random() < 0.1 ? Buffer.concat([Buffer.from(value), Buffer.from([0x80 + Math.floor(random() * 0x80)])]) : Buffer.from(value);
        san.push([pick([TAG.uri, TAG.uri, TAG.dns, TAG.dns, TAG.email]), raw]);
      }
      const subjectCn = pick(PIECES) + pick(PIECES);
      const cert = pki.client({ subject: [[[OID.cn, TAG.utf8, subjectCn]]], san });
      const caller = callerFromCertificate(cert.der, CN_ON);

      const expected: CallerIdentity[] = [];
      const usable = (b: Buffer) => {
        const s = b.toString('utf8');
        return b.length > 0 && Buffer.from(s, 'utf8').equals(b) && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(s) ? s : undefined;
      };
      const seen = namesByNode(cert.der);
      for (const type of ['URI', 'DNS'] as const) {
        for (const name of seen.filter((x) => x.type === type)) {
          const value = usable(name.value);
          if (value !== undefined) expected.push({ type: type === 'URI' ? 'uri' : 'dns', value });
        }
      }
      // The CN counts only when the certificate has no URI or DNS SAN at all, usable or not.
      const cnValue = usable(Buffer.from(subjectCn));
      if (!seen.some((x) => x.type === 'URI' || x.type === 'DNS') && cnValue !== undefined) expected.push({ type: 'cn', value: cnValue });
      assert.deepEqual(caller.identities, expected, `case ${n}`);
      seenKinds.dropped += seen.filter((x) => x.type === 'URI' || x.type === 'DNS').length + (expected.at(-1)?.type === 'cn' ? 1 : 0) - expected.length;
      seenKinds.cn += expected.some((x) => x.type === 'cn') ? 1 : 0;
      assert.equal(caller.caller, expected[0] ? formatIdentity(expected[0]) : caller.caller);

      for (const id of caller.identities) {
        if (/[*?]/.test(id.value) || id.value.trim() !== id.value) continue; // wildcards and edge spaces are not exact rules
        assert.ok(matches(formatIdentity(id), caller), `${formatIdentity(id)} matches its own caller`);
        for (const other of ['uri', 'dns', 'cn'] as const) {
          if (other === id.type || caller.identities.some((x) => x.type === other && x.value === id.value)) continue;
          assert.ok(!matches(`${other}:${id.value}`, caller), `${other}:${id.value} must not match a ${id.type} name (case ${n})`);
          seenKinds.crossChecked++;
        }
      }
    }
    // The generator reached the interesting cases: dropped names, CN fallbacks, cross-type probes.
    assert.ok(seenKinds.dropped > 10 && seenKinds.cn > 3 && seenKinds.crossChecked > 100, JSON.stringify(seenKinds));
  });
});

describe('authorization rule identities in config', () => {
  const refused: Array<[string, IdentityOptions, RegExp]> = [
    ['spiffe://example.org/app', CN_ON, /does not say which kind of name it is: write uri:VALUE/],
    ['ci-runner', CN_ON, /does not say which kind of name/],
    ['URI:spiffe://example.org/app', CN_ON, /does not say which kind of name/],
    ['DNS:a.example.org', CN_ON, /does not say which kind of name/],
    ['san:a', CN_ON, /does not say which kind of name/],
    ['email:a@example.org', CN_ON, /does not say which kind of name/],
    ['uri:', CN_ON, /needs a value after "uri:"/],
    ['dns:a\0.example.org', CN_ON, /without control characters/],
    ['uri: spiffe://example.org/app', CN_ON, /has spaces around its value/],
    ['dns:a.example.org ', CN_ON, /has spaces around its value/],
    ['cn:ci-runner', CN_OFF, /not an identity unless tls.cn_identity is true/],
  ];
  for (const [text, options, message] of refused) {
    it(`when a rule says ${JSON.stringify(text)}, start-up is refused with a CONFIG error naming the field`, () => {
      assert.throws(() => parseIdentityPattern(text, 'authorization[0].identity', options), (e) => isSignetError(e, 'CONFIG') && e.field === 'authorization[0].identity' && message.test(e.message));
    });
  }

  it('typed rules and * are accepted', () => {
    assert.deepEqual(parseIdentityPattern('*', 'f', CN_OFF), { any: true });
    assert.deepEqual(parseIdentityPattern('uri:spiffe://example.org/ns/*', 'f', CN_OFF), { any: false, type: 'uri', pattern: 'spiffe://example.org/ns/*' });
    assert.deepEqual(parseIdentityPattern('dns:a b.example', 'f', CN_OFF), { any: false, type: 'dns', pattern: 'a b.example' });
    assert.deepEqual(parseIdentityPattern('cn:ci-runner', 'f', CN_ON), { any: false, type: 'cn', pattern: 'ci-runner' });
  });
});
