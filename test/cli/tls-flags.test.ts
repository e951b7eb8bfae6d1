// The TLS flags connect and health share: which flags turn TLS on and what client option they
// become, and the usage errors both commands give for a half or missing TLS setup.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { connect } from '../../src/cli/connect.js';
import { healthCommand } from '../../src/cli/health.js';
import { tlsOption } from '../../src/cli/tls-flags.js';
import { isSignetError } from '../../src/lib/errors.js';

describe('TLS flags', () => {
  it('no flag, or only --tls-key, means no TLS; --tls alone means TLS with the system roots', () => {
    assert.deepEqual(tlsOption({}), {});
    assert.deepEqual(tlsOption({ tls: false }), {});
    assert.deepEqual(tlsOption({ key: 'k.pem' }), {});
    assert.deepEqual(tlsOption({ tls: true }), { tls: {} });
  });

  it('--tls-ca, --tls-cert or --tls-server-name each turn TLS on, and every given flag is carried', () => {
    assert.deepEqual(tlsOption({ ca: 'ca.pem' }), { tls: { ca: { path: 'ca.pem' } } });
    assert.deepEqual(tlsOption({ serverName: 'signet.internal' }), { tls: { serverName: 'signet.internal' } });
    assert.deepEqual(tlsOption({ cert: 'c.pem', key: 'k.pem' }), { tls: { cert: { path: 'c.pem' }, key: { path: 'k.pem' } } });
    assert.deepEqual(tlsOption({ tls: true, ca: 'ca.pem', cert: 'c.pem', key: 'k.pem', serverName: 'n' }), {
      tls: { ca: { path: 'ca.pem' }, cert: { path: 'c.pem' }, key: { path: 'k.pem' }, serverName: 'n' },
    });
  });

  it('connect: a certificate without its key, or plaintext to a remote address, is CONFIG', () => {
    for (const values of [{ 'tls-cert': 'c.pem' }, { 'tls-key': 'k.pem' }, { server: '10.0.0.1:7443' }]) {
      assert.throws(() => connect(values, {}), (e: unknown) => isSignetError(e) && e.code === 'CONFIG', JSON.stringify(values));
    }
  });

  it('health: a certificate without its key, or plaintext to a remote address, is exit 2 with one line', async () => {
    for (const args of [['--tls-cert', 'c.pem'], ['--addr', '10.0.0.1:7443']]) {
      const err: string[] = [];
      const code = await healthCommand(args, { out: () => {}, err: (l) => err.push(l) }, {});
      assert.equal(code, 2, args.join(' '));
      assert.equal(err.length, 1);
      assert.match(err[0]!, /^signet health: /);
    }
  });
});
