// Finds a busy or unusable listen address before start-up opens keys and logs in to an HSM, so
// "port in use" is one line at once, not after every key was opened and then closed again.
import { createServer } from 'node:net';
import { SignetError } from '../lib/errors.js';
import { parseHostPort } from './config.js';

const REASONS: Record<string, string> = {
  EADDRINUSE: 'is already in use by another process',
  EADDRNOTAVAIL: 'is not an address of this machine',
  EACCES: 'needs privileges (a port below 1024)',
  ENOTFOUND: 'names a host that does not resolve',
  EAI_AGAIN: 'names a host that does not resolve',
};

/**
 * Binds and releases host:port. A port taken between this probe and the real bind still fails
 * there, with the same kind of one-line error; port 0 (any free port) needs no probe.
 */
export async function probeListen(value: string, field: string): Promise<void> {
  const { host, port } = parseHostPort(value, field);
  if (port === 0) return;
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const reason = REASONS[err.code ?? ''] ?? `cannot be bound (${err.code ?? err.message})`;
      fail(new SignetError('CONFIG', `${field}: ${value} ${reason}`, { field, cause: err }));
    });
    server.listen({ host: host.replace(/^\[(.*)\]$/, '$1'), port, exclusive: true }, () => server.close(() => ok()));
  });
}
