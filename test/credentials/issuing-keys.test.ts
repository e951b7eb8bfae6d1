import assert from 'node:assert/strict';
import { generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify, decodeProtectedHeader } from 'jose';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { verifyCredentialOffline } from '../../src/client/verify-credential.js';
import { testSchema, type TestSchema } from '../helpers/postgres.js';
import { AUD, INTENT, ISSUER, auditChain, certifiedFixture, thumbprint, type CertifiedFixture } from './certified-fixture.js';

const issue = (f: CertifiedFixture) => f.creds.issuer.issue({ agentId: f.agentId, intent: INTENT, audience: AUD });
const verify = (f: CertifiedFixture, token: string) => f.creds.verifier.verify({ token, intent: INTENT, audience: AUD });
const certOf = (f: CertifiedFixture, kid: string) => f.creds.jwks().keys.find((k) => k.kid === kid)?.signet_cert;

describe('certified issuing keys', () => {
  let f: CertifiedFixture;
  let custodyPem: string;
  before(async () => {
    f = await certifiedFixture();
    custodyPem = (await f.custody.publicKey()).pem;
  });
  after(() => f.close());

  it('credentials verify with jose through the JWKS by kid, and the chain custody key → certificate → credential checks with node:crypto alone', async () => {
    const c = await issue(f);
    const kid = decodeProtectedHeader(c.token).kid!;
    assert.notEqual(kid, f.custody.keyId(), 'not signed by the custody key');
    assert.equal(c.kid, kid);
    const jwks = f.creds.jwks();
    assert.deepEqual(jwks.keys.map((k) => k.kid), [kid, f.custody.keyId()], 'the issuing key, then the custody key');
    const { payload } = await jwtVerify(c.token, createLocalJWKSet(jwks as never), { issuer: ISSUER, audience: AUD, currentDate: new Date(f.clock.t) });
    assert.equal(payload.jti, c.jti);
    const cert = auditChain(c.token, certOf(f, kid)!, custodyPem);
    assert.equal(cert.custody_kid, f.custody.keyId());
    assert.equal(cert.iss, ISSUER);
    assert.equal((await verify(f, c.token)).reason, 'ok');
  });

  it('the certificate is a key_event in the ledger before the first credential the key signs', async () => {
    const c = await issue(f);
    const events = f.ledger.records.map((r, i) => ({ r, i }));
    const cert = events.find(({ r }) => r.type === 'key_event' && r.kid === c.kid)!;
    const first = events.find(({ r }) => r.type === 'issuance' && r.kid === c.kid)!;
    assert.ok(cert && first && cert.i < first.i, 'certificate recorded first');
    assert.equal(cert.r.event, 'issuing_key_certified');
    auditChain(c.token, cert.r.cert as string, custodyPem);
  });

  it('custody signatures per 10,000 credentials: the one certificate, none per credential', async () => {
    const before = f.custody.signatures;
    for (let i = 0; i < 10_000; i += 500) await Promise.all(Array.from({ length: 500 }, () => issue(f)));
    assert.equal(f.custody.signatures - before, 0);
    assert.equal(f.creds.issuing!.stats.certifications, 1);
  });

  it('the offline verifier checks the chain for an auditor who trusts only the custody key', async () => {
    const c = await issue(f);
    const custodyOnly = { keys: f.creds.jwks().keys.filter((k) => !k.signet_cert) };
    const base = { jwks: f.creds.jwks(), custodyKeys: custodyOnly, issuer: ISSUER, audience: AUD, intent: INTENT, now: f.clock.t };
    assert.equal(verifyCredentialOffline(c.token, base).valid, true);
    // A certificate signed by a key the auditor does not trust is refused.
    const rogue = generateKeyPairSync('ed25519');
    const rogueJwk = rogue.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
    const forged = forgeCert(certOf(f, c.kid)!, rogue.privateKey, thumbprint(rogueJwk));
    const tampered = { keys: f.creds.jwks().keys.map((k) => (k.kid === c.kid ? { ...k, signet_cert: forged } : k)) };
    const v1 = verifyCredentialOffline(c.token, { ...base, jwks: tampered });
    assert.equal(v1.valid, false);
    assert.equal(!v1.valid && v1.check, 'issuing_cert');
    // Trusting another custody key only: the genuine certificate does not chain to it.
    const other = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
    const v2 = verifyCredentialOffline(c.token, { ...base, custodyKeys: { keys: [{ ...other, kid: thumbprint(other) }] } });
    assert.equal(!v2.valid && v2.check, 'issuing_cert');
    // A key published without a certificate, not a custody key: untrusted.
    const bare = { keys: f.creds.jwks().keys.map((k) => (k.kid === c.kid ? { ...k, signet_cert: undefined } : k)) };
    const v3 = verifyCredentialOffline(c.token, { ...base, jwks: JSON.parse(JSON.stringify(bare)) });
    assert.equal(!v3.valid && v3.check, 'untrusted_key');
  });

  it('a credential outside its key certificate (exp after the certificate) is refused by Signet and offline', async () => {
    const c = await issue(f);
    const kid = c.kid;
    const cert = JSON.parse(Buffer.from(certOf(f, kid)!.split('.')[1]!, 'base64url').toString());
    // Signet never signs one; a signature by the key over exp = cert.exp + 1 stands for a stolen key.
    const forgedClaims = { ...JSON.parse(Buffer.from(c.token.split('.')[1]!, 'base64url').toString()), exp: cert.exp + 1 };
    const own = f.creds.issuing!;
    const { signer } = await own.signerFor(cert.nbf, 1);
    const h = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid })).toString('base64url');
    const p = Buffer.from(JSON.stringify(forgedClaims)).toString('base64url');
    const s = Buffer.from((await signer.sign({ message: Buffer.from(`${h}.${p}`) })).signature).toString('base64url');
    const token = `${h}.${p}.${s}`;
    f.clock.t = (cert.exp - 30) * 1000;
    try {
      const r = await verify(f, token);
      assert.ok(['outside_key_validity', 'lifetime_exceeds_max'].includes(r.reason), r.reason);
      const offline = verifyCredentialOffline(token, { jwks: f.creds.jwks(), issuer: ISSUER, audience: AUD, intent: INTENT, now: f.clock.t });
      assert.equal(!offline.valid && offline.check, 'issuing_cert');
    } finally {
      f.clock.t = Date.now();
    }
  });
});

