// The connection flags the client commands share (mcp, mcp-gate, monitor): which Signet server,
// over which TLS, and the typed client built from them.
import { SignetClient } from '../client/client.js';
import { SignetError } from '../lib/errors.js';
import { TLS_OPTIONS, tlsOption } from './tls-flags.js';

export const CONNECT_OPTIONS = {
  server: { type: 'string' },
  ...TLS_OPTIONS,
  'deadline-ms': { type: 'string' },
} as const;

export const CONNECT_USAGE = `connection:
  --server HOST:PORT        the Signet server (env SIGNET_SERVER; default 127.0.0.1:7443)
  --tls                     TLS with the system roots
  --tls-ca FILE             TLS with this CA (implies --tls)
  --tls-cert FILE --tls-key FILE   mutual TLS client certificate
  --tls-server-name NAME    the name the server certificate carries
  --insecure                plaintext to a non-loopback address
  --deadline-ms N           per-call deadline (default 10000)`;

export interface ConnectValues {
  server?: string;
  'tls-ca'?: string;
  'tls-cert'?: string;
  'tls-key'?: string;
  'tls-server-name'?: string;
  tls?: boolean;
  insecure?: boolean;
  'deadline-ms'?: string;
}

export function connect(values: ConnectValues, env: NodeJS.ProcessEnv = process.env): { client: SignetClient; address: string } {
  const address = values.server ?? env.SIGNET_SERVER ?? '127.0.0.1:7443';
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new SignetError('CONFIG', '--tls-cert and --tls-key go together');
  let deadlineMs: number | undefined;
  if (values['deadline-ms'] !== undefined) {
    if (!/^[1-9][0-9]{0,6}$/.test(values['deadline-ms'])) throw new SignetError('CONFIG', '--deadline-ms must be a whole number of milliseconds');
    deadlineMs = Number(values['deadline-ms']);
  }
  try {
    const client = new SignetClient({
      address,
      ...tlsOption({ tls: values.tls, ca: values['tls-ca'], cert: values['tls-cert'], key: values['tls-key'], serverName: values['tls-server-name'] }),
      insecure: values.insecure === true,
      ...(deadlineMs ? { deadlineMs } : {}),
    });
    return { client, address };
  } catch (err) {
    throw new SignetError('CONFIG', (err as Error).message.replace(/^signet client: /, ''));
  }
}
