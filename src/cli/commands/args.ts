/**
 * Argument parsing for the commands: node:util parseArgs, with errors turned into a CliError that
 * repeats the command's usage line, and typed readers for numbers and dates.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { osloMidnightUtc } from '../../iga/clock.ts';
import { CliError } from './cliError.ts';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses `args` strictly; unknown options or a missing value → CliError(usage, 2). */
export function parseCommandArgs<O extends Options>(args: string[], options: O, usage: string, positionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nusage: ${usage}`, 2);
  }
}

/** An integer option within [min, max], or `fallback` when absent. */
export function intOption(name: string, text: string | undefined, fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`--${name} must be an integer from ${min} to ${max}, got '${text}'`, 2);
  return n;
}

/** A point in time: an ISO date (`2026-11-01`: midnight in Europe/Oslo), an ISO instant, or epoch ms. */
export function timeOption(name: string, text: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : /^\d{4}-\d{2}-\d{2}$/.test(text) ? dayStart(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new CliError(`--${name} must be an ISO date or time (2026-11-01, 2026-11-01T08:00:00Z) or epoch ms, got '${text}'`, 2);
  return ms;
}

/** Midnight in Oslo of a YYYY-MM-DD day; NaN for an impossible day such as 2026-13-01 (a usage error, not a failure). */
function dayStart(day: string): number {
  try {
    return osloMidnightUtc(day).getTime();
  } catch {
    return Number.NaN;
  }
}
