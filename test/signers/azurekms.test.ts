// The azurekms driver through the real @azure/keyvault-keys and @azure/identity clients, against
// the HTTPS Key Vault emulator: the custody contract, retries, deadlines, rotation, start-up errors.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
// The driver alone, not src/signers/index.js: loading every cloud SDK would double the start-up time.
import '../../src/signers/azurekms/driver.js';
import { canGenerate, canRotate } from '../../src/signers/capabilities.js';
import { driverFor, openSigner } from '../../src/signers/registry.js';
import type { Signer } from '../../src/signers/contract.js';
import { parseKeyUri } from '../../src/signers/uri.js';
import { createAzureTestKey, startAzureKeyVaultEmulator } from '../emulators/azure-keyvault.js';
import { runConformance, verifyIndependently } from './conformance.js';

const emulator = await startAzureKeyVaultEmulator();
after(() => emulator.stop());

const p256 = emulator.createKey('signet-p256');
const hsm = emulator.createKey('signet-hsm', { kty: 'EC-HSM' });

/** Opens a key of the emulator with the test client's credentials (from `env`, as in production). */
function open(name: string, options: { version?: string; params?: Record<string, string>; env?: Record<string, string> } = {}) {
  const { uri, env } = emulator.testKey(name, options);
  return openSigner(uri, { env: { ...env, ...options.env } });
}

function code(expected: string, pattern?: RegExp) {
  return (err: unknown) => {
    assert.ok(isSignetError(err), `expected a SignetError, got ${String(err)}`);
    assert.equal(err.code, expected, err.message);
    if (pattern) assert.match(err.message, pattern);
    return true;
  };
}

const digestOf = (text: string) => createHash('sha256').update(text).digest();

runConformance({
  name: 'azurekms',
  algorithms: ['ES256'],
  open: () => open('signet-p256'),
  openAgain: () => open('signet-p256', { version: p256.version }),
});

