/**
 * The operator console in a real headless Chromium (Debian's, driven by Playwright) against the
 * real service on the real Kafka broker and RabbitMQ, with the DFØ simulator: sign in with an
 * admin token, watch the overview's counts move while notifications are published, find a person
 * and read their decisions, release a held mass block and see the accounts blocked, refuse forms
 * without a CSRF token, end a session when its token is revoked, and audit every action with the
 * operator's name. axe-core checks every page for serious and critical violations. With
 * IGA_SCREENSHOTS=1 the test also writes each page's screenshot to docs/console/ (the README's).
 */
import { afterAll, beforeAll, describe, test } from 'vitest';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { amqpUrl, eventually } from '../support/brokers.ts';
import { launchChromium, screenshot, seriousA11yViolations } from '../support/browser.ts';
import { ADMIN_TOKEN, ansatt, startStack, stilling, type Stack } from './stack.ts';
import { topicNames } from '../../src/topology/contracts/topics.ts';

const MASS = '30000301'; // 6 holders: over the brake's limit of 5
const TEAM = '30000302'; // Kari and Ola
const FUTURE = '30000306'; // a hire who starts in September: stored, no account yet
const LATER = '30000303'; // published while the overview is open
const MISSED = '30000305'; // a hire without a notification: reconciliation finds it
const BIG = '30000304'; // its notification is over the ingress's size limit until the limit is raised
const OPEN = '9999-12-31';
const REVOCABLE = 'console-revocable-token-0123456789';
const SHOTS = process.env.IGA_SCREENSHOTS === '1';
const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));

