/** Small pieces the pages share: sending a page, yes/no, JSON shown as a readable block, dates. */
import type { Context } from 'koa';
import { html, type Html } from '../html.ts';
import { page, type PageContext } from '../layout.ts';
import type { ConsoleState } from '../consoleState.ts';

export const pageOf = (ctx: Context): PageContext => (ctx.state as ConsoleState).page;

export function send(ctx: Context, title: string, body: Html, opts: { scripts?: string[]; status?: number } = {}): void {
  ctx.status = opts.status ?? 200;
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = page(pageOf(ctx), title, body, opts.scripts ? { scripts: opts.scripts } : {}).text;
}

/** A fragment (htmx swaps it into the page). */
export function sendFragment(ctx: Context, body: Html): void {
  ctx.type = 'text/html; charset=utf-8';
  ctx.body = body.text;
}

export const yesNo = (p: PageContext, v: boolean) => html`<span class="pill ${v ? 'yes' : 'no'}">${p.t(v ? 'yes' : 'no')}</span>`;

/** A JSON value in a disclosure: closed by default, so long DFØ bodies do not bury the page. */
export const jsonBlock = (summary: string, value: unknown) => html`<details><summary>${summary}</summary><pre tabindex="0">${JSON.stringify(value, null, 2)}</pre></details>`;

/** `2026-03-02T09:00:01.123Z` → `2026-03-02 09:00:01 UTC`. */
export const instant = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC` : '–');

/** Redirects after a POST, with a message for the next page (kept in the session). */
export function redirectWithFlash(ctx: Context, to: string, kind: 'ok' | 'error', text: string): void {
  const s = (ctx.state as ConsoleState).session;
  if (s) s.flash = { kind, text };
  ctx.redirect(to);
}
