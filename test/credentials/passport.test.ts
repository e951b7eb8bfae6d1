import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { isSignetError } from '../../src/lib/errors.js';
import { makeFixture, ISSUER, type Fixture } from './fixture.js';

describe('passports', () => {
  let f: Fixture;
  before(async () => {
    f = await makeFixture();
  });
  after(() => f.close());

  it('verify offline with jose and the JWKS, and describe the agent and the policy', async () => {
    const a = await f.agent(['ci'], { team: 'x' });
    const { token, claims } = await f.creds.passports.issue(a.id, 3600);
    const { payload, protectedHeader } = await jwtVerify(token, createLocalJWKSet(f.creds.jwks() as never), { issuer: ISSUER, typ: 'signet-passport+jwt', currentDate: new Date(f.clock.t) });
    assert.equal(protectedHeader.kid, f.signer.keyId());
    assert.equal(payload.sub, a.id);
    assert.equal(payload.exp! - payload.iat!, 3600);
    const agent = payload.agent as { jwk: { x: string }; owner: string; groups: string[] };
    assert.equal(agent.jwk.x, a.jwk.x);
    assert.equal(agent.owner, 'alice@example.com');
    assert.deepEqual(agent.groups, ['ci']);
    assert.equal(payload.policy_digest, f.creds.policy.current.digest);
    assert.equal(claims.jti, payload.jti);
    assert.ok(f.ledger.ofType('issuance').some((r) => r.what === 'passport' && r.jti === payload.jti));
  });

  it('when the agent is revoked: the online check fails with agent_revoked, the offline one still passes', async () => {
    const a = await f.agent(['ci']);
    const { token } = await f.creds.passports.issue(a.id);
    assert.equal((await f.creds.passports.verify(token, true)).reason, 'ok');
    await f.creds.agents.revoke(a.id, 'gone');
    assert.equal((await f.creds.passports.verify(token, true)).reason, 'agent_revoked');
    assert.equal((await f.creds.passports.verify(token, false)).reason, 'ok');
    await assert.rejects(f.creds.passports.issue(a.id), (e) => isSignetError(e, 'PERMISSION_DENIED'));
  });

  it('when expired: expired; when presented as a credential: refused as malformed', async () => {
    const a = await f.agent(['ci']);
    const { token } = await f.creds.passports.issue(a.id, 60);
    const r = await f.creds.verifier.verify({ token, intent: { action: 'repo:read', resource: 'github.com/acme/app' }, audience: 'https://api.github.com' });
    assert.equal(r.reason, 'malformed');
    f.clock.t += 120_000;
    try {
      assert.equal((await f.creds.passports.verify(token, false)).reason, 'expired');
    } finally {
      f.clock.t -= 120_000;
    }
  });
});
