// `signet softhsm init` and `signet keys …` run in-process against a throwaway directory: the
// token and keys they make sign for real (checked by node:crypto), and a second init changes nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, after } from 'node:test';
import { keysCommand } from '../../src/cli/keys.js';
import { softhsmCommand } from '../../src/cli/softhsm.js';
import { openSigner } from '../../src/signers/index.js';
import { verifyIndependently } from '../signers/conformance.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) }, out, err };
}

describe('signet softhsm init and signet keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-cli-softhsm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  delete process.env.SIGNET_CLI_TEST_PIN;
  let uris: string[] = [];

  it('creates a token with the keys default, ledger and issuer, and prints the env and a config', async () => {
    const c = capture();
    const code = await softhsmCommand(['init', '--dir', dir, '--label', 'dev', '--pin-env', 'SIGNET_CLI_TEST_PIN'], c.io);
    assert.equal(code, 0, c.err.join('\n'));
    const text = c.out.join('\n');
    assert.match(text, /initialised token "dev"/);
    assert.match(text, new RegExp(`export SOFTHSM2_CONF=${join(dir, 'softhsm2.conf')}`));
    assert.match(text, /export SIGNET_CLI_TEST_PIN="\$\(cat .*user-pin\)"/);
    assert.equal(statSync(join(dir, 'user-pin')).mode & 0o777, 0o600);
    uris = [...text.matchAll(/^  (?:default|ledger|issuer): "(pkcs11:[^"]+)"$/gm)].map((m) => m[1]!);
    assert.equal(uris.length, 3);
    assert.match(uris[0]!, /^pkcs11:token=dev;object=default\?/);
    assert.ok(!text.includes(process.env.SIGNET_CLI_TEST_PIN!), 'the PIN itself is not printed');
  });

  it('when run again, keeps the token and keys and says so', async () => {
    const c = capture();
    assert.equal(await softhsmCommand(['init', '--dir', dir, '--label', 'dev', '--pin-env', 'SIGNET_CLI_TEST_PIN'], c.io), 0, c.err.join('\n'));
    const text = c.out.join('\n');
    assert.match(text, /token "dev" already exists/);
    assert.equal(text.match(/already exists, key id/g)?.length, 3);
  });

  it('the printed URIs open keys that sign, verified by node:crypto', async () => {
    for (const uri of uris) {
      const signer = await openSigner(uri);
      try {
        const message = Buffer.from('from softhsm init');
        const r = await signer.sign({ message });
        assert.ok(verifyIndependently((await signer.publicKey()).pem, signer.algorithm, message, r.signature));
      } finally {
        await signer.close();
      }
    }
  });

  it('keys show prints key id, algorithm, version, JWK, PEM and hardware-backed', async () => {
    const c = capture();
    assert.equal(await keysCommand(['show', uris[0]!], c.io), 0, c.err.join('\n'));
    const text = c.out.join('\n');
    const signer = await openSigner(uris[0]!);
    await signer.close();
    assert.match(text, new RegExp(`key id: ${signer.keyId()}`));
    assert.match(text, /algorithm: Ed25519/);
    assert.match(text, /version: 1/);
    assert.match(text, /jwk: \{"kty":"OKP","crv":"Ed25519","x":"/);
    assert.match(text, /-----BEGIN PUBLIC KEY-----/);
    assert.match(text, /hardware-backed: no/);
  });

  it('keys list shows the three keys of the token with their key ids', async () => {
    const c = capture();
    const tokenUri = uris[0]!.replace(/;object=[^?]+/, '');
    assert.equal(await keysCommand(['list', tokenUri], c.io), 0, c.err.join('\n'));
    assert.equal(c.out.length, 3);
    assert.match(c.out.join('\n'), /^default\tEd25519\t\S{43}\tpkcs11:token=dev;object=default;id=/m);
    assert.match(c.out.join('\n'), /^ledger\tEd25519\t/m);
    assert.match(c.out.join('\n'), /^issuer\tEd25519\t/m);
  });

  it('keys generate makes a new key in the token; a second time the label is taken', async () => {
    const uri = uris[1]!.replace('object=ledger', 'object=extra');
    const c = capture();
    assert.equal(await keysCommand(['generate', uri, '--alg', 'p256'], c.io), 0, c.err.join('\n'));
    assert.match(c.out.join('\n'), /algorithm: ES256/);
    const again = capture();
    assert.equal(await keysCommand(['generate', uri, '--alg', 'p256'], again.io), 1);
    assert.match(again.err.join('\n'), /already holds an object with label "extra"/);
  });

  it('when the driver cannot list (awskms:), says so with exit 1; bad usage exits 2 naming what', async () => {
    const c = capture();
    assert.equal(await keysCommand(['list', 'awskms:///alias/signet'], c.io), 1);
    assert.match(c.err.join('\n'), /awskms driver cannot list keys/);
    const u = capture();
    assert.equal(await keysCommand(['generate', uris[0]!], u.io), 2);
    assert.match(u.err.join('\n'), /--alg ed25519 or --alg p256 is required/);
    assert.equal(await softhsmCommand(['init', '--bogus', 'x'], u.io), 2);
    assert.match(u.err.join('\n'), /signet softhsm init: unknown option --bogus/);
  });

  it('when the key does not exist, keys show exits 2 with the CONFIG message', async () => {
    const c = capture();
    assert.equal(await keysCommand(['show', uris[0]!.replace('object=default', 'object=missing')], c.io), 2);
    assert.match(c.err.join('\n'), /no private key with label "missing" on token "dev"/);
  });
});
