// The verifying commands take the ledger key as a PEM file, a key URI or a running server's
// address; `signet keys export-public` prints it as PEM, JWK or vkey, each checked by an
// independent verifier (node:crypto, jose, the signed-note key id computed here); `keys list`
// lists a directory of file keys.
import assert from 'node:assert/strict';
import { createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify as nodeVerify } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { calculateJwkThumbprint, compactVerify, importJWK } from 'jose';
import { keysCommand } from '../../src/cli/keys.js';
import { ledgerCommand, type LedgerCommandIo } from '../../src/cli/ledger.js';
import { verifyCommand } from '../../src/cli/verify.js';
import { SignetClient } from '../../src/client/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { hexOf } from '../ledger/fixtures.js';

function lines() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}
function text(): LedgerCommandIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', isTTY: false, out: (t: string) => void (io.stdout += t), err: (t: string) => void (io.stderr += t) };
  return io;
}

describe('ledger key sources against a running server', () => {
  let server: TestServer;
  let receiptFile: string;
  let db: string;
  const ledgerUri = () => server.config.keys.ledger!;

  before(async () => {
    server = await startTestServer({ keys: { default: 'file:{dir}/default.pem?create=true' } });
    const client = new SignetClient({ address: server.address });
    try {
      for (let i = 0; i < 5; i++) {
        await client.ledger.appendReceipt({
          receipt: { agent: 'agent-1', action: 'repo.push', resource: `git://repo/${i}`, request_sha256: hexOf(`q${i}`), response_sha256: hexOf(`r${i}`), outcome: 'success' },
        });
      }
    } finally {
      client.close();
    }
    db = server.config.ledger.path;
    const proof = text();
    assert.equal(await ledgerCommand(['proof', '--db', db, '--index', '3'], proof), 0, proof.stderr);
    receiptFile = join(server.dir, 'receipt.json');
    writeFileSync(receiptFile, proof.stdout);
  });
  after(() => server.stop());

  it('verify receipt: --key takes a key URI (file:), and --server the key a running server names', async () => {
    for (const args of [['--key', ledgerUri()], ['--server', server.address]]) {
      const c = lines();
      assert.equal(await verifyCommand(['receipt', receiptFile, ...args], c.io), 0, c.err.join('\n'));
      assert.match(c.out[0]!, /^valid: index 3 in tree of size \d+/);
    }
  });

  it('verify receipt: with a key URI of another key, exits 1 invalid', async () => {
    const c = lines();
    assert.equal(await verifyCommand(['receipt', receiptFile, '--key', server.config.keys.default!], c.io), 1);
    assert.match(c.err[0]!, /^invalid: /);
  });

  it('ledger verify: --key URI and --server both verify the whole ledger; a server that is not there is exit 1 naming it', async () => {
    for (const args of [['--key', ledgerUri()], ['--server', server.address]]) {
      const io = text();
      assert.equal(await ledgerCommand(['verify', '--db', db, ...args], io), 0, io.stderr);
      assert.match(io.stdout, /^valid: entries 0\.\.\d+/);
    }
    const io = text();
    assert.equal(await ledgerCommand(['verify', '--db', db, '--server', '127.0.0.1:1', '--deadline-ms', '2000'], io), 1);
    assert.match(io.stderr, /--server 127\.0\.0\.1:1: /);
  });

  it('export-public by config NAME prints the PEM the server serves; jwk verifies with jose; vkey carries the note key id', async () => {
    const config = join(server.dir, 'signet.yaml');
    writeFileSync(config, `keys:\n  default: "${server.config.keys.default}"\n  ledger: "${ledgerUri()}"\n  issuer: "${server.config.keys.issuer}"\nledger:\n  origin: ${server.config.ledger.origin}\n`);
    const pem = lines();
    assert.equal(await keysCommand(['export-public', 'default', '--config', config], pem.io), 0, pem.err.join('\n'));
    const privatePath = server.config.keys.default!.replace(/^file:/, '').replace(/\?.*$/, '');
    const privateKey = createPrivateKey(await import('node:fs').then((fs) => fs.readFileSync(privatePath)));
    assert.equal(pem.out.join('\n').trim(), String(createPublicKey(privateKey).export({ type: 'spki', format: 'pem' })).trim());

    const jwkOut = lines();
    assert.equal(await keysCommand(['export-public', server.config.keys.default!, '--format', 'jwk'], jwkOut.io), 0, jwkOut.err.join('\n'));
    const jwk = JSON.parse(jwkOut.out[0]!);
    assert.equal(jwk.kid, await calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv, x: jwk.x }));
    const jws = `${Buffer.from(JSON.stringify({ alg: 'EdDSA' })).toString('base64url')}.${Buffer.from('hello').toString('base64url')}`;
    const signature = nodeSign(null, Buffer.from(jws), privateKey).toString('base64url');
    const verified = await compactVerify(`${jws}.${signature}`, await importJWK(jwk, 'EdDSA'));
    assert.equal(Buffer.from(verified.payload).toString(), 'hello');

    const vkeyOut = lines();
    assert.equal(await keysCommand(['export-public', 'ledger', '--config', config, '--format', 'vkey'], vkeyOut.io), 0, vkeyOut.err.join('\n'));
    // name+id+base64, where the base64 may itself hold '+'.
    const [name, id, ...rest] = vkeyOut.out[0]!.split('+');
    const b64 = rest.join('+');
    assert.equal(name, server.config.ledger.origin);
    const blob = Buffer.from(b64, 'base64');
    assert.equal(blob[0], 0x01, 'Ed25519 note key type');
    // C2SP signed-note key id: SHA-256(name || "\n" || type || key)[:4].
    const expected = createHash('sha256').update(Buffer.concat([Buffer.from(`${name}\n`), blob])).digest().subarray(0, 4).toString('hex');
    assert.equal(id, expected);
    const ledgerPub = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: blob.subarray(1).toString('base64url') }, format: 'jwk' });
    const served = lines();
    assert.equal(await keysCommand(['export-public', ledgerUri()], served.io), 0);
    assert.equal(String(ledgerPub.export({ type: 'spki', format: 'pem' })).trim(), served.out.join('\n').trim());

    const vkeyFile = join(server.dir, 'ledger.vkey');
    writeFileSync(vkeyFile, vkeyOut.out[0]!);
    const c = lines();
    assert.equal(await verifyCommand(['receipt', receiptFile, '--key', vkeyFile], c.io), 0, c.err.join('\n'));
  });

  it('export-public refuses an unknown name (listing the configured ones) and an unknown format, exit 2', async () => {
    const c = lines();
    assert.equal(await keysCommand(['export-public', 'nope', '--config', join(server.dir, 'signet.yaml')], c.io), 2);
    assert.match(c.err[0]!, /no key named "nope" in .*signet\.yaml \(keys: default, ledger, issuer\)/);
    const f = lines();
    assert.equal(await keysCommand(['export-public', ledgerUri(), '--format', 'der'], f.io), 2);
    assert.match(f.err[0]!, /--format is pem, jwk or vkey, not "der"/);
  });

  it('export-public never creates a key, even from a URI that says create=true', async () => {
    const c = lines();
    const absent = join(server.dir, 'absent.pem');
    assert.equal(await keysCommand(['export-public', `file:${absent}?create=true&alg=ed25519`], c.io), 2);
    assert.match(c.err[0]!, /key file does not exist/);
    assert.equal(await import('node:fs').then((fs) => fs.existsSync(absent)), false);
  });
});

