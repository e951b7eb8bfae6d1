import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CREDENTIAL_TYP } from '../../src/credentials/issuer.js';
import { signJws } from '../../src/credentials/jws.js';
import { intentFingerprint } from '../../src/credentials/intent.js';
import { makeFixture, ISSUER, type Fixture, type TestAgent } from './fixture.js';

const GH = 'https://api.github.com';
const read = { action: 'repo:read', resource: 'github.com/acme/app' };

describe('credential lifetime', () => {
  let f: Fixture;
  let agent: TestAgent;
  // A token the issuing key signed with any lifetime, as if the key had signed outside Issue.
  const forge = (lifetime: number) => {
    const iat = Math.floor(f.clock.t / 1000);
    return signJws(f.signer, CREDENTIAL_TYP, { iss: ISSUER, sub: agent.id, aud: GH, iat, nbf: iat, exp: iat + lifetime, jti: 'AAAAAAAAAAAAAAAAAAAAAA', intent: read, intent_fp: intentFingerprint(read) });
  };
  before(async () => {
    f = await makeFixture();
    agent = await f.agent(['ci']);
  });
  after(() => f.close());

  it('when a token signed by the issuing key lives longer than the server maximum: lifetime_exceeds_max', async () => {
    const r = await f.creds.verifier.verify({ token: await forge(3600 + 5 + 1), intent: read, audience: GH });
    assert.equal(r.valid, false);
    assert.equal(r.reason, 'lifetime_exceeds_max');
  });

  it('when it lives exactly the server maximum: ok', async () => {
    const r = await f.creds.verifier.verify({ token: await forge(3600), intent: read, audience: GH });
    assert.equal(r.reason, 'ok');
  });
});
