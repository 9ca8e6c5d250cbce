// Helpers of the finance console's browser spec: a headless Debian chromium, sign-in, axe-core and screenshots.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's chromium (installed by .ci/run when missing): playwright-core drives it, no browser is downloaded. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = join(__dirname, '../../test-results/console');
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export function launch(): Promise<Browser> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
}

/**
 * A fresh browser profile. axe-core is injected as an inline script, which the console's CSP (rightly) forbids, so
 * the context bypasses CSP; `strictCsp` keeps it on for the checks that the console itself runs under it.
 */
export function newContext(browser: Browser, strictCsp = false): Promise<BrowserContext> {
  return browser.newContext({
    acceptDownloads: true,
    bypassCSP: !strictCsp,
    viewport: { width: 1400, height: 900 },
  });
}

export async function signIn(page: Page, baseUrl: string, apiKey: string, path = '/'): Promise<void> {
  await page.goto(`${baseUrl}${path}`);
  await page.waitForURL(/\/sign-in/);
  await page.getByLabel('API key').fill(apiKey);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: unknown[] }>;
}

/** axe-core's serious and critical violations on the page as it stands, and a full-page screenshot named `name`. */
export async function inspect(page: Page, name: string): Promise<string[]> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
  // The functions below run in the page, where `globalThis` is the window.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: () => Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations;
  });
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${name}: ${v.id} (${v.impact ?? ''}) ${v.help} at ${JSON.stringify(v.nodes.map((n) => n.target))}`,
    );
}