describe('keys list on file: URIs', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ keys: { default: 'file:{dir}/keys/default.pem?create=true', p256: 'file:{dir}/keys/p256.pem?create=true&alg=p256' } });
    writeFileSync(join(server.dir, 'keys', 'notes.pem'), 'not a key\n');
    mkdirSync(join(server.dir, 'empty'));
  });
  after(() => server.stop());

  it('a directory lists its PEM private keys with algorithm and RFC 7638 key id (checked with jose), skipping other files', async () => {
    const c = lines();
    assert.equal(await keysCommand(['list', `file://${server.dir}/keys`], c.io), 0, c.err.join('\n'));
    assert.equal(c.out.length, 2, c.out.join('\n'));
    const byLabel = new Map(c.out.map((l) => [l.split('\t')[0]!, l.split('\t')]));
    for (const [name, alg] of [['default', 'Ed25519'], ['p256', 'ES256']]) {
      const path = join(server.dir, 'keys', `${name}.pem`);
      const row = byLabel.get(path)!;
      assert.equal(row[1], alg);
      const jwk = createPublicKey(createPrivateKey(await import('node:fs').then((fs) => fs.readFileSync(path)))).export({ format: 'jwk' });
      assert.equal(row[2], await calculateJwkThumbprint(jwk as Parameters<typeof calculateJwkThumbprint>[0]));
      assert.equal(row[3], `file://${path}`);
    }
  });

  it('one key file lists that key; an empty directory says what file: lists; a missing path is exit 2', async () => {
    const one = lines();
    assert.equal(await keysCommand(['list', `file://${server.dir}/keys/default.pem`], one.io), 0);
    assert.equal(one.out.length, 1);
    const empty = lines();
    assert.equal(await keysCommand(['list', `file://${server.dir}/empty`], empty.io), 0);
    assert.match(empty.out[0]!, /no keys at .* \(file: lists the \*\.pem private keys of a directory\)/);
    const missing = lines();
    assert.equal(await keysCommand(['list', `file://${server.dir}/nowhere`], missing.io), 2);
    assert.match(missing.err[0]!, /no such file or directory/);
  });
});
