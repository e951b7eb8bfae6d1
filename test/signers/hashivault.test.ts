// The hashivault driver through the real node-vault client against the Vault Transit emulator:
// the custody contract unchanged, then retries, deadlines, rotation, start-up errors, batching.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { inspect } from 'node:util';
import nodeVault from 'node-vault';
import '../../src/signers/hashivault/driver.js';
import { driverFor, openSigner } from '../../src/signers/registry.js';
import { canGenerate, canRotate } from '../../src/signers/capabilities.js';
import { parseKeyUri } from '../../src/signers/uri.js';
import { isSignetError, type SignetErrorCode } from '../../src/lib/errors.js';
import type { Signer } from '../../src/signers/contract.js';
import { createVaultKey, startVaultEmulator } from '../emulators/vault.js';
import { makeThrowawayCa } from '../emulators/throwaway-ca.js';
import { runConformance, verifyIndependently } from './conformance.js';

const vault = await startVaultEmulator();
const home = mkdtempSync(join(tmpdir(), 'signet-vault-home-'));
process.env.SIGNET_TEST_VAULT_TOKEN = vault.token;
after(async () => {
  await vault.stop();
  rmSync(home, { recursive: true, force: true });
});

/** A key URI that finds the emulator and its token without touching VAULT_* variables. */
const uriOf = (name: string, params = '') =>
  `hashivault://transit/${name}?address=${vault.address}&token-source=env:SIGNET_TEST_VAULT_TOKEN${params ? `&${params}` : ''}`;
const keyName = (alg: string, tag = 'c') => `${tag}-${alg.toLowerCase()}`;

function hasCode(code: SignetErrorCode, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(isSignetError(err), `expected a SignetError, got ${inspect(err)}`);
    assert.equal(err.code, code, err.message);
    if (pattern) assert.match(err.message, pattern);
    assert.ok(!inspect(err, { depth: 8 }).includes(vault.token), 'the token never appears in an error');
    return true;
  };
}

async function signVerified(signer: Signer, text: string, options = {}) {
  const message = Buffer.from(text);
  const result = await signer.sign({ message }, options);
  const pub = await signer.publicKey(result.keyVersion);
  assert.ok(verifyIndependently(pub.pem, signer.algorithm, message, result.signature), `"${text}" verifies`);
  return result;
}

const elapsedOf = async (fn: () => Promise<unknown>) => {
  const start = Date.now();
  await fn();
  return Date.now() - start;
};

runConformance({
  name: 'hashivault',
  algorithms: ['Ed25519', 'ES256'],
  setup: async () => {
    vault.createKey(keyName('Ed25519'), 'ed25519');
    vault.createKey(keyName('ES256'), 'ecdsa-p256');
  },
  open: (alg) => openSigner(uriOf(keyName(alg))),
  // The same key through the other URI form, with address and token from the Vault environment.
  openAgain: (alg) => {
    const { uri, env } = createVaultKey(vault, keyName(alg), alg);
    return openSigner(uri.replace('hashivault://transit/', 'hashivault:///transit/'), { env });
  },
});

runConformance({
  name: 'hashivault with marshaling=asn1 (DER from Vault → P1363)',
  algorithms: ['ES256'],
  setup: async () => void vault.createKey('asn1-es256', 'ecdsa-p256'),
  open: () => openSigner(uriOf('asn1-es256', 'marshaling=asn1')),
});

