// Start-up: each misconfiguration exits non-zero with a one-line message saying what to fix;
// a good configuration serves and shuts down cleanly on SIGTERM.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-startup-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function configFile(text: string): string {
  const path = join(dir, `config-${n++}.yaml`);
  writeFileSync(path, text);
  return path;
}

function expectFailure(yaml: string, message: RegExp): void {
  const r = runCli(['serve', '--config', configFile(`listen: 127.0.0.1:0\ndata_dir: ${dir}\n${/^tls:/m.test(yaml) ? '' : 'plaintext: true\n'}${yaml}`)]);
  assert.equal(r.status, 2, `exit code; stderr: ${r.stderr}`);
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('signet: '));
  assert.equal(errors.length, 1, `one error line; stderr: ${r.stderr}`);
  assert.match(errors[0]!, message);
}

describe('signet serve, when misconfigured', () => {
  it('an unknown driver is refused, naming the known ones', () =>
    expectFailure('keys:\n  ledger: "tpm2:key=1"\n', /key "ledger": invalid tpm2 key URI: unknown key URI scheme "tpm2"; expected one of file, pkcs11/));
  it('a key file that does not exist is refused', () =>
    expectFailure(`keys:\n  ledger: "file:${dir}/absent.pem"\n`, /key "ledger": .*absent\.pem: key file does not exist/));
  it('a config file that is not YAML is refused', () => expectFailure('keys: [unclosed\n', /is not valid YAML/));
  it('an unknown setting is refused', () => expectFailure('listn: 1\n', /config: listn is not a known setting/));
  it('a ledger key that is not configured is refused', () =>
    expectFailure(`keys:\n  main: "file:${dir}/m.pem?create=true"\nledger:\n  key: other\n`, /config: ledger.key names key "other", which is not in keys/));
  it('keys without one for the ledger are refused, saying which key to add', () =>
    expectFailure(`keys:\n  main: "file:${dir}/m.pem?create=true"\n`, /config: ledger.key is required: name the key .* that signs ledger checkpoints/));
  it('a TLS certificate that cannot be read is refused', () =>
    expectFailure(`tls:\n  cert: ${dir}/nope.pem\n  key: ${dir}/nope.key\n`, /tls.key cannot read .*nope.key|tls.cert cannot read/));
  it('a missing config file is refused', () => {
    const r = runCli(['serve', '--config', join(dir, 'missing.yaml')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /config: cannot read .*missing.yaml \(ENOENT\)/);
  });
  it('an unknown command prints usage and exits 2', () => {
    const r = runCli(['frobnicate']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command "frobnicate"/);
  });
});

describe('signet serve, on embedded defaults', () => {
  it('creates a development key, serves, and exits 0 on SIGTERM', async () => {
    const data = join(dir, 'defaults');
    const child = spawnCli(['serve'], { SIGNET_DATA_DIR: data, SIGNET_LISTEN: '127.0.0.1:0' });
    try {
      const seen = await waitForLine(child, /signet serving/);
      assert.match(seen, /key opened: SOFTWARE KEY, NOT HARDWARE-BACKED/);
      const exited = new Promise<number | null>((ok) => child.once('exit', ok));
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
