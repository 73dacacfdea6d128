/**
 * Sample data of the student system FS and the guest portal for tests and the demo: students with
 * study rights (past, current and future), guests sponsored by given employees, and the quirks real
 * publishers have — a profile missing a required field, the same profile sent twice, and a late
 * correction (a wrong name sent first, the right one later). Each send says what the validation step
 * must make of it, so a test can check every verdict. Seeded: the same seed, the same data.
 */
import { createRng, type Rng } from '../dfo-simulator/prng.ts';
import { FAMILY_NAMES, GIVEN_NAMES } from '../dfo-simulator/names.ts';

export type SimPublisher = 'fs' | 'guest-portal';
export type Quirk = 'missing-field' | 'duplicate' | 'late-correction';

/** One profile to send, in order, and the verdict the validation step must give it. */
export interface PlannedSend {
  publisher: SimPublisher;
  /** The publisher's message id. */
  messageId: string;
  profile: Record<string, unknown>;
  expect: 'valid' | 'invalid';
  /** The quirk this send plays, if any; for `missing-field`, the field left out. */
  quirk?: { kind: Quirk; field?: string };
}

export interface PublisherDataOptions {
  seed?: number;
  students?: number;
  guests?: number;
  /** Employee numbers that sponsor the guests (DFØ's, e.g. from the DFØ simulator's university). */
  sponsors: readonly string[];
  /** Today, YYYY-MM-DD: study rights and guest periods are laid around it. */
  today: string;
  /** Share of students and guests given a quirk (default 0.1). */
  quirkShare?: number;
}

const addDays = (date: string, days: number) => new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

function nin(rng: Rng, i: number): string {
  // Synthetic: born 1990–2005, a serial from the index (valid shape; never a real person's check digits).
  const day = String(rng.int(1, 28)).padStart(2, '0');
  const month = String(rng.int(1, 12)).padStart(2, '0');
  return `${day}${month}${String(rng.int(90, 105) % 100).padStart(2, '0')}${String(10000 + i).slice(-5)}`;
}

export function generatePublisherData(opts: PublisherDataOptions): PlannedSend[] {
  const rng = createRng(opts.seed ?? 1);
  const share = opts.quirkShare ?? 0.1;
  const sends: PlannedSend[] = [];
  const quirk = (): Quirk | null => (rng.chance(share) ? rng.pick<Quirk>(['missing-field', 'duplicate', 'late-correction']) : null);
  for (let i = 1; i <= (opts.students ?? 20); i++) {
    // Some study rights ended a while ago; the others run three years from a start in the past or the near future.
    const ended = rng.chance(0.15);
    const start = addDays(opts.today, ended ? -900 : rng.pick([-400, -30, 20]));
    const end = ended ? addDays(opts.today, -rng.int(1, 60)) : addDays(start, 1095);
    const profile = {
      sourceId: `fs-${500000 + i}`, nin: nin(rng, i), studentNumber: String(500000 + i),
      givenName: rng.pick(GIVEN_NAMES), familyName: rng.pick(FAMILY_NAMES),
      studyRights: [{ program: rng.pick(['BAMAT', 'BAINF', 'MAHIS', 'PHDBIO']), start, end }],
      ...(rng.chance(0.5) ? { mail: `student${i}@student.example.no` } : {}),
    };
    const q = quirk();
    const id = `fs-msg-${i}`;
    if (q === 'missing-field') {
      const { studyRights: _left, ...without } = profile;
      sends.push({ publisher: 'fs', messageId: id, profile: without, expect: 'invalid', quirk: { kind: q, field: 'studyRights' } });
      continue;
    }
    if (q === 'late-correction') {
      sends.push({ publisher: 'fs', messageId: `${id}-a`, profile: { ...profile, familyName: `${profile.familyName}x` }, expect: 'valid', quirk: { kind: q } });
      sends.push({ publisher: 'fs', messageId: id, profile, expect: 'valid', quirk: { kind: q } });
      continue;
    }
    sends.push({ publisher: 'fs', messageId: id, profile, expect: 'valid' });
    if (q === 'duplicate') sends.push({ publisher: 'fs', messageId: `${id}-dup`, profile, expect: 'valid', quirk: { kind: q } });
  }
  for (let i = 1; i <= (opts.guests ?? 5); i++) {
    const start = addDays(opts.today, -rng.int(0, 30));
    const profile = {
      sourceId: `gp-${i}`, givenName: rng.pick(GIVEN_NAMES), familyName: rng.pick(FAMILY_NAMES), mail: `guest${i}@example.org`,
      guest: { sponsor: rng.pick(opts.sponsors), start, end: addDays(opts.today, rng.int(7, 90)) },
    };
    const q = quirk();
    const id = `gp-msg-${i}`;
    if (q === 'missing-field') {
      const { guest: _left, ...without } = profile;
      sends.push({ publisher: 'guest-portal', messageId: id, profile: without, expect: 'invalid', quirk: { kind: q, field: 'guest' } });
      continue;
    }
    sends.push({ publisher: 'guest-portal', messageId: id, profile, expect: 'valid' });
    if (q === 'duplicate' || q === 'late-correction') sends.push({ publisher: 'guest-portal', messageId: `${id}-dup`, profile, expect: 'valid', quirk: { kind: 'duplicate' } });
  }
  return sends;
}
