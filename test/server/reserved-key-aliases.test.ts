// The keys that sign for Signet itself (ledger checkpoints, credentials) are never available to
// Sign under another name: a second key entry holding the same key material — the same file under
// another spelling, a copy, a link — or an earlier ledger key would let a caller sign a checkpoint
// or a credential that every offline verifier accepts. Start-up refuses such a config.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SignetError } from '../../src/lib/errors.js';
import { formatVkey } from '../../src/ledger/vkey.js';
import { silentLogger } from '../../src/lib/logger.js';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet } from '../../src/server/start.js';
import { KeySet } from '../../src/server/key-set.js';
import type { CallContext } from '../../src/server/service.js';
import { signingService } from '../../src/server/signing-service.js';
import type { Signer } from '../../src/signers/contract.js';

describe('when another key entry holds a key Signet signs with itself', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'signet-alias-'));
    mkdirSync(join(dir, 'copies'));
    for (const name of ['ledger', 'issuer', 'old-ledger', 'other']) {
      const { privateKey } = generateKeyPairSync('ed25519');
      const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
      writeFileSync(join(dir, `${name}.pem`), pem, { mode: 0o600 });
    }
    copyFileSync(join(dir, 'ledger.pem'), join(dir, 'copies', 'ledger-copy.pem'));
    copyFileSync(join(dir, 'issuer.pem'), join(dir, 'copies', 'issuer-copy.pem'));
    symlinkSync(join(dir, 'ledger.pem'), join(dir, 'copies', 'ledger-link.pem'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const start = async (keys: Record<string, string>, ledger: Record<string, unknown> = {}) => {
    const data = mkdtempSync(join(dir, 'data-'));
    const config = resolveConfig(
      {
        listen: '127.0.0.1:0',
        plaintext: true,
        data_dir: data,
        keys: { ledger: `file:${dir}/ledger.pem`, issuer: `file:${dir}/issuer.pem`, ...keys },
        ledger: { origin: 'signet.test/aliases', ...ledger },
      },
      { ...process.env, SIGNET_LISTEN: undefined, SIGNET_DATA_DIR: undefined },
    );
    return startSignet(config, silentLogger);
  };
  /** The start-up error; a server that started anyway is shut down and the test fails. */
  const refusal = async (started: Promise<Awaited<ReturnType<typeof start>>>): Promise<SignetError> => {
    let running;
    try {
      running = await started;
    } catch (err) {
      assert.ok(err instanceof SignetError, String(err));
      return err;
    }
    await running.shutdown();
    assert.fail('the server started');
  };

  // Every spelling names the same private key as `ledger` or `issuer`.
  const aliases: Array<[string, string, string]> = [
    ['the same path', 'ledger', `file:${'{dir}'}/ledger.pem`],
    ['a path with ./', 'ledger', `file:${'{dir}'}/./ledger.pem`],
    ['a doubled /', 'ledger', `file:${'{dir}'}//ledger.pem`],
    ['a copy of the file', 'ledger', `file:${'{dir}'}/copies/ledger-copy.pem`],
    ['a symbolic link', 'ledger', `file:${'{dir}'}/copies/ledger-link.pem`],
    ['a copy of the issuer key', 'issuer', `file:${'{dir}'}/copies/issuer-copy.pem`],
  ];
  for (const [how, reserved, uri] of aliases) {
    it(`refuses to start when a Sign key is the ${reserved} key through ${how} (CONFIG naming both)`, async () => {
      const err = await refusal(start({ signer: uri.replace('{dir}', dir) }));
      assert.equal(err.code, 'CONFIG');
      assert.match(err.message, /"signer"/);
      assert.match(err.message, new RegExp(`"${reserved}"`));
    });
  }

  it('refuses to start when a Sign key is a previous ledger key (PEM file or vkey in ledger.previous_keys)', async () => {
    const oldPub = createPublicKey(createPrivateKey(readFileSync(join(dir, 'old-ledger.pem'), 'utf8'))).export({ type: 'spki', format: 'pem' }) as string;
    writeFileSync(join(dir, 'old-ledger.pub.pem'), oldPub);
    for (const previous of [join(dir, 'old-ledger.pub.pem'), formatVkey('signet.test/aliases', oldPub)]) {
      const err = await refusal(start({ retired: `file:${dir}/old-ledger.pem` }, { previous_keys: [previous] }));
      assert.equal(err.code, 'CONFIG');
      assert.match(err.message, /"retired"/);
      assert.match(err.message, /previous_keys/);
    }
  });

  it('starts with a distinct Sign key beside them', async () => {
    const running = await start({ other: `file:${dir}/other.pem` });
    await running.shutdown();
  });
});

describe('when a Sign key comes to be a reserved key while serving (a backend rotated it onto the same key)', () => {
  it('Sign and SignBatch refuse it with PERMISSION_DENIED, and ListKeys shows the reserved purpose', async () => {
    let signs = 0;
    const fake = (id: () => string): Signer =>
      ({
        driver: 'test',
        uri: 'test:',
        algorithm: 'Ed25519',
        hardwareBacked: false,
        keyId: id,
        publicKey: async () => ({ algorithm: 'Ed25519', keyId: id(), keyVersion: '1', spki: new Uint8Array(), pem: '', jwk: { kty: 'OKP', crv: 'Ed25519', x: '' } }),
        sign: async () => ((signs += 1), { signature: new Uint8Array(64), algorithm: 'Ed25519', keyId: id(), keyVersion: '1' }),
        signMany: async (inputs: unknown[]) => inputs.map(() => ((signs += 1), { signature: new Uint8Array(64), algorithm: 'Ed25519' as const, keyId: id(), keyVersion: '1' })),
        close: async () => {},
      }) as Signer;
    let otherId = 'other-key-id';
    const keys = KeySet.of([
      { name: 'ledger', signer: fake(() => 'ledger-key-id') },
      { name: 'other', signer: fake(() => otherId) },
    ]);
    const service = signingService({ keys, maxBatch: 10, reserved: new Map([['ledger', 'ledger checkpoints']]) });
    const context = { caller: 'anonymous' } as unknown as CallContext;
    await service.handlers.Sign!({ key: 'other', payload: 'message', message: Buffer.from('x') }, context);
    assert.equal(signs, 1);
    otherId = 'ledger-key-id';
    for (const call of [
      () => service.handlers.Sign!({ key: 'other', payload: 'message', message: Buffer.from('x') }, context),
      () => service.handlers.SignBatch!({ key: 'other', messages: [Buffer.from('x')], digests: [] }, context),
    ]) {
      await assert.rejects(call(), (err) => err instanceof SignetError && err.code === 'PERMISSION_DENIED' && /ledger checkpoints/.test(err.message));
    }
    assert.equal(signs, 1, 'nothing was signed with the reserved key');
    const listed = await service.handlers.ListKeys!({}, context);
    assert.deepEqual(listed.keys.map((k: { name: string; purpose: string }) => [k.name, k.purpose]), [['ledger', 'ledger checkpoints'], ['other', 'ledger checkpoints']]);
  });
});
