// Routes grpc-js's own log lines into Signet's JSON log, so stderr carries one format and a bind
// failure is Signet's one line, not also grpc-js's "E No address added out of total 1 resolved".
import * as grpc from '@grpc/grpc-js';
import type { Logger } from '../lib/logger.js';

/** Messages grpc-js prints that Signet reports itself, with what to fix. */
const REPORTED_BY_SIGNET = [/^No address added out of total/];

export function routeGrpcLogs(logger: Logger): void {
  const write = (level: 'warn' | 'info' | 'debug') => (message?: unknown, ...rest: unknown[]) => {
    const text = [message, ...rest].map(String).join(' ');
    if (REPORTED_BY_SIGNET.some((re) => re.test(text))) return;
    logger[level]({ source: 'grpc-js' }, text);
  };
  grpc.setLogger({ error: write('warn'), info: write('info'), debug: write('debug') });
}
