// The process logger: JSON lines (pino) on stderr, with secret-bearing fields redacted.
import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export function createLogger(level = process.env.SIGNET_LOG_LEVEL ?? 'info'): Logger {
  return pino(
    {
      level,
      base: { service: 'signet' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['pin', '*.pin', 'token', '*.token', 'passphrase', '*.passphrase', 'secret', '*.secret', 'authorization'], censor: 'REDACTED' },
    },
    pino.destination({ fd: 2, sync: false }),
  );
}

/** A logger that discards everything, for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
