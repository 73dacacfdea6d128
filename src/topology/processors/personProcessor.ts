/**
 * Sub-topology B, first step, keyed by employee id. Keeps what we know of each person (the DFØ
 * employee and the affiliations from holder events) and the person's date timers, and hands every
 * change to the account processor. BOTT rules: an `ansatte` event for an unknown person is
 * ignored; an unknown holder is fetched and stored; a DFØ outage parks the event. DFØ answering
 * "IKKE ANSATT" for a known person is a fact: the person is kept without an employee record, so the
 * account decider blocks the account.
 * When the policy version changes, every person of the task is re-evaluated once (new timers, new
 * decisions with cause `policy`), so a changed early start or grace takes effect at once.
 * Stores: `persons` (id → PersonState), `timers` (day|id → due, and `policy` → the version the
 * timers were computed with; letters sort after the days, so it is never due), `person-deferred`.
 */
import { osloDate } from '../../iga/clock.ts';
import { applyHolderRanges, nextBoundaries } from '../../iga/affiliations.ts';
import type { Affiliation, Employee } from '../../iga/model.ts';
import type { KeyValueStore } from '../../stores/keyValueStore.ts';
import { isRetriable, record, type Processor, type ProcessorContext } from '../../streams/index.ts';
import type { IgaDeps } from '../deps.ts';
import type { Cause, DfoResponseLink, PersonEvent, PersonUpdate } from '../messages.ts';
import { dueKey, takeDue } from './parking.ts';
import { Prefetcher } from './prefetcher.ts';

export interface PersonState { employee: Employee | null; affiliations: Affiliation[]; dfoEmployee?: unknown; updatedAt: string }
interface Parked { event: PersonEvent; attempts: number }

export const PERSON_STORES = ['persons', 'timers', 'person-deferred'] as const;
/** Key in the timer store of the policy version its timers were computed with. */
const POLICY_KEY = 'policy';

export function personProcessor(deps: IgaDeps): Processor<PersonEvent> {
  let ctx: ProcessorContext;
  let persons: KeyValueStore<PersonState>;
  let timers: KeyValueStore<{ day: string }>;
  let parked: KeyValueStore<Parked>;
  // Read-ahead of the employees of the next person events, for persons not in the store yet (a
  // holder event then fetches the employee); see prefetch(). `has` spares decoding a stored person
  // (measured: decoding made this check 5% of the service's CPU in an initial load).
  const employeesAhead = new Prefetcher({
    fetch: (id) => deps.dfo.getEmployee(id),
    wanted: async (id) => !(await persons.has(id)),
  });

  const today = () => osloDate(new Date(ctx.currentWallClockTime()));
  const nowIso = () => new Date(ctx.currentWallClockTime()).toISOString();

  /** Fetches the employee (read ahead when `ahead`); returns undefined when the event was parked. */
  async function fetchEmployee(e: PersonEvent, attempts: number, ahead = false) {
    try {
      return ahead ? await employeesAhead.get(e.employeeId) : await deps.dfo.getEmployee(e.employeeId);
    } catch (err) {
      if (!isRetriable(err)) throw err;
      const wait = (deps.parkRetryMs ?? 30_000) * Math.min(2 ** attempts, 64);
      ctx.log.warn({ employee: e.employeeId, retryInMs: wait, err: String(err) }, 'DFØ unavailable; event parked');
      parked.put(dueKey(ctx.currentWallClockTime() + wait, e.employeeId), { event: e, attempts: attempts + 1 });
      return undefined;
    }
  }

  function save(id: string, p: PersonState): void {
    persons.put(id, p);
    for (const day of nextBoundaries(p.affiliations, today(), deps.policy)) timers.put(`${day}|${id}`, { day });
  }

  function handOn(id: string, p: PersonState, cause: Cause, extra: Partial<PersonUpdate> = {}): void {
    const update: PersonUpdate = { employeeId: id, employee: p.employee, affiliations: p.affiliations, cause, dfoResponses: [], ...extra };
    ctx.forward(record(id, update, ctx.currentWallClockTime()));
  }

  /** `ahead`: the event comes from process(), so its employee may have been read ahead. */
  async function handle(e: PersonEvent, attempts: number, ahead = false): Promise<void> {
    const id = e.employeeId;
    const stored = await persons.get(id);
    switch (e.type) {
      case 'employee-changed': {
        if (!stored?.employee) {
          ctx.log.debug({ employee: id }, 'ansatte event for an unknown employee ignored');
          return;
        }
        const res = await fetchEmployee(e, attempts, ahead);
        if (!res) return;
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
          const res = await fetchEmployee(e, attempts, ahead);
          if (!res) return;
          if (res.kind === 'found') { employee = res.value; dfoEmployee = res.raw; }
          used.push({ resource: 'ansatte', id, response: res.kind === 'found' ? res.raw : { gone: res.reason } });
        }
        const change = applyHolderRanges(stored?.affiliations ?? [], e.positionId, e.ranges);
        const next: PersonState = { employee, affiliations: change.next, dfoEmployee, updatedAt: nowIso() };
        save(id, next);
        handOn(id, next, e.cause, { dfoResponses: used });
        return;
      }
      case 'username-granted': {
        const p = stored ?? { employee: null, affiliations: [], updatedAt: nowIso() };
        const c = e.claimCause;
        const via = c ? { via: { kind: c.kind, id: c.id, amqpMessageId: c.amqpMessageId, raw: c.raw } } : {};
        const cause: Cause = { kind: 'username', id, amqpMessageId: null, raw: ctx.recordOrigin(), ...via };
        handOn(id, p, cause, { grant: { userName: e.userName } });
        return;
      }
      case 'brake-verdict': {
        // The account rules run again on what is stored now, with the proposal's cause and inputs.
        const p = stored ?? { employee: null, affiliations: [], updatedAt: nowIso() };
        handOn(id, p, e.cause, { dfoResponses: e.dfoResponses, brake: e.verdict });
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

  return {
    init(c) {
      ctx = c;
      persons = c.getStateStore('persons');
      timers = c.getStateStore('timers');
      parked = c.getStateStore('person-deferred');
      c.schedule(deps.punctuateIntervalMs, async (now) => {
        await reevaluateOnPolicyChange();
        for (const [, p] of await takeDue(parked, now)) await handle(p.event, p.attempts);
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
      await handle(r.value, 0, true);
    },
  };
}
