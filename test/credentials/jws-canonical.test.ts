import assert from 'node:assert/strict';
import { randomBytes, sign as nodeSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decodeJws } from '../../src/credentials/jws.js';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { presentationSigningString } from '../../src/credentials/pop.js';
import { decodeBase64url } from '../../src/lib/base64url.js';
import { makeFixture, signRequest, type Fixture, type TestAgent } from './fixture.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const GH = 'https://api.github.com';
const intent = { action: 'repo:read', resource: 'github.com/acme/app' };

/** Every other spelling of one base64url segment: each last-character variant, padding, '+' '/'. */
function respellings(segment: string): string[] {
  const out = new Set<string>();
  const head = segment.slice(0, -1);
  for (const c of ALPHABET) out.add(head + c);
  for (const pad of ['=', '==']) out.add(segment + pad);
  out.add(segment.replaceAll('-', '+').replaceAll('_', '/'));
  out.add(segment + 'A'); // a stray character (length ≡ 1 mod 4 or a longer byte string)
  out.add(` ${segment}`);
  out.delete(segment);
  return [...out].filter((s) => s !== segment);
}

/** The variants that still decode to the same bytes: the ones that must be refused. */
function sameBytes(segment: string): string[] {
  const bytes = Buffer.from(segment, 'base64url');
  return respellings(segment).filter((v) => {
    const loose = Buffer.from(v.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '').trim(), 'base64url');
    return loose.equals(bytes);
  });
}

describe('canonical base64url', () => {
  it('when every byte string of 0–5 bytes is encoded: accepted, and every other last character is refused', () => {
    for (let len = 0; len <= 5; len++) {
      for (let trial = 0; trial < 40; trial++) {
        const bytes = randomBytes(len);
        const text = bytes.toString('base64url');
        assert.deepEqual(decodeBase64url(text), bytes);
        if (text === '') continue;
        for (const v of respellings(text)) {
          const d = decodeBase64url(v);
          assert.ok(d === undefined || !d.equals(bytes), `${v} is another spelling of ${text}`);
        }
      }
    }
  });
});

describe('a JWS has one spelling', () => {
  let f: Fixture;
  let agent: TestAgent;
  let token: string;
  let passport: string;
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
    token = (await f.creds.issuer.issue({ agentId: agent.id, intent, audience: GH })).token;
    passport = (await f.creds.passports.issue(agent.id)).token;
  });
  after(() => f.close());

  it('when the segments have spare bits to set, the test covers them (header, claims, signature)', () => {
    const parts = token.split('.');
    const counts = parts.map((p) => sameBytes(p).length);
    // A segment whose length is 2 or 3 mod 4 has 4 or 2 unused bits: 15 or 3 same-byte variants.
    for (let i = 0; i < 3; i++) if (parts[i]!.length % 4 !== 0) assert.ok(counts[i]! >= 3, `segment ${i}: ${counts[i]} variants`);
    assert.ok(counts.some((c) => c > 0));
  });

  for (const [name, get] of [['credential', () => token], ['passport', () => passport]] as const) {
    it(`when any segment of a ${name} is respelled (every last character, padding, + and /): never decoded as the same token`, () => {
      const t = get();
      const parts = t.split('.');
      const original = decodeJws(t)!;
      assert.ok(original);
      let tried = 0;
      let refused = 0;
      for (let i = 0; i < 3; i++) {
        for (const v of respellings(parts[i]!)) {
          const d = decodeJws(parts.map((p, j) => (j === i ? v : p)).join('.'));
          tried++;
          if (d === undefined) {
            refused++;
            continue;
          }
          // A canonical variant is a different byte string: a different token, not a respelling.
          const same = d.signature.equals(original.signature) && JSON.stringify([d.header, d.payload]) === JSON.stringify([original.header, original.payload]);
          assert.equal(same, false, `segment ${i} as ${v} decodes to the same token`);
        }
      }
      assert.ok(tried >= 3 * 63);
      assert.ok(refused >= parts.map(sameBytes).flat().length, `${refused} refused`);
    });
  }

  it('when a credential is respelled with the same bytes: VerifyCredential says malformed, never valid', async () => {
    const parts = token.split('.');
    for (let i = 0; i < 3; i++) {
      for (const v of sameBytes(parts[i]!)) {
        const respelled = parts.map((p, j) => (j === i ? v : p)).join('.');
        const r = await f.creds.verifier.verify({ token: respelled, intent, audience: GH });
        assert.equal(r.valid, false);
        assert.equal(r.reason, 'malformed', `segment ${i} as ${v}`);
      }
    }
    assert.equal((await f.creds.verifier.verify({ token, intent, audience: GH })).valid, true, 'the canonical token still verifies');
  });

  it('when a passport is respelled with the same bytes: VerifyPassport says malformed', async () => {
    const parts = passport.split('.');
    for (let i = 0; i < 3; i++) {
      for (const v of sameBytes(parts[i]!)) {
        const r = await f.creds.passports.verify(parts.map((p, j) => (j === i ? v : p)).join('.'), false);
        assert.equal(r.reason, 'malformed', `segment ${i} as ${v}`);
      }
    }
    assert.equal((await f.creds.passports.verify(passport, false)).valid, true);
  });

  it('when the header or claims repeat a member: not decoded, even with a valid-looking signature', () => {
    const [h, , s] = token.split('.');
    const dup = Buffer.from('{"sub":"a","sub":"b","iss":"x"}').toString('base64url');
    assert.equal(decodeJws(`${h}.${dup}.${s}`), undefined);
    const hdr = Buffer.from('{"alg":"EdDSA","alg":"ES256","kid":"k","typ":"JWT"}').toString('base64url');
    assert.equal(decodeJws(`${hdr}.${token.split('.')[1]}.${s}`), undefined);
  });

  it('when a proof of possession signature is respelled (every last character): pop_failed, and the true one passes', async () => {
    const popAgent = await f.agent([], { team: 'payments' });
    const pintent = { action: 'payments:transfer', resource: 'ledger/acct-1' };
    const aud = 'https://bank.example';
    const now = () => Math.floor(f.clock.t / 1000);
    const issued = await f.creds.issuer.issue({ agentId: popAgent.id, intent: pintent, audience: aud, pop: signRequest(popAgent, intentFingerprint(pintent), aud, now()) });
    const nonce = randomBytes(16).toString('base64url');
    const sig = nodeSign(null, Buffer.from(presentationSigningString(issued.token, aud, now(), nonce)), popAgent.privateKey).toString('base64url');
    const variants = sameBytes(sig);
    assert.ok(variants.length >= 15, 'an 86-character signature has 4 unused bits: 15 other last characters');
    for (const v of respellings(sig)) {
      const r = await f.creds.verifier.verify({ token: issued.token, intent: pintent, audience: aud, presentation: { timestamp: now(), nonce, signature: v } });
      assert.equal(r.reason, 'pop_failed', v);
      assert.match(r.detail, /pop_(malformed|bad_signature)/);
      if (variants.includes(v)) assert.match(r.detail, /pop_malformed/);
    }
    const ok = await f.creds.verifier.verify({ token: issued.token, intent: pintent, audience: aud, presentation: { timestamp: now(), nonce, signature: sig } });
    assert.equal(ok.valid, true, ok.detail);
  });
});
