/**
 * Sub-topology B, first step, keyed by employee id. Keeps what we know of each person (the DFØ
 * employee and the affiliations from holder events) and the person's date timers, and hands every
 * change to the account processor. The topology learns of people through positions: an `ansatte`
 * event for an unknown person is ignored; an unknown holder is fetched and stored. DFØ answering
 * "IKKE ANSATT" for a known person is a fact: the person is kept without an employee record, so
 * the account decider blocks the account.
 * Per-person isolation (parking.ts): an event whose handling fails in a way a retry may fix (DFØ
 * unavailable for this person, a store read) is parked in `person-deferred` and retried with
 * backoff, one quick DFØ attempt each time; the person's later events wait behind it and are
 * applied in order after it (so a parked holder event can never overwrite newer dates), while
 * every other person on the partition flows on.
 * When the policy version changes, every person of the task is re-evaluated once (new timers, new
 * decisions with cause `policy`), so a changed early start or grace takes effect at once.
 * With publishers (README "One person across sources") it also keeps each publisher's latest
 * profile of the person (`source-profile` from the person directory), the DFØ person's standing in
 * the directory (`directory`), and for a person first known from a publisher, its DFØ side
 * (`dfo-side`): a DFØ person whose nin turned out to be such a person's hands every later change of
 * its facts on to that person (sink `person-events-loop-sink`), where the one account lives.
 * Stores: `persons` (id → PersonState), `timers` (day|id → due, and `policy` → the version the
 * timers were computed with; letters sort after the days, so it is never due), `person-deferred`
 * (parked events and the events waiting behind them).
 */
import { osloDate } from '../../iga/clock.ts';
import { activeAffiliations, applyHolderRanges, nextBoundaries } from '../../iga/affiliations.ts';
import { sourceAffiliations, sourceBoundaries, sponsorOf } from '../../iga/sources.ts';
import type { KeyValueStore } from '../../runtime/api/index.ts';
import { isRetriable, record, type Processor, type ProcessorContext } from '../../runtime/api/index.ts';
import type { IgaDeps } from '../ports.ts';
import type { Cause, DfoResponseLink, PersonEvent, PersonUpdate } from '../contracts/messages.ts';
import { accountInputChange, personUpdate, unknownPerson } from './personUpdate.ts';
import { STORE, type ParkedPersonEvent, type PersonState, type TimerEntry } from '../contracts/stores.ts';
import { Parking } from './parking.ts';
import { isProfilePerson } from '../contracts/directory.ts';
import { Prefetcher } from './prefetcher.ts';

/** The person step's children: the account step, and (with publishers) the person-events topic, for DFØ sides. */
export const PERSON_OUTPUTS = { account: 'account', personEvents: 'person-events-loop-sink' } as const;

/** Key in the timer store of the policy version its timers were computed with. */
const POLICY_KEY = 'policy';
/** Key in the timer store: the directory backfill ran (its time). A letter key, never due. */
const BACKFILL_KEY = 'directory-backfill';

