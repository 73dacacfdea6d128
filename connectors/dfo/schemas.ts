/**
 * Lenient zod schemas of DFØ's `ansatt` and `stilling` objects and their response wrappers.
 *
 * ansatt: id, fornavn, etternavn, tittel, fnr, fdato, kjonn, brukerident,
 *   dfoBrukerident, eksternIdent, medarbeidergruppe, medarbeiderundergruppe, startdato, sluttdato,
 *   stillingId, dellonnsprosent, organisasjonId, tilleggsstilling[{stillingId, startdato, sluttdato,
 *   dellonnsprosent}], annenId[{idType, idNr, idLand, idStartdato, idSluttdato}], lederflagg,
 *   eksternbruker, reservasjonPublisering, epost.
 * stilling: id, stillingsnavn, stillingskode, stillingstittel, organisasjonId (alias orgenhet,
 *   organisasjon_id), yrkeskode, yrkeskodetekst, innehaver[{innehaverAnsattnr, innehaverStartdato,
 *   innehaverSluttdato}], stillingskat[{stillingskatId, stillingskatStartdato, stillingskatSluttdato,
 *   stillingskatBetegn}].
 * Wrappers: `{"ansatt": obj | [obj]}`, `{"stilling": obj | [obj]}`; null/[]/missing = none.
 * Unknown fields are ignored here (the datasource keeps the raw object for audit).
 */
import { z } from 'zod';
import { SourceInvalid } from './errors.ts';
import { decimal, dfoDate, dfoId, flag, maybeList, optionalDfoId, text, toArray } from './primitives.ts';

export { toArray };

/** The org field has three names in the wild; read whichever is present. */
const ORG_ALIASES = ['organisasjonId', 'orgenhet', 'organisasjon_id'] as const;

function withOrgAlias(x: unknown): unknown {
  if (x == null || typeof x !== 'object' || Array.isArray(x)) return x;
  const o = x as Record<string, unknown>;
  const name = ORG_ALIASES.find((k) => o[k] != null && o[k] !== '');
  return { ...o, organisasjonId: name ? o[name] : null };
}

export const tilleggsstillingSchema = z.object({
  stillingId: dfoId,
  startdato: dfoDate,
  sluttdato: dfoDate,
  dellonnsprosent: decimal,
});

export const annenIdSchema = z.object({
  idType: text,
  idBeskrivelse: text,
  idNr: text,
  idLand: text,
  idStartdato: dfoDate,
  idSluttdato: dfoDate,
});

export const ansattSchema = z.preprocess(
  withOrgAlias,
  z.object({
    id: dfoId,
    fornavn: text,
    etternavn: text,
    tittel: text,
    fnr: text,
    fdato: dfoDate,
    kjonn: text,
    brukerident: text,
    dfoBrukerident: text,
    eksternIdent: text,
    medarbeidergruppe: text,
    medarbeiderundergruppe: text,
    startdato: dfoDate,
    sluttdato: dfoDate,
    stillingId: optionalDfoId,
    dellonnsprosent: decimal,
    organisasjonId: text,
    tilleggsstilling: maybeList(tilleggsstillingSchema),
    annenId: maybeList(annenIdSchema),
    lederflagg: flag,
    eksternbruker: flag,
    reservasjonPublisering: flag,
    epost: text,
  }),
);
export type ParsedAnsatt = z.output<typeof ansattSchema>;

export const innehaverSchema = z.object({
  innehaverAnsattnr: dfoId,
  innehaverStartdato: dfoDate,
  innehaverSluttdato: dfoDate,
});

export const stillingskatSchema = z.object({
  stillingskatId: text,
  stillingskatStartdato: dfoDate,
  stillingskatSluttdato: dfoDate,
  stillingskatBetegn: text,
});

export const stillingSchema = z.preprocess(
  withOrgAlias,
  z.object({
    id: dfoId,
    stillingsnavn: text,
    stillingskode: text,
    stillingstittel: text,
    organisasjonId: text,
    yrkeskode: text,
    yrkeskodetekst: text,
    innehaver: maybeList(innehaverSchema),
    stillingskat: maybeList(stillingskatSchema),
  }),
);
export type ParsedStilling = z.output<typeof stillingSchema>;

/**
 * The name of a DFØ object, which is also the key its answers wrap it in (`{"ansatt": …}`). Not
 * the resource name of the paths and routing keys (`ansatte`, `stillinger`: DfoResource).
 */
export type DfoObjectName = 'ansatt' | 'stilling';

/**
 * Unwraps `{ansatt: obj | [obj] | null}` into the list of raw objects (possibly empty).
 * @throws SourceInvalid when the body is not an object or holds non-objects.
 */
export function unwrap(body: unknown, name: DfoObjectName): Record<string, unknown>[] {
  if (body == null || typeof body !== 'object' || Array.isArray(body)) {
    throw new SourceInvalid(`DFØ ${name} response is not a JSON object`, '(body)');
  }
  const items = toArray((body as Record<string, unknown>)[name]);
  items.forEach((item, i) => {
    if (typeof item !== 'object' || Array.isArray(item)) {
      throw new SourceInvalid(`DFØ ${name}[${i}] is not an object`, `${name}[${i}]`);
    }
  });
  return items as Record<string, unknown>[];
}

/**
 * Validates one raw object. `where` prefixes the field path in the error (e.g. `ansatt`).
 * @throws SourceInvalid naming the first offending field, e.g. `stilling.innehaver[1].innehaverAnsattnr`.
 */
export function parseAnsatt(raw: unknown, where = 'ansatt'): ParsedAnsatt {
  return parseWith(ansattSchema, raw, where);
}

/** As parseAnsatt, for a `stilling`. */
export function parseStilling(raw: unknown, where = 'stilling'): ParsedStilling {
  return parseWith(stillingSchema, raw, where);
}

function parseWith<S extends z.ZodType>(schema: S, raw: unknown, where: string): z.output<S> {
  const result = schema.safeParse(raw);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = where + issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  throw new SourceInvalid(`invalid DFØ data at ${field}: ${issue.message}`, field, { cause: result.error });
}
