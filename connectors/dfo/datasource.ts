/**
 * DFØ datasource (Cerebrum's `datasource` role): fetch through the client, unwrap, validate, map.
 * Two distinct failures for the caller: SourceUnavailable (retriable: park and retry later) and
 * SourceInvalid (not retriable: park / DLQ with the reason, which names the field).
 * A DFØ "IKKE ANSATT" / "UBESATT STILLING" answer, or an empty wrapper, is the fact `gone`.
 */
import type { Employee, IsoDate, Position } from '../../src/iga/model.ts';
import { createDfoClient, type DfoClient, type DfoClientOptions } from './client.ts';
import { SourceInvalid } from './errors.ts';
import { normaliseId } from './ids.ts';
import { toEmployee, toPosition } from './mapper.ts';
import { parseAnsatt, parseStilling, unwrap, type DfoKind } from './schemas.ts';

/** Found (with the unwrapped raw JSON object, for audit) or gone (with DFØ's reason). */
export type FetchResult<T> = { kind: 'found'; value: T; raw: unknown } | { kind: 'gone'; reason: string };

export interface DfoSource {
  /**
   * One employee, as DFØ sees it today or on `date` (the `dato` header).
   * @throws SourceUnavailable (retriable), SourceInvalid, SourceRequestRejected, InvalidDfoId.
   */
  getEmployee(id: string, opts?: { date?: IsoDate }): Promise<FetchResult<Employee>>;
  /** One position; a vacant or unknown position is `gone`. Throws as getEmployee. */
  getPosition(id: string, opts?: { date?: IsoDate }): Promise<FetchResult<Position>>;
  /** Every employee (collection endpoint; full sync). Throws as getEmployee; one bad object fails the call. */
  listEmployees(): Promise<Employee[]>;
  /** Every position (collection endpoint). */
  listPositions(): Promise<Position[]>;
}

export interface DfoSourceOptions {
  /** Injected client (tests, or to share one); default: a client from `clientOptions`. */
  client?: DfoClient;
  /** The policy's choice for DFØ test national ids (default true: they become null). */
  ignoreTestNins?: boolean;
}

/** Creates the datasource. */
export function createDfoSource(clientOptions: DfoClientOptions, opts: DfoSourceOptions = {}): DfoSource {
  const client = opts.client ?? createDfoClient(clientOptions);
  const mapping = { ignoreTestNins: opts.ignoreTestNins ?? true };
  return {
    async getEmployee(id, opts) {
      const wanted = normaliseId(id);
      const res = await client.getEmployee(wanted, opts);
      if (res.kind === 'gone') return { kind: 'gone', reason: res.faultText };
      return pickOne(res.body, 'ansatt', wanted, (raw, where) => toEmployee(parseAnsatt(raw, where), mapping));
    },
    async getPosition(id, opts) {
      const wanted = normaliseId(id);
      const res = await client.getPosition(wanted, opts);
      if (res.kind === 'gone') return { kind: 'gone', reason: res.faultText };
      return pickOne(res.body, 'stilling', wanted, (raw, where) => toPosition(parseStilling(raw, where)));
    },
    async listEmployees() {
      const res = await client.listEmployees();
      if (res.kind === 'gone') return [];
      return unwrap(res.body, 'ansatt').map((raw, i) => toEmployee(parseAnsatt(raw, `ansatt[${i}]`), mapping));
    },
    async listPositions() {
      const res = await client.listPositions();
      if (res.kind === 'gone') return [];
      return unwrap(res.body, 'stilling').map((raw, i) => toPosition(parseStilling(raw, `stilling[${i}]`)));
    },
  };
}

/**
 * The v2 API wraps even a single object in a list; pick the one with the id we asked for, so a
 * misrouted answer about someone else can never be taken for ours.
 */
function pickOne<T extends { id: string }>(
  body: unknown,
  kind: DfoKind,
  wanted: string,
  map: (raw: Record<string, unknown>, where: string) => T,
): FetchResult<T> {
  const items = unwrap(body, kind);
  if (items.length === 0) return { kind: 'gone', reason: `DFØ answered without any ${kind} object` };
  const mapped = items.map((raw, i) => ({ raw, value: map(raw, items.length === 1 ? kind : `${kind}[${i}]`) }));
  const hit = mapped.find((m) => m.value.id === wanted);
  if (!hit) {
    const got = mapped.map((m) => m.value.id).join(', ');
    throw new SourceInvalid(`DFØ answered about ${kind} ${got} when asked for ${wanted}`, `${kind}.id`);
  }
  return { kind: 'found', value: hit.value, raw: hit.raw };
}
