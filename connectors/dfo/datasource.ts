/**
 * DFØ datasource: fetch through the client (client.ts, HTTP only), unwrap, validate (schemas.ts),
 * map (mapper.ts). It implements the topology's DfoSource port (src/topology/ports.ts), and adds
 * the collection reads reconciliation uses and the `dato` of a point-in-time read.
 * Two distinct failures for the caller: SourceUnavailable (retriable: park and retry later) and
 * SourceInvalid (not retriable: DLQ with the reason, which names the field).
 * A DFØ "IKKE ANSATT" / "UBESATT STILLING" answer, or an empty wrapper, is the fact `gone`.
 */
import type { Employee, IsoDate, Position } from '../../src/iga/model.ts';
import type { DfoSource, FetchResult } from '../../src/topology/ports.ts';
import { createDfoClient, type DfoClient, type DfoClientOptions } from './client.ts';
import { SourceInvalid } from './errors.ts';
import { requireDfoId } from './ids.ts';
import { toEmployee, toPosition } from './mapper.ts';
import { parseAnsatt, parseStilling, unwrap, type DfoObjectName } from './schemas.ts';

/** The DfoSource port, with the date of a read and DFØ's collections. */
export interface DfoDatasource extends DfoSource {
  /**
   * One employee, as DFØ sees it today or on `date` (the `dato` header). `attempts` replaces the
   * client's retry attempts for this call (1: one quick try, e.g. a parked event's retry).
   * @throws SourceUnavailable (retriable), SourceInvalid, SourceRequestRejected, InvalidDfoId.
   */
  getEmployee(id: string, opts?: { date?: IsoDate; attempts?: number }): Promise<FetchResult<Employee>>;
  /** One position; a vacant or unknown position is `gone`. Options and errors as getEmployee. */
  getPosition(id: string, opts?: { date?: IsoDate; attempts?: number }): Promise<FetchResult<Position>>;
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
export function createDfoSource(clientOptions: DfoClientOptions, opts: DfoSourceOptions = {}): DfoDatasource {
  const client = opts.client ?? createDfoClient(clientOptions);
  const mapping = { ignoreTestNins: opts.ignoreTestNins ?? true };
  return {
    async getEmployee(id, opts) {
      const wanted = requireDfoId(id);
      const res = await client.getEmployee(wanted, opts);
      if (res.kind === 'gone') return { kind: 'gone', reason: res.faultText };
      return pickOne(res.body, 'ansatt', wanted, (raw, where) => toEmployee(parseAnsatt(raw, where), mapping));
    },
    async getPosition(id, opts) {
      const wanted = requireDfoId(id);
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
  name: DfoObjectName,
  wanted: string,
  map: (raw: Record<string, unknown>, where: string) => T,
): FetchResult<T> {
  const items = unwrap(body, name);
  if (items.length === 0) return { kind: 'gone', reason: `DFØ answered without any ${name} object` };
  const mapped = items.map((raw, i) => ({ raw, value: map(raw, items.length === 1 ? name : `${name}[${i}]`) }));
  const hit = mapped.find((m) => m.value.id === wanted);
  if (!hit) {
    const got = mapped.map((m) => m.value.id).join(', ');
    throw new SourceInvalid(`DFØ answered about ${name} ${got} when asked for ${wanted}`, `${name}.id`);
  }
  return { kind: 'found', value: hit.value, raw: hit.raw };
}
