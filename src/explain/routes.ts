/**
 * Admin API routes for operators (mounted under `/admin`, admin tokens only):
 *   GET /admin/explain/:who[?at=YYYY-MM-DD&history=N]   why a person has (or lacks) an account
 *   GET /admin/upcoming[?days=N]                        creates, blocks and reactivations ahead
 *   GET /admin/policy                                   the policy in force and its version
 * Any instance answers from its local replicas; while they catch up the answer is 503 + Retry-After.
 */
import { z } from 'zod';
import { AdminError, badRequest, type AdminRoutes } from '../admin/index.ts';
import { LAST_SCHEDULED_DAY } from '../iga/affiliations.ts';
import { osloDate } from '../iga/clock.ts';
import { isIsoDate } from '../iga/dates.ts';
import type { Policy } from '../iga/policy.ts';
import type { AccountIndex } from '../stores/accountIndex.ts';
import { explainPerson } from './explainPerson.ts';
import { resolvePerson } from './lookup.ts';
import type { ExplainReplicas } from './replicas.ts';
import { upcomingReport } from './upcomingReport.ts';

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
const explainQuery = z.object({ at: day.optional(), history: z.coerce.number().int().min(1).max(500).default(20) });
const upcomingQuery = z.object({ days: z.coerce.number().int().min(0).max(MAX_UPCOMING_DAYS).default(7) });
const whoParam = z.string().trim().min(1).max(254).regex(/^[^\s/]+$/, 'an employee number, account id or userName');

export function explainRoutes(deps: ExplainRouteDeps): AdminRoutes {
  const today = () => osloDate(new Date(deps.clock()));
  const requireReady = () => {
    if (deps.replicas.isReady() && deps.accountsReady()) return;
    const lag = deps.replicas.lag();
    throw new AdminError(503, `the local replicas are still catching up${lag > 0 ? ` (${lag} records to go)` : ''}; try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  return (router) => {
    router.get('/policy', (ctx) => {
      ctx.body = { policy: deps.policy, version: deps.policy.version };
    });
    router.get('/explain/:who', async (ctx) => {
      const who = whoParam.safeParse(ctx.params.who);
      if (!who.success) throw badRequest(who.error.issues.map((i) => ({ ...i, path: ['who'] })));
      const q = explainQuery.safeParse(ctx.query);
      if (!q.success) throw badRequest(q.error.issues);
      requireReady();
      const resolved = await resolvePerson(who.data, { index: deps.index, replicas: deps.replicas, emailDomain: deps.emailDomain });
      if (!resolved) throw new AdminError(404, `no person, account or userName matches '${who.data}' (try an employee number, an account id or a userName)`);
      const now = today();
      ctx.body = await explainPerson(deps, { query: who.data, resolved }, now, q.data.at ?? now, q.data.history);
    });
    router.get('/upcoming', async (ctx) => {
      const q = upcomingQuery.safeParse(ctx.query);
      if (!q.success) throw badRequest(q.error.issues);
      requireReady();
      ctx.body = await upcomingReport(deps, today(), q.data.days);
    });
  };
}
