// The `signet` command refuses what it does not understand, as an operator meets it: a real
// process, one line on stderr, exit 2, nothing started — and `--help` for every command.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runCli, type CliResult } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'signet-cli-refusals-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A data dir that must stay absent: a refused `serve` creates nothing. */
const untouched = join(dir, 'never-created');
const env = { SIGNET_DATA_DIR: untouched, SIGNET_LISTEN: '127.0.0.1:0' };

function assertOneLineRefusal(r: CliResult, pattern: RegExp): void {
  assert.equal(r.status, 2, `exit code; stderr:\n${r.stderr}`);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !l.startsWith('{'));
  assert.equal(lines.length, 1, `one line on stderr besides JSON logs, got:\n${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
  assert.equal(r.stdout, '');
}

const REFUSALS: Array<[string[], RegExp]> = [
  [['serve', '--confg', 'x.yaml'], /^signet serve: unknown option --confg; did you mean --config\?/],
  [['serve', 'x.yaml'], /^signet serve: unexpected argument "x.yaml"/],
  [['serve', '--config'], /^signet serve: --config needs a value/],
  [['serve', '-c', 'x.yaml'], /^signet serve: unknown option -c/],
  [['frobnicate'], /^signet: unknown command "frobnicate"/],
  [['version', 'now'], /^signet version: unexpected argument "now"/],
  [['keys'], /^signet keys: an action is required/],
  [['keys', 'lst', 'file:/k.pem'], /^signet keys: unknown action "lst"/],
  [['keys', 'show'], /^signet keys show: URI is required/],
  [['keys', 'show', 'file:/a.pem', 'file:/b.pem'], /^signet keys show: unexpected argument "file:\/b.pem"/],
  [['keys', 'list', 'file:/k.pem', '--verbose'], /^signet keys list: unknown option --verbose/],
  [['keys', 'generate', 'file:/k.pem', '--algo', 'p256'], /^signet keys generate: unknown option --algo; did you mean --alg\?/],
  [['keys', 'generate', 'file:/k.pem', '--alg', 'rsa'], /^signet keys generate: --alg ed25519 or --alg p256 is required, not "rsa"/],
  [['keys', 'show', 'pkcs11:token=t;object=k?pin-sorce=env:X'], /^signet keys show: invalid pkcs11 key URI: unknown parameter "pin-sorce"/],
  [['softhsm'], /^signet softhsm: an action is required/],
  [['softhsm', 'init', '--bogus', 'x'], /^signet softhsm init: unknown option --bogus/],
  [['softhsm', 'init', 'extra'], /^signet softhsm init: unexpected argument "extra"/],
  [['softhsm', 'init', '--pin-env', 'NOT A NAME'], /^signet softhsm init: --pin-env must be an environment variable name/],
  [['ledger', 'check'], /^signet ledger: unknown action "check"/],
  [['ledger', 'verify', '--db', 'x.db', '--kee', 'k.pem'], /^signet ledger verify: unknown option --kee; did you mean --key\?/],
  [['ledger', 'verify', '--key', 'k.pem'], /^signet ledger verify: --db PATH is required/],
  [['ledger', 'verify', '--db', 'x.db', '--progress=yes'], /^signet ledger verify: --progress takes no value/],
  [['ledger', 'proof', '--db', 'x.db', '--index', '1', '2'], /^signet ledger proof: unexpected argument "2"/],
  [['keys', 'export-public', 'default', '--format'], /^signet keys export-public: --format needs a value/],
  [['keys', 'export-public', 'default', '--format', 'der'], /^signet keys export-public: --format is pem, jwk or vkey, not "der"/],
  [['keys', 'rotate'], /^signet keys rotate: NAME\|URI is required/],
  [['keys', 'rotate', 'ledger', '--now'], /^signet keys rotate: unknown option --now/],
  [['health', '--adr', '127.0.0.1:1'], /^signet health: unknown option --adr; did you mean --addr\?/],
  [['health', 'now'], /^signet health: unexpected argument "now"/],
  [['health', '--timeout-ms', '0'], /^signet health: --timeout-ms must be a whole number of milliseconds, not "0"/],
  [['health', '--addr', '10.1.2.3:7443'], /^signet health: plaintext to 10\.1\.2\.3:7443 would expose/],
  [['verify'], /^signet verify: what to verify is required/],
  [['verify', 'checkpoint', 'x'], /^signet verify: unknown thing to verify "checkpoint"/],
  [['verify', 'receipt', '--key', 'k.pem'], /^signet verify receipt: FILE is required/],
  [['verify', 'receipt', 'a.json', 'b.json', '--key', 'k.pem'], /^signet verify receipt: unexpected argument "b.json"/],
  [['verify', 'receipt', 'a.json'], /^signet verify receipt: --key PUBKEY.pem .*or --server HOST:PORT is required/],
];

describe('signet refuses arguments it does not understand', () => {
  for (const [args, pattern] of REFUSALS) {
    it(`signet ${args.join(' ')} → one line, exit 2`, () => {
      assertOneLineRefusal(runCli(args, env), pattern);
    });
  }

  it('a refused serve started nothing: no data directory was created', () => {
    assert.equal(existsSync(untouched), false);
  });
});

const HELP: string[][] = [
  ['--help'],
  ['serve', '--help'],
  ['version', '--help'],
  ['keys', '--help'],
  ['keys', 'generate', '--help'],
  ['keys', 'list', '-h'],
  ['keys', 'show', '--help'],
  ['softhsm', 'init', '--help'],
  ['ledger', '--help'],
  ['ledger', 'verify', '--help'],
  ['ledger', 'proof', '--help'],
  ['verify', 'receipt', '--help'],
  ['keys', 'export-public', '--help'],
  ['keys', 'rotate', '--help'],
  ['health', '--help'],
];

describe('every command has --help', () => {
  for (const args of HELP) {
    it(`signet ${args.join(' ')} prints usage on stdout and exits 0`, () => {
      const r = runCli(args, env);
      assert.equal(r.status, 0, r.stderr);
      const command = args.filter((a) => !a.startsWith('-')).join(' ');
      assert.match(r.stdout, new RegExp(`usage: signet ${command}`));
      assert.equal(r.stderr, '');
    });
  }
});

describe('signet serve refuses a bad environment or a busy port before it opens any key', () => {
  it('when SIGNET_LOG_LEVEL is not a level, one line naming it and exit 2', () => {
    assertOneLineRefusal(runCli(['serve'], { ...env, SIGNET_LOG_LEVEL: 'loud' }), /^signet: config: SIGNET_LOG_LEVEL is "loud"; use one of trace, debug, info/);
  });

  it('when log.level in the file is not a level, one line naming it and exit 2', () => {
    const config = join(dir, 'bad-level.yaml');
    writeFileSync(config, 'log:\n  level: verbose\n');
    const r = runCli(['serve', '--config', config], { ...env, SIGNET_LOG_LEVEL: undefined });
    assertOneLineRefusal(r, /^signet: config: log.level is "verbose"/);
  });

  it('when plaintext would be served on a non-loopback address, one line naming listen, nothing opened', () => {
    const r = runCli(['serve'], { ...env, SIGNET_LISTEN: '0.0.0.0:0' });
    assertOneLineRefusal(r, /^signet: config: listen 0\.0\.0\.0:0 is not a loopback address, and plaintext is allowed only on 127\.0\.0\.1, ::1 or localhost; give tls.cert and tls.key$/);
    assert.equal(existsSync(untouched), false);
  });

  it('when a config file has no tls and does not say plaintext: true, one line naming tls', () => {
    const config = join(dir, 'no-tls.yaml');
    writeFileSync(config, 'listen: 127.0.0.1:0\n');
    assertOneLineRefusal(runCli(['serve', '--config', config], env), /^signet: config: tls is not configured: give tls.cert and tls.key, or — on a loopback address only — plaintext: true$/);
  });

  it('when a key URI has an unknown parameter, names the key and the parameter, and creates no key file', () => {
    const key = join(dir, 'typo.pem');
    const r = runCli(['serve'], { ...env, SIGNET_KEY_DEFAULT: `file:${key}?create=true&crate=1`, SIGNET_KEY_LEDGER: `file:${key}?create=true`, SIGNET_KEY_ISSUER: `file:${key}?create=true` });
    assertOneLineRefusal(r, /^signet: key "default": invalid file key URI: unknown parameter "crate" for file: keys; known: create, alg/);
    assert.equal(existsSync(key), false);
  });

  it("when the port is busy, Signet's one line (no grpc-js line) and no key opened or created", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      const data = join(dir, 'busy');
      const r = runCli(['serve'], { SIGNET_DATA_DIR: data, SIGNET_LISTEN: `127.0.0.1:${port}` });
      assertOneLineRefusal(r, new RegExp(`^signet: listen: 127\\.0\\.0\\.1:${port} is already in use by another process$`));
      assert.doesNotMatch(r.stderr, /No address added|^E /m);
      assert.doesNotMatch(r.stderr, /key opened/);
      assert.equal(existsSync(join(data, 'dev-ed25519.pem')), false, 'the development key was not created');
    } finally {
      blocker.close();
    }
  });

  it('when the metrics port is busy, the same, naming metrics.listen', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((ok) => blocker.listen(0, '127.0.0.1', ok));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = runCli(['serve'], { ...env, SIGNET_METRICS_LISTEN: `127.0.0.1:${port}` });
      assertOneLineRefusal(r, new RegExp(`^signet: metrics.listen: 127\\.0\\.0\\.1:${port} is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('when no PKCS#11 token matches, the message names SOFTHSM2_CONF as the likely cause', () => {
    const hsm = join(dir, 'empty-softhsm');
    mkdirSync(join(hsm, 'tokens'), { recursive: true });
    const conf = join(hsm, 'softhsm2.conf');
    writeFileSync(conf, `directories.tokendir = ${hsm}/tokens\nobjectstore.backend = file\nlog.level = ERROR\n`);
    const uri = 'pkcs11:token=signet;object=default?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-source=env:SIGNET_TEST_NO_PIN';
    const r = runCli(['serve'], { ...env, SOFTHSM2_CONF: conf, SIGNET_TEST_NO_PIN: '1234', SIGNET_KEY_DEFAULT: uri, SIGNET_KEY_LEDGER: uri, SIGNET_KEY_ISSUER: uri });
    assertOneLineRefusal(r, new RegExp(`no token with label "signet" .*tokens found: none; SoftHSM reads its tokens from directories.tokendir in SOFTHSM2_CONF=${conf}`));
  });
});
