// The pkcs11 driver with `sign-threads=N`: C_SignInit + C_Sign in worker threads. The contract
// suite runs unchanged on it, and recovery still works when sessions die under the workers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { openSigner } from '../../src/signers/index.js';
import { Pkcs11Module } from '../../src/signers/pkcs11/module.js';
import { softhsmKey, softhsmToken } from '../helpers/softhsm.js';
import { runConformance, verifyIndependently } from './conformance.js';

const uris: Record<string, string> = {};
runConformance({
  name: 'pkcs11 on SoftHSM with sign-threads=2',
  algorithms: ['Ed25519', 'ES256'],
  setup: async () => {
    uris.Ed25519 = `${await softhsmKey('ed25519', 'threads-ed25519')}&sign-threads=2`;
    uris.ES256 = `${await softhsmKey('p256', 'threads-p256')}&sign-threads=2`;
  },
  open: (alg) => openSigner(uris[alg]!),
});

describe('pkcs11 sign-threads', () => {
  it('when all sessions are closed under the signing threads, the next sign recovers and 50 concurrent signs verify', async () => {
    const token = softhsmToken();
    const signer = await openSigner(`${await softhsmKey('p256', 'threads-recover')}&sign-threads=2&max-sessions=4`);
    const pub = await signer.publicKey();
    try {
      const check = async (label: string) => {
        const message = Buffer.from(label);
        assert.ok(verifyIndependently(pub.pem, 'ES256', message, (await signer.sign({ message })).signature), label);
      };
      await check('before');
      const module = Pkcs11Module.acquire(token.modulePath);
      try {
        const slot = module.lib.C_GetSlotList(true).find((s) => module.lib.C_GetTokenInfo(s).label.trimEnd() === token.label)!;
        module.lib.C_CloseAllSessions(slot);
      } finally {
        module.release();
      }
      await check('after close-all');
      await Promise.all(Array.from({ length: 50 }, (_, i) => check(`concurrent ${i}`)));
    } finally {
      await signer.close();
    }
  });

  it('when sign-threads is not a small whole number, refuses at open with CONFIG', async () => {
    const uri = await softhsmKey('ed25519', 'threads-bad');
    for (const bad of ['-1', '17', 'two']) {
      await assert.rejects(openSigner(`${uri}&sign-threads=${bad}`), (e) => isSignetError(e, 'CONFIG') && /sign-threads/.test(e.message));
    }
  });
});
