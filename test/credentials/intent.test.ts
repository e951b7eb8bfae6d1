import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blake2b } from '@noble/hashes/blake2.js';
import { intentFingerprint, parseIntent } from '../../src/credentials/intent.js';
import { didKey } from '../../src/credentials/agent-key.js';
import { base58btc } from '../../src/credentials/base58.js';
import { isSignetError } from '../../src/lib/errors.js';

const fp = (jcsText: string) => Buffer.from(blake2b(Buffer.from(jcsText, 'utf8'), { dkLen: 32 })).toString('base64url');

describe('intent fingerprint', () => {
  it('is BLAKE2b-256 over hand-written JCS bytes (members sorted, no spaces)', () => {
    const intent = { resource: 'github.com/acme/app', action: 'repo:read' };
    assert.equal(intentFingerprint(intent), fp('{"action":"repo:read","resource":"github.com/acme/app"}'));
  });

  it('covers constraints, with nested members sorted and numbers in ECMAScript form', () => {
    const intent = { action: 'pay', resource: 'ledger/x', constraints: { max: 1e21, currency: 'EUR', z: { b: 1, a: 'é' } } };
    assert.equal(intentFingerprint(intent), fp('{"action":"pay","constraints":{"currency":"EUR","max":1e+21,"z":{"a":"é","b":1}},"resource":"ledger/x"}'));
  });

  it('differs when the action or the resource differs', () => {
    const base = intentFingerprint({ action: 'read', resource: 'x' });
    assert.notEqual(intentFingerprint({ action: 'delete', resource: 'x' }), base);
    assert.notEqual(intentFingerprint({ action: 'read', resource: 'y' }), base);
  });

  it('when an intent has an unknown member or no action, refuses with INVALID_ARGUMENT naming the field', () => {
    assert.throws(() => parseIntent({ action: 'a', resource: 'r', extra: 1 }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.extra');
    assert.throws(() => parseIntent({ resource: 'r' }), (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.field === 'intent.action');
  });
});

describe('did:key', () => {
  it('matches the did:key specification test vector for Ed25519', () => {
    // did:key spec (w3c-ccg), Ed25519 example: base58 key → did.
    const raw = base58decode('B12NYF8RrR3h41TDCTJojY59usg3mbtbjnFs7Eud1Y6u');
    assert.equal(raw.length, 32);
    assert.equal(didKey(raw), 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH');
  });

  it('base58btc keeps leading zero bytes as 1s', () => {
    assert.equal(base58btc(Uint8Array.of(0, 0, 1)), '112');
    assert.equal(base58btc(new Uint8Array(0)), '');
  });
});

/** An independent base58 decoder (BigInt), for the test vector only. */
function base58decode(s: string): Uint8Array {
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = 0n;
  for (const c of s) n = n * 58n + BigInt(alphabet.indexOf(c));
  const hex = n.toString(16);
  return Uint8Array.from(Buffer.from(hex.length % 2 ? '0' + hex : hex, 'hex'));
}
