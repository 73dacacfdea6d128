/**
 * DFØ's response quirks (connectors/dfo/primitives.ts and schemas.ts read every one), applied to a copy of a stored raw object when it
 * is served. Each quirk is `true` (always), `false`/absent (never) or a probability in [0, 1]
 * drawn from the simulator's seeded PRNG, so random mixes are reproducible.
 */
import { z } from 'zod';
import type { Rng } from './prng.ts';

const chance = z.union([z.boolean(), z.number().min(0).max(1)]);
export type Chance = z.infer<typeof chance>;

export const quirksSchema = z.object({
  /** Wrap the object in a one-element list (`{"ansatt":[{…}]}`, v2 style) instead of a bare object. */
  wrapInList: chance.optional(),
  /** Serve one-element lists (innehaver, stillingskat, tilleggsstilling, annenId) as bare objects. */
  unwrapSingletons: chance.optional(),
  /** Serve empty lists as `null`. */
  nullEmptyLists: chance.optional(),
  /** Leave empty lists out entirely (wins over nullEmptyLists). */
  omitEmptyLists: chance.optional(),
  /** Numeric fields (ids, codes, org) as strings: `"stillingId":"30001225"`. */
  numbersAsStrings: chance.optional(),
  /** Digit strings as numbers: `"stillingskode":20001434`, unpadded ids as numbers. */
  stringsAsNumbers: chance.optional(),
  /** Dates as `2019-01-01T00:00:00.0000000+00:00`. */
  isoDatetimes: chance.optional(),
  /** Open ends (null/missing end dates) as `9999-12-31`. */
  openEndAsNines: chance.optional(),
  /** Ids (id, stillingId, innehaverAnsattnr) zero-padded to 8 digits. */
  padIds: chance.optional(),
  /** Name of the org field: a fixed one or 'random'. */
  orgField: z.enum(['organisasjonId', 'orgenhet', 'organisasjon_id', 'random']).optional(),
});
export type Quirks = z.infer<typeof quirksSchema>;

/** Every quirk at probability p, for demos and soak runs. */
export function randomQuirks(p = 0.5): Quirks {
  return {
    wrapInList: p, unwrapSingletons: p, nullEmptyLists: p, omitEmptyLists: p / 2, numbersAsStrings: p,
    stringsAsNumbers: p / 2, isoDatetimes: p, openEndAsNines: p, padIds: p, orgField: 'random',
  };
}

const LIST_FIELDS = ['innehaver', 'stillingskat', 'tilleggsstilling', 'annenId'];
const ID_FIELDS = new Set(['id', 'stillingId', 'innehaverAnsattnr']);
const NUMERIC_FIELDS = new Set([...ID_FIELDS, 'organisasjonId', 'stillingskode', 'jurBedriftsnummer', 'stillingskatId']);
const END_FIELDS = new Set(['sluttdato', 'innehaverSluttdato', 'stillingskatSluttdato', 'idSluttdato']);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const ORG_NAMES = ['organisasjonId', 'orgenhet', 'organisasjon_id'] as const;

/** Decides each quirk once per response, so one response is internally consistent. */
export function rollQuirks(q: Quirks, rng: Rng) {
  const on = (c: Chance | undefined) => (typeof c === 'number' ? rng.chance(c) : c === true);
  return {
    wrapInList: on(q.wrapInList),
    unwrapSingletons: on(q.unwrapSingletons),
    nullEmptyLists: on(q.nullEmptyLists),
    omitEmptyLists: on(q.omitEmptyLists),
    numbersAsStrings: on(q.numbersAsStrings),
    stringsAsNumbers: on(q.stringsAsNumbers),
    isoDatetimes: on(q.isoDatetimes),
    openEndAsNines: on(q.openEndAsNines),
    padIds: on(q.padIds),
    orgField: q.orgField === 'random' ? rng.pick(ORG_NAMES) : q.orgField,
  };
}
export type RolledQuirks = ReturnType<typeof rollQuirks>;

/** Renders a stored raw object with the rolled quirks. Never mutates `raw`. */
export function applyQuirks(raw: Record<string, unknown>, q: RolledQuirks): Record<string, unknown> {
  const out = renderFields(raw, q);
  if (q.orgField) {
    const name = ORG_NAMES.find((k) => k in out);
    if (name !== undefined && name !== q.orgField) {
      out[q.orgField] = out[name];
      delete out[name];
    }
  }
  // Without a list quirk the stored shape is served as it is (it may itself be quirky).
  const touchLists = q.unwrapSingletons || q.nullEmptyLists || q.omitEmptyLists;
  for (const field of touchLists ? LIST_FIELDS : []) {
    if (!(field in out)) continue;
    const value = out[field];
    const list = value == null ? [] : Array.isArray(value) ? value : [value];
    if (list.length === 0) {
      if (q.omitEmptyLists) delete out[field];
      else out[field] = q.nullEmptyLists ? null : [];
    } else {
      out[field] = list.length === 1 && q.unwrapSingletons ? list[0] : list;
    }
  }
  return out;
}

function renderFields(obj: Record<string, unknown>, q: RolledQuirks): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (Array.isArray(value)) out[key] = value.map((v) => (isObject(v) ? renderFields(v, q) : v));
    else if (isObject(value)) out[key] = renderFields(value, q);
    else out[key] = renderScalar(key, value, q);
  }
  for (const key of END_FIELDS) {
    if (q.openEndAsNines && key in out && out[key] == null) out[key] = '9999-12-31';
  }
  return out;
}

function renderScalar(key: string, value: unknown, q: RolledQuirks): unknown {
  let v = value;
  if (typeof v === 'string' && DATE.test(v) && q.isoDatetimes) return `${v}T00:00:00.0000000+00:00`;
  if (NUMERIC_FIELDS.has(key)) {
    if (q.stringsAsNumbers && typeof v === 'string' && /^[1-9]\d{0,14}$/.test(v)) v = Number(v);
    if (q.numbersAsStrings && typeof v === 'number') v = String(v);
  }
  if (q.padIds && ID_FIELDS.has(key) && (typeof v === 'string' || typeof v === 'number') && /^\d+$/.test(String(v))) {
    v = String(v).replace(/^0+(?=\d)/, '').padStart(8, '0');
  }
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
