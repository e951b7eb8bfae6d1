// CKA_EC_POINT in its three forms (raw, DER OCTET STRING, DER BIT STRING) and CKA_EC_PARAMS
// recognition, as pure functions: no token needed.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import {
  algorithmOfKey,
  CKK_EC,
  CKK_EC_EDWARDS,
  ED25519_EC_PARAMS,
  ED25519_EC_PARAMS_NAME,
  P256_EC_PARAMS,
  parseEcPoint,
} from '../../src/signers/pkcs11/attributes.js';

function rawPoints(): { ed: Buffer; p256: Buffer } {
  const ed = generateKeyPairSync('ed25519').publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).subarray(-65);
  return { ed, p256 };
}

describe('CKA_EC_POINT parsing', () => {
  const { ed, p256 } = rawPoints();
  const octet = (p: Buffer) => Buffer.concat([Buffer.from([0x04, p.length]), p]);
  const bits = (p: Buffer) => Buffer.concat([Buffer.from([0x03, p.length + 1, 0x00]), p]);

  for (const [name, wrap] of [
    ['raw', (p: Buffer) => p],
    ['a DER OCTET STRING', octet],
    ['a DER BIT STRING', bits],
  ] as const) {
    it(`when the token returns the point as ${name}, yields the bare point for Ed25519 and P-256`, () => {
      assert.deepEqual(Buffer.from(parseEcPoint(wrap(ed), 'Ed25519')), ed);
      assert.deepEqual(Buffer.from(parseEcPoint(wrap(p256), 'ES256')), p256);
    });
  }

  it('when a raw Ed25519 point happens to start with 0x04, still reads it as raw (length decides)', () => {
    const tricky = Buffer.concat([Buffer.from([0x04, 0x20]), ed.subarray(2)]);
    assert.deepEqual(Buffer.from(parseEcPoint(tricky, 'Ed25519')), tricky);
  });

  it('when the point has the wrong length or a compressed P-256 prefix, refuses with INTEGRITY', () => {
    const compressed = Buffer.concat([Buffer.from([0x02]), p256.subarray(1, 33)]);
    for (const [value, alg] of [
      [ed.subarray(1), 'Ed25519'],
      [compressed, 'ES256'],
      [octet(compressed), 'ES256'],
      [Buffer.concat([Buffer.from([0x03, 0x42, 0x01]), p256]), 'ES256'],
      [octet(ed), 'ES256'],
    ] as const) {
      assert.throws(() => parseEcPoint(value, alg), (e) => isSignetError(e, 'INTEGRITY'));
    }
  });
});

describe('CKA_EC_PARAMS recognition', () => {
  it('when the key is CKK_EC_EDWARDS with the Ed25519 OID or the curve name, is Ed25519', () => {
    assert.equal(algorithmOfKey(CKK_EC_EDWARDS, ED25519_EC_PARAMS), 'Ed25519');
    assert.equal(algorithmOfKey(CKK_EC_EDWARDS, ED25519_EC_PARAMS_NAME), 'Ed25519');
  });
  it('when the key is CKK_EC on P-256, is ES256; on P-384 it is unsupported, and says which params', () => {
    assert.equal(algorithmOfKey(CKK_EC, P256_EC_PARAMS), 'ES256');
    const p384 = algorithmOfKey(CKK_EC, Buffer.from('06052b81040022', 'hex'));
    assert.ok(typeof p384 === 'object' && /06052b81040022/.test(p384.unsupported));
  });
  it('when the key is RSA, is unsupported and named RSA', () => {
    const rsa = algorithmOfKey(0, undefined);
    assert.ok(typeof rsa === 'object' && /RSA/.test(rsa.unsupported));
  });
});
