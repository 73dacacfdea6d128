/**
 * Overview: the flow as a picture (a source, the four processors, the accounts, the sinks), each
 * step with its count, rate and what it has left to read; the health of the dependencies and this
 * instance; and plots of the last hours. The live part is a fragment that htmx reloads every few
 * seconds (without scripts the page shows the numbers as of loading); the plots are drawn by
 * console.js with uPlot from `series.json`.
 */
import type Router from '@koa/router';
import { html, type Html } from '../html.ts';
import type { LabelKey } from '../i18n.ts';
import type { PageContext } from '../layout.ts';
import type { OverviewSnapshot } from '../overviewSource.ts';
import type { PageDeps } from './deps.ts';
import { pageOf, send, sendFragment } from './render.ts';

const REFRESH = '3s';
/** Steps with a label of their own in i18n.ts; a driver step keeps its name. */
const FLOW_LABELS = new Set(['ingress', 'A', 'B', 'C', 'D', 'accounts', 'egress']);
const num = (n: number | null) => (n === null ? '–' : n.toLocaleString('en-US'));

export function overviewPages(router: Router, deps: PageDeps): void {
  router.get('/overview', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const snap = await deps.overview.snapshot();
    send(ctx, t('overview.title'), html`
      ${live(p, snap)}
      <section aria-labelledby="h-plots"><h2 id="h-plots">${t('overview.plots')}</h2>
        <div class="plots">
          <figure><figcaption id="p-rate">${t('plot.rates')}</figcaption><div class="plot" data-plot="rates" role="img" aria-labelledby="p-rate"></div></figure>
          <figure><figcaption id="p-lag">${t('plot.behind')}</figcaption><div class="plot" data-plot="behind" role="img" aria-labelledby="p-lag"></div></figure>
          <figure><figcaption id="p-dlq">${t('plot.deadLetters')}</figcaption><div class="plot" data-plot="deadLetters" role="img" aria-labelledby="p-dlq"></div></figure>
        </div>
        <p class="note"><span id="plot-source"></span> <a href="/console/overview/series.json">series.json</a></p>
      </section>`, { scripts: ['htmx.min.js', 'uPlot.min.js', 'console.js'] });
  });

  router.get('/overview/live', async (ctx) => {
    sendFragment(ctx, live(pageOf(ctx), await deps.overview.snapshot()));
  });

  router.get('/overview/series.json', async (ctx) => {
    ctx.body = await deps.overview.plots();
  });
}

/** The part that refreshes itself: the flow and the health. */
function live(p: PageContext, s: OverviewSnapshot): Html {
  const { t } = p;
  const step = (x: OverviewSnapshot['steps'][number]) => html`<li class="step ${x.kind}" data-step="${x.id}">
    <span class="name">${FLOW_LABELS.has(x.id) ? t(`flow.${x.id}` as LabelKey) : x.label}</span>
    <span class="count"><strong data-count>${num(x.count)}</strong> ${x.id === 'accounts' ? t('overview.accounts') : t('overview.processed')}</span>
    ${x.rate !== null ? html`<span class="rate">${x.rate.toFixed(1)} ${t('overview.rate')}</span>` : ''}
    ${x.behind !== null ? html`<span class="lag${x.behind > 0 ? ' behind' : ''}">${num(x.behind)} ${t('overview.lag')}</span>` : ''}
  </li>`;
  const health = (h: OverviewSnapshot['health'][number]) => html`<li class="health ${h.up === null ? 'unknown' : h.up ? 'up' : 'down'}">
    <strong>${h.name}</strong> <span class="pill">${h.up === null ? t('overview.unknown') : h.up ? t('overview.up') : t('overview.down')}</span> <small>${h.detail}</small></li>`;
  return html`<div id="live" hx-get="/console/overview/live" hx-trigger="every ${REFRESH}" hx-swap="outerHTML">
    <section aria-labelledby="h-flow"><h2 id="h-flow">${t('overview.flow')}</h2>
      <ol class="flow">${s.steps.map(step)}</ol>
      <p class="note">${num(s.accounts.active)} / ${num(s.accounts.total)} ${t('overview.accounts')} ${t('overview.activeOf')} · <a href="/console/dead-letters">${t('nav.deadLetters')}</a>: <strong data-dead-letters>${num(s.deadLetters)}</strong> · ${s.at}</p>
    </section>
    <section aria-labelledby="h-health"><h2 id="h-health">${t('overview.health')}</h2><ul class="healthlist">${s.health.map(health)}</ul></section>
  </div>`;
}
