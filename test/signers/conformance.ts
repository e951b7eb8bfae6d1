// The custody contract as one suite, run unchanged against every driver. Every signature is
// checked by node:crypto from the public key alone, never by the driver that made it.
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import assert from 'node:assert/strict';
import { describe, it, before, after } from 'node:test';
import type { KeyAlgorithm, Signer } from '../../src/signers/contract.js';
import { isSignetError } from '../../src/lib/errors.js';

export interface ConformanceTarget {
  /** Driver under test, for test names. */
  name: string;
  /** Algorithms the backend holds (Azure has no Ed25519). */
  algorithms: KeyAlgorithm[];
  /** Opens a signer for a key of the algorithm (created by the target's setup). */
  open(algorithm: KeyAlgorithm): Promise<Signer>;
  /** Opens the same key by another path (another URI form), for the key-id check; optional. */
  openAgain?(algorithm: KeyAlgorithm): Promise<Signer>;
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
}

/** Independent verification with node:crypto: Ed25519 over the message, ES256 P1363 over SHA-256. */
export function verifyIndependently(pem: string, algorithm: KeyAlgorithm, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey(pem);
  if (algorithm === 'Ed25519') return nodeVerify(null, message, key, signature);
  return nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

/** Independent RFC 7638 thumbprint from the PEM, by node:crypto's own JWK export. */
export function independentThumbprint(pem: string): string {
  const jwk = createPublicKey(pem).export({ format: 'jwk' }) as Record<string, string>;
  const members = jwk.kty === 'OKP' ? ['crv', 'kty', 'x'] : ['crv', 'kty', 'x', 'y'];
  const canonical = JSON.stringify(Object.fromEntries(members.map((m) => [m, jwk[m]])));
  return createHash('sha256').update(canonical).digest('base64url');
}

function assertCode(err: unknown, code: string, field?: string): true {
  assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
  assert.equal(err.code, code);
  if (field) assert.equal(err.field, field);
  return true;
}

export function runConformance(target: ConformanceTarget): void {
  describe(`custody contract: ${target.name}`, () => {
    before(async () => target.setup?.());
    after(async () => target.teardown?.());

    for (const algorithm of target.algorithms) {
      describe(algorithm, () => {
        let signer: Signer;
        before(async () => {
          signer = await target.open(algorithm);
        });
        after(async () => signer?.close());

        it('reports the algorithm and a key id that is the RFC 7638 thumbprint of its public key', async () => {
          assert.equal(signer.algorithm, algorithm);
          const pub = await signer.publicKey();
          assert.equal(pub.algorithm, algorithm);
          assert.equal(pub.keyId, independentThumbprint(pub.pem));
          assert.equal(signer.keyId(), pub.keyId);
        });

        it('signs messages that node:crypto verifies', async () => {
          const pub = await signer.publicKey();
          for (const size of [1, 32, 1000, 4096]) {
            const message = new Uint8Array(size).map((_, i) => (i * 31 + size) & 0xff);
            const result = await signer.sign({ message });
            assert.equal(result.algorithm, algorithm);
            assert.equal(result.keyId, pub.keyId);
            assert.ok(result.keyVersion.length > 0, 'a key version is returned');
            assert.equal(result.signature.length, 64);
            assert.ok(verifyIndependently(pub.pem, algorithm, message, result.signature), `size ${size} verifies`);
            const tampered = Uint8Array.from(message);
            tampered[0]! ^= 1;
            assert.equal(verifyIndependently(pub.pem, algorithm, tampered, result.signature), false);
          }
        });

        it('signs many inputs in one call, each verifiable, in order', async () => {
          const pub = await signer.publicKey();
          const messages = Array.from({ length: 20 }, (_, i) => Buffer.from(`batch message ${i}`));
          const results = await signer.signMany(messages.map((message) => ({ message })));
          assert.equal(results.length, messages.length);
          results.forEach((r, i) => assert.ok(verifyIndependently(pub.pem, algorithm, messages[i]!, r.signature), `item ${i}`));
        });

        it('refuses an empty message', async () => {
          await assert.rejects(signer.sign({ message: new Uint8Array(0) }), (e) => assertCode(e, 'INVALID_ARGUMENT', 'message'));
        });

        if (algorithm === 'Ed25519') {
          it('refuses a 4097-byte message (the contract caps Ed25519 at 4096 bytes on every driver)', async () => {
            await assert.rejects(signer.sign({ message: new Uint8Array(4097) }), (e) => assertCode(e, 'INVALID_ARGUMENT', 'message'));
          });
          it('refuses a digest: Ed25519 is PureEdDSA', async () => {
            await assert.rejects(signer.sign({ digest: new Uint8Array(32) }), (e) => assertCode(e, 'INVALID_ARGUMENT', 'digest'));
          });
        } else {
          it('signs a SHA-256 digest computed by the caller: a P1363 signature of exactly 64 bytes', async () => {
            const pub = await signer.publicKey();
            const message = Buffer.from('digest contract');
            const digest = createHash('sha256').update(message).digest();
            const result = await signer.sign({ digest });
            assert.equal(result.signature.length, 64);
            assert.ok(verifyIndependently(pub.pem, algorithm, message, result.signature));
          });
          it('signs messages larger than 4096 bytes (Signet hashes them)', async () => {
            const pub = await signer.publicKey();
            const message = new Uint8Array(100_000).fill(7);
            const result = await signer.sign({ message });
            assert.ok(verifyIndependently(pub.pem, algorithm, message, result.signature));
          });
          it('refuses a digest of the wrong length', async () => {
            for (const n of [0, 31, 33, 64]) {
              await assert.rejects(signer.sign({ digest: new Uint8Array(n) }), (e) => assertCode(e, 'INVALID_ARGUMENT', 'digest'));
            }
          });
        }

        if (target.openAgain) {
          it('gives the same key id for the same key through another path', async () => {
            const again = await target.openAgain!(algorithm);
            try {
              assert.equal(again.keyId(), signer.keyId());
            } finally {
              await again.close();
            }
          });
        }
      });
    }
  });
}
