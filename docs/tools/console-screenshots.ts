/**
 * Regenerates the README's pictures of the web console:
 *
 *   npx tsx docs/tools/console-screenshots.ts
 *
 * Starts a console-only bot against a throw-away schema (Postgres and Redis as the tests use them:
 * TEST_DATABASE_URL, TEST_REDIS_URL), works two incidents in Debian's Chromium (one half-way,
 * one resolved) and saves, at 1280×900 in the dark theme the console serves:
 * docs/console-list.png, docs/console-incident.png, docs/console-dashboard.png, docs/console-runbook.png.
 * Needs `apt-get install -y chromium`; CHROMIUM_PATH points elsewhere.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { closeBrowser, launchBrowser, newContext } from '../../test/support/browser';
import { startConsoleHarness } from '../../test/support/console-harness';

const ROOT = path.resolve(__dirname, '../..');
const OUT = (name: string) => path.join(ROOT, 'docs', name);
const VIEWPORT = { width: 1280, height: 900 };

async function submitted(page: Page, act: () => Promise<void>): Promise<void> {
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 10_000 });
  await Promise.all([committed, act()]);
  await page.waitForLoadState('load');
}

/**
 * Declares from the command box and waits until the incident's page knows its room (its command
 * box then acts on it): the room is set up just after the declaration.
 */
async function declare(page: Page, text: string): Promise<void> {
  await command(page, text);
  if (!/\/console\/incidents\/\d+$/.test(page.url())) throw new Error(`"${text}" did not land on an incident page but on ${page.url()}`);
  const room = page.locator('form[action="/console/command"] input[name=room]');
  for (let i = 0; i < 50 && (await room.count()) === 0; i++) {
    await page.waitForTimeout(100);
    await page.reload();
  }
}

async function actAs(page: Page, id: string): Promise<void> {
  const picker = page.locator('form[action="/console/you"]');
  await submitted(page, async () => {
    await picker.locator('select[name=person]').selectOption(id);
    await picker.locator('button[type=submit]').click();
  });
}

async function command(page: Page, text: string): Promise<void> {
  const box = page.locator('form[action="/console/command"] input[name=text]');
  await box.fill(text);
  await submitted(page, () => box.press('Enter'));
}

async function clickDone(page: Page): Promise<void> {
  const button = page.locator('section.checklist li.step').getByRole('button', { name: 'Done' }).first();
  await submitted(page, () => button.click());
}

/** Fonts loaded, charts drawn, no flash of the last action, then the viewport as a reader sees it. */
async function shoot(page: Page, url: string, file: string, opts: { scrollTo?: string } = {}): Promise<void> {
  await page.goto(url);
  await page.waitForLoadState('networkidle').catch(() => undefined);
  await page.evaluate('document.fonts.ready');
  // Start the picture at the part it is about (the checklist of an incident).
  if (opts.scrollTo)
    await page.evaluate(
      `window.scrollTo(0, Math.max(0, document.querySelector(${JSON.stringify(opts.scrollTo)}).getBoundingClientRect().top + window.scrollY - 16))`,
    );
  await page.waitForTimeout(500);
  await page.screenshot({ path: OUT(file) });
  console.log(`wrote docs/${file}`);
}

async function main(): Promise<void> {
  const h = await startConsoleHarness();
  const browser = await launchBrowser().catch(async (err) => {
    await h.stop();
    throw err;
  });
  try {
    const context = await newContext(browser, { viewport: VIEWPORT, deviceScaleFactor: 1, colorScheme: 'dark' });
    const page = await context.newPage();
    page.on('dialog', (d) => void d.accept().catch(() => undefined));
    const base = h.baseUrl;

    await page.goto(`${base}/console`);
    await actAs(page, 'ada');
    // One that ended: declared, acknowledged and resolved by its commander.
    await declare(page, '/incident queue-failure exports stuck in the export queue since 09:10');
    await command(page, 'ack');
    await command(page, 'resolve restarted the export workers; queue drained');
    // One being worked: two steps done.
    await declare(page, '/incident pdf-404 invoice PDFs return 404 for some tenants');
    const incidentUrl = page.url();
    await command(page, 'ack');
    await clickDone(page);
    await actAs(page, 'ben');
    await clickDone(page);
    await actAs(page, 'ada');

    await shoot(page, `${base}/console`, 'console-list.png');
    await shoot(page, incidentUrl, 'console-incident.png', { scrollTo: 'section.checklist' });
    await shoot(page, `${base}/console/dashboard`, 'console-dashboard.png');
    await shoot(page, `${base}/console/runbooks/pdf-404`, 'console-runbook.png');
    await context.close();
  } finally {
    await closeBrowser(browser);
    await h.stop();
  }
}

main().catch((err: Error) => {
  console.error(err.stack ?? err.message);
  process.exitCode = 1;
});
