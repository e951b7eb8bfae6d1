// One canonical form for actions and resources, attacked with generated respellings: each one is
// refused with INVALID_ARGUMENT or decided exactly as the canonical form is, deny rules included.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { canonicalResource } from '../../src/credentials/canonical.js';
import { parseIntent } from '../../src/credentials/intent.js';
import { parsePolicy } from '../../src/credentials/policy-file.js';
import { authorize, type Decision, type Policy, type PolicyAgent } from '../../src/credentials/policy.js';
import { isSignetError } from '../../src/lib/errors.js';
import { seededRandom, withSeed, withSeedAsync, type Random } from '../helpers/seeded.js';
import { makeFixture, type Fixture, type TestAgent } from './fixture.js';

const limits = { maxTtlSeconds: 3600, defaultTtlSeconds: 60 };
const agent: PolicyAgent = { id: 'did:key:z6MkTest', groups: ['ci'], labels: {} };

const LETTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const OTHER = ['-', '_', '.', 'é', 'ß', 'ж', 'ñ', 'ø', '中', 'fi', 'ff', 'k', 'K', 's', '2', 'Å', 'i'];

function genSegment(r: Random): string {
  for (;;) {
    const s = Array.from({ length: 1 + r.int(8) }, () => (r.bool(0.75) ? LETTERS[r.int(LETTERS.length)]! : r.pick(OTHER))).join('');
    if (s !== '.' && s !== '..') return s;
  }
}

function genResource(r: Random): string {
  const scheme = r.pick(['', '', 'https://', 'mcp://', 'file:///']);
  const segments = Array.from({ length: 1 + r.int(4) }, () => genSegment(r));
  // An https host has one spelling (lower-case ASCII, url-resources.test.ts); its path is free text.
  if (scheme === 'https://') segments[0] = Array.from({ length: 1 + r.int(8) }, () => LETTERS[r.int(26)]!).join('');
  return scheme + segments.join('/');
}

const hex = (b: number, r: Random) => {
  const h = b.toString(16).padStart(2, '0');
  return r.bool() ? h.toUpperCase() : h;
};
const utf8Percent = (ch: string, r: Random, prefix = '%') => [...Buffer.from(ch, 'utf8')].map((b) => prefix + hex(b, r)).join('');

/** NFKC look-alikes: each maps back to the plain text under NFKC. */
const LOOKALIKE: Record<string, string[]> = {
  fi: ['\uFB01'],
  ff: ['\uFB00'],
  s: ['\u017F'],
  k: [],
  K: ['\u212A'],
  'Å': ['\u212B'],
  '2': ['\u00B2', '\u2082', '\uFF12'],
  i: ['\u2170', '\u24D8'],
  a: ['\uD835\uDC1A', '\u00AA'],
  '.': ['\uFF0E', '\u2024'],
  '/': ['\uFF0F'],
  '-': ['\uFE63', '\uFF0D'],
};
const INVISIBLE = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\u034F', '\uFE0F', '\u202E', '\u0000', '\u007F', '\u0085', '\u00A0', '\u3000'];

export type Kind = 'percent' | 'double' | 'case' | 'nfkc' | 'combining' | 'invisible' | 'path';

