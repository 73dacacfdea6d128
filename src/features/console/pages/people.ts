/**
 * People: search by name, userName, employee number or account id (persons without an account by
 * name too), and a person's page — the
 * account, the affiliations on a timeline (past, current, future), the verdict on a day ("as of"),
 * every decision with its inputs down to the RabbitMQ message id and the DFØ responses, the notify
 * event each caused, and the changes ahead. All of it is what `explain` answers (explainService).
 */
import type Router from '@koa/router';
import { html, type Html } from '../html.ts';
import type { PageContext } from '../layout.ts';
import { table } from '../layout.ts';
import type { PersonExplanation, HistoryEntry } from '../../explain/explainPerson.ts';
import type { PageDeps } from './deps.ts';
import { instant, jsonBlock, pageOf, send, yesNo } from './render.ts';

const SEARCH_LIMIT = 50;
const ID_LIKE = /^[^\s/]+$/;

export function peoplePages(router: Router, deps: PageDeps): void {
  router.get('/people', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const q = typeof ctx.query.q === 'string' ? ctx.query.q.trim().slice(0, 254) : '';
    const found = q ? deps.explain.searchAccounts(q, SEARCH_LIMIT) : [];
    const withoutAccount = q ? await deps.explain.searchPersonsWithoutAccount(q, SEARCH_LIMIT) : [];
    const rows = found.map((a) => html`<tr>
      <td><a href="/console/people/${encodeURIComponent(a.personId)}">${a.displayName}</a></td>
      <td>${a.userName}</td><td>${a.employeeNumber ?? a.personId}</td><td><code>${a.id}</code></td><td>${yesNo(p, a.active)}</td></tr>`);
    const noAccountRows = withoutAccount.map((x) => html`<tr>
      <td><a href="/console/people/${encodeURIComponent(x.employeeId)}">${x.name}</a></td><td>–</td><td>${x.employeeId}</td><td>${t('person.noAccount')}</td><td>–</td></tr>`);
    const total = found.length + withoutAccount.length;
    const results = !q ? '' : total > 0
      ? table(`${t('people.results')}: ${total}${found.length === SEARCH_LIMIT || withoutAccount.length === SEARCH_LIMIT ? '+' : ''}`, [t('col.name'), t('col.userName'), t('col.employee'), t('col.account'), t('col.active')], [...rows, ...noAccountRows])
      : html`<p role="status">${t('people.none')} “${q}”.${ID_LIKE.test(q) ? html` <a href="/console/people/${encodeURIComponent(q)}">${q}</a>` : ''}</p>`;
    send(ctx, t('people.title'), html`
      <form class="search" method="get" action="/console/people" role="search">
        <label for="q">${t('people.search')}</label>
        <input id="q" name="q" type="search" value="${q}" autocomplete="off">
        <button type="submit">${t('people.find')}</button>
      </form>
      ${results}`);
  });

  router.get('/people/:who', async (ctx) => {
    const p = pageOf(ctx);
    const at = typeof ctx.query.at === 'string' && ctx.query.at !== '' ? ctx.query.at : undefined;
    const x = await deps.explain.explain(ctx.params.who, { history: '100', ...(at ? { at } : {}) });
    send(ctx, x.person.displayName ?? `${p.t('person.title')} ${x.person.employeeId}`, personBody(p, x));
  });
}

function personBody(p: PageContext, x: PersonExplanation): Html {
  const { t } = p;
  const a = x.account;
  const account = a
    ? html`<dl class="facts">
        <dt>${t('col.userName')}</dt><dd>${a.userName}</dd>
        <dt>${t('col.account')}</dt><dd><code>${a.id}</code></dd>
        <dt>${t('col.active')}</dt><dd>${yesNo(p, a.active)}</dd>
        <dt>version</dt><dd>${a.version}</dd>
        <dt>created</dt><dd>${instant(a.created)}</dd><dt>lastModified</dt><dd>${instant(a.lastModified)}</dd></dl>`
    : html`<p>${t('person.noAccount')}</p>`;
  const e = x.evaluation;
  return html`
    <dl class="facts">
      <dt>${t('col.employee')}</dt><dd>${x.person.employeeId}</dd>
      <dt>DFØ</dt><dd>${x.person.knownToDfo ? t('person.knownToDfo') : t('person.unknownToDfo')}${x.person.externalUser ? ` (${t('person.external')})` : ''}</dd>
    </dl>
    <section aria-labelledby="h-account"><h2 id="h-account">${t('person.account')}</h2>${account}</section>
    <section aria-labelledby="h-verdict">
      <h2 id="h-verdict">${t('person.verdict')} ${x.at}</h2>
      <form class="inline" method="get" action="">
        <label for="at">${t('person.asOf')}</label>
        <input id="at" name="at" type="date" value="${x.at}">
        <button type="submit">${t('person.show')}</button>
      </form>
      <p class="verdict"><strong>${e.outcome}</strong> — <code>${e.rule}</code>: ${e.detail}</p>
    </section>
    <section aria-labelledby="h-aff"><h2 id="h-aff">${t('person.affiliations')}</h2>${timeline(p, x)}</section>
    <section aria-labelledby="h-dec"><h2 id="h-dec">${t('person.decisions')} (${x.history.length} / ${x.historyTotal})</h2>
      ${x.history.length === 0 ? html`<p>${t('person.none')}</p>` : table(t('person.decisions'), [t('col.when'), t('col.decision'), t('col.rule'), t('col.cause'), t('col.notify'), t('col.inputs')], x.history.map((h) => decisionRow(p, h)))}
    </section>
    <section aria-labelledby="h-up"><h2 id="h-up">${t('person.upcoming')}</h2>
      ${x.upcoming.length === 0 ? html`<p>${t('person.none')}</p>` : html`<ul>${x.upcoming.map((u) => html`<li><strong>${u.day}</strong> ${u.change}: ${u.why}</li>`)}</ul>`}
    </section>`;
}

