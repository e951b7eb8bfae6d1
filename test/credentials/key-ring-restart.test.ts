import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { createCredentials, type CredentialAuthority } from '../../src/credentials/index.js';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';
import { ISSUER, TEST_POLICY } from './fixture.js';

const GH = 'https://api.github.com';
const read = { action: 'repo:read', resource: 'github.com/acme/app' };

describe('rotated-out keys across a restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-ring-restart-'));
  const ledger = new MemoryLedger();
  const clock = { t: Date.now() };
  const signers: Signer[] = [];
  let agentId = '';
  const open = (signer: Signer, db = 'credentials.db') =>
    createCredentials({ signer, ledger, issuer: ISSUER, db: join(dir, db), policyText: TEST_POLICY, reloadOnSighup: false, now: () => clock.t });
  const signer = async (name: string, alg: 'ed25519' | 'p256') => {
    const s = await openSigner(`file://${dir}/${name}.pem?create=true&alg=${alg}`);
    signers.push(s);
    return s;
  };
  const register = async (creds: CredentialAuthority) => {
    const jwk = generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });
    return (await creds.agents.register({ name: 'ci-bot', publicKeyJwk: jwk, owner: 'o', groups: ['ci'] })).id;
  };
  after(async () => {
    for (const s of signers) await s.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when Signet restarts after ring.rotate: the old key still verifies and stays in the JWKS', async () => {
    const a = await signer('a', 'ed25519');
    const b = await signer('b', 'p256');
    const first = await open(a);
    agentId = await register(first);
    const old = await first.issuer.issue({ agentId, intent: read, audience: GH });
    await first.ring.rotate(b);
    await first.close();

    const again = await open(b);
    try {
      assert.deepEqual(again.jwks().keys.map((k) => k.kid), [b.keyId(), a.keyId()]);
      assert.equal((await again.verifier.verify({ token: old.token, intent: read, audience: GH })).reason, 'ok');
      await jwtVerify(old.token, createLocalJWKSet(again.jwks() as never), { issuer: ISSUER, audience: GH, currentDate: new Date(clock.t) });
    } finally {
      await again.close();
    }
  });

  it('when Signet restarts with another issuing key on the same database: the previous key is retired, not lost', async () => {
    const c = await signer('c', 'ed25519');
    const d = await signer('d', 'ed25519');
    const first = await open(c, 'second.db');
    const id = await register(first);
    const old = await first.issuer.issue({ agentId: id, intent: read, audience: GH });
    await first.close();

    const again = await open(d, 'second.db');
    try {
      assert.deepEqual(again.jwks().keys.map((k) => k.kid), [d.keyId(), c.keyId()]);
      assert.equal((await again.verifier.verify({ token: old.token, intent: read, audience: GH })).reason, 'ok');
      // After the retention (a day of passports plus skew) it drops out, as without a restart.
      clock.t += 86_400_000 + 10_000;
      assert.equal((await again.verifier.verify({ token: old.token, intent: read, audience: GH })).reason, 'unknown_kid');
      assert.deepEqual(again.jwks().keys.map((k) => k.kid), [d.keyId()]);
    } finally {
      clock.t -= 86_400_000 + 10_000;
      await again.close();
    }
  });

  it('when the same key opens again: nothing is retired', async () => {
    const e = await signer('e', 'ed25519');
    await (await open(e, 'third.db')).close();
    const again = await open(e, 'third.db');
    try {
      assert.deepEqual(again.jwks().keys.map((k) => k.kid), [e.keyId()]);
    } finally {
      await again.close();
    }
  });
});
