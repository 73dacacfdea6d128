/**
 * The profile a publisher sends (README "Publishers"): one schema per kind of publisher — `student`
 * (the student system FS), `guest` (the guest portal) and `self-service` — each a full profile, never
 * a delta. They share one vocabulary (src/iga/authority.ts PROFILE_ATTRIBUTES) plus the envelope that
 * says who the person is: the publisher's own id for them (`sourceId`), and matching keys (`nin`, the
 * national identity number, or `link` to an existing account or employee number). Unknown keys are
 * refused, so a misspelt attribute is an error, not silently ignored.
 *
 * Readers: the publisher input (a routing key from `sourceId`), the validation step (sub-topology E),
 * the well-known document and `GET /publish/schemas` (JSON Schema of each).
 */
import { z } from 'zod';

export const PROFILE_KINDS = ['student', 'guest', 'self-service'] as const;
export type ProfileKind = (typeof PROFILE_KINDS)[number];

/** The publisher's own id for the person: also the profile's key on the profile topics. */
export const SOURCE_ID = /^[A-Za-z0-9._-]{1,64}$/;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((d) => {
  const t = Date.parse(`${d}T00:00:00Z`);
  return Number.isFinite(t) && new Date(t).toISOString().slice(0, 10) === d;
}, 'not a calendar date');
const name = z.string().min(1).max(200).regex(/^\S(.*\S)?$/s, 'no leading or trailing spaces');
const digits = z.string().regex(/^\d{1,11}$/, '1–11 digits');

const studyRight = z.object({
  program: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'a study program code'),
  start: isoDate,
  end: isoDate.nullable(),
}).strict().refine((r) => r.end === null || r.start <= r.end, { message: 'start is after end', path: ['end'] });

const guest = z.object({
  /** The sponsor's employee number (DFØ): the sponsor must hold an active employee affiliation. */
  sponsor: digits,
  start: isoDate,
  end: isoDate,
}).strict().refine((g) => g.start <= g.end, { message: 'start is after end', path: ['end'] });

/** Every attribute a profile may carry; which publisher may set which is the authority rules' business. */
const attributes = {
  givenName: name.optional(),
  familyName: name.optional(),
  displayName: name.optional(),
  preferredName: name.optional(),
  mobile: z.string().regex(/^\+?[0-9]{8,15}$/, 'a phone number, digits with an optional leading +').optional(),
  mail: z.email().max(254).optional(),
  employeeNumber: digits.optional(),
  studentNumber: digits.optional(),
  studyRights: z.array(studyRight).max(50).optional(),
  guest: guest.optional(),
};

const envelope = {
  sourceId: z.string().regex(SOURCE_ID, 'the publisher\'s id for the person: 1–64 of A–Z a–z 0–9 . _ -'),
  /** National identity number (fødselsnummer or D-number): a matching key, never logged or shown over SCIM. */
  nin: z.string().regex(/^\d{11}$/, '11 digits').optional(),
  /** A link to an existing person, when the publisher knows it. */
  link: z.object({ accountId: z.uuid().optional(), employeeNumber: digits.optional() }).strict()
    .refine((l) => l.accountId !== undefined || l.employeeNumber !== undefined, 'give accountId or employeeNumber').optional(),
};

const base = z.object({ ...envelope, ...attributes }).strict();

/** The schema of each kind of publisher: the shared shape, with the fields that kind must always send. */
export const PROFILE_SCHEMAS = {
  student: base.extend({
    nin: envelope.nin.unwrap(),
    studentNumber: attributes.studentNumber.unwrap(),
    givenName: name,
    familyName: name,
    studyRights: attributes.studyRights.unwrap(),
  }).strict(),
  guest: base.extend({
    givenName: name,
    familyName: name,
    guest: attributes.guest.unwrap(),
  }).strict(),
  'self-service': base.refine((p) => p.nin !== undefined || p.link !== undefined, { message: 'a self-service profile names its person: give nin or link', path: ['link'] }),
} as const satisfies Record<ProfileKind, z.ZodType>;

export type PublisherProfile = z.infer<typeof base>;

/** Every problem with a profile of `kind`, each `path: message`; empty when it fits. */
export function profileProblems(kind: ProfileKind, value: unknown): { ok: true; profile: PublisherProfile } | { ok: false; reasons: string[] } {
  const r = PROFILE_SCHEMAS[kind].safeParse(value);
  if (r.success) return { ok: true, profile: r.data as PublisherProfile };
  return { ok: false, reasons: r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(profile)'}: ${i.message}`) };
}

/** The JSON Schema (draft 2020-12) of a kind, as served at `/publish/schemas`. */
export function profileJsonSchema(kind: ProfileKind): Record<string, unknown> {
  return z.toJSONSchema(PROFILE_SCHEMAS[kind], { unrepresentable: 'any', io: 'input' }) as Record<string, unknown>;
}
