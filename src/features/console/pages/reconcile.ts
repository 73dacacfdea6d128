/**
 * Reconciliation: the last run in the deployment (from the audit topic, whichever instance ran
 * it), the last run on this instance with the drift it found, the schedule, and a dry run or a real
 * run started from here behind a confirmation form. A run started here reports its progress on the
 * page (refreshed while it runs); the run itself is the same Reconciler as `POST /admin/reconcile`.
 */
import type Router from '@koa/router';
import { z } from 'zod';
import { AdminError } from '../../adminApi/index.ts';
import type { ReconcileProgress, ReconcileReport, RunAuditRecord } from '../../reconcile/index.ts';
import { html, type Html } from '../html.ts';
import { table, type PageContext } from '../layout.ts';
import type { ConsoleState } from '../consoleState.ts';
import type { PageDeps } from './deps.ts';
import { instant, pageOf, redirectWithFlash, send, sendFragment } from './render.ts';

const mode = z.enum(['dry-run', 'repair']);

export function reconcilePages(router: Router, deps: PageDeps): void {
  /** The latest progress line of a run started from the console on this instance. */
  let progress: ReconcileProgress | null = null;
  let failure: string | null = null;

  router.get('/reconcile', async (ctx) => {
    const p = pageOf(ctx);
    send(ctx, p.t('reconcile.title'), html`
      ${await live(p)}
      <section aria-labelledby="h-start"><h2 id="h-start">${p.t('reconcile.start')}</h2>
        <p class="actions"><a class="button" href="/console/reconcile/dry-run">${p.t('reconcile.dry')}</a> <a class="button" href="/console/reconcile/repair">${p.t('reconcile.real')}</a></p>
        <p class="note">${p.t('reconcile.schedule')}: ${deps.reconcile.schedule}.</p>
      </section>`, { scripts: ['htmx.min.js'] });
  });

  router.get('/reconcile/live', async (ctx) => sendFragment(ctx, await live(pageOf(ctx))));

  router.get('/reconcile/:mode', (ctx) => {
    const p = pageOf(ctx);
    const m = mode.safeParse(ctx.params.mode);
    if (!m.success) throw new AdminError(404, `no console page /console/reconcile/${String(ctx.params.mode).slice(0, 40)}`);
    const label = m.data === 'dry-run' ? p.t('reconcile.dry') : p.t('reconcile.real');
    const effect = m.data === 'dry-run'
      ? 'reads DFØ’s collections and the stores and reports the drift; it repairs nothing.'
      : 'reads DFØ’s collections and the stores, reports the drift and sends a repair event for each (the topology then fetches from DFØ as for a missed notification).';
    send(ctx, `${p.t('confirm.title')}: ${label}`, html`<p>The run ${effect}</p>
      <form method="post" action="/console/reconcile/${m.data}" class="confirm">
        <input type="hidden" name="_csrf" value="${p.csrf}">
        <input type="hidden" name="confirm" value="reconcile:${m.data}">
        <button type="submit" class="primary">${label}</button>
        <a href="/console/reconcile">${p.t('confirm.cancel')}</a>
      </form>`);
  });

  router.post('/reconcile/:mode', async (ctx) => {
    const m = mode.safeParse(ctx.params.mode);
    if (!m.success) throw new AdminError(404, `no console page /console/reconcile/${String(ctx.params.mode).slice(0, 40)}`);
    const { session, form = {} } = ctx.state as ConsoleState;
    if (form.confirm !== `reconcile:${m.data}`) throw new AdminError(400, `confirm first: open /console/reconcile/${m.data} and press the button there`);
    const busy = deps.reconcile.running();
    if (busy) {
      const text = `reconciliation run ${busy} is in progress on this instance; wait for it to end`;
      await deps.audit.write({ client: session!.client, action: 'reconcile-start', target: m.data, outcome: 'refused', detail: text });
      return redirectWithFlash(ctx, '/console/reconcile', 'error', text);
    }
    progress = null;
    failure = null;
    // The run goes on after this answer; the page follows it.
    const run = deps.reconcile.run({ dryRun: m.data === 'dry-run', trigger: 'admin', onProgress: (x) => { progress = x; } });
    run.catch((err: unknown) => { failure = err instanceof Error ? err.message : String(err); });
    const runId = deps.reconcile.running();
    const text = `${m.data === 'dry-run' ? 'Dry run' : 'Run'} ${runId ?? ''} started.`;
    await deps.audit.write({ client: session!.client, action: 'reconcile-start', target: runId, outcome: 'ok', detail: text });
    redirectWithFlash(ctx, '/console/reconcile', 'ok', text);
  });

  /** The part that refreshes itself while a run is in progress. */
  async function live(p: PageContext): Promise<Html> {
    const { t } = p;
    const running = deps.reconcile.running();
    const deployment = await deps.reconcile.latestRun();
    const last = deps.reconcile.last();
    const now = running
      ? html`<p role="status" class="flash ok">Run <code>${running}</code> in progress${progress?.runId === running ? html`: ${progress.phase} ${progress.done}${progress.total !== null ? ` / ${progress.total}` : ''}${progress.note ? ` — ${progress.note}` : ''}` : ''}.</p>`
      : failure ? html`<p role="alert" class="flash error">The last run started here failed: ${failure}</p>` : '';
    return html`<div id="reconcile-live"${running ? html` hx-get="/console/reconcile/live" hx-trigger="every 2s" hx-swap="outerHTML"` : ''}>
      ${now}
      <section aria-labelledby="h-dep"><h2 id="h-dep">${t('reconcile.last')} (${t('reconcile.deployment')})</h2>${deployment ? summary(p, deployment) : html`<p>${t('reconcile.never')}</p>`}</section>
      <section aria-labelledby="h-here"><h2 id="h-here">${t('reconcile.last')} (${t('reconcile.here')})</h2>${last ? report(p, last) : html`<p>${t('reconcile.never')}</p>`}</section>
    </div>`;
  }
}

