import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseKeyUri } from '../../src/signers/uri.js';
import { isSignetError } from '../../src/lib/errors.js';
import { mulberry32 } from '../helpers/seeded.js';

describe('key URIs', () => {
  it('parses an RFC 7512 pkcs11 URI with path attributes, a percent-encoded id and query attributes', () => {
    const u = parseKeyUri('pkcs11:token=signet;object=issuer;id=%01%a2?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:SIGNET_PIN');
    assert.equal(u.scheme, 'pkcs11');
    if (u.scheme !== 'pkcs11') return;
    assert.equal(u.attrs.get('token'), 'signet');
    assert.equal(u.attrs.get('object'), 'issuer');
    assert.deepEqual([...u.id!], [0x01, 0xa2]);
    assert.equal(u.params.get('module-path'), '/usr/lib/softhsm/libsofthsm2.so');
    assert.equal(u.params.get('pin-source'), 'env:SIGNET_PIN');
  });

  it('never keeps a PIN value in the redacted form, nor in an error message', () => {
    const u = parseKeyUri('pkcs11:token=t;object=k?pin-value=123456&module-path=/m.so');
    assert.ok(!u.redacted.includes('123456'));
    assert.match(u.redacted, /pin-value=REDACTED/);
    assert.throws(
      () => parseKeyUri('pkcs11:token=t;token=u?pin-value=s3cret'),
      (e) => isSignetError(e, 'INVALID_ARGUMENT') && !e.message.includes('s3cret'),
    );
  });

  it('when a secret is malformed, the error names the parameter but never quotes its value', () => {
    for (const uri of ['pkcs11:token=t?pin-value=1234%zz56', 'file:///k.pem?passphrase=hunter2%']) {
      assert.throws(
        () => parseKeyUri(uri),
        (e) => isSignetError(e, 'INVALID_ARGUMENT') && /malformed percent-encoding in query parameter/.test(e.message) && !/1234|hunter2/.test(e.message),
      );
    }
  });

  it('when a PIN is written in the pkcs11 path, where it would not be redacted, it is refused without quoting it', () => {
    assert.throws(
      () => parseKeyUri('pkcs11:token=t;pin-value=99887766'),
      (e) => isSignetError(e, 'INVALID_ARGUMENT') && /belongs in the query/.test(e.message) && !e.message.includes('99887766'),
    );
  });

  it('parses awskms with an ARN (region from the ARN), with an alias and an endpoint host', () => {
    const arn = parseKeyUri('awskms:///arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    assert.ok(arn.scheme === 'awskms' && arn.region === 'eu-west-1' && arn.endpoint === undefined);
    const alias = parseKeyUri('awskms://localhost:4566/alias/signet?region=us-east-1');
    assert.ok(alias.scheme === 'awskms');
    if (alias.scheme !== 'awskms') return;
    assert.equal(alias.keyId, 'alias/signet');
    assert.equal(alias.endpoint, 'https://localhost:4566');
    assert.equal(alias.region, 'us-east-1');
  });

  it('parses gcpkms key and key-version names and refuses anything else', () => {
    const v = parseKeyUri('gcpkms://projects/p/locations/global/keyRings/r/cryptoKeys/k/cryptoKeyVersions/3');
    assert.ok(v.scheme === 'gcpkms' && v.name.endsWith('/cryptoKeyVersions/3'));
    assert.throws(() => parseKeyUri('gcpkms://projects/p/keyRings/r'), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
  });

  it('parses azurekms vault, key and optional version', () => {
    const u = parseKeyUri('azurekms://myvault.vault.azure.net/signing-key/0123456789abcdef');
    assert.ok(u.scheme === 'azurekms');
    if (u.scheme !== 'azurekms') return;
    assert.equal(u.vaultUrl, 'https://myvault.vault.azure.net');
    assert.equal(u.keyName, 'signing-key');
    assert.equal(u.version, '0123456789abcdef');
  });

  it('parses hashivault mount and key, including nested mounts', () => {
    const u = parseKeyUri('hashivault://transit/signet');
    assert.ok(u.scheme === 'hashivault' && u.mount === 'transit' && u.keyName === 'signet');
    const n = parseKeyUri('hashivault://team/a/transit/k?address=http://127.0.0.1:8200');
    assert.ok(n.scheme === 'hashivault' && n.mount === 'team/a/transit' && n.keyName === 'k' && n.address === 'http://127.0.0.1:8200');
  });

  it('parses absolute and relative file paths, and refuses a remote host', () => {
    const a = parseKeyUri('file:///var/lib/signet/key.pem');
    assert.ok(a.scheme === 'file' && a.path === '/var/lib/signet/key.pem');
    const r = parseKeyUri('file:keys/dev.pem?create=true');
    assert.ok(r.scheme === 'file' && r.path === 'keys/dev.pem' && r.params.get('create') === 'true');
    assert.throws(() => parseKeyUri('file://otherhost/k.pem'), (e) => isSignetError(e, 'INVALID_ARGUMENT'));
  });

  it('refuses an unknown scheme, an empty URI, and malformed percent-encoding, naming the problem', () => {
    assert.throws(() => parseKeyUri('tpm2:foo'), /unknown key URI scheme "tpm2"/);
    assert.throws(() => parseKeyUri(''), /a key URI is required/);
    assert.throws(() => parseKeyUri('pkcs11:token=%zz'), /malformed percent-encoding/);
    assert.throws(() => parseKeyUri('pkcs11:token=a?x=1&x=2'), /appears twice/);
  });
});

describe('pkcs11 id attribute', () => {
  it('takes any byte value, including bytes that are not UTF-8', () => {
    const u = parseKeyUri('pkcs11:token=t;id=%e0%01%ff%80');
    assert.ok(u.scheme === 'pkcs11');
    if (u.scheme !== 'pkcs11') return;
    assert.deepEqual([...u.id!], [0xe0, 0x01, 0xff, 0x80]);
    assert.equal(u.attrs.get('id'), 'e001ff80');
  });
});

describe('key URI parameters each driver does not read are refused, naming them', () => {
  // What each driver reads (mirrors src/signers/uri.ts); every one parses.
  const KNOWN: Record<string, [string, string[]]> = {
    file: ['file:///k.pem', ['create', 'alg', 'passphrase-source', 'passphrase']],
    pkcs11: ['pkcs11:token=t;object=k', ['module-path', 'pin-source', 'pin-value', 'profile', 'max-sessions', 'max-waiters', 'sign-threads']],
    awskms: ['awskms:///alias/k', ['endpoint', 'region', 'cache-ttl', 'max-in-flight', 'open-timeout-ms', 'previous-keys']],
    gcpkms: ['gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k', ['endpoint', 'cache-ttl', 'max-in-flight', 'protection-level', 'insecure', 'ca-file', 'token-source', 'open-timeout']],
    azurekms: ['azurekms://v.vault.azure.net/k', ['endpoint', 'alg', 'hsm', 'cache-ttl', 'max-in-flight', 'tenant-id', 'client-id', 'client-secret-source', 'client-secret', 'authority-host', 'ca-file']],
    hashivault: ['hashivault://transit/k', ['address', 'token-source', 'namespace', 'marshaling', 'ca-file', 'cache-ttl', 'timeout']],
  };

  it('every parameter a driver reads is accepted by the parser', () => {
    for (const [base, names] of Object.values(KNOWN)) {
      for (const name of names) assert.equal(parseKeyUri(`${base}?${name}=1`).params.get(name), '1');
    }
  });

  // Seeded (mulberry32) respellings of each known name: a deleted, doubled, swapped or replaced
  // character, or a parameter that belongs to another driver; none may be silently ignored.
  const ALPHABET = 'abcdefghijklmnopqrstuvwxyz-_0123456789';
  function respell(name: string, r: () => number): string {
    const i = Math.floor(r() * name.length);
    switch (Math.floor(r() * 4)) {
      case 0:
        return name.slice(0, i) + name.slice(i + 1);
      case 1:
        return name.slice(0, i) + name[i] + name.slice(i);
      case 2:
        return i + 1 < name.length ? name.slice(0, i) + name[i + 1] + name[i] + name.slice(i + 2) : name + 's';
      default:
        return name.slice(0, i) + ALPHABET[Math.floor(r() * ALPHABET.length)] + name.slice(i + 1);
    }
  }

  it('a respelt or foreign parameter is INVALID_ARGUMENT naming it, never its value (seeded, 600 cases)', () => {
    const r = mulberry32(0x5161e7);
    const all = new Set(Object.values(KNOWN).flatMap(([, names]) => names).concat(['secret-access-key', 'token']));
    let checked = 0;
    for (let n = 0; n < 600; n++) {
      const schemes = Object.keys(KNOWN);
      const scheme = schemes[Math.floor(r() * schemes.length)]!;
      const [base, names] = KNOWN[scheme]!;
      const pool = r() < 0.8 ? names : [...all];
      const name = r() < 0.8 ? respell(pool[Math.floor(r() * pool.length)]!, r) : pool[Math.floor(r() * pool.length)]!;
      if (names.includes(name) || name === '' || /[=&#?%+]/.test(name) || (scheme === 'awskms' && name === 'secret-access-key') || (scheme === 'hashivault' && name === 'token')) continue;
      const value = `v4lue${n}`;
      assert.throws(
        () => parseKeyUri(`${base}?${names[0]}=1&${name}=${value}`),
        (e) => isSignetError(e, 'INVALID_ARGUMENT') && e.message.includes(`unknown parameter "${name}" for ${scheme}:`) && !e.message.includes(value),
        `${scheme}: ${name}`,
      );
      checked++;
    }
    assert.ok(checked > 400, `checked ${checked}`);
  });

  it('the issue\'s example: pin-sorce= is refused, listing what pkcs11 reads', () => {
    assert.throws(
      () => parseKeyUri('pkcs11:token=signet;object=default?module-path=/m.so&pin-sorce=env:SIGNET_PIN'),
      (e) => isSignetError(e, 'INVALID_ARGUMENT') && /unknown parameter "pin-sorce" for pkcs11: keys; known: module-path, pin-source/.test(e.message),
    );
  });

  it('a pkcs11 path attribute the driver does not select by is refused, and type must be private', () => {
    for (const attr of ['manufacturer=SoftHSM', 'model=v2', 'objekt=k', 'library-version=2']) {
      assert.throws(() => parseKeyUri(`pkcs11:token=t;${attr}`), (e) => isSignetError(e, 'INVALID_ARGUMENT') && /unknown path attribute/.test(e.message), attr);
    }
    assert.equal(parseKeyUri('pkcs11:token=t;object=k;type=private').scheme, 'pkcs11');
    assert.throws(() => parseKeyUri('pkcs11:token=t;object=k;type=cert'), (e) => isSignetError(e, 'INVALID_ARGUMENT') && /type must be "private"/.test(e.message));
  });
});
