/**
 * Explain and upcoming as functions, shared by the JSON admin API (routes.ts) and the operator
 * console: each validates its input, refuses while the local replicas catch up (503) and throws
 * AdminError with a message an operator can act on.
 */
import { z } from 'zod';
import { AdminError, badRequest } from '../adminApi/index.ts';
import { LAST_SCHEDULED_DAY } from '../../iga/affiliations.ts';
import { osloDate } from '../../iga/clock.ts';
import { isIsoDate } from '../../iga/dates.ts';
import type { Account } from '../../iga/model.ts';
import type { Policy } from '../../iga/policy.ts';
import type { AccountIndex } from '../../scim/accountIndex.ts';
import { explainPerson, type PersonExplanation } from './explainPerson.ts';
import { resolvePerson } from './lookup.ts';
import type { ExplainReplicas } from './replicas.ts';
import { upcomingReport, type UpcomingReport } from './upcomingReport.ts';

export interface ExplainRouteDeps {
  replicas: ExplainReplicas;
  index: AccountIndex;
  /** True once the SCIM account replica caught up (accounts are looked up there). */
  accountsReady: () => boolean;
  policy: Policy;
  emailDomain: string;
  /** Epoch ms; the service's (injectable) clock. */
  clock: () => number;
}

/** Upper bound of `days`: a year and a day. */
export const MAX_UPCOMING_DAYS = 366;

const day = z.string().refine(isIsoDate, 'expected a date YYYY-MM-DD').refine((d) => d >= '1900-01-01' && d <= LAST_SCHEDULED_DAY, `expected a date from 1900-01-01 to ${LAST_SCHEDULED_DAY}`);
export const explainQuery = z.object({ at: day.optional(), history: z.coerce.number().int().min(1).max(500).default(20) });
export const upcomingQuery = z.object({ days: z.coerce.number().int().min(0).max(MAX_UPCOMING_DAYS).default(7) });
const whoParam = z.string().trim().min(1).max(254).regex(/^[^\s/]+$/, 'an employee number, account id or userName');

export interface ExplainService {
  /** The explanation of `who` (employee number, account id or userName); 400/404/503 as AdminError. */
  explain(who: unknown, query: unknown): Promise<PersonExplanation>;
  /** Creates, blocks and reactivations ahead; 400/503 as AdminError. */
  upcoming(query: unknown): Promise<UpcomingReport>;
  /** Accounts whose display name, userName or employee number contains `text` (case-insensitive), at most `limit`. */
  searchAccounts(text: string, limit: number): Readonly<Account>[];
  /**
   * Stored persons without an account whose name contains `text` (case-insensitive), at most
   * `limit`, reading at most `scanLimit` persons: who should have an account and has none.
   */
  searchPersonsWithoutAccount(text: string, limit: number, scanLimit?: number): Promise<Array<{ employeeId: string; name: string }>>;
}

export function explainService(deps: ExplainRouteDeps): ExplainService {
  const today = () => osloDate(new Date(deps.clock()));
  const requireReady = () => {
    if (deps.replicas.isReady() && deps.accountsReady()) return;
    const lag = deps.replicas.lag();
    throw new AdminError(503, `the local replicas are still catching up${lag > 0 ? ` (${lag} records to go)` : ''}; try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  return {
    async explain(rawWho, rawQuery) {
      const who = whoParam.safeParse(rawWho);
      if (!who.success) throw badRequest(who.error.issues.map((i) => ({ ...i, path: ['who'] })));
      const q = explainQuery.safeParse(rawQuery);
      if (!q.success) throw badRequest(q.error.issues);
      requireReady();
      const resolved = await resolvePerson(who.data, { index: deps.index, replicas: deps.replicas, emailDomain: deps.emailDomain });
      if (!resolved) throw new AdminError(404, `no person, account or userName matches '${who.data}' (try an employee number, an account id or a userName)`);
      const now = today();
      return explainPerson(deps, { query: who.data, resolved }, now, q.data.at ?? now, q.data.history);
    },
    async upcoming(rawQuery) {
      const q = upcomingQuery.safeParse(rawQuery);
      if (!q.success) throw badRequest(q.error.issues);
      requireReady();
      return upcomingReport(deps, today(), q.data.days);
    },
    searchAccounts(text, limit) {
      const needle = text.trim().toLowerCase();
      if (!needle) return [];
      const found: Readonly<Account>[] = [];
      for (const a of deps.index.values()) {
        if (a.displayName.toLowerCase().includes(needle) || a.userName.toLowerCase().includes(needle) || (a.employeeNumber ?? '').includes(needle) || a.personId === needle) found.push(a);
        if (found.length >= limit) break;
      }
      return found;
    },
    async searchPersonsWithoutAccount(text, limit, scanLimit = 200_000) {
      const needle = text.trim().toLowerCase();
      if (!needle || !deps.replicas.isReady()) return [];
      const found: Array<{ employeeId: string; name: string }> = [];
      let read = 0;
      for await (const [employeeId, p] of deps.replicas.persons.range()) {
        if (++read > scanLimit || found.length >= limit) break;
        const name = p.employee ? `${p.employee.givenName} ${p.employee.familyName}` : '';
        if (name.toLowerCase().includes(needle) && deps.index.idsByPersonId(employeeId).size === 0) found.push({ employeeId, name });
      }
      return found;
    },
  };
}
