/**
 * Lenient zod building blocks for DFØ payloads, which DFØ spells in more than one way:
 * - lists may arrive as a list, a bare object (one element), null, or not at all → `toArray`;
 * - numbers arrive as strings ("100.00", "20001434") and strings as numbers (stillingId: 30001225);
 * - dates are `YYYY-MM-DD`, an ISO datetime (`2019-01-01T00:00:00.0000000+00:00`) or SAP's `YYYYMMDD`;
 *   any date ≥ 9999-01-01 (DFØ writes 9999-12-31) means open → null, as do '' and 0000-00-00.
 */
import { z } from 'zod';
import type { IsoDate } from '../../src/iga/model.ts';
import { normaliseDfoId } from '../../src/iga/dfoId.ts';

/** Normalises DFØ's unreliable list fields: null/undefined → [], bare object → [object], falsy items dropped. */
export function toArray<T>(x: T | T[] | null | undefined): T[] {
  if (x == null) return [];
  return Array.isArray(x) ? x.filter((item): item is T => item != null && (item as unknown) !== false) : [x];
}

/** A list field that tolerates every spelling of "one", "none" and "many". */
export const maybeList = <S extends z.ZodType>(item: S) => z.preprocess((x) => toArray(x as unknown), z.array(item));

/** A DFØ id (string or number, padded or not) → normalised string; anything else is an issue. */
export const dfoId = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const id = normaliseDfoId(v);
  if (id !== null) return id;
  ctx.addIssue({ code: 'custom', message: `not a DFØ id (digits only): ${JSON.stringify(v)}` });
  return z.NEVER;
});

/** An optional DFØ id; '' and null → null. */
export const optionalDfoId = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v, ctx) => {
    if (v == null || (typeof v === 'string' && v.trim() === '')) return null;
    const id = normaliseDfoId(v);
    if (id !== null) return id;
    ctx.addIssue({ code: 'custom', message: `not a DFØ id (digits only): ${JSON.stringify(v)}` });
    return z.NEVER;
  });

/** Free text or a code that may arrive as a number → trimmed string; '' and null → null. */
export const text = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v == null || String(v).trim() === '' ? null : String(v).trim()));

/** A decimal that may arrive as a string ("100.00", "100,00") → number; '' and null → null. */
export const decimal = z.union([z.number(), z.string(), z.null()]).optional().transform((v, ctx) => {
  if (v == null || (typeof v === 'string' && v.trim() === '')) return null;
  const n = typeof v === 'number' ? v : Number(v.trim().replace(',', '.'));
  if (Number.isFinite(n)) return n;
  ctx.addIssue({ code: 'custom', message: `not a number: ${JSON.stringify(v)}` });
  return z.NEVER;
});

/** A boolean that may arrive as "true"/"false"/"X"/"" → boolean | null (absent). */
export const flag = z.union([z.boolean(), z.string(), z.null()]).optional().transform((v, ctx) => {
  if (v == null) return null;
  if (typeof v === 'boolean') return v;
  const s = v.trim().toLowerCase();
  if (['true', 'x', '1', 'ja', 'j'].includes(s)) return true;
  if (['false', '', '0', 'nei', 'n'].includes(s)) return false;
  ctx.addIssue({ code: 'custom', message: `not a boolean: ${JSON.stringify(v)}` });
  return z.NEVER;
});

const DATE_PREFIX = /^(\d{4})-(\d{2})-(\d{2})(?:$|[T ])/;

/** Parses one DFØ date to `YYYY-MM-DD` or null (open / absent). Throws nothing; returns undefined when unreadable. */
export function parseDfoDate(v: string | null | undefined): IsoDate | null | undefined {
  if (v == null) return null;
  const s = v.trim();
  if (s === '' || /^0{4}-?0{2}-?0{2}/.test(s)) return null;
  const m = DATE_PREFIX.exec(s) ?? /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d] = m as unknown as [string, string, string, string];
  const iso = `${y}-${mo}-${d}`;
  if (iso >= '9999-01-01') return null;
  // Reject impossible days such as 2019-02-30: the UTC round trip must give the same day back.
  const probe = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(probe.getTime()) && probe.toISOString().slice(0, 10) === iso ? iso : undefined;
}

/** A DFØ date field → IsoDate | null. */
export const dfoDate = z.union([z.string(), z.null()]).optional().transform((v, ctx) => {
  const parsed = parseDfoDate(v);
  if (parsed !== undefined) return parsed;
  ctx.addIssue({ code: 'custom', message: `not a date (YYYY-MM-DD or ISO datetime): ${JSON.stringify(v)}` });
  return z.NEVER;
});