describe('azurekms driver', () => {
  /** One signer for the tests that only inject faults: each open costs TLS handshakes and a token. */
  let shared: Signer;
  before(async () => {
    shared = await open('signet-p256');
  });
  after(() => shared.close());

  it('when the first request has no token, Key Vault challenges and the SDK gets one from the token endpoint', async () => {
    const before = { ...emulator.stats };
    const fresh = createAzureTestKey(emulator, 'signet-fresh', { hsm: true });
    const other = await openSigner(fresh.uri, { env: fresh.env });
    assert.ok(verifyIndependently(fresh.publicPem, 'ES256', Buffer.from('fresh'), (await other.sign({ message: Buffer.from('fresh') })).signature));
    const signer = await open('signet-hsm');
    assert.ok(emulator.stats.challenge > before.challenge, 'a 401 challenge was answered');
    assert.ok(emulator.stats.token > before.token, 'a token was fetched from the authority');
    assert.equal(signer.hardwareBacked, true);
    const message = Buffer.from('EC-HSM key');
    const result = await signer.sign({ message });
    assert.equal(result.keyVersion, hsm.version);
    assert.ok(verifyIndependently(hsm.publicPem, 'ES256', message, result.signature));
  });

  it('when signing many times, the key metadata is read once at open and not per signature', async () => {
    const signer = shared;
    const gets = emulator.stats.getKey;
    const signs = emulator.stats.sign;
    await signer.signMany(Array.from({ length: 10 }, (_, i) => ({ message: Buffer.from(`m${i}`) })));
    assert.equal(emulator.stats.getKey, gets);
    assert.equal(emulator.stats.sign, signs + 10);
  });

  it('when signMany gets more inputs than max-in-flight, no more than that many calls reach the vault at once', async () => {
    const signer = await open('signet-p256', { params: { 'max-in-flight': '4' } });
    await signer.sign({ digest: digestOf('warm') });
    emulator.faults.latency(30);
    emulator.stats.peakInFlight = 0;
    try {
      const messages = Array.from({ length: 12 }, (_, i) => Buffer.from(`bounded ${i}`));
      const results = await signer.signMany(messages.map((message) => ({ message })));
      results.forEach((r, i) => assert.ok(verifyIndependently(p256.publicPem, 'ES256', messages[i]!, r.signature)));
      assert.ok(emulator.stats.peakInFlight <= 4 && emulator.stats.peakInFlight >= 2, `peak ${emulator.stats.peakInFlight}`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when Key Vault answers 429 three times, the retries absorb it within the deadline', async () => {
    const signer = shared;
    const signs = emulator.stats.sign;
    emulator.faults.throttle(3);
    const start = Date.now();
    const result = await signer.sign({ digest: digestOf('throttled') }, { deadline: Date.now() + 3_000 });
    assert.ok(Date.now() - start < 3_000);
    assert.equal(emulator.stats.sign, signs + 1, 'three throttled calls, then one signature');
    assert.ok(verifyIndependently(p256.publicPem, 'ES256', Buffer.from('throttled'), result.signature));
  });

  it('when Key Vault answers 429 with Retry-After: 1, the next attempt waits at least a second', async () => {
    const signer = shared;
    emulator.faults.throttle(1, 1);
    const start = Date.now();
    await signer.sign({ digest: digestOf('retry-after') }, { deadline: Date.now() + 3_000 });
    const elapsed = Date.now() - start;
    assert.ok(elapsed >= 1_000 && elapsed < 2_500, `waited ${elapsed} ms`);
  });

  it('when Retry-After is beyond the deadline, the caller gets RESOURCE_EXHAUSTED at once (back off) rather than a wait', async () => {
    const signer = shared;
    emulator.faults.throttle(1, 30);
    const start = Date.now();
    await assert.rejects(signer.sign({ digest: digestOf('x') }, { deadline: Date.now() + 2_000 }), code('RESOURCE_EXHAUSTED', /HTTP 429/));
    assert.ok(Date.now() - start < 1_000);
    emulator.faults.clear();
  });

  it('when the connection is reset twice and a 503 follows, the signature still comes back', async () => {
    const signer = shared;
    emulator.faults.reset(2);
    await signer.sign({ digest: digestOf('reset') }, { deadline: Date.now() + 3_000 });
    emulator.faults.serverError(1, 503);
    await signer.sign({ digest: digestOf('503') }, { deadline: Date.now() + 3_000 });
  });

  it('when the vault stays down past the deadline, sign fails UNAVAILABLE naming the driver and cause, in time', async () => {
    const signer = shared;
    emulator.faults.down(true, 503);
    try {
      const start = Date.now();
      await assert.rejects(signer.sign({ digest: digestOf('down') }, { deadline: start + 800 }), code('UNAVAILABLE', /azurekms .*HTTP 503/));
      const elapsed = Date.now() - start;
      assert.ok(elapsed <= 1_000, `gave up after ${elapsed} ms`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the vault hangs, the caller\'s deadline ends the call with DEADLINE_EXCEEDED, not a hang', async () => {
    const signer = shared;
    emulator.faults.latency(5_000);
    try {
      const start = Date.now();
      await assert.rejects(signer.sign({ digest: digestOf('slow') }, { deadline: start + 500 }), code('DEADLINE_EXCEEDED', /azurekms/));
      const elapsed = Date.now() - start;
      assert.ok(elapsed >= 450 && elapsed < 1_000, `ended after ${elapsed} ms`);
    } finally {
      emulator.faults.clear();
    }
  });

  it('when the key rotates, the new version signs after the cache expires and old signatures still verify', async () => {
    const first = emulator.createKey('signet-rotating');
    const signer = await open('signet-rotating', { params: { 'cache-ttl': '1s' } });
    const m1 = Buffer.from('before rotation');
    const r1 = await signer.sign({ message: m1 });
    assert.equal(r1.keyVersion, first.version);

    const rotated = emulator.rotateKey('signet-rotating');
    const soon = await signer.sign({ message: Buffer.from('cache still fresh') });
    assert.equal(soon.keyVersion, first.version, 'the cached version is used until the TTL passes');

    await new Promise((r) => setTimeout(r, 1_050));
    const m2 = Buffer.from('after rotation');
    const r2 = await signer.sign({ message: m2 });
    assert.equal(r2.keyVersion, rotated.version);
    assert.notEqual(r2.keyId, r1.keyId);
    assert.equal(signer.keyId(), r2.keyId);

    const v1 = await signer.publicKey(first.version);
    const v2 = await signer.publicKey(rotated.version);
    assert.equal(v1.pem, first.publicPem);
    assert.ok(verifyIndependently(v1.pem, 'ES256', m1, r1.signature), 'the old signature verifies with the old version');
    assert.ok(verifyIndependently(v2.pem, 'ES256', m2, r2.signature));
    assert.equal(verifyIndependently(v1.pem, 'ES256', m2, r2.signature), false);
  });

  it('when re-reading the latest version fails, signing goes on with the known version, in time, and the vault is not asked again at once', async () => {
    // The TTL is also the wait before the next re-read (below 30 s): long enough for the second sign.
    const signer = await open('signet-p256', { params: { 'cache-ttl': '1s' } });
    await new Promise((r) => setTimeout(r, 1_050));
    emulator.faults.arm('get-unavailable', 1_000);
    try {
      const gets = emulator.stats.getKey;
      const start = Date.now();
      const message = Buffer.from('stale but known');
      const result = await signer.sign({ message }, { deadline: start + 1_000 });
      assert.ok(Date.now() - start < 1_000, 'signed within the deadline');
      assert.ok(emulator.stats.getKey > gets, 'a re-read was tried');
      assert.equal(result.keyVersion, p256.version);
      assert.ok(verifyIndependently(p256.publicPem, 'ES256', message, result.signature));
      const afterFirst = emulator.stats.getKey;
      await signer.sign({ message }, { deadline: Date.now() + 1_000 });
      assert.equal(emulator.stats.getKey, afterFirst, 'no re-read right after a failed one');
    } finally {
      emulator.faults.clear();
    }
  });

  it('when a version is pinned in the URI, it keeps signing with that version after a rotation', async () => {
    const first = emulator.createKey('signet-pinned');
    const signer = await open('signet-pinned', { version: first.version, params: { 'cache-ttl': '0' } });
    emulator.rotateKey('signet-pinned');
    const message = Buffer.from('pinned');
    const result = await signer.sign({ message });
    assert.equal(result.keyVersion, first.version);
    assert.ok(verifyIndependently(first.publicPem, 'ES256', message, result.signature));
  });

  it('when the credential comes from URI params (client-secret-source, or a client-secret shown only as REDACTED), it signs', async () => {
    const ids = { 'tenant-id': emulator.tenantId, 'client-id': emulator.clientId };
    const fromEnv = await open('signet-p256', {
      params: { ...ids, 'client-secret-source': 'env:SIGNET_TEST_AZURE_SECRET' },
      env: { AZURE_TENANT_ID: '', AZURE_CLIENT_ID: '', AZURE_CLIENT_SECRET: '', SIGNET_TEST_AZURE_SECRET: emulator.clientSecret },
    });
    assert.ok(verifyIndependently(p256.publicPem, 'ES256', Buffer.from('a'), (await fromEnv.sign({ message: Buffer.from('a') })).signature));
    const inUri = await open('signet-p256', { params: { ...ids, 'client-secret': emulator.clientSecret }, env: { AZURE_CLIENT_SECRET: '' } });
    assert.match(inUri.uri, /client-secret=REDACTED/);
    assert.ok(!inUri.uri.includes(emulator.clientSecret));
    assert.ok(verifyIndependently(p256.publicPem, 'ES256', Buffer.from('b'), (await inUri.sign({ message: Buffer.from('b') })).signature));
  });

  it('when the client secret is wrong, start-up fails with CONFIG naming the credential, never the secret', async () => {
    const wrong = 'not-the-secret-' + Math.random().toString(36).slice(2);
    await assert.rejects(open('signet-p256', { env: { AZURE_CLIENT_SECRET: wrong } }), (err) => {
      code('CONFIG', /bad Azure credentials .*invalid_client/)(err);
      const text = inspect(err, { depth: 12, showHidden: true });
      assert.ok(!text.includes(wrong) && !text.includes(emulator.clientSecret), 'no secret in the error');
      return true;
    });
  });

  it('when no credential is configured, DefaultAzureCredential is tried and start-up fails with CONFIG', async () => {
    const { uri } = emulator.testKey('signet-p256');
    // Here (no managed identity, no Azure CLI) it finds nothing; elsewhere the vault refuses its token.
    await assert.rejects(openSigner(uri, { env: {} }), code('CONFIG', /DefaultAzureCredential found no Azure credential; set AZURE_TENANT_ID|refused the access token of DefaultAzureCredential/));
  });

  it('when Key Vault answers with another key\'s id, open refuses it (INTEGRITY) and a refresh ignores it', async () => {
    emulator.faults.arm('wrong-kid', 1);
    await assert.rejects(open('signet-p256'), code('INTEGRITY', /not the key asked for/));
    const signer = await open('signet-p256', { params: { 'cache-ttl': '0' } });
    const gets = emulator.stats.getKey;
    emulator.faults.arm('wrong-kid', 1);
    const message = Buffer.from('misrouted refresh');
    const result = await signer.sign({ message });
    assert.equal(emulator.stats.getKey, gets + 1, 'the refresh was made and its answer refused');
    assert.equal(result.keyVersion, p256.version, 'the last good version signed');
    assert.ok(verifyIndependently(p256.publicPem, 'ES256', message, result.signature));
    assert.equal(emulator.faults.consume('wrong-kid'), false, 'the misrouted answer was served');
    emulator.faults.clear();
  });

  it('when the key does not exist, start-up fails with CONFIG naming the key', async () => {
    await assert.rejects(open('no-such-key'), code('CONFIG', /key no-such-key does not exist/));
  });

  it('when the key is RSA, has no sign operation, or is disabled, start-up says which', async () => {
    emulator.createKey('signet-rsa', { kty: 'RSA' });
    emulator.createKey('signet-verify-only', { keyOps: ['verify'] });
    emulator.createKey('signet-disabled', { enabled: false });
    await assert.rejects(open('signet-rsa'), code('CONFIG', /key type is RSA/));
    await assert.rejects(open('signet-verify-only'), code('CONFIG', /do not include sign/));
    await assert.rejects(open('signet-disabled'), code('CONFIG', /disabled/));
  });

  it('when Ed25519 is asked for, it is refused at start-up: Key Vault has none', async () => {
    await assert.rejects(open('signet-p256', { params: { alg: 'ed25519' } }), code('CONFIG', /no Ed25519/));
    const { uri } = emulator.testKey('signet-new-ed');
    const driver = driverFor(uri);
    assert.ok(canGenerate(driver));
    await assert.rejects(driver.generate(parseKeyUri(uri), 'Ed25519'), code('CONFIG', /no Ed25519/));
  });

  it('when the client lacks keys/get, start-up fails; without keys/sign, signing is FAILED_PRECONDITION (for the operator to fix)', async () => {
    emulator.setPermission('get', false);
    try {
      await assert.rejects(open('signet-p256'), code('CONFIG', /keys\/get/));
    } finally {
      emulator.setPermission('get', true);
    }
    const signer = shared;
    emulator.setPermission('sign', false);
    try {
      await assert.rejects(signer.sign({ digest: digestOf('denied') }), (err) => {
        code('FAILED_PRECONDITION', /sign permission/)(err);
        const everything = inspect(err, { depth: 12, showHidden: true });
        assert.ok(emulator.issuedTokens().length > 0);
        for (const token of emulator.issuedTokens()) assert.ok(!everything.includes(token), 'no access token anywhere in the error or its causes');
        assert.ok(!everything.includes(emulator.clientSecret), 'no client secret anywhere in the error');
        return true;
      });
    } finally {
      emulator.setPermission('sign', true);
    }
  });

  it('when the vault stops accepting the access token, signing fails UNAUTHENTICATED without retries', async () => {
    const signer = await open('signet-p256');
    emulator.revokeTokens();
    const signs = emulator.stats.sign;
    await assert.rejects(signer.sign({ digest: digestOf('revoked') }), code('UNAUTHENTICATED', /HTTP 401/));
    assert.equal(emulator.stats.sign, signs, 'no signature was made');
  });

  it('when the vault URL is not overridden, the SDK still checks the challenge resource against the vault host', async () => {
    // The emulator addressed as the vault itself (no endpoint param): its challenge names
    // vault.azure.net, which 127.0.0.1 is not under, so the SDK must refuse to send a token.
    const { env } = emulator.testKey('signet-p256');
    const direct = `azurekms://${new URL(emulator.endpoint).host}/signet-p256?ca-file=${emulator.caFile}`;
    const tokens = emulator.stats.token;
    await assert.rejects(openSigner(direct, { env }), code('CONFIG', /challenge resource .* does not match/));
    assert.equal(emulator.stats.token, tokens, 'no token was fetched for a foreign resource');
  });

  it('when the test CA is not trusted (no ca-file), the TLS handshake fails and start-up says so', async () => {
    const { uri, env } = emulator.testKey('signet-p256');
    const untrusted = uri.replace(/&ca-file=[^&]*/, '');
    await assert.rejects(openSigner(untrusted, { env }), code('CONFIG', /cannot read the key: network error/));
  });

  it('when generate and rotate are asked for, Key Vault creates and rotates the key through the SDK', async () => {
    const { uri, env } = emulator.testKey('signet-generated');
    const driver = driverFor(uri);
    assert.ok(canGenerate(driver));
    const saved = { ...process.env };
    Object.assign(process.env, env);
    try {
      const info = await driver.generate(parseKeyUri(uri), 'ES256');
      const signer = await openSigner(uri, { env });
      assert.equal(signer.keyId(), info.keyId);
      const rotated = await rotateWithDriver('signet-generated');
      assert.notEqual(rotated.keyVersion, info.keyVersion);
      assert.notEqual(rotated.keyId, info.keyId);
      assert.equal(rotated.pem, emulator.keys.get('signet-generated').publicPem);
    } finally {
      for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
    }
  });
});

/** Rotates through the driver's KeyRotator capability (Key Vault's rotate, through the SDK). */
async function rotateWithDriver(name: string) {
  const { uri, env } = emulator.testKey(name);
  const driver = driverFor(uri);
  assert.ok(canRotate(driver));
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    return await driver.rotate(parseKeyUri(uri));
  } finally {
    for (const k of Object.keys(env)) if (saved[k] === undefined) delete process.env[k];
  }
}
