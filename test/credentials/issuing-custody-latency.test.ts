import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLocalJWKSet, jwtVerify } from 'jose';
import { openSigner, type Signer } from '../../src/signers/index.js';
import { createAwsKmsTestKey, startAwsKmsEmulator, type AwsKmsEmulator } from '../emulators/aws-kms.js';
import { AUD, INTENT, ISSUER, certifiedFixture, type CertifiedFixture } from './certified-fixture.js';

describe('when the custody key is a cloud KMS key with 20 ms of latency per call', () => {
  let aws: AwsKmsEmulator;
  let kms: Signer;
  let f: CertifiedFixture;
  const saved = { ...process.env };

  before(async () => {
    aws = await startAwsKmsEmulator();
    const key = await createAwsKmsTestKey(aws, 'Ed25519');
    Object.assign(process.env, key.env);
    kms = await openSigner(key.uri);
    aws.faults.latency(20);
    f = await certifiedFixture({ custody: kms });
  });
  after(async () => {
    await f?.close();
    await aws?.stop();
    process.env = saved;
  });

  it('Issue makes no KMS call: the certificate was the only one, so Issue does not wait on KMS latency', async () => {
    // The first Issue certifies the issuing key: the one custody signature.
    await f.creds.issuer.issue({ agentId: f.agentId, intent: INTENT, audience: AUD });
    const signsBefore = aws.callsTo('Sign');
    const issued = await Promise.all(Array.from({ length: 200 }, () => f.creds.issuer.issue({ agentId: f.agentId, intent: INTENT, audience: AUD })));
    assert.equal(aws.callsTo('Sign') - signsBefore, 0, 'no custody signature per credential');
    assert.equal(f.custody.signatures, 1, 'the one certificate, at the first Issue');
    const jwks = createLocalJWKSet(f.creds.jwks() as never);
    for (const c of issued.slice(0, 5)) await jwtVerify(c.token, jwks, { issuer: ISSUER, audience: AUD, currentDate: new Date(f.clock.t) });
  });

  it('in direct mode every Issue waits for one KMS signature (the contrast)', async () => {
    const direct = await certifiedFixture({ custody: await openSigner(kms.uri), extra: { signing: 'direct' } });
    try {
      const signsBefore = aws.callsTo('Sign');
      await Promise.all(Array.from({ length: 20 }, () => direct.creds.issuer.issue({ agentId: direct.agentId, intent: INTENT, audience: AUD })));
      assert.equal(aws.callsTo('Sign') - signsBefore, 20);
    } finally {
      await direct.close();
    }
  });
});
