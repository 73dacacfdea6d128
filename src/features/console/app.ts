/**
 * The operator console under `/console/` on the operations port: a Koa middleware that the admin
 * server mounts beside `/admin`. Server-rendered HTML pages (pages/), a session made from an admin
 * token (sessions.ts; refused sign-ins slowed per address by signInLimiter.ts), a CSRF token and a
 * confirmation page on every state-changing action, and an audit record of every action
 * (operatorAudit.ts). Errors become a page with the message an
 * operator can act on, never a stack trace.
 */
import Router from '@koa/router';
import type { Context, Middleware, Next } from 'koa';
import { z } from 'zod';
import { tokenDigest } from '../../common/tokenRegistry.ts';
import type { Logger } from '../../common/log.ts';
import { AdminError } from '../adminApi/index.ts';
import { loadAssets } from './assets.ts';
import { readForm } from './forms.ts';
import { html } from './html.ts';
import { parseLang, translator } from './i18n.ts';
import { page, type PageContext } from './layout.ts';
import type { OperatorAudit } from './operatorAudit.ts';
import { csrfMatches, SessionStore, type Session } from './sessions.ts';
import { SignInLimiter } from './signInLimiter.ts';
import type { ConsoleState } from './consoleState.ts';
import { consolePages, type ConsoleSources } from './pages/index.ts';

export const SESSION_COOKIE = 'iga_console_session';
const LANG_COOKIE = 'iga_console_lang';

export interface ConsoleOptions extends ConsoleSources {
  tokens: { authenticate(token: string): string | undefined; authenticateDigest(digest: Buffer): string | undefined; readonly size: number };
  audit: Pick<OperatorAudit, 'write'>;
  sessionTtlMs: number;
  /** Mark the cookie Secure (behind TLS). Requests that arrive over TLS get it anyway. */
  secureCookie: boolean;
  log: Logger;
  now?: () => number;
}

const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const signInForm = z.object({ token: z.string().trim().min(1, 'enter an admin token').max(4096) });