/** One respelling of `s` of the given kind, or undefined when `s` offers nothing to respell. */
export function respell(s: string, kind: Kind, r: Random): string | undefined {
  const chars = [...s];
  const at = (pred: (c: string) => boolean) => {
    const idx = chars.map((c, i) => (pred(c) ? i : -1)).filter((i) => i >= 0);
    return idx.length ? r.pick(idx) : undefined;
  };
  const put = (i: number, text: string) => [...chars.slice(0, i), text, ...chars.slice(i + 1)].join('');
  switch (kind) {
    case 'percent': {
      const i = at((c) => c !== '/' && c !== ':');
      return i === undefined ? undefined : put(i, utf8Percent(chars[i]!, r));
    }
    case 'double': {
      const i = at((c) => c !== '/' && c !== ':');
      return i === undefined ? undefined : put(i, utf8Percent(chars[i]!, r, '%25'));
    }
    case 'case': {
      if (r.bool(0.3)) return r.bool() ? s.toUpperCase() : s.toLowerCase();
      const i = at((c) => c.toUpperCase() !== c.toLowerCase());
      if (i === undefined) return undefined;
      const c = chars[i]!;
      return put(i, c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase());
    }
    case 'nfkc': {
      const options: [number, number, string][] = [];
      for (const [plain, alikes] of Object.entries(LOOKALIKE)) {
        for (let from = s.indexOf(plain); from >= 0; from = s.indexOf(plain, from + 1)) for (const a of alikes) options.push([from, plain.length, a]);
      }
      const ascii = at((c) => /[A-Za-z0-9]/.test(c));
      if (ascii !== undefined) {
        // Fullwidth forms of ASCII letters and digits (U+FF01 … U+FF5E).
        const i = chars.slice(0, ascii).join('').length;
        options.push([i, 1, String.fromCodePoint(0xff01 + s.charCodeAt(i) - 0x21)]);
        options.push([i, 1, String.fromCodePoint(0x1d400 + (/[A-Z]/.test(s[i]!) ? s.charCodeAt(i) - 65 : /[a-z]/.test(s[i]!) ? 26 + s.charCodeAt(i) - 97 : 0))]);
      }
      if (options.length === 0) return undefined;
      const [i, len, text] = r.pick(options);
      return s.slice(0, i) + text + s.slice(i + len);
    }
    case 'combining': {
      const composed = at((c) => c.normalize('NFD') !== c);
      if (composed !== undefined && r.bool()) return put(composed, chars[composed]!.normalize('NFD'));
      const i = r.int(chars.length + 1);
      return [...chars.slice(0, i), r.pick(['\u0301', '\u0308', '\u0338', '\u0307']), ...chars.slice(i)].join('');
    }
    case 'invisible': {
      const i = r.int(chars.length + 1);
      return [...chars.slice(0, i), r.pick(INVISIBLE), ...chars.slice(i)].join('');
    }
    case 'path': {
      const slashes = chars.map((c, i) => (c === '/' ? i : -1)).filter((i) => i >= 0 && !(chars[i - 1] === '/' || chars[i + 1] === '/' || chars[i - 1] === ':'));
      const trick = r.pick(['trail', 'double', 'dot', 'dotdot', 'backslash', 'scheme', 'lead']);
      if (trick === 'trail') return s + '/';
      if (trick === 'lead') return '/' + s;
      if (trick === 'scheme') return /^[a-z]+:\/\//.test(s) ? s.replace(/^[a-z]+/, (m) => m.toUpperCase()) : undefined;
      if (slashes.length === 0) return undefined;
      const i = r.pick(slashes);
      return put(i, { double: '//', dot: '/./', dotdot: '/x/../', backslash: '\\' }[trick]!);
    }
  }
}

const KINDS: Kind[] = ['percent', 'double', 'case', 'nfkc', 'combining', 'invisible', 'path'];

/** A policy built around `resource`: deny rules that match it, and a broad allow after them. */
function policyFor(resource: string, r: Random, caseInsensitive: boolean): string {
  const segs = resource.split('/');
  const last = segs.length - 1;
  const patterns = [
    resource,
    [...segs.slice(0, last), '*'].join('/'),
    last >= 1 ? [...segs.slice(0, last), '**'].join('/') : '**',
    segs.map((s, i) => (i === last && s.length > 1 ? s.slice(0, 1) + '*' : s)).join('/'),
  ];
  const ci = caseInsensitive ? '\n    resource_case: insensitive' : '';
  return `
rules:
  - name: deny-it
    effect: deny
    agents: ["*"]
    actions: ["repo:delete", "tools/*"]
    resources: [${JSON.stringify(r.pick(patterns))}]${ci}
  - name: allow-most
    agents: [{group: ci}]
    actions: ["repo:*", "tools/*"]
    resources: ["**"]${ci}
`;
}

const invalidOn = (e: unknown) => isSignetError(e, 'INVALID_ARGUMENT') && /^intent\.(action|resource)$/.test(e.field ?? '');

