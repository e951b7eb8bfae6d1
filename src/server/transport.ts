// Whether the gRPC port may be served as configured: TLS, or plaintext only on a loopback address
// and only when the configuration says so, so a published port is never plaintext by accident.
import { SignetError } from '../lib/errors.js';
import { parseHostPort, type SignetConfig } from './config.js';

/** 127.0.0.0/8, ::1 and localhost: addresses no other machine reaches. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

export function checkTransport(config: Pick<SignetConfig, 'listen' | 'tls' | 'plaintext'>): void {
  if (config.tls) {
    if (config.plaintext) throw new SignetError('CONFIG', 'config: plaintext is true but tls is configured; choose one', { field: 'plaintext' });
    return;
  }
  if (!config.plaintext) {
    throw new SignetError('CONFIG', 'config: tls is not configured: give tls.cert and tls.key, or — on a loopback address only — plaintext: true', { field: 'tls' });
  }
  const { host } = parseHostPort(config.listen, 'listen');
  if (!isLoopbackHost(host)) {
    throw new SignetError(
      'CONFIG',
      `config: listen ${config.listen} is not a loopback address, and plaintext is allowed only on 127.0.0.1, ::1 or localhost; give tls.cert and tls.key`,
      { field: 'listen' },
    );
  }
}
