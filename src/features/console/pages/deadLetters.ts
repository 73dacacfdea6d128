/**
 * Dead letters: the newest records of the DLQ with reason, time and the original bytes (decoded
 * where they are text); one dead letter's page offers a re-drive behind a confirmation form (CSRF
 * token and the confirmed coordinates). The work is the dead-letter service's, as for
 * `POST /admin/dead-letters/…/redrive`; every attempt is audited.
 */
import type Router from '@koa/router';
import { AdminError } from '../../adminApi/index.ts';
import type { DeadLetterView } from '../../deadLetters/deadLetters.ts';
import { html } from '../html.ts';
import { table, type PageContext } from '../layout.ts';
import type { ConsoleState } from '../consoleState.ts';
import type { PageDeps } from './deps.ts';
import { instant, pageOf, redirectWithFlash, send } from './render.ts';

const LIMIT = 100;

export function deadLetterPages(router: Router, deps: PageDeps): void {
  router.get('/dead-letters', async (ctx) => {
    const p = pageOf(ctx);
    const { t } = p;
    const list = await deps.deadLetters.list(LIMIT);
    const rows = list.map((d) => html`<tr>
      <td><a href="/console/dead-letters/${d.partition}/${d.offset}">[${d.partition}]@${d.offset}</a></td>
      <td>${instant(d.at)}</td><td>${d.record?.source ?? '–'}</td>
      <td>${d.record?.reason ?? '(not a connector’s record)'}</td>
      <td>${d.record?.routingKey ?? '–'}<br><small>${d.record?.messageId ?? ''}</small></td></tr>`);
    send(ctx, t('dlq.title'), list.length === 0 ? html`<p role="status">${t('dlq.none')}</p>`
      : table(`${t('dlq.title')}: ${list.length}${list.length === LIMIT ? '+' : ''}`, [t('col.offset'), t('col.when'), t('dlq.source'), t('col.reason'), `${t('dlq.routingKey')} / ${t('dlq.messageId')}`], rows));
  });

  router.get('/dead-letters/:partition/:offset', async (ctx) => {
    const p = pageOf(ctx);
    const d = await deps.deadLetters.get(ctx.params.partition, ctx.params.offset);
    send(ctx, `${p.t('dlq.title')} [${d.partition}]@${d.offset}`, detail(p, d));
  });

  router.post('/dead-letters/:partition/:offset/redrive', async (ctx) => {
    const { session, form = {} } = ctx.state as ConsoleState;
    const where = `[${String(ctx.params.partition).slice(0, 8)}]@${String(ctx.params.offset).slice(0, 20)}`;
    if (form.confirm !== `redrive:${ctx.params.partition}:${ctx.params.offset}`) throw new AdminError(400, `confirm first: open /console/dead-letters/${ctx.params.partition}/${ctx.params.offset} and press the button there`);
    const back = `/console/dead-letters/${encodeURIComponent(String(ctx.params.partition))}/${encodeURIComponent(String(ctx.params.offset))}`;
    let r;
    try {
      r = await deps.deadLetters.redrive(ctx.params.partition, ctx.params.offset);
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      await deps.audit.write({ client: session!.client, action: 'dead-letter-redrive', target: `dead letter ${where}`, outcome: 'refused', detail: err.message });
      return redirectWithFlash(ctx, err.status === 404 ? '/console/dead-letters' : back, 'error', err.message);
    }
    const text = `Dead letter ${where} re-driven: ${r.bytes} bytes published to ${r.exchange} with routing key ${r.routingKey}${r.messageId ? ` (message id ${r.messageId})` : ''}.`;
    await deps.audit.write({ client: session!.client, action: 'dead-letter-redrive', target: `dead letter ${where}`, outcome: 'ok', detail: text });
    redirectWithFlash(ctx, back, 'ok', text);
  });
}

function detail(p: PageContext, d: DeadLetterView) {
  const { t } = p;
  const r = d.record;
  const facts = r ? html`<dl class="facts">
      <dt>${t('dlq.reason')}</dt><dd>${r.reason}</dd>
      ${r.reasons && r.reasons.length > 1 ? html`<dt>Reasons</dt><dd><ul>${r.reasons.map((x) => html`<li>${x}</li>`)}</ul></dd>` : ''}
      <dt>${t('dlq.source')}</dt><dd>${r.source}${r.publisher ? ` (publisher ${r.publisher})` : ''}</dd>
      <dt>${t('dlq.exchange')}</dt><dd>${r.exchange ?? '–'}</dd><dt>${t('dlq.routingKey')}</dt><dd>${r.routingKey ?? '–'}</dd>
      <dt>${t('dlq.messageId')}</dt><dd><code>${r.messageId ?? '–'}</code></dd><dt>${t('dlq.contentType')}</dt><dd>${r.contentType ?? '–'}</dd>
      <dt>${t('dlq.received')}</dt><dd>${instant(r.receivedAt)}</dd><dt>${t('dlq.deadLettered')}</dt><dd>${instant(d.at)}</dd>
      <dt>${t('dlq.size')}</dt><dd>${r.bodyBytes} ${t('dlq.bytes')}${r.truncated ? ' (cut: only the first bytes kept)' : ''}</dd>
    </dl>
    <h2>${p.t('col.bytes')}</h2>
    ${d.bodyText !== null ? html`<pre tabindex="0">${d.bodyText}</pre>` : html`<p>${t('dlq.notText')}</p><pre tabindex="0">${r.bodyBase64}</pre>`}`
    : html`<pre tabindex="0">${JSON.stringify(d.value, null, 2)}</pre>`;
  const action = d.redrive === true
    ? html`<form method="post" action="/console/dead-letters/${d.partition}/${d.offset}/redrive" class="confirm">
        <input type="hidden" name="_csrf" value="${p.csrf}">
        <input type="hidden" name="confirm" value="redrive:${d.partition}:${d.offset}">
        <p>Publishes the original ${r!.bodyBytes} bytes again to <code>${r!.exchange}</code> with routing key <code>${r!.routingKey}</code>, as they first arrived. Do it after fixing the cause.</p>
        <button type="submit" class="primary">${p.t('dlq.redrive')}</button>
        <a href="/console/dead-letters">${p.t('confirm.cancel')}</a>
      </form>`
    : html`<p class="note">${t('dlq.cannot')}: ${d.redrive}.</p>`;
  return html`${facts}<h2>${p.t('dlq.redrive')}</h2>${action}`;
}
