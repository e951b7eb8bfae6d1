// Errors and logs quote at most a short prefix of what a caller sent: long values in every kind of
// refused call (wire limits, unknown names, domain checks) leave no long line in the log and no
// long reply. The server logs at debug into memory here, so every line it writes is checked.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import { resolveConfig } from '../../src/server/config.js';
import { startSignet, type RunningSignet } from '../../src/server/start.js';
import { len, msg } from '../helpers/protowire.js';
import { rawCall, rawClient } from '../helpers/raw-grpc.js';

const FILLER = 'Zq'; // what no server text contains by itself
const long = (n: number) => FILLER.repeat(Math.ceil(n / 2)).slice(0, n);

describe('errors and logs quote a short prefix of caller input', () => {
  const lines: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'signet-log-bounds-'));
  let running: RunningSignet;
  let client: grpc.Client;

  before(async () => {
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const logger = pino({ level: 'debug' }, sink);
    const config = resolveConfig({ listen: '127.0.0.1:0', plaintext: true, data_dir: dir }, { SIGNET_LISTEN: undefined });
    running = await startSignet(config, logger);
    client = rawClient(`127.0.0.1:${running.port}`);
  });
  after(async () => {
    client?.close();
    await running?.shutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it('when refused calls carry long values, no reply and no log line repeats more than a short prefix of them', async () => {
    const hex = 'ab'.repeat(32);
    const jwk = JSON.stringify(generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }));
    const calls: Array<[string, Buffer]> = [
      ['/signet.v1.SigningService/Sign', msg(len(1, long(100_000)), len(2, 'm'))], // over the field limit
      ['/signet.v1.SigningService/Sign', msg(len(1, long(256)), len(2, 'm'))], // within it: unknown key
      ['/signet.v1.SigningService/GetPublicKey', msg(len(1, 'default'), len(2, long(256)))],
      ['/signet.v1.CredentialService/GetAgent', len(1, long(256))],
      ['/signet.v1.CredentialService/RegisterAgent', msg(len(1, 'n'), len(2, jwk), len(3, 'o'), len(4, `${long(63)}!`))],
      ['/signet.v1.CredentialService/RegisterAgent', msg(len(1, 'n'), len(2, jwk), len(3, 'o'), len(5, msg(len(1, `${long(63)}!`), len(2, 'v'))))],
      ['/signet.v1.CredentialService/Authorize', msg(len(1, long(256)), len(2, msg(len(1, long(4096)), len(2, long(4096)))))],
      ['/signet.v1.LedgerService/AppendReceipt', len(1, msg(len(2, long(1024)), len(3, 'read'), len(4, long(4096)), len(5, hex), len(6, hex), len(8, long(256))))],
      ['/signet.v1.LedgerService/AppendReceipt', len(1, msg(len(2, 'a'), len(3, 'read'), len(4, 'r'), len(5, long(64)), len(6, hex), len(8, 'ok')))],
      ['/signet.v1.LedgerService/GetEntries', len(3, long(32))],
    ];
    for (const [path, bytes] of calls) {
      const reply = await rawCall(client, path, bytes);
      assert.notEqual(reply.code, grpc.status.OK, path);
      assert.notEqual(reply.code, grpc.status.INTERNAL, `${path}: ${reply.details}`);
      assert.ok(!reply.details.includes(long(80)), `${path} echoes its input: ${reply.details.slice(0, 200)}`);
      assert.ok(reply.details.length <= 600, `${path}: ${reply.details.length} characters of details`);
      for (const value of reply.metadata?.getMap() ? Object.values(reply.metadata.getMap()) : []) {
        assert.ok(String(value).length <= 300, `${path}: a trailer of ${String(value).length} characters`);
      }
    }
    assert.ok(lines.length >= calls.length, 'the refusals were logged');
    for (const line of lines) {
      assert.ok(line.length < 2048, `a log line of ${line.length} characters: ${line.slice(0, 200)}`);
      assert.ok(!line.includes(long(80)), `a log line echoes caller input: ${line.slice(0, 300)}`);
    }
  });
});
