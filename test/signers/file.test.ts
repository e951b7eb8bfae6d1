import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, writeFileSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { openSigner } from '../../src/signers/index.js';
import { isSignetError } from '../../src/lib/errors.js';
import { independentThumbprint, runConformance } from './conformance.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-file-'));
const uriFor = (alg: string) => `file://${dir}/${alg}.pem?create=true&alg=${alg === 'Ed25519' ? 'ed25519' : 'p256'}`;

runConformance({
  name: 'file',
  algorithms: ['Ed25519', 'ES256'],
  open: (alg) => openSigner(uriFor(alg)),
  openAgain: (alg) => openSigner(`file:${dir}/${alg}.pem`),
  teardown: async () => rmSync(dir, { recursive: true, force: true }),
});

describe('file driver', () => {
  const own = mkdtempSync(join(tmpdir(), 'signet-file-own-'));
  after(() => rmSync(own, { recursive: true, force: true }));

  it('creates the key on first open with mode 0600, and loads the same key afterwards', async () => {
    const path = join(own, 'sub', 'k.pem');
    const first = await openSigner(`file://${path}?create=true`);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(first.hardwareBacked, false);
    const second = await openSigner(`file://${path}`);
    assert.equal(second.keyId(), first.keyId());
    assert.equal(first.keyId(), independentThumbprint(createPublicKey(createPrivateKey(readFileSync(path))).export({ type: 'spki', format: 'pem' }).toString()));
  });

  it('when the key file is missing and create is not set, refuses with CONFIG', async () => {
    await assert.rejects(openSigner(`file://${own}/absent.pem`), (e) => isSignetError(e, 'CONFIG') && /does not exist/.test(e.message));
  });

  it('when the key file is readable by others, refuses to load it', async () => {
    const path = join(own, 'open.pem');
    await openSigner(`file://${path}?create=true`);
    chmodSync(path, 0o644);
    await assert.rejects(openSigner(`file://${path}`), (e) => isSignetError(e, 'CONFIG') && /chmod 600/.test(e.message));
  });

  it('encrypts the key with a passphrase from the environment and refuses a wrong one', async () => {
    const path = join(own, 'enc.pem');
    process.env.TEST_SIGNET_PASS = 'correct horse';
    const signer = await openSigner(`file://${path}?create=true&passphrase-source=env:TEST_SIGNET_PASS`);
    assert.match(readFileSync(path, 'utf8'), /ENCRYPTED PRIVATE KEY/);
    const again = await openSigner(`file://${path}?passphrase-source=env:TEST_SIGNET_PASS`);
    assert.equal(again.keyId(), signer.keyId());
    process.env.TEST_SIGNET_PASS = 'wrong';
    await assert.rejects(openSigner(`file://${path}?passphrase-source=env:TEST_SIGNET_PASS`), (e) => isSignetError(e, 'CONFIG') && /decrypt/.test(e.message));
  });

  it('when the file is not a PEM key, says so', async () => {
    const path = join(own, 'junk.pem');
    writeFileSync(path, 'not a key', { mode: 0o600 });
    await assert.rejects(openSigner(`file://${path}`), (e) => isSignetError(e, 'CONFIG') && /PKCS#8/.test(e.message));
  });
});
