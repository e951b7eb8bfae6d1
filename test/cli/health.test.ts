// `signet health` against a real server: SERVING is exit 0, anything else (NOT_SERVING, an unknown
// service, nobody listening) is exit 1 with one line saying what, so a HEALTHCHECK can trust it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { healthCommand } from '../../src/cli/health.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('signet health', () => {
  let server: TestServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.stop().catch(() => {}));

  it('when the server serves, prints SERVING and exits 0; per service too', async () => {
    for (const args of [[], ['--service', 'signet.v1.SigningService']]) {
      const c = capture();
      assert.equal(await healthCommand(['--addr', server.address, ...args], c.io, {}), 0, c.err.join('\n'));
      assert.match(c.out[0]!, /^SERVING/);
    }
  });

  it('SIGNET_HEALTH_ADDR is the default address', async () => {
    const c = capture();
    assert.equal(await healthCommand([], c.io, { SIGNET_HEALTH_ADDR: server.address }), 0, c.err.join('\n'));
  });

  it('when a service is NOT_SERVING, or unknown, exits 1 naming it', async () => {
    server.running.grpc.health.setStatus('signet.v1.LedgerService', 'NOT_SERVING');
    const c = capture();
    assert.equal(await healthCommand(['--addr', server.address, '--service', 'signet.v1.LedgerService'], c.io, {}), 1);
    assert.match(c.err[0]!, /^signet health: 127\.0\.0\.1:\d+ signet.v1.LedgerService: NOT_SERVING$/);
    server.running.grpc.health.setStatus('signet.v1.LedgerService', 'SERVING');
    const u = capture();
    assert.equal(await healthCommand(['--addr', server.address, '--service', 'signet.v1.Nope'], u.io, {}), 1);
    assert.match(u.err[0]!, /signet.v1.Nope: NOT_FOUND/);
  });

  it('when nobody listens, exits 1 with UNAVAILABLE within the timeout', async () => {
    const address = server.address;
    await server.stop();
    const c = capture();
    assert.equal(await healthCommand(['--addr', address, '--timeout-ms', '2000'], c.io, {}), 1);
    assert.match(c.err[0]!, new RegExp(`^signet health: ${address}: (UNAVAILABLE|DEADLINE_EXCEEDED)`));
  });
});
