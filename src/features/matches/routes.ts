/**
 * Admin API routes of the person directory's held profiles (mounted under `/admin`, admin tokens only):
 *   GET  /admin/matches                      every held profile: publisher, source id, reason, candidates
 *   GET  /admin/matches/:messageId           one
 *   POST /admin/matches/:messageId/release   body `{"person": "<person key>"}` or `{"newPerson": true}`
 * Any instance answers from its replica of the `held-matches` store. A release names the operator's
 * client (`admin client <name>`, in the tag and in the cause of the decision it leads to) and answers
 * once the directory has taken it (the profile left the replica), or 202 if that took longer than `waitMs`.
 */
import { z } from 'zod';
import { AdminError, badRequest, readJsonBody, type AdminRoutes } from '../adminApi/index.ts';
import { PERSON_KEY, type DirectoryRelease } from '../../topology/contracts/directory.ts';
import { heldMatchView, type HeldMatchView, type MatchesAdmin } from './matchesAdmin.ts';

export interface MatchesList { held: HeldMatchView[] }

export interface MatchReleaseResult {
  messageId: string;
  /** The person it was released to (a new person's key is made by the directory: null here). */
  person: string | null;
  newPerson: boolean;
  /** True once the directory took it; false (HTTP 202) if it had not yet within the wait. */
  applied: boolean;
}

const releaseBody = z.union([
  z.object({ person: z.string().regex(PERSON_KEY, 'a person key: an employee number, or p-<uuid> (see the candidates)') }).strict(),
  z.object({ newPerson: z.literal(true) }).strict(),
]);

export function matchesRoutes(deps: { matches: MatchesAdmin; waitMs?: number }): AdminRoutes {
  const requireReady = () => {
    if (deps.matches.isReady()) return;
    throw new AdminError(503, `the held-matches replica is still catching up (${deps.matches.lag()} records to go); try again shortly`, { headers: { 'Retry-After': '5' } });
  };
  const found = async (messageId: string | undefined) => {
    const h = messageId === undefined ? undefined : await deps.matches.get(messageId);
    if (!h) throw new AdminError(404, `no profile with message id ${JSON.stringify(messageId)} is held (released already? see iga-stream matches list)`);
    return h;
  };
  return (router) => {
    router.get('/matches', async (ctx) => {
      requireReady();
      const list: MatchesList = { held: await deps.matches.held() };
      ctx.body = list;
    });
    router.get('/matches/:messageId', async (ctx) => {
      requireReady();
      ctx.body = heldMatchView(await found(ctx.params.messageId));
    });
    router.post('/matches/:messageId/release', async (ctx) => {
      const body = releaseBody.safeParse(await readJsonBody(ctx));
      if (!body.success) throw badRequest(body.error.issues);
      requireReady();
      const h = await found(ctx.params.messageId);
      const person = 'person' in body.data ? body.data.person : null;
      const to: DirectoryRelease['to'] = person === null ? { newPerson: true } : { person };
      await deps.matches.release(h, to, `admin client ${(ctx.state as { client?: string }).client ?? '?'}`);
      const until = Date.now() + (deps.waitMs ?? 15_000);
      let applied = false;
      while (Date.now() < until) {
        if (!(await deps.matches.get(h.messageId))) { applied = true; break; }
        await new Promise((r) => setTimeout(r, 100));
      }
      const result: MatchReleaseResult = { messageId: h.messageId, person, newPerson: person === null, applied };
      ctx.status = applied ? 200 : 202;
      ctx.body = result;
    });
  };
}
