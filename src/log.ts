/**
 * Structured logging (pino). One root logger; modules take a child with their own `component` field.
 * Level from IGA_LOG_LEVEL (default "info"; tests default to "warn").
 */
import { pino, type Logger } from 'pino';

export type { Logger };

const defaultLevel = process.env.IGA_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'warn' : 'info');

export const rootLogger: Logger = pino({ level: defaultLevel, base: { service: 'iga-stream' } });

export function componentLogger(component: string, parent: Logger = rootLogger): Logger {
  return parent.child({ component });
}
