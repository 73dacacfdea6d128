/**
 * The page shell every console page shares: language, skip link, header with the navigation and
 * the operator's name, the main landmark, and the flash message. Scripts come from our own
 * origin only (assets.ts); pages work without them, the scripts only refresh and plot.
 */
import { html, type Html } from './html.ts';
import type { LabelKey, Lang, Translate } from './i18n.ts';

export interface PageContext {
  lang: Lang;
  t: Translate;
  /** The request path (for the current navigation entry and the language switch). */
  path: string;
  /** Signed-in client, or null on the sign-in page. */
  client: string | null;
  csrf: string | null;
  flash?: { kind: 'ok' | 'error'; text: string } | undefined;
}

const NAV: Array<[path: string, label: LabelKey]> = [
  ['/console/overview', 'nav.overview'], ['/console/people', 'nav.people'], ['/console/upcoming', 'nav.upcoming'],
  ['/console/held', 'nav.held'], ['/console/dead-letters', 'nav.deadLetters'], ['/console/reconcile', 'nav.reconcile'],
];

/** A whole page; `title` becomes the document title and the page's h1. */
export function page(p: PageContext, title: string, body: Html, opts: { scripts?: string[] } = {}): Html {
  const { t } = p;
  const other = p.lang === 'en' ? { code: 'nb', label: 'Norsk' } : { code: 'en', label: 'English' };
  const nav = p.client ? html`
    <nav aria-label="${t('app.title')}"><ul>
      ${NAV.map(([href, label]) => html`<li><a href="${href}"${p.path.startsWith(href) ? html` aria-current="page"` : ''}>${t(label)}</a></li>`)}
    </ul></nav>
    <form class="who" method="post" action="/console/sign-out">
      <span>${t('signedInAs')} <strong>${p.client}</strong></span>
      <input type="hidden" name="_csrf" value="${p.csrf}">
      <button type="submit">${t('nav.signOut')}</button>
    </form>` : '';
  return html`<!doctype html>
<html lang="${p.lang === 'nb' ? 'nb' : 'en'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false}'>
<title>${title} · ${t('app.title')}</title>
<link rel="stylesheet" href="/console/assets/console.css">
${(opts.scripts ?? []).includes('uPlot.min.js') ? html`<link rel="stylesheet" href="/console/assets/uPlot.min.css">` : ''}
${(opts.scripts ?? []).map((s) => html`<script src="/console/assets/${s}" defer></script>`)}
</head>
<body>
<a class="skip" href="#main">${t('nav.skip')}</a>
<header>
  <a class="brand" href="/console/overview">${t('app.title')}</a>
  ${nav}
  <a class="lang" href="/console/lang?to=${other.code}&amp;back=${encodeURIComponent(p.path)}" lang="${other.code}">${other.label}</a>
</header>
<main id="main" tabindex="-1">
<h1>${title}</h1>
${p.flash ? html`<p class="flash ${p.flash.kind}" role="${p.flash.kind === 'error' ? 'alert' : 'status'}">${p.flash.text}</p>` : ''}
${body}
</main>
</body>
</html>`;
}

/** A table that scrolls sideways on a narrow screen instead of widening the page. */
export function table(caption: string, head: string[], rows: Html[]): Html {
  return html`<div class="scroll" role="region" aria-label="${caption}" tabindex="0"><table>
<caption>${caption}</caption>
<thead><tr>${head.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows}</tbody>
</table></div>`;
}