function summary(p: PageContext, r: RunAuditRecord | ReconcileReport): Html {
  const { t } = p;
  const drift = Object.entries(r.drift).filter(([, n]) => n > 0);
  return html`<dl class="facts">
    <dt>${t('reconcile.run')}</dt><dd><code>${r.runId}</code> (${r.dryRun ? 'dry run' : 'repairing'}, ${r.trigger})</dd>
    <dt>${t('reconcile.when')}</dt><dd>${instant(r.startedAt)} – ${instant(r.endedAt)}</dd>
    <dt>${t('reconcile.outcome')}</dt><dd><strong>${r.outcome}</strong>${r.error ? ` — ${r.error}` : ''}</dd>
    <dt>${t('reconcile.compared')}</dt><dd>DFØ ${r.dfo.employees} employees, ${r.dfo.positions} positions; stored ${r.stored.persons} persons, ${r.stored.positions} positions</dd>
    <dt>${t('reconcile.drift')}</dt><dd>${drift.length === 0 ? t('reconcile.none') : drift.map(([k, n]) => `${k} ${n}`).join(', ')}</dd>
    <dt>${t('reconcile.repairs')}</dt><dd>${r.repairEvents} events, ${r.pending} still pending</dd>
  </dl>`;
}

function report(p: PageContext, r: ReconcileReport): Html {
  return html`${summary(p, r)}${r.drifts.length === 0 ? '' : table(`Drift found by ${r.runId}`, ['Kind', 'Subject', p.t('col.detail')], r.drifts.map((d) => html`<tr>
    <td>${d.kind}</td><td>${d.subject.type === 'person' ? html`<a href="/console/people/${d.subject.id}">person ${d.subject.id}</a>` : `position ${d.subject.id}`}</td><td>${d.detail}</td></tr>`))}`;
}
