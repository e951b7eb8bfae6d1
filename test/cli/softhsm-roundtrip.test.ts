// The round trip a newcomer makes, in real processes: `signet softhsm init` → save the printed
// configuration as is → `signet serve --config` with the printed exports → Sign with `default`,
// the signature checked by node:crypto against `signet keys export-public default`.
import assert from 'node:assert/strict';
import { verify as nodeVerify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SignetClient } from '../../src/client/client.js';
import { runCli, spawnCli, waitForLine } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-softhsm-roundtrip-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The environment the printed `export` lines give, evaluated as a shell would. */
function exportsOf(stdout: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\s+export (\w+)=(.*)$/gm)) {
    const value = m[2]!;
    const cat = /^"\$\(cat (.+)\)"$/.exec(value);
    env[m[1]!] = cat ? readFileSync(cat[1]!, 'utf8').trim() : value;
  }
  return env;
}

describe('signet softhsm init → printed config → serve → Sign with default', () => {
  it('starts as printed and signs with the token key named default', async () => {
    const hsm = join(dir, 'softhsm');
    const init = runCli(['softhsm', 'init', '--dir', hsm, '--pin-env', 'SIGNET_RT_PIN'], { SOFTHSM2_CONF: undefined, SIGNET_RT_PIN: undefined }, 120_000);
    assert.equal(init.status, 0, init.stderr);
    const env = exportsOf(init.stdout);
    assert.deepEqual(Object.keys(env).sort(), ['SIGNET_RT_PIN', 'SOFTHSM2_CONF']);

    const header = init.stdout.split('\n').findIndex((l) => l.startsWith('signet.yaml:'));
    assert.ok(header > 0, init.stdout);
    const printed = init.stdout.split('\n').slice(header + 1).join('\n');
    assert.match(printed, /^keys:\n  default: "pkcs11:token=signet;object=default\?/m);
    const config = join(dir, 'signet.yaml');
    writeFileSync(config, printed);

    // The printed config unchanged; only the data directory and port are the test's own.
    const serveEnv = { ...env, SIGNET_DATA_DIR: join(dir, 'data'), SIGNET_LISTEN: '127.0.0.1:0' };
    const server = spawnCli(['serve', '--config', config], serveEnv);
    try {
      const log = await waitForLine(server, /signet serving/, 120_000);
      const serving = log.split('\n').find((l) => l.includes('signet serving'))!;
      const port = Number(/"port":(\d+)/.exec(serving)?.[1]);
      assert.ok(port > 0, log);
      assert.match(log, /"key":"default","driver":"pkcs11"/);

      const client = new SignetClient({ address: `127.0.0.1:${port}` });
      try {
        const message = Buffer.from('signed by the key softhsm init made');
        const signed = await client.signing.sign({ key: 'default', message });
        const exported = runCli(['keys', 'export-public', 'default', '--config', config], serveEnv, 120_000);
        assert.equal(exported.status, 0, exported.stderr);
        assert.ok(nodeVerify(null, message, exported.stdout, Buffer.from(signed.signature)), 'node:crypto verifies the signature');
        const { keys } = await client.signing.listKeys({});
        assert.deepEqual(keys.map((k) => k.name).sort(), ['default', 'issuer', 'ledger']);
      } finally {
        client.close();
      }
    } finally {
      server.kill('SIGTERM');
    }
  });
});
