import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Structured JSON logs (pino). CLI commands log to stderr so stdout stays machine-readable. */
export function createLogger(level: string, name = 'acctnet', destination: 1 | 2 = 1): Logger {
  return pino({ name, level, base: { pid: process.pid, name } }, pino.destination({ fd: destination, sync: destination === 2 }));
}