/** A certificate with the same claims for another key, signed by `key` (not a custody key). */
function forgeCert(genuine: string, key: ReturnType<typeof generateKeyPairSync>['privateKey'], sub: string): string {
  const [h, p] = genuine.split('.') as [string, string];
  const claims = { ...JSON.parse(Buffer.from(p, 'base64url').toString()), sub };
  const input = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${input}.${nodeSign(null, Buffer.from(input), key).toString('base64url')}`;
}

describe('issuing key rotation, overlap and revocation', () => {
  let f: CertifiedFixture;
  before(async () => {
    f = await certifiedFixture({ signSeconds: 120 });
  });
  after(() => f.close());

  it('the next key is certified and published before it signs; credentials of both verify during the overlap; the old key leaves the JWKS after its certificate', async () => {
    const start = f.clock.t;
    const first = await issue(f);
    assert.equal(f.custody.signatures, 1);
    // 60 s before the first key stops signing (lead = half its window), the next one is published.
    f.clock.t = start + 61_000;
    await f.creds.issuing!.tick();
    const kids = f.creds.jwks().keys.map((k) => k.kid);
    assert.equal(kids.length, 3, 'current, next, custody');
    assert.equal(f.custody.signatures, 2);
    const nextKid = kids.find((k) => k !== first.kid && k !== f.custody.keyId())!;
    const late = await f.creds.issuer.issue({ agentId: f.agentId, intent: INTENT, audience: AUD, ttlSeconds: 120 });
    assert.equal(late.kid, first.kid, 'the next key does not sign before its nbf');
    // The window ends: the next key signs; the first still verifies what it signed.
    f.clock.t = start + 121_000;
    const second = await issue(f);
    assert.equal(second.kid, nextKid);
    assert.equal(f.custody.signatures, 2, 'no custody call at the switch: the key was certified ahead');
    const jwks = createLocalJWKSet(f.creds.jwks() as never);
    for (const t of [late.token, second.token]) await jwtVerify(t, jwks, { issuer: ISSUER, audience: AUD, currentDate: new Date(f.clock.t) });
    assert.equal((await verify(f, late.token)).reason, 'ok');
    // Past the first certificate's exp (window + max_ttl), it is no longer published.
    f.clock.t = start + (120 + 3600 + 2) * 1000;
    await f.creds.issuing!.tick();
    assert.ok(!f.creds.jwks().keys.some((k) => k.kid === first.kid));
    f.clock.t = Date.now();
  });

  it('revoking an issuing key refuses its credentials at once, drops it from the JWKS, records the revocation, and a new key takes over', async () => {
    f.clock.t = Date.now();
    const c = await issue(f);
    assert.equal((await verify(f, c.token)).reason, 'ok');
    const before = f.custody.signatures;
    await f.creds.revokeIssuingKey(c.kid, 'key compromise drill');
    const r = await verify(f, c.token);
    assert.equal(r.valid, false);
    assert.equal(r.reason, 'key_revoked');
    assert.ok(!f.creds.jwks().keys.some((k) => k.kid === c.kid));
    const rec = f.ledger.ofType('revocation').find((x) => x.target === 'issuing_key' && x.id === c.kid);
    assert.equal(rec?.reason, 'key compromise drill');
    const fresh = await issue(f);
    assert.notEqual(fresh.kid, c.kid);
    assert.equal(f.custody.signatures - before, 1, 'one custody signature for the replacement');
    assert.equal((await verify(f, fresh.token)).reason, 'ok');
  });

  it('revoking an unknown or malformed kid changes nothing and says why', async () => {
    await assert.rejects(f.creds.revokeIssuingKey('A'.repeat(43), 'x'), { code: 'NOT_FOUND' });
    await assert.rejects(f.creds.revokeIssuingKey('not a kid', 'x'), { code: 'INVALID_ARGUMENT', field: 'kid' });
  });

  it('in direct mode there is no issuing key to revoke: FAILED_PRECONDITION, and the custody key is the JWKS', async () => {
    const direct = await certifiedFixture({ extra: { signing: 'direct' } });
    try {
      await assert.rejects(direct.creds.revokeIssuingKey('A'.repeat(43), 'x'), { code: 'FAILED_PRECONDITION' });
      const c = await issue(direct);
      assert.equal(c.kid, direct.custody.keyId());
      assert.deepEqual(direct.creds.jwks().keys.map((k) => k.kid), [direct.custody.keyId()]);
    } finally {
      await direct.close();
    }
  });
});

for (const store of ['sqlite', 'postgres'] as const) {
  describe(`issuing keys across two replicas sharing one ${store} credential state`, () => {
    let a: CertifiedFixture;
    let b: CertifiedFixture;
    let db: TestSchema | undefined;
    let insert: (kid: string, cert: string) => Promise<void>;
    before(async () => {
      if (store === 'postgres') {
        db = await testSchema('issuing');
        const extra = { postgres: { url: db.url, schema: db.schema } };
        a = await certifiedFixture({ extra });
        b = await certifiedFixture({ extra, custody: a.custody });
        insert = async (kid, cert) => void (await db!.query('INSERT INTO issuing_keys (kid, cert, nbf, exp) VALUES ($1, $2, $3, $4)', [kid, cert, 0, 4_000_000_000]));
      } else {
        a = await certifiedFixture();
        b = await certifiedFixture({ dir: a.dir, custody: a.custody });
        insert = async (kid, cert) => {
          const sqlite = new Database(join(a.dir, 'credentials.db'));
          sqlite.prepare('INSERT INTO issuing_keys (kid, cert, nbf, exp) VALUES (?, ?, ?, ?)').run(kid, cert, 0, 4_000_000_000);
          sqlite.close();
        };
      }
    });
    after(async () => {
      await b.creds.close();
      await a.close();
      await db?.drop();
    });

    it("each replica signs with its own key; each verifies the other's credentials and sees its revocations at once", async () => {
      const fromA = await issue(a);
      const fromB = await b.creds.issuer.issue({ agentId: a.agentId, intent: INTENT, audience: AUD });
      assert.notEqual(fromA.kid, fromB.kid);
      assert.equal((await b.creds.verifier.verify({ token: fromA.token, intent: INTENT, audience: AUD })).reason, 'ok');
      assert.equal((await a.creds.verifier.verify({ token: fromB.token, intent: INTENT, audience: AUD })).reason, 'ok');
      // Each replica's JWKS lists the other's key once it has read the store (its upkeep does).
      await a.creds.issuing!.refresh();
      assert.ok(a.creds.jwks().keys.some((k) => k.kid === fromB.kid && k.signet_cert));
      await a.creds.revokeIssuingKey(fromA.kid, 'rotated out by operator');
      assert.equal((await b.creds.verifier.verify({ token: fromA.token, intent: INTENT, audience: AUD })).reason, 'key_revoked');
      assert.equal((await b.creds.verifier.verify({ token: fromB.token, intent: INTENT, audience: AUD })).reason, 'ok');
    });

    it('a stored certificate that no custody key signed is never trusted', async () => {
      const rogue = generateKeyPairSync('ed25519');
      const jwk = rogue.publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
      const kid = thumbprint(jwk);
      const genuine = a.creds.jwks().keys.find((k) => k.signet_cert)!.signet_cert!;
      await insert(kid, forgeCert(genuine, rogue.privateKey, kid));
      const h = Buffer.from(JSON.stringify({ alg: 'EdDSA', typ: 'JWT', kid })).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const p = Buffer.from(JSON.stringify({ iss: ISSUER, sub: a.agentId, aud: AUD, iat: now, nbf: now, exp: now + 60, jti: 'forged-forged-forged-1', intent: INTENT, intent_fp: (await issue(a)).intentFp })).toString('base64url');
      const token = `${h}.${p}.${nodeSign(null, Buffer.from(`${h}.${p}`), rogue.privateKey).toString('base64url')}`;
      assert.equal((await b.creds.verifier.verify({ token, intent: INTENT, audience: AUD })).reason, 'unknown_kid');
      await b.creds.issuing!.refresh();
      assert.ok(!b.creds.jwks().keys.some((k) => k.kid === kid));
    });
  });
}