export function personProcessor(deps: IgaDeps): Processor<PersonEvent> {
  let ctx: ProcessorContext;
  let persons: KeyValueStore<PersonState>;
  let timers: KeyValueStore<TimerEntry>;
  let parking: Parking<ParkedPersonEvent>;
  // Read-ahead of the employees of the next person events, for persons not in the store yet (a
  // holder event then fetches the employee) and not parked (their events wait without a fetch);
  // see prefetch(). `has` spares decoding a stored person (measured: decoding made this check 5% of
  // the service's CPU in an initial load). DFØ unavailable for a read-ahead parks the event at once.
  const employeesAhead = new Prefetcher({
    fetch: (id) => deps.dfo.getEmployee(id),
    wanted: async (id) => !(await persons.has(id)) && !(await parking.isParked(id)),
    rethrow: isRetriable,
  });

  const today = () => osloDate(new Date(ctx.currentWallClockTime()));
  const nowIso = () => new Date(ctx.currentWallClockTime()).toISOString();

  /**
   * The employee from DFØ: from process() read ahead, else with the client's retries; a parked
   * event's retry makes one quick attempt, so it holds the partition no longer than one request.
   */
  function fetchEmployee(id: string, retry: boolean) {
    return retry ? deps.dfo.getEmployee(id, { attempts: 1 }) : employeesAhead.get(id);
  }

  function save(id: string, p: PersonState): void {
    persons.put(id, p);
    const days = new Set(nextBoundaries(p.affiliations, today(), deps.policy));
    if (p.sources) for (const day of sourceBoundaries(sourceAffiliations(p.sources), today(), deps.policy)) days.add(day);
    for (const day of days) timers.put(`${day}|${id}`, { day });
  }

  /**
   * Hands the person on to the account step; a DFØ person that is the DFØ side of another person
   * hands its facts on to that person instead.
   */
  function handOn(id: string, p: PersonState, cause: Cause, extra: Partial<PersonUpdate> = {}): void {
    const at = ctx.currentWallClockTime();
    // A sponsor tells its guests' persons its standing on every change (they act only when it changed).
    for (const guest of p.sponsoring ?? []) {
      const status: PersonEvent = { type: 'sponsor-status', employeeId: guest, sponsor: id, active: isActiveEmployee(p), cause };
      ctx.forward(record(guest, status, at), PERSON_OUTPUTS.personEvents);
    }
    if (p.directory?.status === 'merged') {
      const into = p.directory.into;
      const side: PersonEvent = {
        type: 'dfo-side', employeeId: into, from: id, employee: p.employee, affiliations: p.affiliations,
        ...(p.dfoEmployee === undefined ? {} : { dfoEmployee: p.dfoEmployee }), cause, dfoResponses: extra.dfoResponses ?? [],
      };
      ctx.forward(record(into, side, at), PERSON_OUTPUTS.personEvents);
      return;
    }
    ctx.forward(record(id, personUpdate(id, p, cause, extra), at), PERSON_OUTPUTS.account);
  }

  /** A sponsor's standing: DFØ knows the person and at least one of its affiliations counts today. */
  function isActiveEmployee(p: PersonState): boolean {
    return p.employee !== null && activeAffiliations(p.affiliations, today(), deps.policy).length > 0;
  }

  /**
   * Handles one event. Throws when DFØ or a store fails (Parking parks it then); reads everything
   * before it saves or hands on anything, so a failure leaves nothing behind.
   */
  async function handle(e: PersonEvent, retry: boolean): Promise<void> {
    const id = e.employeeId;
    const stored = await persons.get(id);
    switch (e.type) {
      case 'employee-changed': {
        if (!stored?.employee) {
          ctx.log.debug({ employee: id }, 'ansatte event for an unknown employee ignored');
          return;
        }
        const res = await fetchEmployee(id, retry);
        if (res.kind === 'gone') {
          const gone = { ...stored, employee: null, dfoEmployee: { gone: res.reason }, updatedAt: nowIso() };
          save(id, gone);
          handOn(id, gone, e.cause, { dfoResponses: [{ resource: 'ansatte', id, response: { gone: res.reason } }] });
          return;
        }
        if (JSON.stringify(res.value) === JSON.stringify(stored.employee)) return;
        const next = { ...stored, employee: res.value, dfoEmployee: res.raw, updatedAt: nowIso() };
        save(id, next);
        handOn(id, next, e.cause, { dfoResponses: [{ resource: 'ansatte', id, response: res.raw }] });
        return;
      }
      case 'holder': {
        let employee = stored?.employee ?? null;
        let dfoEmployee = stored?.dfoEmployee;
        const used: DfoResponseLink[] = [{ resource: 'stillinger', id: e.positionId, response: e.dfoResponse }];
        if (!employee) {
          const res = await fetchEmployee(id, retry);
          if (res.kind === 'found') { employee = res.value; dfoEmployee = res.raw; }
          used.push({ resource: 'ansatte', id, response: res.kind === 'found' ? res.raw : { gone: res.reason } });
        }
        const change = applyHolderRanges(stored?.affiliations ?? [], e.positionId, e.ranges);
        // What the person step knows besides DFØ's facts (sources, directory, sponsor) stays.
        const next: PersonState = { ...stored, employee, affiliations: change.next, dfoEmployee, updatedAt: nowIso() };
        save(id, next);
        handOn(id, next, e.cause, { dfoResponses: used });
        return;
      }
      case 'username-granted':
      case 'brake-verdict': {
        // Written here before grants and verdicts had their own topic (accountInputs.ts): a record
        // of an older version still in person-events is handed on as the account-inputs step would.
        const { cause, extra } = accountInputChange(e, ctx.recordOrigin());
        handOn(id, stored ?? unknownPerson(nowIso()), cause, extra);
        return;
      }
      case 'source-profile': {
        if (stored?.directory?.status === 'merged') {
          // The profile belongs where this person's account lives (it arrived by a link to this DFØ person).
          const into = stored.directory.into;
          ctx.forward(record(into, { ...e, employeeId: into }, ctx.currentWallClockTime()), PERSON_OUTPUTS.personEvents);
          return;
        }
        const base = stored ?? unknownPerson(nowIso());
        const next: PersonState = { ...base, sources: { ...base.sources, [e.publisher]: e.facts }, updatedAt: nowIso() };
        const sponsor = sponsorOf(next.sources!);
        if (sponsor === null) delete next.sponsor;
        else if (next.sponsor?.employeeId !== sponsor) {
          // A new sponsor: not active until its person says so (the guest waits one hop).
          next.sponsor = { employeeId: sponsor, active: false };
          const watch: PersonEvent = { type: 'sponsor-watch', employeeId: sponsor, guest: id, cause: e.cause };
          ctx.forward(record(sponsor, watch, ctx.currentWallClockTime()), PERSON_OUTPUTS.personEvents);
        }
        save(id, next);
        handOn(id, next, e.cause);
        return;
      }
      case 'directory': {
        if (!stored) {
          ctx.log.warn({ employee: id }, 'directory answer for a person not in the store ignored');
          return;
        }
        const directory = e.result === 'owner' ? { status: 'owner' as const } : e.result === 'merged' ? { status: 'merged' as const, into: e.person } : { status: 'conflict' as const, with: e.person };
        if (JSON.stringify(directory) === JSON.stringify(stored.directory)) return;
        const next: PersonState = { ...stored, directory, updatedAt: nowIso() };
        save(id, next);
        const c = e.cause;
        const cause: Cause = { kind: 'directory', id, amqpMessageId: null, raw: ctx.recordOrigin(), via: { kind: c.kind, id: c.id, amqpMessageId: c.amqpMessageId, raw: c.raw } };
        handOn(id, next, cause);
        return;
      }
      case 'sponsor-watch': {
        const base = stored ?? unknownPerson(nowIso());
        const next: PersonState = (base.sponsoring ?? []).includes(e.guest) ? base : { ...base, sponsoring: [...(base.sponsoring ?? []), e.guest].sort(), updatedAt: nowIso() };
        if (next !== base) persons.put(id, next);
        const status: PersonEvent = { type: 'sponsor-status', employeeId: e.guest, sponsor: id, active: isActiveEmployee(next), cause: e.cause };
        ctx.forward(record(e.guest, status, ctx.currentWallClockTime()), PERSON_OUTPUTS.personEvents);
        return;
      }
      case 'sponsor-status': {
        // From a sponsor this person no longer names, or nothing changed: nothing to do.
        if (!stored || stored.sponsor?.employeeId !== e.sponsor || stored.sponsor.active === e.active) return;
        const next: PersonState = { ...stored, sponsor: { employeeId: e.sponsor, active: e.active }, updatedAt: nowIso() };
        save(id, next);
        handOn(id, next, e.cause);
        return;
      }
      case 'dfo-side': {
        const base = stored ?? unknownPerson(nowIso());
        const next: PersonState = {
          ...base, employee: e.employee, affiliations: e.affiliations, dfoSide: e.from, updatedAt: nowIso(),
          ...(e.dfoEmployee === undefined ? {} : { dfoEmployee: e.dfoEmployee }),
        };
        save(id, next);
        handOn(id, next, e.cause, { dfoResponses: e.dfoResponses });
        return;
      }
    }
  }

  /**
   * Re-saves every person's timers and hands everyone on once when the policy version changed. A
   * store that never recorded a version (new, or from before versions were recorded) just records it.
   */
  async function reevaluateOnPolicyChange(): Promise<void> {
    const version = deps.policy.version;
    const seen = await timers.get(POLICY_KEY);
    if (seen?.day === version) return;
    if (seen === undefined) {
      timers.put(POLICY_KEY, { day: version });
      return;
    }
    let n = 0;
    for await (const [id, p] of persons.range()) {
      save(id, p);
      handOn(id, p, { kind: 'policy', id: version, amqpMessageId: null, raw: null });
      n++;
    }
    timers.put(POLICY_KEY, { day: version });
    ctx.log.info({ policy: version, before: seen.day, persons: n }, 'policy changed: every person re-evaluated');
  }

  /**
   * With publishers, once per task store: hands on every DFØ person that has not registered with the
   * person directory (cause `directory`, id `backfill`), so the ones with a nin register and every
   * issued account's links are recorded — the persons from before publishers were switched on. The
   * marker `directory-backfill` in the timer store (a letter key: never due) says it was done.
   */
  let backfilled = false;
  async function backfillDirectory(): Promise<void> {
    if (!deps.publishers || backfilled) return;
    if (await timers.get(BACKFILL_KEY)) { backfilled = true; return; }
    let n = 0;
    for await (const [id, p] of persons.range()) {
      if (isProfilePerson(id) || p.directory !== undefined || p.employee === null) continue;
      handOn(id, p, { kind: 'directory', id: 'backfill', amqpMessageId: null, raw: null });
      n++;
    }
    timers.put(BACKFILL_KEY, { day: new Date(ctx.currentWallClockTime()).toISOString() });
    backfilled = true;
    if (n > 0) ctx.log.info({ persons: n }, 'publishers switched on: every DFØ person handed on once to register with the person directory');
  }

  return {
    async init(c) {
      ctx = c;
      persons = c.getStateStore(STORE.persons);
      timers = c.getStateStore(STORE.timers);
      parking = new Parking<ParkedPersonEvent>({
        step: 'person', store: c.getStateStore(STORE.personDeferred), ctx: c, retryMs: deps.parkRetryMs ?? 30_000,
        keyOf: (p) => p.event.employeeId,
        originOf: (p) => ('cause' in p.event ? p.event.cause.raw : null),
        handle: (p, call) => handle(p.event, call.retry),
      });
      await parking.ensureLayout();
      c.schedule(deps.punctuateIntervalMs, async (now) => {
        await reevaluateOnPolicyChange();
        await backfillDirectory();
        await parking.punctuate(now);
        // Date timers: every person with a boundary today or earlier is re-evaluated once.
        const due: string[] = [];
        for await (const [k] of timers.range({ lte: `${today()}|\uffff`, limit: 5000 })) due.push(k);
        for (const k of due) {
          timers.delete(k);
          const [day, id] = k.split('|') as [string, string];
          const p = await persons.get(id);
          if (p) handOn(id, p, { kind: 'timer', id: day, amqpMessageId: null, raw: null });
        }
      });
    },
    prefetch(keys) {
      employeesAhead.hint(keys);
    },
    async process(r) {
      await parking.submit({ event: r.value, attempts: 0 }, r.timestamp);
    },
  };
}
