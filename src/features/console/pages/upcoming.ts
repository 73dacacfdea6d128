/**
 * Upcoming: the creates, blocks and reactivations the date timers will make in the next N days,
 * by day, each with its reason (upcomingReport through explainService, as `iga-stream upcoming`).
 */
import type Router from '@koa/router';
import { html } from '../html.ts';
import { table } from '../layout.ts';
import type { UpcomingChange } from '../../../iga/upcoming.ts';
import type { PageDeps } from './deps.ts';
import { pageOf, send } from './render.ts';

export function upcomingPages(router: Router, deps: PageDeps): void {
  router.get('/upcoming', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const days = typeof ctx.query.days === 'string' && ctx.query.days !== '' ? ctx.query.days : '14';
    const r = await deps.explain.upcoming({ days });
    const byDay = new Map<string, UpcomingChange[]>();
    for (const c of r.changes) byDay.set(c.day, [...(byDay.get(c.day) ?? []), c]);
    const sections = [...byDay].map(([day, changes]) => html`<section aria-labelledby="d-${day}">
      <h2 id="d-${day}">${day}</h2>
      ${table(day, [t('col.change'), t('col.name'), t('col.userName'), t('col.reason')], changes.map((c) => html`<tr>
        <td><span class="pill ${c.change}">${c.change}</span></td>
        <td><a href="/console/people/${c.employeeId}">${c.displayName ?? c.employeeId}</a></td>
        <td>${c.userName ?? '–'}</td><td>${c.why}</td></tr>`))}</section>`);
    send(ctx, t('upcoming.title'), html`
      <form class="inline" method="get" action="/console/upcoming">
        <label for="days">${t('upcoming.days')}</label>
        <input id="days" name="days" type="number" min="0" max="366" value="${r.days}">
        <button type="submit">${t('person.show')}</button>
      </form>
      <p class="note">${r.today} – ${r.until}: ${r.summary.create} / ${r.summary.block} / ${r.summary.reactivate} (${t('upcoming.summary')}; policy ${r.policyVersion}).</p>
      ${sections.length === 0 ? html`<p role="status">${t('upcoming.none')}</p>` : sections}`);
  });
}
