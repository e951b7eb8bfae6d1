// The docker-compose smoke test (docs/deploy.md), run natively since there is no Docker engine
// here: softhsm/init.sh and softhsm/certs.sh as the init containers run them, Signet served with
// softhsm/signet.compose.yaml (container paths replaced by environment overrides), `signet health`
// as the HEALTHCHECK runs it, and Sign with the key `default` through mutual TLS.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, verify as nodeVerify } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { SignetClient } from '../../src/client/client.js';
import type { SignetClientError } from '../../src/client/errors.js';
import { REPO, runCli, spawnCli, waitForLine } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-compose-steps-'));
const paths = { hsm: join(dir, 'softhsm'), so: join(dir, 'softhsm-so'), tls: join(dir, 'tls'), ca: join(dir, 'ca'), data: join(dir, 'data') };
const pin = randomBytes(6).toString('hex');
const owner = { SIGNET_UID: String(process.getuid!()), SIGNET_GID: String(process.getgid!()) };
const config = join(REPO, 'softhsm', 'signet.compose.yaml');

/** What the signet service's environment and volumes give it, as overrides of the container paths. */
const signetEnv = {
  SOFTHSM2_CONF: join(paths.hsm, 'softhsm2.conf'),
  SIGNET_PIN: pin,
  SIGNET_DATA_DIR: paths.data,
  SIGNET_LEDGER_PATH: join(paths.data, 'ledger.db'),
  SIGNET_TLS_CERT: join(paths.tls, 'server.pem'),
  SIGNET_TLS_KEY: join(paths.tls, 'server.key'),
  SIGNET_TLS_CLIENT_CA: join(paths.tls, 'ca.pem'),
  SIGNET_LISTEN: '0.0.0.0:0',
};
const healthEnv = {
  SIGNET_HEALTH_TLS_CA: join(paths.tls, 'ca.pem'),
  SIGNET_HEALTH_TLS_CERT: join(paths.tls, 'health.pem'),
  SIGNET_HEALTH_TLS_KEY: join(paths.tls, 'health.key'),
  SIGNET_HEALTH_TLS_SERVER_NAME: 'signet',
};

function sh(script: string, env: NodeJS.ProcessEnv): string {
  return execFileSync('sh', [join(REPO, 'softhsm', script)], { env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function filesUnder(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).flatMap((n) => filesUnder(join(path, n))) : [path];
}

describe('the compose smoke test, natively', () => {
  let server: ReturnType<typeof spawnCli>;
  let port: number;

  before(async () => {
    const initEnv = { SOFTHSM_DIR: paths.hsm, SO_PIN_DIR: paths.so, SIGNET_PIN: pin, TOKEN_LABEL: 'signet', SOFTHSM2_CONF: undefined, ...owner };
    assert.match(sh('init.sh', initEnv), /generated key "default"[\s\S]*generated key "ledger"[\s\S]*generated key "issuer"/);
    assert.match(sh('init.sh', initEnv), /key "default" already exists/, 'a second run keeps the keys');
    assert.match(sh('certs.sh', { CERTS_DIR: paths.tls, CA_DIR: paths.ca, ...owner }), /issued server\.pem[\s\S]*issued client\.pem[\s\S]*issued health\.pem/);
    server = spawnCli(['serve', '--config', config], signetEnv);
    const log = await waitForLine(server, /signet serving/, 120_000);
    port = Number(/"port":(\d+)/.exec(log.split('\n').find((l) => l.includes('signet serving'))!)?.[1]);
    assert.match(log, /"tls":true,"mtls":true/);
  });
  after(async () => {
    server?.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });

  it('signet health, as the HEALTHCHECK runs it, answers SERVING through mutual TLS', () => {
    const r = runCli(['health', '--addr', `127.0.0.1:${port}`], healthEnv, 60_000);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'SERVING');
  });

  it('without a client certificate, or in plaintext, the probe fails (exit 1)', () => {
    const noCert = runCli(['health', '--addr', `127.0.0.1:${port}`, '--tls-ca', healthEnv.SIGNET_HEALTH_TLS_CA, '--tls-server-name', 'signet', '--timeout-ms', '3000'], {}, 60_000);
    assert.equal(noCert.status, 1, noCert.stdout);
    assert.match(noCert.stderr, /^signet health: 127\.0\.0\.1:\d+: UNAVAILABLE/);
    const plain = runCli(['health', '--addr', `127.0.0.1:${port}`, '--timeout-ms', '3000'], {}, 60_000);
    assert.equal(plain.status, 1);
  });

  it('Sign with the key default through mutual TLS verifies with node:crypto against the exported key', async () => {
    const client = new SignetClient({
      address: `127.0.0.1:${port}`,
      tls: { ca: { path: join(paths.tls, 'ca.pem') }, cert: { path: join(paths.tls, 'client.pem') }, key: { path: join(paths.tls, 'client.key') }, serverName: 'signet' },
    });
    try {
      const message = Buffer.from('compose smoke test');
      const signed = await client.signing.sign({ key: 'default', message });
      const exported = runCli(['keys', 'export-public', 'default', '--config', config], signetEnv, 60_000);
      assert.equal(exported.status, 0, exported.stderr);
      assert.ok(nodeVerify(null, message, exported.stdout, Buffer.from(signed.signature)));
    } finally {
      client.close();
    }
  });

  it('a plaintext client gets no answer: the published port is TLS only', async () => {
    const client = new SignetClient({ address: `127.0.0.1:${port}`, retry: false, deadlineMs: 3000 });
    try {
      await assert.rejects(client.signing.listKeys({}), (e: SignetClientError) => e.status === grpc.status.UNAVAILABLE || e.status === grpc.status.DEADLINE_EXCEEDED);
    } finally {
      client.close();
    }
  });

  it('the SO PIN is not in the token volume Signet mounts; it sits apart, mode 0600', () => {
    const soPinFile = join(paths.so, 'so-pin');
    assert.equal(statSync(soPinFile).mode & 0o777, 0o600);
    const soPin = readFileSync(soPinFile, 'utf8').trim();
    assert.equal(existsSync(join(paths.hsm, 'so-pin')), false);
    for (const file of filesUnder(paths.hsm)) assert.ok(!readFileSync(file).includes(soPin), `${file} holds the SO PIN`);
    assert.equal(statSync(join(paths.ca, 'ca.key')).mode & 0o777, 0o600);
    assert.equal(existsSync(join(paths.tls, 'ca.key')), false, 'the CA key is not in the certificates volume');
  });
});