describe('canonical resources against generated respellings', () => {
  it('when 1500 generated resources each meet respellings of every kind: refused, or the same decision as the canonical form', () => {
    const r = seededRandom(3986);
    const counts: Record<string, { refused: number; same: number }> = {};
    for (let i = 0; i < 1500; i++) {
      const resource = genResource(r);
      const action = r.pick(['repo:delete', 'repo:read', 'tools/call']);
      withSeed(r, `resource ${JSON.stringify(resource)}`, () => {
        assert.equal(canonicalResource(resource, 'intent.resource'), resource, 'generated resources are canonical');
        const caseInsensitive = r.bool();
        const policy: Policy = parsePolicy(policyFor(resource, r, caseInsensitive), 'gen.yaml', limits);
        const canonical: Decision = authorize(policy, agent, parseIntent({ action, resource }));
        if (action === 'repo:delete' || action === 'tools/call') assert.equal(canonical.rule, 'deny-it', 'the deny rule matches the canonical form');
        for (const kind of KINDS) {
          for (let n = 0; n < 3; n++) {
            const target = kind !== 'case' && r.bool(0.2) ? 'action' : 'resource';
            const respelled = respell(target === 'action' ? action : resource, kind, r);
            if (respelled === undefined || respelled === (target === 'action' ? action : resource)) continue;
            // Case is part of a name unless the policy says its owner ignores it.
            if (kind === 'case' && !caseInsensitive) continue;
            const question = target === 'action' ? { action: respelled, resource } : { action, resource: respelled };
            const c = (counts[kind] ??= { refused: 0, same: 0 });
            let intent;
            try {
              intent = parseIntent(question);
            } catch (err) {
              assert.ok(invalidOn(err), `${kind} ${JSON.stringify(respelled)}: not INVALID_ARGUMENT on the field: ${String(err)}`);
              c.refused++;
              continue;
            }
            const d = authorize(policy, agent, intent);
            assert.deepEqual([d.allow, d.rule], [canonical.allow, canonical.rule], `${kind} ${JSON.stringify(respelled)} decided differently from ${JSON.stringify(resource)}`);
            c.same++;
          }
        }
      });
    }
    // Every kind was exercised, and only case changes (under resource_case: insensitive) get through.
    for (const kind of KINDS) assert.ok((counts[kind]?.refused ?? 0) + (counts[kind]?.same ?? 0) > 500, `${kind}: ${JSON.stringify(counts[kind])}`);
    for (const kind of KINDS.filter((k) => k !== 'case')) assert.equal(counts[kind]!.same, 0, `${kind} respellings are all refused`);
    assert.ok(counts.case!.same > 0);
  });
});