/** Affiliations as bars on one time axis, with today's line; each also as a row of text (the bars are decoration). */
function timeline(p: PageContext, x: PersonExplanation): Html {
  const { t } = p;
  const affs = x.evaluation.affiliations;
  if (affs.length === 0) return html`<p>${t('person.none')}</p>`;
  const day = (d: string) => Date.parse(`${d}T00:00:00Z`);
  const horizon = day(x.at) + 2 * 365 * 86_400_000;
  const starts = affs.map((a) => (a.startDate ? day(a.startDate) : day(x.at) - 365 * 86_400_000));
  const from = Math.min(...starts, day(x.at));
  const until = Math.max(...affs.map((a) => (a.endDate && a.endDate < '9999' ? day(a.endDate) : horizon)), day(x.at)) + 86_400_000;
  const pct = (ms: number) => (((ms - from) / (until - from)) * 100).toFixed(2);
  const when = (a: (typeof affs)[number]) => (a.standing === 'counts' ? 'current' : a.standing === 'not-started' ? 'future' : a.standing === 'ended' ? 'past' : 'past');
  const rows = affs.map((a, i) => {
    const s = starts[i]!;
    const e = a.endDate && a.endDate < '9999' ? day(a.endDate) + 86_400_000 : until;
    const kind = when(a);
    return html`<li class="aff ${kind}">
      <span class="label">${t('col.position')} ${a.positionId}: ${a.startDate ?? '…'} – ${a.endDate && a.endDate < '9999' ? a.endDate : '…'} <span class="pill ${kind}">${t(`person.${kind}`)}</span></span>
      <span class="track" aria-hidden="true"><span class="bar ${kind}" style="left:${pct(s)}%;width:${(Number(pct(e)) - Number(pct(s))).toFixed(2)}%"></span><span class="now" style="left:${pct(day(x.at))}%"></span></span>
      <span class="why">${a.why}</span></li>`;
  });
  return html`<ul class="timeline">${rows}</ul>`;
}

function decisionRow(p: PageContext, h: HistoryEntry): Html {
  const { t } = p;
  const c = h.cause;
  const inputs: Html[] = [];
  for (const r of h.dfoResponses) inputs.push(jsonBlock(`${t('person.dfoResponse')}: ${r.resource}/${r.id}`, r.response));
  if (h.rawEvent) inputs.push(jsonBlock(`${t('person.rawEvent')}: ${h.rawEvent.topic}[${h.rawEvent.partition}]@${h.rawEvent.offset}`, h.rawEvent.found ? { key: h.rawEvent.key, value: h.rawEvent.value, headers: h.rawEvent.headers } : h.rawEvent.reason));
  return html`<tr>
    <td>${instant(h.at)}<br><small>today ${h.today}</small></td>
    <td><strong>${h.decision}</strong>${h.brake ? html`<br><small>brake: ${h.brake.status}${h.brake.group ? ` (group ${h.brake.group})` : ''}</small>` : ''}</td>
    <td><code>${h.rule}</code><br><small>${h.detail}</small></td>
    <td>${c.kind} ${c.id}${c.amqpMessageId ? html`<br><small>${t('person.messageId')}: <code>${c.amqpMessageId}</code></small>` : ''}${c.replayRun ? html`<br><small>replayed by ${c.replayRun}</small>` : ''}</td>
    <td>${h.notify ? html`${h.notify.type} <code>${h.notify.eventId}</code>${h.notify.attributes ? html`<br><small>${h.notify.attributes.join(', ')}</small>` : ''}` : '–'}</td>
    <td>${inputs.length > 0 ? inputs : '–'}</td></tr>`;
}
