// Resources that are URLs of the schemes every URL parser rewrites (http, https, ws, wss, ftp,
// file): a respelling that a WHATWG parser (fetch, Node's URL, browsers) turns into the URL a deny
// rule names — one slash, three slashes, an upper-case scheme or host, a default port, userinfo,
// an ideographic full stop, another IPv4 spelling, a trailing dot, a fragment — is refused, or
// decided as the URL it means. Generated from a seed; checked against Node's own URL parser.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fillTemplate, intentOfCall, parseTemplate } from '../../src/cli/gate-intent.js';
import { canonicalResource } from '../../src/credentials/canonical.js';
import { parsePolicy } from '../../src/credentials/policy-file.js';
import { authorize, type PolicyAgent } from '../../src/credentials/policy.js';
import { isSignetError } from '../../src/lib/errors.js';
import { seededRandom, withSeed, type Random } from '../helpers/seeded.js';

const agent: PolicyAgent = { id: 'did:key:z6MkTest', groups: [], labels: {} };
const limits = { maxTtlSeconds: 3600, defaultTtlSeconds: 60 };

/** Allows everything except what `deny` names (as a https://HOST/** pattern). */
const policyDenying = (host: string) =>
  parsePolicy(
    `rules:\n  - name: no-internal\n    effect: deny\n    agents: ["*"]\n    actions: ["*"]\n    resources: ["https://${host}", "https://${host}/**"]\n  - name: anything-else\n    agents: ["*"]\n    actions: ["*"]\n    resources: ["**"]\n`,
    'test.yaml',
    limits,
  );

const policyWith = (pattern: string) =>
  parsePolicy(`rules:\n  - name: no\n    effect: deny\n    agents: ["*"]\n    actions: ["*"]\n    resources: ["${pattern}"]\n`, 'test.yaml', limits);

const accepted = (resource: string): boolean => {
  try {
    canonicalResource(resource, 'intent.resource');
    return true;
  } catch (err) {
    assert.ok(isSignetError(err, 'INVALID_ARGUMENT'), String(err));
    assert.equal((err as { field?: string }).field, 'intent.resource');
    return false;
  }
};

const LABEL = 'abcdefghijklmnopqrstuvwxyz0123456789';
function genHost(r: Random): string {
  const labels = Array.from({ length: 2 + r.int(3) }, () => Array.from({ length: 1 + r.int(8) }, () => LABEL[r.int(26)]!).join(''));
  return labels.join('.');
}
function genPath(r: Random): string {
  return Array.from({ length: r.int(3) }, () => Array.from({ length: 1 + r.int(6) }, () => LABEL[r.int(LABEL.length)]!).join('')).map((s) => `/${s}`).join('');
}

/** Spellings that a WHATWG URL parser reads as https://host + path (each checked below). */
const RESPELL: Array<[string, (host: string, path: string, r: Random) => string]> = [
  ['one slash', (h, p) => `https:/${h}${p}`],
  ['no slash', (h, p) => `https:${h}${p}`],
  ['three slashes', (h, p) => `https:///${h}${p}`],
  ['upper-case scheme', (h, p) => `HTTPS://${h}${p}`],
  ['upper-case scheme, one slash', (h, p) => `Https:/${h}${p}`],
  ['upper-case host letters', (h, p, r) => `https://${[...h].map((c) => (r.bool() ? c.toUpperCase() : c)).join('').replace(/^[a-z]/, (c) => c.toUpperCase())}${p}`],
  ['the default port', (h, p) => `https://${h}:443${p}`],
  ['an empty port', (h, p) => `https://${h}:${p}`],
  ['userinfo', (h, p) => `https://user@${h}${p}`],
  ['empty userinfo', (h, p) => `https://@${h}${p}`],
  ['ideographic full stops', (h, p) => `https://${h.replaceAll('.', '\u3002')}${p}`],
  ['halfwidth ideographic full stops', (h, p) => `https://${h.replaceAll('.', '\uFF61')}${p}`],
  ['a fragment', (h, p) => `https://${h}${p || '/x'}#frag`],
  ['an empty query', (h, p) => `https://${h}${p || '/x'}?`],
];