describe('hashivault driver', () => {
  const opened: Signer[] = [];
  const open = async (name: string, type: 'ed25519' | 'ecdsa-p256', params = '') => {
    vault.createKey(name, type);
    const signer = await openSigner(uriOf(name, params));
    opened.push(signer);
    return signer;
  };
  after(async () => {
    vault.faults.clear();
    await Promise.all(opened.map((s) => s.close()));
  });

  describe('retries and deadlines', () => {
    it('when Vault answers 429 three times, the retry absorbs them inside the deadline', async () => {
      const signer = await open('retry-429', 'ecdsa-p256');
      const before = vault.counts['POST sign'] ?? 0;
      vault.faults.throttle(3);
      const deadline = Date.now() + 3000;
      await signVerified(signer, 'after throttling', { deadline });
      assert.equal(vault.counts['POST sign']! - before, 4, 'three refused attempts and one that signed');
      assert.ok(Date.now() < deadline);
    });

    it('when Vault answers 429 with Retry-After: 1, the next attempt waits at least that long', async () => {
      const signer = await open('retry-after', 'ed25519');
      vault.faults.throttle(1, 1);
      const elapsed = await elapsedOf(() => signVerified(signer, 'retry-after', { deadline: Date.now() + 4000 }));
      assert.ok(elapsed >= 950, `waited ${elapsed} ms`);
    });

    it('when Retry-After reaches past the deadline, gives up at once with RESOURCE_EXHAUSTED and the retry-after', async () => {
      const signer = await open('retry-after-long', 'ed25519');
      vault.faults.throttle(1, 30);
      const start = Date.now();
      await assert.rejects(signer.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 2000 }), (err) => {
        hasCode('RESOURCE_EXHAUSTED', /hashivault.*rate limit quota exceeded/)(err);
        assert.equal((err as { retryAfter?: number }).retryAfter, 30);
        return true;
      });
      assert.ok(Date.now() - start < 500, 'did not sleep towards a Retry-After it could not honour');
      vault.faults.clear();
    });

    it('when Vault is sealed (503) twice and then resets the connection twice, signing still succeeds', async () => {
      const signer = await open('retry-5xx', 'ecdsa-p256');
      vault.faults.serverError(2, 503);
      await signVerified(signer, 'after sealed', { deadline: Date.now() + 3000 });
      vault.faults.reset(2);
      await signVerified(signer, 'after resets', { deadline: Date.now() + 3000 });
    });

    it('when Vault stays sealed past the deadline, fails with UNAVAILABLE in time, naming driver and cause', async () => {
      const signer = await open('down', 'ed25519');
      vault.faults.down(true, 503);
      try {
        const elapsed = await elapsedOf(() =>
          assert.rejects(signer.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 700 }), hasCode('UNAVAILABLE', /hashivault.*Vault is sealed/)),
        );
        assert.ok(elapsed <= 700 + 150, `gave up after ${elapsed} ms`);
      } finally {
        vault.faults.clear();
      }
    });

    it('when Vault hangs, the request is abandoned at the caller deadline with DEADLINE_EXCEEDED', async () => {
      const signer = await open('hang', 'ed25519');
      vault.faults.latency(3000);
      try {
        const elapsed = await elapsedOf(() =>
          assert.rejects(signer.sign({ message: Buffer.from('x') }, { deadline: Date.now() + 400 }), hasCode('DEADLINE_EXCEEDED', /hashivault/)),
        );
        assert.ok(elapsed >= 390 && elapsed <= 400 + 150, `gave up after ${elapsed} ms`);
      } finally {
        vault.faults.clear();
      }
    });

    it('when the caller gives no deadline, the URI timeout bounds the call', async () => {
      const signer = await open('no-deadline', 'ecdsa-p256', 'timeout=600ms');
      vault.faults.down(true, 502);
      try {
        const elapsed = await elapsedOf(() => assert.rejects(signer.sign({ message: Buffer.from('x') }), hasCode('UNAVAILABLE', /HTTP 502/)));
        assert.ok(elapsed <= 600 + 150, `gave up after ${elapsed} ms`);
      } finally {
        vault.faults.clear();
      }
    });

    it('when the token may read the key but not sign, fails with FAILED_PRECONDITION (for the operator to fix) and does not retry', async () => {
      vault.createKey('read-only', 'ed25519');
      const signer = await openSigner(`hashivault://transit/read-only?address=${vault.address}`, {
        env: { VAULT_TOKEN: vault.addToken('read-only') },
      });
      opened.push(signer);
      const before = vault.counts['POST sign'] ?? 0;
      await assert.rejects(signer.sign({ message: Buffer.from('x') }), hasCode('FAILED_PRECONDITION', /transit\/sign\/read-only.*VAULT_TOKEN/));
      assert.equal(vault.counts['POST sign']! - before, 1);
    });
  });

  describe('versions, caching and rotation', () => {
    it('reads key metadata once at open, not once per signature', async () => {
      const signer = await open('cached', 'ed25519');
      const reads = vault.counts['GET keys'];
      for (let i = 0; i < 10; i++) await signer.sign({ message: Buffer.from(`m${i}`) });
      await signer.signMany([{ message: Buffer.from('a') }, { message: Buffer.from('b') }]);
      assert.equal(vault.counts['GET keys'], reads);
    });

    it('signMany sends one batch_input request and returns the version with every signature', async () => {
      const signer = await open('batch', 'ecdsa-p256');
      const before = vault.counts['POST sign'] ?? 0;
      const messages = Array.from({ length: 50 }, (_, i) => Buffer.from(`batched ${i}`));
      const results = await signer.signMany(messages.map((message) => ({ message })));
      assert.equal(vault.counts['POST sign']! - before, 1);
      const pub = await signer.publicKey();
      results.forEach((r, i) => {
        assert.equal(r.keyVersion, '1');
        assert.ok(verifyIndependently(pub.pem, 'ES256', messages[i]!, r.signature), `item ${i}`);
      });
    });

    it('after rotation, keeps the cached version until the cache expires, then signs with the new one; old signatures still verify', async () => {
      const signer = await open('rotating', 'ed25519', 'cache-ttl=300ms');
      const first = await signVerified(signer, 'before rotation');
      assert.equal(first.keyVersion, '1');
      vault.rotate('rotating');
      const cached = await signVerified(signer, 'right after rotation');
      assert.equal(cached.keyVersion, '1', 'the cached version is used until expiry');
      assert.equal(cached.keyId, first.keyId);
      await new Promise((r) => setTimeout(r, 350));
      const second = await signVerified(signer, 'after expiry');
      assert.equal(second.keyVersion, '2');
      assert.notEqual(second.keyId, first.keyId);
      assert.equal(signer.keyId(), second.keyId);
      const v1 = await signer.publicKey('1');
      const v2 = await signer.publicKey('2');
      assert.ok(verifyIndependently(v1.pem, 'Ed25519', Buffer.from('before rotation'), first.signature), 'old signature verifies with version 1');
      assert.equal(verifyIndependently(v2.pem, 'Ed25519', Buffer.from('before rotation'), first.signature), false);
    });

    it('when Vault refuses the cached version (min_encryption_version raised after rotation), re-reads the key and signs with the latest', async () => {
      const signer = await open('min-version', 'ecdsa-p256');
      vault.rotate('min-version').minEncryptionVersion = 2;
      const single = await signVerified(signer, 'after min_encryption_version=2');
      assert.equal(single.keyVersion, '2');
      vault.rotate('min-version').minEncryptionVersion = 3;
      const batch = await signer.signMany([{ message: Buffer.from('a') }, { message: Buffer.from('b') }]);
      assert.deepEqual(batch.map((r) => r.keyVersion), ['3', '3']);
      const v3 = await signer.publicKey('3');
      assert.ok(verifyIndependently(v3.pem, 'ES256', Buffer.from('b'), batch[1]!.signature));
    });

    it('gives the public key of a version newer than its cache by asking Vault', async () => {
      const signer = await open('newer', 'ecdsa-p256');
      const v1 = await signer.publicKey();
      vault.rotate('newer');
      const reads = vault.counts['GET keys'];
      const v2 = await signer.publicKey('2');
      assert.equal(v2.keyVersion, '2');
      assert.notEqual(v2.keyId, v1.keyId);
      assert.equal(vault.counts['GET keys']! - reads!, 1);
      assert.equal((await signer.publicKey('1')).keyId, v1.keyId);
      const before = vault.counts['GET keys'];
      await assert.rejects(signer.publicKey('9'), hasCode('NOT_FOUND'));
      await assert.rejects(signer.publicKey('0'), hasCode('NOT_FOUND'));
      await assert.rejects(signer.publicKey('latest'), hasCode('NOT_FOUND'));
      assert.equal(vault.counts['GET keys']! - before!, 1, 'only the version newer than the cache is looked up');
    });

    it('when the key is deleted after start-up, signing fails with NOT_FOUND', async () => {
      const signer = await open('deleted', 'ed25519');
      vault.keys.delete('deleted');
      await assert.rejects(signer.sign({ message: Buffer.from('x') }), hasCode('NOT_FOUND', /encryption key not found/));
    });

    it('when Vault answers without the vault:vN: prefix, or with another version than asked, refuses with INTEGRITY', async () => {
      const signer = await open('mangled', 'ecdsa-p256');
      vault.faults.arm('malformed-signature');
      await assert.rejects(signer.sign({ message: Buffer.from('x') }), hasCode('INTEGRITY', /vault:vN/));
      vault.faults.arm('wrong-version');
      await assert.rejects(signer.sign({ message: Buffer.from('x') }), hasCode('INTEGRITY', /version 2/));
    });
  });

  describe('start-up', () => {
    it('when the token is wrong, fails with CONFIG naming the token source, never the token', async () => {
      vault.createKey('startup', 'ed25519');
      await assert.rejects(
        openSigner(`hashivault://transit/startup?address=${vault.address}`, { env: { VAULT_TOKEN: 'hvs.not-a-real-token' } }),
        (err) => hasCode('CONFIG', /refused the token from VAULT_TOKEN \(permission denied\)/)(err) && !inspect(err, { depth: 8 }).includes('hvs.not-a-real-token'),
      );
    });

    it('when the key does not exist, fails with CONFIG saying so', async () => {
      await assert.rejects(openSigner(uriOf('absent')), hasCode('CONFIG', /transit\/keys\/absent does not exist/));
    });

    it('when the key cannot sign (aes256-gcm96), fails with CONFIG naming the type', async () => {
      vault.createKey('encryption-only', 'aes256-gcm96');
      await assert.rejects(openSigner(uriOf('encryption-only')), (err) => {
        hasCode('CONFIG', /key type is aes256-gcm96; Signet signs with Transit keys of type ed25519 or ecdsa-p256/)(err);
        assert.equal((err as Error).message.split('hashivault://').length, 2, 'the key is named once');
        assert.ok(!(err as Error).message.includes('\n'), 'one line');
        return true;
      });
    });

    it('when there is no token anywhere, or no address, or a token in the URI, fails with CONFIG', async () => {
      const emptyHome = join(home, 'empty');
      await assert.rejects(
        openSigner('hashivault://transit/startup', { env: { VAULT_ADDR: vault.address, HOME: emptyHome } }),
        hasCode('CONFIG', /no Vault token/),
      );
      await assert.rejects(openSigner('hashivault://transit/startup', { env: { VAULT_TOKEN: vault.token } }), hasCode('CONFIG', /VAULT_ADDR/));
      await assert.rejects(openSigner(uriOf('startup', 'token=abc')), hasCode('CONFIG', /token-source/));
    });

    it('when Vault is sealed at start-up, fails with UNAVAILABLE within the URI timeout', async () => {
      vault.faults.down(true, 503);
      try {
        const elapsed = await elapsedOf(() => assert.rejects(openSigner(uriOf('startup', 'timeout=500ms')), hasCode('UNAVAILABLE', /sealed/)));
        assert.ok(elapsed <= 500 + 150, `gave up after ${elapsed} ms`);
      } finally {
        vault.faults.clear();
      }
    });

    it('reads the token from ~/.vault-token and from token-source=file:', async () => {
      writeFileSync(join(home, '.vault-token'), `${vault.token}\n`, { mode: 0o600 });
      const fromHome = await openSigner('hashivault://transit/startup', { env: { VAULT_ADDR: vault.address, HOME: home } });
      opened.push(fromHome);
      await signVerified(fromHome, 'token from ~/.vault-token');
      const file = join(home, 'token');
      writeFileSync(file, vault.token, { mode: 0o600 });
      const fromFile = await openSigner(`hashivault://transit/startup?address=${vault.address}&token-source=file:${file}`, { env: {} });
      opened.push(fromFile);
      assert.equal(fromFile.keyId(), fromHome.keyId());
    });
  });

  describe('https', () => {
    it('over https, trusts the CA given by ca-file, and without it fails at start-up with CONFIG naming the certificate', async () => {
      const ca = makeThrowawayCa('Signet hashivault test CA');
      const tlsVault = await startVaultEmulator({ token: vault.token, tls: { cert: ca.certPem, key: ca.keyPem } });
      try {
        tlsVault.createKey('tls', 'ecdsa-p256');
        const uri = `hashivault://transit/tls?address=${tlsVault.address}&token-source=env:SIGNET_TEST_VAULT_TOKEN`;
        const signer = await openSigner(`${uri}&ca-file=${ca.caFile}`);
        opened.push(signer);
        await signVerified(signer, 'over https');
        const start = Date.now();
        await assert.rejects(openSigner(uri, { env: { SIGNET_TEST_VAULT_TOKEN: vault.token } }), hasCode('CONFIG', /TLS certificate.*ca-file/));
        assert.ok(Date.now() - start < 1000, 'an untrusted certificate is not retried');
      } finally {
        await tlsVault.stop();
        ca.dispose();
      }
    });
  });

  describe('the emulator', () => {
    it('answers sys/health as Vault does, sealed while 503 is injected, and refuses an unknown token on transit paths', async () => {
      const client = nodeVault({ endpoint: vault.address, token: 'hvs.unknown' });
      const healthy = await client.health();
      assert.equal(healthy.sealed, false);
      assert.equal(healthy.initialized, true);
      vault.faults.serverError(1, 503);
      assert.equal((await client.health()).sealed, true);
      await assert.rejects(client.read('transit/keys/c-ed25519'), (err: { response?: { statusCode: number; body: unknown } }) => {
        assert.equal(err.response?.statusCode, 403);
        assert.deepEqual(err.response?.body, { errors: ['permission denied'] });
        return true;
      });
    });
  });

  describe('capabilities', () => {
    it('generates a Transit key and rotates it through the driver', async () => {
      const uri = parseKeyUri(uriOf('generated'));
      const driver = driverFor(uri);
      assert.ok(canGenerate(driver) && canRotate(driver));
      const created = await driver.generate(uri, 'ES256');
      assert.equal(created.algorithm, 'ES256');
      assert.equal(vault.keys.get('generated')?.type, 'ecdsa-p256');
      const rotated = await driver.rotate(uri);
      assert.equal(rotated.keyVersion, '2');
      assert.notEqual(rotated.keyId, created.keyId);
    });
  });
});