describe('operator console in a browser', () => {
  let s: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let tokensFile: string;
  const url = (path: string) => `${s.service.adminUrl}${path}`;

  /** axe on the page as it is now: no serious or critical violation. */
  const accessible = async (p: Page, name: string) => {
    assert.deepEqual(await seriousA11yViolations(p), [], `accessibility of ${name}`);
    if (SHOTS) await screenshot(p, name);
  };
  const signIn = async (p: Page, token: string) => {
    await p.goto(url('/console/sign-in'));
    await p.getByLabel('Admin token').fill(token);
    await p.getByRole('button', { name: 'Sign in' }).click();
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iga-console-'));
    tokensFile = join(dir, 'admin-tokens');
    await writeFile(tokensFile, `revocable:${REVOCABLE}\n`);
    s = await startStack({
      start: '2026-03-02T09:00:00Z',
      // IGA_AMQP_MAX_BODY_BYTES: the smallest limit there is, so one padded notification is dead-lettered.
      env: { IGA_AMQP_MAX_BODY_BYTES: '256', IGA_BRAKE_MAX_BLOCKS: '5', IGA_BRAKE_MAX_SHARE: '0', IGA_BRAKE_SETTLE_MS: '2000', IGA_CONSOLE_SAMPLE_SECONDS: '1', IGA_ADMIN_TOKENS_FILE: tokensFile },
    });
    await s.sim.upsertEmployee(ansatt('310001', 'Kari', 'Nordmann'));
    await s.sim.upsertEmployee(ansatt('310002', 'Ola', 'Nordmann'));
    await s.sim.upsertPosition(stilling(TEAM, [['310001', '2020-01-01', OPEN], ['310002', '2020-01-01', '2026-06-30']]));
    await s.sim.publish('stillinger', TEAM);
    await s.sim.upsertEmployee(ansatt('310003', 'Siri', 'Fremtid'));
    await s.sim.upsertPosition(stilling(FUTURE, [['310003', '2026-09-01', OPEN]]));
    await s.sim.publish('stillinger', FUTURE);
    for (const h of ids(320001, 6)) await s.sim.upsertEmployee(ansatt(h, `Navn${h.slice(-2)}`, 'Masse'));
    await s.sim.upsertPosition(stilling(MASS, ids(320001, 6).map((h) => [h, '2020-01-01', OPEN])));
    await s.sim.publish('stillinger', MASS);
    await eventually('8 CREATE events', () => s.events.filter((e) => e.body.type === 'CREATE').length >= 8);
    await s.quiesce();
    browser = await launchChromium();
    // bypassCSP lets the test inject axe-core; the console's own pages run under its CSP.
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
    page = await context.newPage();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('sign-in: a wrong token is refused with a message; an admin token gives an HttpOnly, SameSite=Strict, expiring session cookie', async () => {
    await page.goto(url('/console/people'));
    assert.match(page.url(), /\/console\/sign-in$/, 'a page without a session sends to the sign-in');
    await accessible(page, 'sign-in');
    await signIn(page, 'not-a-token-of-this-service');
    assert.match(await page.getByRole('alert').innerText(), /not an admin token of this service/);
    // By keyboard alone: the first Tab reaches the skip link, the token field takes the token, Enter signs in.
    await page.goto(url('/console/sign-in'));
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate<string>('document.activeElement.textContent'), 'Skip to content');
    await page.getByLabel('Admin token').focus();
    await page.keyboard.type(ADMIN_TOKEN);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/console\/overview$/);
    assert.match(await page.locator('header .who').innerText(), /Signed in as ops/);
    const cookie = (await context.cookies()).find((c) => c.name === 'iga_console_session')!;
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/console');
    assert.ok(cookie.expires > Date.now() / 1000 && cookie.expires < Date.now() / 1000 + 8 * 3600 + 60, 'expires within IGA_CONSOLE_SESSION_MINUTES');
  });

  test('overview: the flow, health and plots; the counts move while notifications are published', async () => {
    await page.goto(url('/console/overview'));
    const count = async (step: string) => Number((await page.locator(`[data-step="${step}"] [data-count]`).innerText()).replace(/,/g, ''));
    const before = { ingress: await count('ingress'), A: await count('A') };
    assert.ok(before.ingress >= 2 && before.A >= 2, `counts so far: ${JSON.stringify(before)}`);
    const health = await page.locator('.healthlist').innerText();
    assert.match(health, /Kafka\s+up/);
    assert.match(health, /Instance e2e-1\s+up\s+ready, up \d+ s \(this one\)/);
    assert.doesNotMatch(health, /did not list/, 'Kafka lists the group members');
    await page.locator('.plot canvas').first().waitFor({ timeout: 15_000 });
    await accessible(page, 'overview');
    for (const h of ids(330001, 3)) await s.sim.upsertEmployee(ansatt(h, `Sen${h.slice(-1)}`, 'Ere'));
    await s.sim.upsertPosition(stilling(LATER, ids(330001, 3).map((h) => [h, '2020-01-01', OPEN])));
    await s.sim.publish('stillinger', LATER);
    await s.sim.publish('ansatte', '330001');
    // No reload: the live part refreshes itself (htmx) while the page stays open.
    await eventually('the overview to show the new notifications', async () => (await count('ingress')) >= before.ingress + 2 && (await count('A')) >= before.A + 2, 30_000, 250);
    await eventually('the accounts step to count the 3 new accounts', async () => (await count('accounts')) >= 11, 30_000, 250);
  });

  test('people: find a person by name, read their account, affiliations and decisions down to the RabbitMQ message id', async () => {
    await page.goto(url('/console/people'));
    await accessible(page, 'people-search');
    await page.getByLabel('Name, userName, employee number or account id').fill('kari nord');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'Kari Nordmann' }).click();
    assert.equal(await page.locator('h1').innerText(), 'Kari Nordmann');
    const decisions = page.locator('section[aria-labelledby="h-dec"]');
    const text = await decisions.innerText();
    assert.match(text, /create/);
    assert.match(text, new RegExp(`stillinger ${TEAM}`));
    assert.match(text, /RabbitMQ message id: \S+/);
    assert.match(text, /CREATE [0-9a-f-]{36}:v1/);
    assert.match(await page.locator('section[aria-labelledby="h-aff"]').innerText(), new RegExp(`Position ${TEAM}: 2020-01-01 – …\\s+current`));
    await decisions.locator('summary', { hasText: `DFØ response: stillinger/${TEAM}` }).first().click();
    assert.match(await decisions.locator('details[open] pre').first().innerText(), /"innehaver"/);
    await accessible(page, 'person');

    // As of a later day: Ola's position has ended by then.
    await page.goto(url('/console/people/310002?at=2026-08-01'));
    assert.match(await page.locator('.verdict').innerText(), /^block/);
    assert.match(await page.locator('.timeline').innerText(), /past/);

    // Someone without an account is found by name too, with the future affiliation and the create ahead.
    await page.goto(url('/console/people?q=fremtid'));
    await page.getByRole('row', { name: /Siri Fremtid/ }).getByRole('link').click();
    assert.match(await page.locator('section[aria-labelledby="h-account"]').innerText(), /No account/);
    assert.match(await page.locator('.timeline').innerText(), new RegExp(`Position ${FUTURE}: 2026-09-01 – …\\s+future`));
    assert.match(await page.locator('section[aria-labelledby="h-up"]').innerText(), /2026-0[89]-\d\d create/);

    const missing = await page.goto(url('/console/people/99999999'));
    assert.equal(missing!.status(), 404);
    assert.match(await page.getByRole('alert').innerText(), /^404: no person, account or userName matches '99999999'/);
    assert.doesNotMatch(await page.content(), /at .*\.ts:\d+/, 'no stack trace');
    await accessible(page, 'error');
  });

  test('held changes: release a held block with confirmation and see the accounts blocked; releasing it again says it is gone', async () => {
    // By account id: a blocked account has no employee number any more.
    const accountIds = await Promise.all(ids(320001, 6).map(async (h) => (await s.scim(`/Users?employeeNumber=${h}`)).body.Resources[0].id as string));
    await s.sim.upsertPosition(stilling(MASS, []));
    await s.sim.publish('stillinger', MASS);
    await eventually('the held group on the page', async () => {
      await page.goto(url('/console/held'));
      return (await page.getByRole('link', { name: 'Release' }).count()) === 1;
    });
    assert.match(await page.locator('main').innerText(), /6 blocks from one cause exceed the limit of 5/);
    await accessible(page, 'held');
    const heading = await page.getByRole('heading', { name: /^Group \d+: 6 blocks$/ }).innerText();
    const group = /Group (\d+)/.exec(heading)![1]!;
    await page.getByRole('link', { name: 'Release' }).click();
    assert.equal(new URL(page.url()).pathname, `/console/held/${group}/release`);
    await accessible(page, 'held-confirm');
    await page.getByRole('button', { name: 'Release 6 blocks' }).click();
    assert.match(await page.locator('.flash.ok').innerText(), new RegExp(`Group ${group}: 6 blocks released`));
    await eventually('6 accounts blocked', async () => {
      const users = await Promise.all(accountIds.map((id) => s.scim(`/Users/${id}`)));
      return users.every((u) => u.body.active === false);
    });
    await page.goto(url('/console/people/320001'));
    assert.match(await page.locator('section[aria-labelledby="h-account"]').innerText(), /Active\s+no/);
    assert.match(await page.locator('section[aria-labelledby="h-dec"]').innerText(), /brake: released/);

    // A second release through the stale form (the session's CSRF token, the same confirmation): a clear refusal.
    const csrf = await page.locator('header input[name="_csrf"]').getAttribute('value');
    const again = await page.request.post(url(`/console/held/${group}/release`), { form: { _csrf: csrf!, confirm: `release:${group}` } });
    assert.equal(again.status(), 200, 'redirected to the held page');
    assert.match(await again.text(), new RegExp(`no group ${group} is held by the brake \\(released or discarded already\\?`));
    // And the confirmation page of a group that is gone.
    const gone = await page.goto(url(`/console/held/${group}/release`));
    assert.equal(gone!.status(), 404);
    assert.match(await page.getByRole('alert').innerText(), new RegExp(`no group ${group} is held by the brake`));
  });

  test('a state-changing form needs its CSRF token and its confirmation; a cross-site post is refused', async () => {
    const noCsrf = await page.request.post(url('/console/held/1/release'), { form: { confirm: 'release:1' } });
    assert.equal(noCsrf.status(), 403);
    assert.match(await noCsrf.text(), /no valid CSRF token; reload the page and try again/);
    assert.doesNotMatch(await noCsrf.text(), /\.ts:\d+/);
    await page.goto(url('/console/held'));
    const csrf = await page.locator('header input[name="_csrf"]').getAttribute('value');
    const unconfirmed = await page.request.post(url('/console/held/1/release'), { form: { _csrf: csrf! } });
    assert.equal(unconfirmed.status(), 400);
    assert.match(await unconfirmed.text(), /confirm first/);
    // What a browser sends for a form on another site (were the cookie sent at all: SameSite=Strict keeps it home).
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const crossSite = await fetch(url('/console/held/1/release'), {
      method: 'POST', redirect: 'manual', body: new URLSearchParams({ _csrf: csrf!, confirm: 'release:1' }),
      headers: { cookie, origin: 'https://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
    });
    assert.equal(crossSite.status, 403, await crossSite.clone().text());
    assert.match(await crossSite.text(), /cross-site request refused/);
  });

  test('upcoming: the changes ahead by day, with reasons', async () => {
    await page.goto(url('/console/upcoming?days=180'));
    const text = await page.locator('main').innerText();
    assert.match(text, /2026-07-01/);
    assert.match(text, /block\s+Ola Nordmann/);
    await accessible(page, 'upcoming');
  });

  test('dead letters: a notification over the size limit is dead-lettered; once the limit is raised, a re-drive brings the hire in', async () => {
    await s.sim.upsertEmployee(ansatt('340001', 'Stor', 'Melding'));
    await s.sim.upsertPosition(stilling(BIG, [['340001', '2020-01-01', OPEN]]));
    // What DFØ would send, with a long extra field: 300+ bytes, over the limit of 256.
    const body = Buffer.from(JSON.stringify({ id: BIG, uri: 'dfo:stillinger', gyldigEtter: '20200101', merknad: 'x'.repeat(300) }));
    const conn = await amqp.connect(amqpUrl);
    const ch = await conn.createConfirmChannel();
    ch.publish(s.config.amqp.exchangeIn, 'stillinger', body, { messageId: `big-${s.appId}`, contentType: 'application/octet-stream', persistent: true });
    await ch.waitForConfirms();
    await conn.close();
    await eventually('the dead letter on the page', async () => {
      await page.goto(url('/console/dead-letters'));
      return (await page.getByRole('cell', { name: /over the limit|bytes/i }).count()) > 0 && (await page.locator('main').innerText()).includes(`big-${s.appId}`);
    });
    await accessible(page, 'dead-letters');
    await page.getByRole('row', { name: new RegExp(`big-${s.appId}`) }).getByRole('link').click();
    assert.match(await page.locator('main').innerText(), /"merknad": "x{300}"/);
    await accessible(page, 'dead-letter');

    // The fix: the operator raises IGA_AMQP_MAX_BODY_BYTES and restarts. Sessions live in the instance: sign in again.
    await s.restart(() => { s.config.amqp.maxBodyBytes = 64 * 1024; });
    await signIn(page, ADMIN_TOKEN);
    await page.goto(url('/console/dead-letters'));
    await page.getByRole('row', { name: new RegExp(`big-${s.appId}`) }).getByRole('link').click();
    await page.getByRole('button', { name: 'Re-drive' }).click();
    assert.match(await page.locator('.flash.ok').innerText(), new RegExp(`re-driven: ${body.length} bytes published to ${s.config.amqp.exchangeIn} with routing key stillinger \\(message id big-${s.appId}\\)`));
    const user = await eventually('the hire’s account', async () => (await s.scim('/Users?employeeNumber=340001')).body.Resources?.[0]);
    assert.equal(user.active, true);
    await page.goto(url('/console/people/340001'));
    assert.match(await page.locator('section[aria-labelledby="h-dec"]').innerText(), new RegExp(`stillinger ${BIG}[\\s\\S]*big-${s.appId}`));
  });

  test('reconciliation: a dry run finds a hire that came without a notification, a real run repairs it; the page follows the run', async () => {
    await signIn(page, ADMIN_TOKEN);
    await s.sim.upsertEmployee(ansatt('350001', 'Uten', 'Varsel'));
    await s.sim.upsertPosition(stilling(MISSED, [['350001', '2020-01-01', OPEN]]));
    await page.goto(url('/console/reconcile'));
    await page.getByRole('link', { name: 'Start a dry run' }).click();
    await accessible(page, 'reconcile-confirm');
    await page.getByRole('button', { name: 'Start a dry run' }).click();
    assert.match(await page.locator('.flash.ok').first().innerText(), /Dry run \S+ started\./);
    // No reload: the live part refreshes itself until the run has ended.
    await page.locator('#h-here + dl', { hasText: 'dry-run' }).waitFor({ timeout: 60_000 });
    const here = await page.locator('section[aria-labelledby="h-here"]').innerText();
    assert.match(here, new RegExp(`position ${MISSED}`));
    await accessible(page, 'reconcile');
    await page.getByRole('link', { name: 'Start a run that repairs' }).click();
    await page.getByRole('button', { name: 'Start a run that repairs' }).click();
    const user = await eventually('the missed hire’s account', async () => (await s.scim('/Users?employeeNumber=350001')).body.Resources?.[0], 60_000, 250);
    assert.equal(user.active, true);
    await eventually('the run’s summary on the page', async () => {
      await page.goto(url('/console/reconcile'));
      return /Outcome\s+(repaired|pending)/.test(await page.locator('section[aria-labelledby="h-here"]').innerText());
    }, 60_000, 500);
  });

  test('Norwegian labels, and a phone-width screen without sideways scrolling of the page', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    const p = await phone.newPage();
    await signIn(p, ADMIN_TOKEN);
    await p.goto(url('/console/people/310001'));
    assert.ok(await p.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth + 1'), 'no page-wide horizontal scroll at 390 px');
    if (SHOTS) await screenshot(p, 'person-phone');
    await p.getByRole('link', { name: 'Norsk' }).click();
    assert.equal(await p.locator('html').getAttribute('lang'), 'nb');
    assert.match(await p.locator('nav').innerText(), /Personer/);
    await accessible(p, 'person-nb');
    await phone.close();
  });

  test('a revoked token ends its session at once; every action is on the audit topic with the operator’s name', async () => {
    const other = await browser.newContext({ bypassCSP: true });
    const p = await other.newPage();
    await signIn(p, REVOCABLE);
    assert.match(await p.locator('header .who').innerText(), /Signed in as revocable/);
    await writeFile(tokensFile, '# revoked\n');
    // The overview stays open: its own refresh finds the session revoked and takes the page to the sign-in, with the reason.
    await p.waitForURL(/\/console\/sign-in\?why=revoked$/, { timeout: 30_000 });
    assert.match(await p.getByRole('alert').innerText(), /expired or was revoked/);
    await other.close();

    const records = await eventually('the operator actions on the audit topic', async () => {
      const rs = (await s.readTopic(topicNames(s.appId).audit)).filter((r) => r.key.startsWith('operator:')).map((r) => r.value);
      return rs.some((r) => r.action === 'dead-letter-redrive' && r.outcome === 'ok') ? rs : undefined;
    });
    const summary = records.map((r: any) => `${r.client} ${r.action} ${r.outcome}`);
    assert.ok(summary.includes('null sign-in-refused refused'), summary.join('\n'));
    assert.ok(summary.includes('ops sign-in ok'));
    assert.ok(summary.includes('ops brake-release ok'));
    assert.ok(summary.includes('ops brake-release refused'), 'the second release of one group');
    assert.ok(summary.includes('ops dead-letter-redrive ok'));
    assert.equal(summary.filter((x) => x === 'ops reconcile-start ok').length, 2);
    assert.ok(summary.includes('revocable sign-in ok'));
    assert.ok(records.every((r: any) => r.type === 'operator-action' && r.via === 'console' && !JSON.stringify(r).includes(ADMIN_TOKEN)), 'no token on the audit topic');
  });
});