describe('URL resources of the special schemes have one spelling', () => {
  it('every WHATWG respelling of a denied https URL is refused or denied (600 generated)', () => {
    const r = seededRandom(20261128);
    let refused = 0;
    for (let i = 0; i < 600; i++) {
      const host = genHost(r);
      const path = genPath(r);
      const [kind, spell] = r.pick(RESPELL);
      const resource = spell(host, path, r);
      withSeed(r, `${kind}: ${resource}`, () => {
        // The respelling really is the denied URL to a WHATWG parser (the consumer's view).
        const u = new URL(resource);
        assert.deepEqual([u.protocol, u.host, u.pathname], ['https:', host, path || (kind.includes('fragment') || kind.includes('query') ? '/x' : '/')]);
        if (!accepted(resource)) {
          refused++;
          return;
        }
        const d = authorize(policyDenying(host), agent, { action: 'fetch', resource });
        assert.equal(d.allow, false, `${resource} was allowed past the deny rule on https://${host}/**`);
      });
    }
    assert.ok(refused > 0);
  });

  it('other IPv4 spellings of a denied address are refused', () => {
    for (const resource of ['https://2130706433/admin', 'https://0x7f.0.0.1/admin', 'https://0177.0.0.1/admin', 'https://127.1/admin', 'https://127.0.0.1./admin', 'https://[0:0:0:0:0:0:0:1]/admin', 'http://[::1]:80/admin']) {
      assert.equal(accepted(resource), false, resource);
    }
    assert.equal(new URL('https://0x7f.0.0.1/admin').host, '127.0.0.1');
  });

  it('file: URLs have one spelling too (file:///path; no localhost, no single slash)', () => {
    for (const resource of ['file:/etc/passwd', 'FILE:///etc/passwd', 'file://localhost/etc/passwd', 'file:etc/passwd']) {
      assert.equal(new URL(resource).href, 'file:///etc/passwd', resource);
      assert.equal(accepted(resource), false, resource);
    }
    assert.equal(accepted('file:///etc/passwd'), true);
  });

  it('a host in a non-ASCII spelling is refused (its xn-- form is the one spelling)', () => {
    assert.equal(accepted('https://bücher.example/x'), false);
    assert.equal(accepted('https://xn--bcher-kva.example/x'), true);
  });

  it('canonical URLs stay accepted, and are their own WHATWG serialization', () => {
    const r = seededRandom(20261129);
    for (let i = 0; i < 300; i++) {
      const scheme = r.pick(['https', 'http', 'wss', 'ws', 'ftp']);
      const port = r.bool(0.2) ? `:${1024 + r.int(60000)}` : '';
      const query = r.bool(0.2) ? `?q=${r.int(100)}` : '';
      const path = genPath(r);
      const resource = `${scheme}://${genHost(r)}${port}${query && !path ? '/' : path}${query}`;
      withSeed(r, resource, () => {
        assert.equal(accepted(resource), true);
        assert.equal(query ? new URL(resource).href : new URL(resource).href.replace(/\/$/, ''), resource);
      });
    }
    // With a query and no path, the parser's spelling has the "/" (and only that one is accepted).
    assert.equal(accepted('https://example.com/?q=1'), true);
    assert.equal(accepted('https://example.com?q=1'), false);
    for (const resource of ['https://api.example.com/v1/items?x=1', 'https://example.com', 'https://[::1]:8443/x', 'https://127.0.0.1/x', 'http://localhost:8080/a/b']) {
      assert.equal(accepted(resource), true, resource);
    }
  });

  it('a policy resource pattern spelled so that it could never match is refused at load (a deny rule would silently never apply)', () => {
    for (const pattern of ['https://Internal.example.com/**', 'https://internal.example.com:443/**', 'https:/internal.example.com/**', 'https://internal.example.com./**', 'https://u@internal.example.com/**']) {
      assert.throws(() => policyWith(pattern), (err) => isSignetError(err, 'CONFIG'), pattern);
    }
    for (const pattern of ['https://*.example.com/**', 'https://internal.example.com/**', 'https://internal.example.com:8443/a?b', 'file:///srv/**']) assert.ok(policyWith(pattern), pattern);
  });

  it('other schemes are opaque text (mcp://, urn:, arn:, repo:read stay as they are)', () => {
    for (const resource of ['mcp://search/web_fetch', 'urn:isbn:0451450523', 'arn:aws:s3:::bucket/key', 'github.com/acme/app', 's3://Bucket/Key']) {
      assert.equal(accepted(resource), true, resource);
    }
  });

  it('signet mcp-gate refuses a respelled URL taken from a tool argument before asking Signet', () => {
    const target = { server: 'fetch', templates: new Map([['fetch', parseTemplate('{url*}')]]) };
    assert.equal(fillTemplate(target.templates.get('fetch')!, { url: 'https:/internal.example.com/admin' }), 'https:/internal.example.com/admin');
    for (const url of ['https:/internal.example.com/admin', 'https://internal\u3002example.com/admin', 'https://internal.example.com:443/admin', 'HTTPS://internal.example.com/admin']) {
      assert.throws(() => intentOfCall(target, 'fetch', { url }), (err) => isSignetError(err, 'INVALID_ARGUMENT') && (err as { field?: string }).field === 'intent.resource', url);
    }
    assert.equal(intentOfCall(target, 'fetch', { url: 'https://internal.example.com/admin' }).intent.resource, 'https://internal.example.com/admin');
  });
});
