import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { derToP1363, p1363ToDer, publicKeyInfo, ed25519Spki } from '../../src/signers/keys.js';
import { isSignetError } from '../../src/lib/errors.js';
import { independentThumbprint } from './conformance.js';

describe('signature and key encodings', () => {
  it('converts DER ECDSA signatures to 64-byte P1363 that node:crypto verifies, including short r and s', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    let sawShort = false;
    // Loop until both r or s shorter than 32 bytes (p ≈ 1/128 per signature) and 300 samples are seen.
    for (let i = 0; i < 20_000 && (i < 300 || !sawShort); i++) {
      const msg = Buffer.from(`m${i}`);
      const der = sign('sha256', msg, privateKey);
      const p1363 = derToP1363(der);
      assert.equal(p1363.length, 64);
      if (p1363[0] === 0 || p1363[32] === 0) sawShort = true;
      assert.ok(verify('sha256', msg, { key: publicKey, dsaEncoding: 'ieee-p1363' }, p1363));
      assert.deepEqual(Buffer.from(p1363ToDer(p1363)), der);
    }
    assert.ok(sawShort, 'the sample included a signature with a short integer');
  });

  it('refuses malformed DER with INTEGRITY', () => {
    for (const bad of [Buffer.from('3006020101020101ff', 'hex'), Buffer.from('300402010102', 'hex'), Buffer.alloc(0), Buffer.from('31060201010201', 'hex')]) {
      assert.throws(() => derToP1363(bad), (e) => isSignetError(e, 'INTEGRITY'));
    }
  });

  it('computes the RFC 7638 thumbprint (the RFC\'s own Ed25519 example from RFC 8037)', () => {
    // RFC 8037 Appendix A.3: x = 11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo,
    // thumbprint kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
    const raw = Buffer.from('11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo', 'base64url');
    const info = publicKeyInfo(ed25519Spki(raw));
    assert.equal(info.keyId, 'kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k');
    assert.equal(info.keyId, independentThumbprint(info.pem));
  });

  it('refuses keys that are neither Ed25519 nor P-256', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
    assert.throws(() => publicKeyInfo(publicKey.export({ type: 'spki', format: 'der' })), (e) => isSignetError(e, 'FAILED_PRECONDITION'));
  });
});