export function consoleMiddleware(opts: ConsoleOptions): Middleware {
  const assets = loadAssets();
  // Without its audit record an action must not pass silently: a failed write is a clear 503.
  const audit: Pick<OperatorAudit, 'write'> = {
    async write(r) {
      try {
        await opts.audit.write(r);
      } catch (err) {
        opts.log.error({ err, action: r.action, client: r.client, outcome: r.outcome }, 'operator action not audited');
        throw new AdminError(503, `the audit record of this ${r.action} (${r.outcome}) could not be written to Kafka (${err instanceof Error ? err.message : String(err)}); check Kafka, then the result, before trying again`);
      }
    },
  };
  const sessions = new SessionStore({ ttlMs: opts.sessionTtlMs, clientOf: (d) => opts.tokens.authenticateDigest(d), ...(opts.now ? { now: opts.now } : {}) });
  const limiter = new SignInLimiter({ max: 10, windowMs: 60_000, ...(opts.now ? { now: opts.now } : {}) });
  const router = new Router({ prefix: '/console' });
  const cookieOpts = (ctx: Context) => ({ httpOnly: true, sameSite: 'strict' as const, path: '/console', secure: opts.secureCookie || ctx.protocol === 'https', overwrite: true });

  const pageContext = (ctx: Context, session: Session | null): PageContext => {
    const lang = parseLang(ctx.cookies.get(LANG_COOKIE));
    // A page's own refresh (htmx) leaves the message for the page it belongs to.
    const refresh = ctx.get('HX-Request') === 'true';
    const flash = refresh ? undefined : session?.flash;
    if (session && !refresh) delete session.flash;
    return { lang, t: translator(lang), path: ctx.path, client: session?.client ?? null, csrf: session?.csrf ?? null, flash };
  };
  const state = (ctx: Context) => ctx.state as ConsoleState;

  /** Errors as pages: AdminError's message and status; anything else a bare 500 (logged). */
  const errors = async (ctx: Context, next: Next) => {
    ctx.set('Content-Security-Policy', CSP);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.set('Referrer-Policy', 'no-referrer');
    ctx.set('Cache-Control', 'no-store');
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new AdminError(404, `no console page ${ctx.path.slice(0, 80)}`);
    } catch (err) {
      const known = err instanceof AdminError;
      if (!known) opts.log.error({ err, path: ctx.path, method: ctx.method }, 'console request failed');
      const p = state(ctx).page ?? pageContext(ctx, null);
      ctx.status = known ? err.status : 500;
      if (known) for (const [k, v] of Object.entries(err.headers)) if (k.toLowerCase() !== 'www-authenticate') ctx.set(k, v);
      const message = known ? err.message : 'Internal error (written to the service log)';
      ctx.type = 'text/html; charset=utf-8';
      ctx.body = page(p, p.t('error.title'), html`<p class="flash error" role="alert">${ctx.status}: ${message}</p>
        <p><a href="${p.client ? '/console/overview' : '/console/sign-in'}">${p.client ? p.t('nav.overview') : p.t('signIn.title')}</a></p>`).text;
    }
  };

  const signInPage = (ctx: Context, status: number, message: { kind: 'ok' | 'error'; text: string } | undefined) => {
    const p = { ...pageContext(ctx, null), flash: message };
    const { t } = p;
    ctx.status = status;
    ctx.type = 'text/html; charset=utf-8';
    ctx.body = page(p, t('signIn.title'), html`
      <form class="card" method="post" action="/console/sign-in">
        <p id="token-help">${t('signIn.help')}</p>
        <label for="token">${t('signIn.token')}</label>
        <input id="token" name="token" type="password" autocomplete="off" required aria-describedby="token-help">
        <button type="submit">${t('signIn.submit')}</button>
      </form>`).text;
  };

  /** A cross-site POST carries a foreign Origin: refused before anything else is read. */
  const sameOrigin = (ctx: Context) => {
    const origin = ctx.get('Origin');
    // Our own origin from the request line (Koa 3's ctx.origin is not it).
    if (origin && origin !== 'null' && origin !== `${ctx.protocol}://${ctx.host}`) throw new AdminError(403, `cross-site request refused (Origin ${origin.slice(0, 80)})`);
  };

  router.get('/assets/:name', (ctx) => {
    const a = assets.get(ctx.params.name ?? '');
    if (!a) throw new AdminError(404, `no asset ${String(ctx.params.name).slice(0, 80)}`);
    ctx.set('Cache-Control', 'public, max-age=300');
    ctx.set('ETag', a.etag);
    if (ctx.get('If-None-Match') === a.etag) { ctx.status = 304; return; }
    ctx.type = a.type;
    ctx.body = a.body;
  });
  router.get('/lang', (ctx) => {
    const to = parseLang(typeof ctx.query.to === 'string' ? ctx.query.to : undefined);
    const back = typeof ctx.query.back === 'string' && /^\/console\/[\w\-/.]*$/.test(ctx.query.back) ? ctx.query.back : '/console/overview';
    ctx.cookies.set(LANG_COOKIE, to, { httpOnly: true, sameSite: 'strict', path: '/console', maxAge: 365 * 86_400_000 });
    ctx.redirect(back);
  });
  router.get('/sign-in', (ctx) => {
    const why = ctx.query.why;
    const t = translator(parseLang(ctx.cookies.get(LANG_COOKIE)));
    signInPage(ctx, 200, why === 'expired' || why === 'revoked' ? { kind: 'error', text: t('signIn.expired') } : why === 'signed-out' ? { kind: 'ok', text: t('signIn.signedOut') } : undefined);
  });
  router.post('/sign-in', async (ctx) => {
    sameOrigin(ctx);
    const wait = limiter.waitSeconds(ctx.ip);
    if (wait > 0) throw new AdminError(429, `too many refused sign-ins from ${ctx.ip}; try again in ${wait} s`, { headers: { 'Retry-After': String(wait) } });
    const form = signInForm.safeParse(await readForm(ctx));
    const t = translator(parseLang(ctx.cookies.get(LANG_COOKIE)));
    if (!form.success) return signInPage(ctx, 400, { kind: 'error', text: form.error.issues.map((i) => i.message).join('; ') });
    const client = opts.tokens.size > 0 ? opts.tokens.authenticate(form.data.token) : undefined;
    if (!client) {
      limiter.refused(ctx.ip);
      await audit.write({ client: null, action: 'sign-in-refused', target: null, outcome: 'refused', detail: `from ${ctx.ip}` });
      return signInPage(ctx, 401, { kind: 'error', text: t('signIn.bad') });
    }
    const session = sessions.create(client, tokenDigest(form.data.token));
    await audit.write({ client, action: 'sign-in', target: null, outcome: 'ok', detail: `from ${ctx.ip}` });
    ctx.cookies.set(SESSION_COOKIE, session.id, { ...cookieOpts(ctx), maxAge: opts.sessionTtlMs });
    ctx.redirect('/console/overview');
  });

  /** Every other console route needs a live session; a POST also needs its CSRF token. */
  const requireSession = async (ctx: Context, next: Next) => {
    const check = sessions.check(ctx.cookies.get(SESSION_COOKIE));
    if (!('session' in check)) {
      ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOpts(ctx), maxAge: 0 });
      const signIn = `/console/sign-in${check.problem === 'none' ? '' : `?why=${check.problem}`}`;
      // A page's own refresh (htmx) takes the whole page to the sign-in, with the reason.
      if (ctx.get('HX-Request') === 'true') { ctx.set('HX-Redirect', signIn); ctx.status = 200; ctx.body = ''; return; }
      if (ctx.method === 'GET') return ctx.redirect(signIn);
      throw new AdminError(401, check.problem === 'none' ? 'sign in first (/console/sign-in)' : 'your session has expired or was revoked; sign in again (/console/sign-in)');
    }
    if (ctx.method === 'POST') {
      sameOrigin(ctx);
      const form = await readForm(ctx);
      if (!csrfMatches(check.session, form._csrf)) throw new AdminError(403, 'this form has no valid CSRF token; reload the page and try again');
      ctx.state.form = form;
    }
    state(ctx).session = check.session;
    state(ctx).page = pageContext(ctx, check.session);
    await next();
  };

  const authed = new Router({ prefix: '/console' });
  authed.use(requireSession);
  authed.get('/', (ctx) => ctx.redirect('/console/overview'));
  authed.post('/sign-out', async (ctx) => {
    const s = state(ctx).session!;
    sessions.end(s.id);
    await audit.write({ client: s.client, action: 'sign-out', target: null, outcome: 'ok', detail: '' });
    ctx.cookies.set(SESSION_COOKIE, '', { ...cookieOpts(ctx), maxAge: 0 });
    ctx.redirect('/console/sign-in?why=signed-out');
  });
  consolePages(authed, { ...opts, audit });

  const inner = [router.routes(), router.allowedMethods(), authed.routes(), authed.allowedMethods()] as Middleware[];
  return async (ctx, next) => {
    if (ctx.path !== '/console' && !ctx.path.startsWith('/console/')) return next();
    if (ctx.path === '/console') return ctx.redirect('/console/');
    await errors(ctx, async () => {
      let i = 0;
      const run = async (): Promise<void> => { const m = inner[i++]; if (m) await m(ctx, run); };
      await run();
    });
  };
}
