/**
 * Deterministic sample university in DFØ's own raw shapes, relative to a given `today`.
 *
 * People: about 80 % current (open-ended `9999-12-31` or a fixed end), 7 % starting in the future,
 * 13 % former (ended; main position = DFØ's placeholder 99999999). About 15 % of current staff hold
 * a `tilleggsstilling` too, and some were re-hired, so one person appears twice in one position's
 * `innehaver`. Positions get holders at random, so many have several and some none (vacant).
 * About half of the employee ids are zero-padded, as DFØ writes them; a few `fnr` are DFØ test numbers.
 * 50,000 employees / 40,000 positions take well under a second or two.
 */
import type { IsoDate } from '../../src/iga/model.ts';
import { FAMILY_NAMES, GIVEN_NAMES, JOBS, STILLINGSKAT } from './names.ts';
import { createRng, type Rng } from './prng.ts';
import { createNameSource } from './variedNames.ts';

export type RawObject = Record<string, unknown>;

export interface University {
  employees: RawObject[];
  positions: RawObject[];
}

export interface UniversityOptions {
  seed: number;
  employees: number;
  positions: number;
  /** Dates are generated around this day. */
  today: IsoDate;
  /**
   * `simple` (default): the small name tables of names.ts. `varied`: names drawn by frequency like a
   * real staff list (variedNames.ts), from a generator of their own, so dates, holders and ids are
   * the same as with `simple`.
   */
  names?: 'simple' | 'varied';
}

const OPEN = '9999-12-31';
const DAY_MS = 86_400_000;
export const FIRST_EMPLOYEE_ID = 100_001;
export const FIRST_POSITION_ID = 30_000_001;
const FIRST_ORG_ID = 10_000_001;

/** Generates the university; the same options always give the same data. */
export function generateUniversity(opts: UniversityOptions): University {
  if (opts.positions < 1 && opts.employees > 0) throw new RangeError('employees need at least one position');
  const rng = createRng(opts.seed);
  const todayMs = Date.parse(`${opts.today}T00:00:00Z`);
  if (Number.isNaN(todayMs)) throw new RangeError(`today must be YYYY-MM-DD, got ${opts.today}`);
  const day = (offset: number): IsoDate => new Date(todayMs + offset * DAY_MS).toISOString().slice(0, 10);

  const orgCount = Math.max(1, Math.ceil(opts.positions / 25));
  const positions: RawObject[] = [];
  const holders: RawObject[][] = [];
  for (let i = 0; i < opts.positions; i++) {
    const job = rng.pick(JOBS);
    const kat = STILLINGSKAT[job.kat];
    const holderList: RawObject[] = [];
    holders.push(holderList);
    positions.push({
      id: FIRST_POSITION_ID + i,
      stillingsnavn: job.title,
      stillingskode: `2000${job.code}`,
      stillingstittel: `${job.code} ${job.title}`,
      organisasjonId: String(FIRST_ORG_ID + rng.int(0, orgCount - 1)),
      yrkeskode: `${rng.int(1000, 3999)} ${rng.int(100, 199)}`,
      innehaver: holderList,
      stillingskat: [{ stillingskatId: kat.id, stillingskatStartdato: '2000-01-01', stillingskatSluttdato: OPEN, stillingskatBetegn: kat.betegn }],
    });
  }

  const employees: RawObject[] = [];
  const names = opts.names === 'varied' ? createNameSource(opts.seed) : null;
  for (let i = 0; i < opts.employees; i++) {
    const id = FIRST_EMPLOYEE_ID + i;
    const padded = String(id).padStart(8, '0');
    const main = rng.int(0, opts.positions - 1);
    const roll = rng.next();
    let start: IsoDate;
    let end: IsoDate;
    if (roll < 0.8) {
      start = day(-rng.int(0, 3650));
      end = rng.chance(0.7) ? OPEN : day(rng.int(30, 1500));
    } else if (roll < 0.87) {
      start = day(rng.int(1, 120));
      end = rng.chance(0.5) ? OPEN : day(rng.int(200, 1500));
    } else {
      start = day(-rng.int(400, 4000));
      end = day(-rng.int(1, 365));
    }
    const former = roll >= 0.87;
    holders[main]!.push(holder(padded, start, end));
    if (!former && rng.chance(0.02)) holders[main]!.push(holder(padded, day(-rng.int(4100, 6000)), day(-rng.int(3700, 4000))));

    const extras: RawObject[] = [];
    if (!former && opts.positions > 1 && rng.chance(0.15)) {
      const other = (main + rng.int(1, opts.positions - 1)) % opts.positions;
      const xStart = day(rng.int(-900, 60));
      const xEnd = rng.chance(0.5) ? OPEN : day(rng.int(1, 700));
      holders[other]!.push(holder(padded, xStart, xEnd));
      extras.push({ stillingId: FIRST_POSITION_ID + other, startdato: xStart, sluttdato: xEnd, dellonnsprosent: '20.00' });
    }
    const raw = employee(rng, i % 2 === 0 ? padded : String(id), former ? 99_999_999 : FIRST_POSITION_ID + main, start, end, extras, positions[main]!);
    if (names) Object.assign(raw, names.next());
    employees.push(raw);
  }
  return { employees, positions };
}

function holder(employeeId: string, start: IsoDate, end: IsoDate): RawObject {
  return { innehaverAnsattnr: employeeId, innehaverStartdato: start, innehaverSluttdato: end };
}

function employee(rng: Rng, id: string, stillingId: number, start: IsoDate, end: IsoDate, extras: RawObject[], main: RawObject): RawObject {
  const born = `${rng.int(1950, 2002)}-${pad2(rng.int(1, 12))}-${pad2(rng.int(1, 28))}`;
  const testNumber = rng.chance(0.03);
  const fnrTail = testNumber ? rng.pick(['00000', '00100', '00200']) : String(rng.int(10000, 99999));
  const group = rng.chance(0.9) ? { mg: '1', mug: rng.pick(['01', '04']) } : { mg: '9', mug: rng.pick(['90', '93', '95']) };
  const raw: RawObject = {
    id,
    fornavn: rng.chance(0.1) ? `${rng.pick(GIVEN_NAMES)} ${rng.pick(GIVEN_NAMES)}` : rng.pick(GIVEN_NAMES),
    etternavn: rng.pick(FAMILY_NAMES),
    fnr: `${born.slice(8, 10)}${born.slice(5, 7)}${born.slice(2, 4)}${fnrTail}`,
    fdato: born,
    kjonn: rng.pick(['M', 'F']),
    medarbeidergruppe: group.mg,
    medarbeiderundergruppe: group.mug,
    startdato: start,
    sluttdato: end,
    stillingId,
    dellonnsprosent: rng.pick(['100.00', '100.00', '100.00', '80.00', '50.00']),
    organisasjonId: Number(main['organisasjonId']),
    tilleggsstilling: extras.length > 0 ? extras : null,
    lederflagg: rng.chance(0.05),
    reservasjonPublisering: rng.chance(0.02),
    epost: null,
    annenId: null,
  };
  // Most records say eksternbruker explicitly; some leave it out (the mapper then takes it as true).
  const ext = rng.next();
  if (ext < 0.9) raw['eksternbruker'] = true;
  else if (ext < 0.92) raw['eksternbruker'] = false;
  return raw;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
