// `signet health`: the probe a container HEALTHCHECK or an orchestrator runs — one grpc.health.v1
// Check against a running Signet. Exit 0 when SERVING, 1 when not (or unreachable), 2 for bad usage.
import * as grpc from '@grpc/grpc-js';
import { service as healthService } from 'grpc-health-check';
import { channelCredentials } from '../client/channel.js';
import { parseCommand, UsageError } from './args.js';
import { TLS_OPTIONS, tlsOption } from './tls-flags.js';

export const HEALTH_USAGE = `usage: signet health [--addr HOST:PORT] [--service NAME] [TLS options] [--timeout-ms N]

Asks a running Signet for its health (grpc.health.v1.Health/Check) and prints the status.
Exit 0 SERVING, 1 NOT_SERVING or unreachable, 2 bad usage.

options:
  --addr HOST:PORT          default $SIGNET_HEALTH_ADDR, else 127.0.0.1:7443
  --service NAME            a service (signet.v1.SigningService, signet.key.NAME …); default "" (the server)
  --tls-ca FILE             TLS, trusting this CA ($SIGNET_HEALTH_TLS_CA)
  --tls-cert FILE --tls-key FILE   client certificate for mutual TLS ($SIGNET_HEALTH_TLS_CERT, $SIGNET_HEALTH_TLS_KEY)
  --tls-server-name NAME    the name the server certificate carries ($SIGNET_HEALTH_TLS_SERVER_NAME)
  --tls                     TLS with the system roots
  --insecure                plaintext to a non-loopback address
  --timeout-ms N            default 5000`;

const SPEC = {
  command: 'signet health',
  usage: HEALTH_USAGE,
  options: {
    addr: { type: 'string' },
    service: { type: 'string' },
    ...TLS_OPTIONS,
    'timeout-ms': { type: 'string' },
  },
} as const;

export interface HealthOutput {
  out(line: string): void;
  err(line: string): void;
}

const consoleOutput: HealthOutput = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

const STATUS = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];

export async function healthCommand(argv: string[], io: HealthOutput = consoleOutput, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let client: grpc.Client;
  let timeoutMs: number;
  let address: string;
  let service: string;
  try {
    const parsed = parseCommand(SPEC, argv);
    if (parsed.help) {
      io.out(HEALTH_USAGE);
      return 0;
    }
    const v = parsed.values;
    address = v.addr ?? env.SIGNET_HEALTH_ADDR ?? '127.0.0.1:7443';
    service = v.service ?? '';
    const timeout = v['timeout-ms'] ?? '5000';
    if (!/^[1-9][0-9]{0,6}$/.test(timeout)) throw new UsageError(`signet health: --timeout-ms must be a whole number of milliseconds, not "${timeout}"`);
    timeoutMs = Number(timeout);
    const ca = v['tls-ca'] ?? env.SIGNET_HEALTH_TLS_CA;
    const cert = v['tls-cert'] ?? env.SIGNET_HEALTH_TLS_CERT;
    const key = v['tls-key'] ?? env.SIGNET_HEALTH_TLS_KEY;
    const serverName = v['tls-server-name'] ?? env.SIGNET_HEALTH_TLS_SERVER_NAME;
    let channel;
    try {
      channel = channelCredentials({
        address,
        insecure: v.insecure === true,
        ...tlsOption({ tls: v.tls, ca, cert, key, serverName }),
      });
    } catch (err) {
      throw new UsageError(`signet health: ${(err as Error).message.replace(/^signet client: /, '').replace('give tls, or insecure: true', 'give --tls-ca FILE (or --tls), or --insecure')}`);
    }
    const Health = grpc.makeClientConstructor(healthService as unknown as grpc.ServiceDefinition, 'Health');
    client = new Health(address, channel.credentials, channel.options);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.err(err.message);
    return 2;
  }
  try {
    const status = await new Promise<number>((resolve, reject) => {
      (client as unknown as { check: (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, r?: { status: number | string }) => void) => void }).check(
        { service },
        new grpc.Metadata(),
        { deadline: Date.now() + timeoutMs },
        (err, res) => (err ? reject(err) : resolve(typeof res!.status === 'string' ? STATUS.indexOf(res!.status) : res!.status)),
      );
    });
    const name = STATUS[status] ?? String(status);
    if (name === 'SERVING') {
      io.out(`SERVING${service ? ` ${service}` : ''}`);
      return 0;
    }
    io.err(`signet health: ${address}${service ? ` ${service}` : ''}: ${name}`);
    return 1;
  } catch (err) {
    const e = err as grpc.ServiceError;
    io.err(`signet health: ${address}${service ? ` ${service}` : ''}: ${grpc.status[e.code] ?? 'ERROR'}: ${e.details || e.message}`);
    return 1;
  } finally {
    client.close();
  }
}
