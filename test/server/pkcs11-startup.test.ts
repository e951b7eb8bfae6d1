// Start-up against a real SoftHSM token: a wrong PIN, a missing token, a missing key and a missing
// module each stop `signet serve` with their own one-line message; a good key serves Sign end to end.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { signingClient, unary } from '../../src/client/grpc.js';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';
import { softhsmKey, softhsmToken, SOFTHSM_MODULE } from '../helpers/softhsm.js';
import { verifyIndependently } from '../signers/conformance.js';

describe('signet serve with a SoftHSM key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'signet-p11-startup-'));
  let goodUri: string;
  let token: ReturnType<typeof softhsmToken>;
  before(async () => {
    token = softhsmToken();
    goodUri = await softhsmKey('ed25519', 'startup-ed25519');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  const serveWith = (uri: string, env: NodeJS.ProcessEnv = {}) => {
    const path = join(dir, `c${n++}.yaml`);
    writeFileSync(path, `listen: 127.0.0.1:0\nplaintext: true\ndata_dir: ${dir}/d${n}\nkeys:\n  hsm: "${uri}"\nledger:\n  enabled: false\ncredentials:\n  enabled: false\n`);
    return runCli(['serve', '--config', path], env);
  };
  const errorLine = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('signet: ')) ?? stderr;

  it('when the PIN is wrong, exits 2 saying so, without printing the PIN', () => {
    const r = serveWith(goodUri, { [token.pinEnv]: 'wrong-pin-000' });
    assert.equal(r.status, 2, r.stderr);
    assert.match(errorLine(r.stderr), /key "hsm": .*(PIN|pin).*incorrect|key "hsm": .*CKR_PIN_INCORRECT/i);
    assert.ok(!r.stderr.includes('wrong-pin-000'), 'the PIN is not printed');
  });

  it('when the token does not exist, exits 2 naming the tokens there are', () => {
    const r = serveWith(goodUri.replace(`token=${token.label}`, 'token=no-such-token'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(errorLine(r.stderr), /no token with label "no-such-token".*signet-test/);
  });

  it('when the key does not exist on the token, exits 2 naming the key', () => {
    const r = serveWith(goodUri.replace('object=startup-ed25519', 'object=no-such-key'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(errorLine(r.stderr), /key "hsm": .*no-such-key/);
  });

  it('when the module is missing, exits 2 naming the path', () => {
    const r = serveWith(goodUri.replace(SOFTHSM_MODULE, '/nonexistent/libpkcs11.so'));
    assert.equal(r.status, 2, r.stderr);
    assert.match(errorLine(r.stderr), /PKCS#11 module not found at \/nonexistent\/libpkcs11\.so/);
  });

  it('when everything is right, serves Sign with the token key, verified by node:crypto, labelled hardware-backed: false for SoftHSM', async () => {
    const path = join(dir, 'good.yaml');
    writeFileSync(path, `listen: 127.0.0.1:0\nplaintext: true\ndata_dir: ${dir}/good\nkeys:\n  hsm: "${goodUri}"\nledger:\n  enabled: false\ncredentials:\n  enabled: false\n`);
    const child = spawnCli(['serve', '--config', path]);
    try {
      const seen = await waitForLine(child, /signet serving/);
      const port = Number(/"port":(\d+)/.exec(seen.split('\n').find((l) => l.includes('signet serving'))!)![1]);
      const client = signingClient(`127.0.0.1:${port}`);
      const message = Buffer.from('signed inside SoftHSM');
      const res = await unary(client, client.Sign, { key: 'hsm', message });
      const pub = await unary(client, client.GetPublicKey, { key: 'hsm' });
      assert.equal(pub.public_key!.driver, 'pkcs11');
      assert.equal(pub.public_key!.hardware_backed, false, 'SoftHSM runs in-process: not hardware-backed');
      assert.ok(verifyIndependently(pub.public_key!.spki_pem, 'Ed25519', message, res.signature));
      client.close();
    } finally {
      child.kill('SIGTERM');
    }
  });
});