describe('canonical resources through Authorize, Issue and VerifyCredential', () => {
  const POLICY = `
rules:
  - name: deny-prod
    effect: deny
    agents: ["*"]
    actions: ["repo:delete"]
    resources: ["github.com/acme/prod-*"]
    resource_case: insensitive
  - name: ci-repos
    agents: [{group: ci}]
    actions: ["repo:read", "repo:delete"]
    resources: ["github.com/acme/**"]
    resource_case: insensitive
`;
  const GH = 'https://api.github.com';
  let f: Fixture;
  let a: TestAgent;
  before(async () => {
    f = await makeFixture({ policyText: POLICY });
    a = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when 400 respellings of a denied resource reach Authorize and Issue: INVALID_ARGUMENT or DENY, and nothing is issued', async () => {
    const r = seededRandom(2718);
    const resource = 'github.com/acme/prod-db';
    const issued = f.ledger.ofType('issuance').length;
    let refused = 0;
    for (let i = 0; i < 400; i++) {
      const respelled = respell(resource, KINDS[i % KINDS.length]!, r);
      if (!respelled || respelled === resource) continue;
      await withSeedAsync(r, JSON.stringify(respelled), async () => {
        const intent = { action: 'repo:delete', resource: respelled };
        try {
          const d = await f.creds.authorize({ agentId: a.id, intent });
          assert.deepEqual([d.allow, d.rule], [false, 'deny-prod']);
        } catch (err) {
          assert.ok(invalidOn(err), String(err));
          refused++;
        }
        await assert.rejects(f.creds.issuer.issue({ agentId: a.id, intent, audience: GH }), (e) => invalidOn(e) || isSignetError(e, 'PERMISSION_DENIED'));
      });
    }
    assert.ok(refused > 250, `${refused} refused`);
    assert.equal(f.ledger.ofType('issuance').length, issued);
  });

  it('when a credential for the canonical resource is presented with a respelled one: INVALID_ARGUMENT or intent_mismatch, never valid', async () => {
    const r = seededRandom(1618);
    const intent = { action: 'repo:read', resource: 'github.com/acme/app' };
    const { token } = await f.creds.issuer.issue({ agentId: a.id, intent, audience: GH });
    for (let i = 0; i < 140; i++) {
      const respelled = respell(intent.resource, KINDS[i % KINDS.length]!, r);
      if (!respelled || respelled === intent.resource) continue;
      await withSeedAsync(r, JSON.stringify(respelled), async () => {
        try {
          const v = await f.creds.verifier.verify({ token, intent: { ...intent, resource: respelled }, audience: GH });
          assert.equal(v.reason, 'intent_mismatch');
        } catch (err) {
          assert.ok(invalidOn(err), String(err));
        }
      });
    }
    assert.equal((await f.creds.verifier.verify({ token, intent, audience: GH })).valid, true);
  });

  it('when the policy file holds a pattern that is not canonical: CONFIG naming the rule', () => {
    for (const pattern of ['github.com/acme/prod%2D*', 'github.com/ａcme/*', 'github.com/acme/\u200Bprod-*', 'MCP://search/*', 'github.com/acme/ﬁles']) {
      assert.throws(
        () => parsePolicy(`rules:\n  - name: r\n    agents: ["*"]\n    actions: [a]\n    resources: [${JSON.stringify(pattern)}]\n`, 'p.yaml', limits),
        (e) => isSignetError(e, 'CONFIG') && /rules\[0\]\.resources/.test(e.message),
        pattern,
      );
    }
  });

  it('when resource_case is not sensitive or insensitive: CONFIG', () => {
    assert.throws(() => parsePolicy('rules:\n  - name: r\n    agents: ["*"]\n    actions: [a]\n    resources: [b]\n    resource_case: maybe\n', 'p.yaml', limits), (e) => isSignetError(e, 'CONFIG') && /resource_case/.test(e.message));
  });
});

describe('the canonical form, by example', () => {
  const accepted = ['github.com/acme/app', 'mcp://search/web_fetch', 'https://api.example.com/v1/items?x=1', 'file:///srv/data', 'ledger/x..y', 'a/.hidden/b', 'straße/ñandú', 'हिन्दी/पृष्ठ', '中文/文件', 'repo name/with space'];
  for (const resource of accepted) {
    it(`when the resource is ${JSON.stringify(resource)}: accepted as written`, () => {
      assert.equal(parseIntent({ action: 'repo:read', resource }).resource, resource);
    });
  }
  const refused: [string, RegExp][] = [
    ['github.com/acme/%70rod-db', /percent/],
    ['github.com/acme/%2570rod-db', /percent/],
    ['github.com/acme/ｐrod-db', /NFKC/],
    ['github.com/acme/pro\uFB01le', /NFKC/],
    ['github.com/acme/cafe\u0301', /NFC/],
    ['github.com/acme/q\u0301', /combining mark/],
    ['github.com/acme/ñ\u0338', /generic combining mark/],
    ['github.com/acme/\u200Bprod-db', /U\+200B/],
    ['github.com/acme/prod\u00ADdb', /U\+00AD/],
    ['github.com/acme/prod-db\uFE0F', /U\+FE0F/],
    ['github.com/acme/\u202Ebd-dorp', /U\+202E/],
    ['github.com/acme/prod\u00A0db', /U\+00A0/],
    [' github.com/acme/prod-db', /space/],
    ['HTTPS://api.example.com/x', /lower case/],
  ];
  for (const [resource, why] of refused) {
    it(`when the resource is ${JSON.stringify(resource)}: INVALID_ARGUMENT on intent.resource (${why.source})`, () => {
      assert.throws(() => parseIntent({ action: 'repo:read', resource }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.resource' && why.test(e.message));
    });
  }
  it('when the action is respelled: INVALID_ARGUMENT on intent.action', () => {
    for (const action of ['repo:%64elete', 'repo:ｄelete', 'repo:del\u200Bete', 'tools/../call']) {
      assert.throws(() => parseIntent({ action, resource: 'r' }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.action', action);
    }
  });
});
