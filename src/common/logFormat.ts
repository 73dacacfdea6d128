/**
 * Short human-readable log lines (IGA_LOG_FORMAT=pretty, the demo's format) from pino's JSON
 * records: time, level, component, message and a few key fields, e.g.
 * `14:03:27 WARN  [brake] mass-change brake: blocks held for an operator  group=g-12 blocks=14`.
 * Fields the message already says, and the ones every line has, are left out.
 */

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const COLORS: Record<number, string> = { 10: '90', 20: '90', 30: '32', 40: '33', 50: '31', 60: '31' };
/** Said by every line (or by its logger's parents): not worth repeating on a terminal. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'service', 'component', 'instance', 'app', 'lib', 'stack', 'v']);
const MAX_FIELDS = 5;
const MAX_VALUE = 80;

export interface PrettyOptions {
  /** ANSI colour for the level (on a terminal). */
  color?: boolean;
}

/** One pino record as a line (no newline). */
export function formatPretty(record: Record<string, unknown>, opts: PrettyOptions = {}): string {
  const level = typeof record.level === 'number' ? record.level : 30;
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const time = typeof record.time === 'number' ? clockTime(record.time) : '--:--:--';
  const component = typeof record.component === 'string' ? `[${record.component}] ` : '';
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const fields: string[] = [];
  let more = false;
  for (const [key, raw] of Object.entries(record)) {
    if (OMITTED.has(key) || raw === undefined) continue;
    const value = key === 'err' ? errorText(raw) : raw;
    if (mentioned(value, msg)) continue;
    if (fields.length === MAX_FIELDS) {
      more = true;
      break;
    }
    fields.push(`${key}=${show(value)}`);
  }
  const tail = fields.length > 0 ? `  ${fields.join(' ')}${more ? ' …' : ''}` : '';
  const levelText = opts.color ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name;
  return `${time} ${levelText} ${component}${msg}${tail}`;
}

function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/** pino's serialised error (`{type, message, stack}`) or a string. */
function errorText(err: unknown): unknown {
  if (err && typeof err === 'object' && typeof (err as { message?: unknown }).message === 'string') return (err as { message: string }).message;
  return err;
}

/** Whether the message already shows `value` (a string, a number, or every entry of an object). */
function mentioned(value: unknown, msg: string): boolean {
  if (typeof value === 'string') return value.length > 0 && msg.toLowerCase().includes(value.toLowerCase());
  if (typeof value === 'number') return new RegExp(`(^|[^\\d.])${String(value).replace('.', '\\.')}([^\\d]|$)`).test(msg);
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value);
    return entries.length > 0 && entries.every(([k, v]) => mentioned(k, msg) && mentioned(v, msg));
  }
  return false;
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? (/[\s"=]/.test(value) || value === '' ? JSON.stringify(value) : value) : JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE - 1)}…` : text;
}
