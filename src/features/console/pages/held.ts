/**
 * Held changes: the groups of blocks the mass-change brake holds, each with its reason and its
 * blocks; release or discard one through a confirmation page (a form with the CSRF token and the
 * confirmed action). The work is brakeService's, as for `iga-stream brake`; every attempt is audited.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AdminError } from '../../adminApi/index.ts';
import type { BrakeGroupView } from '../../brake/brakeAdmin.ts';
import { html } from '../html.ts';
import { table, type PageContext } from '../layout.ts';
import type { ConsoleState } from '../consoleState.ts';
import type { PageDeps } from './deps.ts';
import { instant, pageOf, redirectWithFlash, send } from './render.ts';

const action = z.enum(['release', 'discard']);

export function heldPages(router: Router, deps: PageDeps): void {
  router.get('/held', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const list = await deps.brake.list();
    const limits = html`<p class="note">${t('held.limits')}: IGA_BRAKE_MAX_BLOCKS ${list.limits.maxBlocks}${list.limits.maxShare > 0 ? `, IGA_BRAKE_MAX_SHARE ${(list.limits.maxShare * 100).toFixed(1)} % (${list.activeAccounts ?? '?'} ${t('overview.accounts')} ${t('overview.activeOf')})` : ''}; ${t('held.approved')}: ${list.approvedInWindow}.</p>`;
    const held = list.pending.length === 0 ? html`<p role="status">${t('held.none')}</p>` : list.pending.map((g) => groupSection(p, g, true));
    const collecting = list.collecting.length === 0 ? '' : html`<h2>${t('held.collecting')}</h2>${list.collecting.map((g) => groupSection(p, g, false))}`;
    send(ctx, t('held.title'), html`${limits}${held}${collecting}`);
  });

  router.get('/held/:group/:action', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const act = action.safeParse(ctx.params.action);
    if (!act.success) throw new AdminError(404, `no action '${String(ctx.params.action).slice(0, 40)}' (release or discard)`);
    const g = await deps.brake.group(ctx.params.group);
    const verb = act.data === 'release' ? t('held.release') : t('held.discard');
    const effect = act.data === 'release'
      ? `the ${g.size} blocks are applied: each account is blocked if the rules still say so.`
      : `the ${g.size} blocks are dropped: the accounts stay as they are, and the same inputs are not proposed again.`;
    send(ctx, `${t('confirm.title')}: ${verb} ${t('col.group').toLowerCase()} ${g.id}`, html`
      <p>${g.reason ?? ''}</p><p><strong>${verb}</strong>: ${effect}</p>
      <form method="post" action="/console/held/${g.id}/${act.data}" class="confirm">
        <input type="hidden" name="_csrf" value="${p.csrf}">
        <input type="hidden" name="confirm" value="${act.data}:${g.id}">
        <button type="submit" class="${act.data === 'discard' ? 'danger' : 'primary'}">${verb} ${g.size} ${t('col.blocks').toLowerCase()}</button>
        <a href="/console/held">${t('confirm.cancel')}</a>
      </form>`);
  });

  router.post('/held/:group/:action', async (ctx) => {
    const act = action.safeParse(ctx.params.action);
    if (!act.success) throw new AdminError(404, `no action '${String(ctx.params.action).slice(0, 40)}' (release or discard)`);
    const group = String(ctx.params.group);
    const { session, form = {} } = ctx.state as ConsoleState;
    if (form.confirm !== `${act.data}:${group}`) throw new AdminError(400, `confirm first: open /console/held/${group.slice(0, 20)}/${act.data} and press the button there`);
    const kind = act.data === 'release' ? 'brake-release' : 'brake-discard';
    let r;
    try {
      r = await deps.brake.act(group, act.data, `console operator ${session!.client}`);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await deps.audit.write({ client: session!.client, action: kind, target: `brake group ${group.slice(0, 20)}`, outcome: 'refused', detail: err.message });
      return redirectWithFlash(ctx, '/console/held', 'error', err.message);
    }
    const text = `Group ${r.group}: ${r.blocks} blocks ${r.action}${r.applied ? '' : ' (sent; the brake has not taken it yet)'}.`;
    await deps.audit.write({ client: session!.client, action: kind, target: `brake group ${group}`, outcome: 'ok', detail: text });
    redirectWithFlash(ctx, '/console/held', 'ok', text);
  });
}

function groupSection(p: PageContext, g: BrakeGroupView, held: boolean) {
  const { t } = p;
  return html`<section class="card" aria-labelledby="g-${g.id}">
    <h2 id="g-${g.id}">${t('col.group')} ${g.id}: ${g.size} ${t('col.blocks').toLowerCase()}</h2>
    <p>${g.reason ?? ''}</p>
    <p class="note">${t('col.cause')}: ${g.cause.kind} ${g.cause.id}${g.heldAt ? ` · ${t('col.heldSince')} ${instant(g.heldAt)}` : ''}</p>
    ${held ? html`<p class="actions"><a class="button primary" href="/console/held/${g.id}/release">${t('held.release')}</a> <a class="button danger" href="/console/held/${g.id}/discard">${t('held.discard')}</a></p>` : ''}
    ${table(`${t('held.members')} (${t('col.group').toLowerCase()} ${g.id})`, [t('col.employee'), t('col.userName'), t('col.account')], g.members.map((m) => html`<tr><td><a href="/console/people/${m.employeeId}">${m.employeeId}</a></td><td>${m.userName ?? '–'}</td><td><code>${m.accountId ?? '–'}</code></td></tr>`))}
  </section>`;
}
