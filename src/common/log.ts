/**
 * Structured logging (pino). One root logger; modules take a child with their own `component` field.
 * Level from IGA_LOG_LEVEL (default "info"; tests default to "warn"). Format from IGA_LOG_FORMAT:
 * `json` (default, pino's JSON lines on stdout) or `pretty` (short human-readable lines printed
 * above the progress line, see src/logFormat.ts); commands may switch it with `setLogFormat`.
 */
import { pino, type Logger } from 'pino';
import { formatPretty } from './logFormat.ts';
import { terminalStatus } from './terminalStatus.ts';

export type { Logger };
export type LogFormat = 'json' | 'pretty';

const defaultLevel = process.env.IGA_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'warn' : 'info');

// What pino writes to stdout when given no destination.
const json = pino.destination({ dest: process.stdout.fd ?? 1, sync: false });
const pretty = {
  write(line: string): void {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      record = { msg: line.trimEnd() };
    }
    terminalStatus.print(formatPretty(record, { color: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR }));
  },
};
let sink: { write(line: string): unknown } = process.env.IGA_LOG_FORMAT === 'pretty' ? pretty : json;

export const rootLogger: Logger = pino({ level: defaultLevel, base: { service: 'iga-stream' } }, { write: (line: string) => sink.write(line) });

/** Switches every logger of the process to `format`. */
export function setLogFormat(format: LogFormat): void {
  sink = format === 'pretty' ? pretty : json;
}

export function componentLogger(component: string, parent: Logger = rootLogger): Logger {
  return parent.child({ component });
}
