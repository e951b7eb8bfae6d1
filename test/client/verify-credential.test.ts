// Offline credential verification for the service a credential is presented to: tokens from a
// real Signet server verify against its JWKS with the holder's proof; every single-field
// corruption — of the token, of claims re-signed by a test issuer (jose), of the presentation —
// is refused with the check it breaks. Generated from a seed.
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignJWT, calculateJwkThumbprint, exportJWK, type JWK } from 'jose';
import { AgentKey, SignetClient, verifyCredentialOffline, type CredentialCheck, type CredentialExpectations } from '../../src/client/index.js';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { seeded } from '../helpers/seeded.js';

const SEED = 7331;
const ISSUER = 'https://signet.offline-test';
const INTENT = { action: 'doc:read', resource: 'docs/readme' };

describe('verifyCredentialOffline', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-offline-cred-'));
  let server: TestServer;
  let signet: SignetClient;
  let jwks: string;
  const agent = AgentKey.generate();
  let bound: string;
  let unbound: string;

  before(async () => {
    writeFileSync(join(dir, 'policy.yaml'), 'version: 1\nrules:\n  - {name: r, agents: ["*"], actions: ["doc:read"], resources: ["docs/*"]}\n');
    server = await startTestServer({ keys: { issuer: 'file:{dir}/issuer.pem?create=true' }, credentials: { issuer: ISSUER, policy: join(dir, 'policy.yaml') } });
    signet = new SignetClient({ address: server.address });
    await signet.credentials.registerAgent({ name: 'a', public_key_jwk: JSON.stringify(agent.publicJwk), owner: 'o' });
    bound = (await signet.credentials.issue({ agent_id: agent.did, intent: INTENT, audience: 'docs', pop: agent.issueProof(INTENT, 'docs') })).token;
    unbound = (await signet.credentials.issue({ agent_id: agent.did, intent: INTENT, audience: 'docs' })).token;
    jwks = (await signet.credentials.getJwks({})).jwks_json;
  });
  after(async () => {
    signet?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const expect = (extra: Partial<CredentialExpectations> = {}): CredentialExpectations => ({ jwks, issuer: ISSUER, audience: 'docs', intent: INTENT, ...extra });
  const checkOf = (v: ReturnType<typeof verifyCredentialOffline>) => (v.valid ? 'valid' : v.check);

  it('accepts a server-issued credential without cnf, and one with cnf when the holder presents its proof', () => {
    const plain = verifyCredentialOffline(unbound, expect());
    assert.ok(plain.valid, JSON.stringify(plain));
    assert.equal(plain.claims.sub, agent.did);
    const withProof = verifyCredentialOffline(bound, expect({ presentation: { proof: agent.presentationProof(bound, 'docs'), holderJwk: agent.publicJwk } }));
    assert.ok(withProof.valid, JSON.stringify(withProof));
    assert.deepEqual(withProof.claims.cnf, { jkt: agent.thumbprint });
  });

  it('when the holder presents nothing, pop_required; when the same proof comes twice and a nonce store is given, pop_failed', () => {
    assert.equal(checkOf(verifyCredentialOffline(bound, expect())), 'pop_required');
    const seen = new Set<string>();
    const rememberNonce = (n: string) => (seen.has(n) ? false : (seen.add(n), true));
    const presentation = { proof: agent.presentationProof(bound, 'docs'), holderJwk: agent.publicJwk };
    assert.equal(checkOf(verifyCredentialOffline(bound, expect({ presentation, rememberNonce }))), 'valid');
    const again = verifyCredentialOffline(bound, expect({ presentation, rememberNonce }));
    assert.ok(!again.valid && again.check === 'pop_failed' && again.reason.startsWith('pop_replayed_nonce'));
  });

  it('when the service is about to do something else, or is another audience, the matching check refuses', () => {
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ intent: { action: 'doc:delete', resource: 'docs/readme' } }))), 'intent_mismatch');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ intent: { action: 'doc:read', resource: 'docs/other' } }))), 'intent_mismatch');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ intent: { ...INTENT, constraints: { max: 1 } } }))), 'intent_mismatch');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ audience: 'billing' }))), 'audience_mismatch');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ issuer: 'https://elsewhere' }))), 'wrong_issuer');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ now: Date.now() + 3600_000 }))), 'expired');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ jwks: '{"keys":[]}' }))), 'unknown_kid');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ jwks: 'nope' }))), 'jwks');
    assert.equal(checkOf(verifyCredentialOffline(unbound, expect({ intent: { action: 'a', resource: 'x/../y' } }))), 'intent');
  });

  it('refuses every generated one-character change of the server token in its header, claims or signature', () => {
    const random = seeded(SEED);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const allowed: Record<number, CredentialCheck[]> = { 0: ['malformed', 'unknown_kid', 'bad_signature'], 1: ['malformed', 'bad_signature'], 2: ['malformed', 'bad_signature'] };
    for (let round = 0; round < 300; round++) {
      const parts = unbound.split('.');
      const seg = random.int(3);
      const text = parts[seg]!;
      const at = random.int(text.length);
      const replacement = alphabet.replace(text[at]!, '')[random.int(63)]!;
      parts[seg] = text.slice(0, at) + replacement + text.slice(at + 1);
      const verdict = verifyCredentialOffline(parts.join('.'), expect());
      assert.ok(!verdict.valid && allowed[seg]!.includes(verdict.check), `segment ${seg} char ${at} (seed ${SEED}, round ${round}): ${JSON.stringify(verdict)}`);
    }
  });

  describe('claims re-signed by a test issuer (jose), one field changed at a time', () => {
    let issuerKey: KeyObject;
    let testJwks: string;
    let kid: string;
    const now = Math.floor(Date.now() / 1000);
    const base = () => ({
      iss: ISSUER,
      sub: agent.did,
      aud: 'docs',
      iat: now,
      nbf: now,
      exp: now + 60,
      jti: 'AAAAAAAAAAAAAAAAAAAAAA',
      intent: { ...INTENT },
      intent_fp: intentFingerprint(INTENT),
      cnf: { jkt: agent.thumbprint },
    });

    before(async () => {
      const pair = generateKeyPairSync('ed25519');
      issuerKey = pair.privateKey;
      const jwk = (await exportJWK(pair.publicKey)) as JWK;
      kid = await calculateJwkThumbprint(jwk);
      testJwks = JSON.stringify({ keys: [{ ...jwk, kid, alg: 'EdDSA', use: 'sig' }] });
    });

    const sign = (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid, ...header }).sign(issuerKey);
    const verifyWith = (token: string, extra: Partial<CredentialExpectations> = {}) =>
      verifyCredentialOffline(token, { jwks: testJwks, issuer: ISSUER, audience: 'docs', intent: INTENT, maxTtlSeconds: 3600, presentation: { proof: agent.presentationProof(token, 'docs'), holderJwk: agent.publicJwk }, ...extra });

    it('the unchanged claims verify', async () => {
      const v = verifyWith(await sign(base()));
      assert.ok(v.valid, JSON.stringify(v));
    });

    const other = AgentKey.generate();
    const cases: [string, CredentialCheck, (c: ReturnType<typeof base>) => Record<string, unknown>, Record<string, unknown>?][] = [
      ['typ', 'malformed', (c) => c, { typ: 'signet-passport+jwt' }],
      ['kid', 'unknown_kid', (c) => c, { kid: 'not-a-kid' }],
      ['an embedded key URL (jku) header', 'malformed', (c) => c, { jku: 'https://attacker.example/jwks.json' }],
      ['iss', 'wrong_issuer', (c) => ({ ...c, iss: 'https://evil' })],
      ['sub (another agent, same cnf)', 'pop_failed', (c) => ({ ...c, sub: other.did })],
      ['aud', 'audience_mismatch', (c) => ({ ...c, aud: 'billing' })],
      ['aud as a list without us', 'audience_mismatch', (c) => ({ ...c, aud: ['a', 'b'] })],
      ['exp in the past', 'expired', (c) => ({ ...c, exp: now - 60, iat: now - 120, nbf: now - 120 })],
      ['nbf in the future', 'not_yet_valid', (c) => ({ ...c, nbf: now + 600, exp: now + 660 })],
      ['lifetime beyond the maximum', 'lifetime_exceeds_max', (c) => ({ ...c, exp: now + 86_400 })],
      ['jti missing', 'malformed', ({ jti: _jti, ...c }) => c],
      ['exp a string', 'malformed', (c) => ({ ...c, exp: String(c.exp) })],
      ['intent.action', 'intent_mismatch', (c) => ({ ...c, intent: { ...c.intent, action: 'doc:delete' } })],
      ['intent.resource', 'intent_mismatch', (c) => ({ ...c, intent: { ...c.intent, resource: 'docs/secret' } })],
      ['intent.constraints', 'intent_mismatch', (c) => ({ ...c, intent: { ...c.intent, constraints: { n: 1 } } })],
      ['intent with a ".." resource', 'malformed', (c) => ({ ...c, intent: { ...c.intent, resource: 'docs/../x' } })],
      ['intent_fp', 'intent_mismatch', (c) => ({ ...c, intent_fp: intentFingerprint({ action: 'doc:read', resource: 'docs/other' }) })],
      ['cnf.jkt', 'pop_failed', (c) => ({ ...c, cnf: { jkt: other.thumbprint } })],
      ['cnf without jkt', 'malformed', (c) => ({ ...c, cnf: {} })],
    ];
    for (const [what, check, change, header] of cases) {
      it(`when ${what} is changed, ${check}`, async () => {
        const v = verifyWith(await sign(change(base()), header));
        assert.equal(checkOf(v), check, JSON.stringify(v));
      });
    }

    it('when the token has alg none and no signature, malformed; when another key signed it under the same kid, bad_signature', async () => {
      const claims = Buffer.from(JSON.stringify(base())).toString('base64url');
      const none = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid })).toString('base64url')}.${claims}.`;
      assert.equal(checkOf(verifyWith(none)), 'malformed');
      const impostor = await new SignJWT(base()).setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid }).sign(generateKeyPairSync('ed25519').privateKey);
      assert.equal(checkOf(verifyWith(impostor)), 'bad_signature');
    });

    it('refuses every generated corruption of the presentation with pop_failed', async () => {
      const random = seeded(SEED + 1);
      const token = await sign(base());
      const good = agent.presentationProof(token, 'docs');
      const flip = (s: string) => {
        const i = random.int(s.length - 1);
        return s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);
      };
      const corruptions: [string, () => CredentialExpectations['presentation']][] = [
        ['signature', () => ({ proof: { ...good, signature: flip(good.signature) }, holderJwk: agent.publicJwk })],
        ['timestamp', () => ({ proof: { ...good, timestamp: good.timestamp - 1 - random.int(10) }, holderJwk: agent.publicJwk })],
        ['stale timestamp, re-signed', () => ({ proof: agent.presentationProof(token, 'docs', Date.now() - 120_000 - random.int(1e6)), holderJwk: agent.publicJwk })],
        ['nonce', () => ({ proof: { ...good, nonce: flip(good.nonce) }, holderJwk: agent.publicJwk })],
        ['short nonce', () => ({ proof: { ...good, nonce: 'abc' }, holderJwk: agent.publicJwk })],
        ['proof for another audience', () => ({ proof: agent.presentationProof(token, 'billing'), holderJwk: agent.publicJwk })],
        ['proof for another token', () => ({ proof: agent.presentationProof(token + 'x', 'docs'), holderJwk: agent.publicJwk })],
        ['proof by another key', () => ({ proof: other.presentationProof(token, 'docs'), holderJwk: agent.publicJwk })],
        ['another holder key', () => ({ proof: other.presentationProof(token, 'docs'), holderJwk: other.publicJwk })],
        ['holder key x with spare bits set', () => ({ proof: good, holderJwk: { ...agent.publicJwk, x: agent.publicJwk.x.slice(0, -1) + String.fromCharCode(agent.publicJwk.x.charCodeAt(42) ^ 1) } })],
      ];
      for (const [what, make] of corruptions) {
        for (let round = 0; round < 5; round++) {
          const v = verifyCredentialOffline(token, { jwks: testJwks, issuer: ISSUER, audience: 'docs', intent: INTENT, presentation: make() });
          assert.equal(checkOf(v), 'pop_failed', `${what} (seed ${SEED + 1}, round ${round}): ${JSON.stringify(v)}`);
        }
      }
    });
  });
});
