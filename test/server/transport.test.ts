// The gRPC port is TLS, or plaintext only on a loopback address and only when the configuration
// says so: start-up refuses everything else, including respellings of loopback that are not it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/lib/errors.js';
import { loadConfig, resolveConfig } from '../../src/server/config.js';
import { checkTransport } from '../../src/server/transport.js';

const TLS = { cert: '/c.pem', key: '/k.pem', clientCa: undefined, requireClientCert: false, cnIdentity: false };
const plain = (listen: string) => ({ listen, tls: undefined, plaintext: true });

describe('plaintext only on loopback, only when said', () => {
  it('plaintext: true on 127.0.0.0/8, [::1] and localhost is allowed', () => {
    for (const listen of ['127.0.0.1:7443', '127.0.0.1:0', '127.255.3.4:1', '[::1]:7443', 'localhost:7443', 'LOCALHOST:1']) {
      assert.doesNotThrow(() => checkTransport(plain(listen)), listen);
    }
  });

  it('plaintext on any other address, or a respelling of loopback, is CONFIG naming listen', () => {
    const others = [
      '0.0.0.0:7443', '[::]:7443', '10.0.0.5:7443', '192.168.1.1:1', 'signet.internal:7443', '[::ffff:127.0.0.1]:7443',
      '127.0.0.1.nip.io:7443', 'localhost.example:7443', '0177.0.0.1:7443', '127.1:7443', '2130706433:7443', '[0:0:0:0:0:0:0:1]:7443',
    ];
    for (const listen of others) {
      assert.throws(() => checkTransport(plain(listen)), (e) => isSignetError(e, 'CONFIG') && e.field === 'listen' && e.message.includes(`listen ${listen} is not a loopback address`), listen);
    }
  });

  it('without tls and without plaintext: true, even loopback is refused, naming tls', () => {
    assert.throws(() => checkTransport({ listen: '127.0.0.1:1', tls: undefined, plaintext: false }), (e) => isSignetError(e, 'CONFIG') && e.field === 'tls' && /tls is not configured/.test(e.message));
  });

  it('tls on any address is allowed; tls with plaintext: true is a contradiction', () => {
    assert.doesNotThrow(() => checkTransport({ listen: '0.0.0.0:7443', tls: TLS, plaintext: false }));
    assert.throws(() => checkTransport({ listen: '127.0.0.1:1', tls: TLS, plaintext: true }), (e) => isSignetError(e, 'CONFIG') && e.field === 'plaintext');
  });

  it('a config file says plaintext explicitly; the embedded defaults (no file) say it unless TLS is given', () => {
    assert.equal(resolveConfig({}, {}).plaintext, false, 'a config file without plaintext: true');
    assert.equal(resolveConfig({ plaintext: true }, {}).plaintext, true);
    assert.equal(loadConfig(undefined, {}).config.plaintext, true);
    assert.equal(loadConfig(undefined, { SIGNET_TLS_CERT: '/c', SIGNET_TLS_KEY: '/k' }).config.plaintext, false);
    assert.equal(resolveConfig({}, { SIGNET_PLAINTEXT: 'true' }).plaintext, true);
    assert.throws(() => resolveConfig({}, { SIGNET_PLAINTEXT: 'yes' }), (e) => isSignetError(e, 'CONFIG') && /SIGNET_PLAINTEXT is "yes"/.test(e.message));
    assert.throws(() => resolveConfig({ plaintext: 'true' }, {}), (e) => isSignetError(e, 'CONFIG') && /plaintext must be true or false/.test(e.message));
  });
});
