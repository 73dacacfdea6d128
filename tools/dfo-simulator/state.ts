/**
 * The simulator's in-memory DFØ: raw objects by normalised id, the quirks and faults in force,
 * and request counters. Rendering a stored object for one response lives here too, including the
 * `dato` (point-in-time) rules that are easy to honour:
 * - positions list only `innehaver` links still valid on `dato` (DFØ: "every link valid from today on");
 * - employees whose `sluttdato` is more than 30 days before `dato` are gone ("people disappear 30 days after they leave");
 * - a position without any holder is "UBESATT STILLING" (404), as DFØ answers.
 */
import type { IsoDate } from '../../src/iga/model.ts';
import { requireDfoId } from '../../connectors/dfo/ids.ts';
import { parseDfoDate, toArray } from '../../connectors/dfo/primitives.ts';
import { FaultInjector } from './faults.ts';
import { createRng, type Rng } from './prng.ts';
import { applyQuirks, quirksSchema, rollQuirks, type Quirks } from './quirks.ts';

export type Resource = 'ansatte' | 'stillinger';
export type RawObject = Record<string, unknown>;

interface Stored {
  raw: RawObject;
  quirks: Quirks | undefined;
}

export class SimState {
  readonly rng: Rng;
  readonly faults: FaultInjector;
  readonly #data: Record<Resource, Map<string, Stored>> = { ansatte: new Map(), stillinger: new Map() };
  readonly #requests: Record<Resource, number> = { ansatte: 0, stillinger: 0 };
  /** Requests per object, keyed `<resource>/<normalised id>`. */
  readonly #requestsById = new Map<string, number>();
  #quirks: Quirks = {};

  constructor(seed: number) {
    this.rng = createRng(seed);
    this.faults = new FaultInjector(createRng(seed ^ 0x5bd1e995));
  }

  /** Stores a copy of `raw` under its normalised `id`. Throws InvalidDfoId when `raw.id` is not one. */
  upsert(resource: Resource, raw: RawObject, quirks?: Quirks): string {
    const id = requireDfoId(raw['id'] as string | number);
    this.#data[resource].set(id, { raw: structuredClone(raw), quirks: quirks && quirksSchema.parse(quirks) });
    return id;
  }

  remove(resource: Resource, id: string | number): boolean {
    return this.#data[resource].delete(requireDfoId(id));
  }

  /** A copy of the stored raw object, or undefined. */
  get(resource: Resource, id: string | number): RawObject | undefined {
    const hit = this.#data[resource].get(requireDfoId(id));
    return hit && structuredClone(hit.raw);
  }

  size(resource: Resource): number {
    return this.#data[resource].size;
  }

  setQuirks(q: Quirks): void {
    this.#quirks = quirksSchema.parse(q);
  }

  /** `id`: the normalised object id, absent for a collection or an unreadable id. */
  countRequest(resource: Resource, id?: string): void {
    this.#requests[resource] += 1;
    if (id !== undefined) this.#requestsById.set(`${resource}/${id}`, (this.#requestsById.get(`${resource}/${id}`) ?? 0) + 1);
  }

  /** Requests for everything, one resource, or one object of it (`id` in any zero padding). */
  requestCount(resource?: Resource, id?: string | number): number {
    if (resource && id !== undefined) return this.#requestsById.get(`${resource}/${requireDfoId(id)}`) ?? 0;
    return resource ? this.#requests[resource] : this.#requests.ansatte + this.#requests.stillinger;
  }

  /** The rendered object for one response, or null when DFØ would say "not found". */
  render(resource: Resource, id: string, dato: IsoDate | null): { body: RawObject; wrapInList: boolean } | null {
    const stored = this.#data[resource].get(id);
    return stored ? this.#renderStored(resource, stored, dato) : null;
  }

  /** Every object DFØ would list on `dato`, rendered. */
  renderAll(resource: Resource, dato: IsoDate | null): RawObject[] {
    const out: RawObject[] = [];
    for (const stored of this.#data[resource].values()) {
      const r = this.#renderStored(resource, stored, dato);
      if (r) out.push(r.body);
    }
    return out;
  }

  #renderStored(resource: Resource, stored: Stored, dato: IsoDate | null) {
    let raw = stored.raw;
    if (resource === 'ansatte' && dato !== null && goneBefore(raw['sluttdato'], dato)) return null;
    if (resource === 'stillinger') {
      const holders = toArray(raw['innehaver'] as RawObject | RawObject[] | null).filter(
        (h) => dato === null || !endsBefore(h['innehaverSluttdato'], dato),
      );
      if (holders.length === 0) return null;
      if (dato !== null) raw = { ...raw, innehaver: holders };
    }
    const rolled = rollQuirks({ ...this.#quirks, ...stored.quirks }, this.rng);
    return { body: applyQuirks(raw, rolled), wrapInList: rolled.wrapInList };
  }
}

/** True when the end date lies before `dato` (open or unreadable ends never do). */
function endsBefore(end: unknown, dato: IsoDate): boolean {
  const d = typeof end === 'string' ? parseDfoDate(end) : null;
  return typeof d === 'string' && d < dato;
}

/** True when the employee left more than 30 days before `dato`. */
function goneBefore(end: unknown, dato: IsoDate): boolean {
  const d = typeof end === 'string' ? parseDfoDate(end) : null;
  if (typeof d !== 'string') return false;
  const cutoff = new Date(Date.parse(`${dato}T00:00:00Z`) - 30 * 86_400_000).toISOString().slice(0, 10);
  return d < cutoff;
}
