/**
 * A real headless Chromium for the console's browser tests: Debian's package (scripts/chromium.sh
 * installs it; IGA_CHROMIUM overrides the path), driven by playwright-core. Fails loudly when the
 * binary is missing. Also: axe-core injected into a page (serious and critical violations only),
 * and screenshots into docs/console/.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const chromiumPath = process.env.IGA_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(import.meta.dirname, '..', '..', 'docs', 'console');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) throw new Error(`no Chromium at ${chromiumPath}: run 'bash scripts/chromium.sh' (as root it installs Debian's chromium), or set IGA_CHROMIUM`);
  // --no-sandbox: the tests run as root in a container, where Chromium's sandbox cannot start.
  return chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

export interface AxeViolation { id: string; impact: string | null; help: string; nodes: string[] }

/** Runs axe-core on the page as it is; returns the serious and critical violations (empty: none). */
export async function seriousA11yViolations(page: Page): Promise<AxeViolation[]> {
  // Expressions as strings: they run in the page (the test project has no DOM types).
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate<{ violations: Array<{ id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }> }>(
    "axe.run(document, { resultTypes: ['violations'] })",
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(' ')) }));
}

/** Writes `docs/console/<name>.png` (the README shows these). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}
