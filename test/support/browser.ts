import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions } from 'playwright-core';

/** Debian's Chromium; CHROMIUM_PATH points elsewhere. playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Headless, and quiet: no first-run, sync, component updates or other calls home during a test. */
export const CHROMIUM_ARGS = [
  '--headless=new',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** How long any single wait in a browser test may take before it fails, saying what it waited for. */
export const BROWSER_WAIT_MS = 5_000;

/**
 * Starts Chromium for one test file (close it in afterAll with closeBrowser). Fails at once, with
 * the fix, when the browser is not installed.
 */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: the console's browser tests drive Debian's Chromium. Install it with ` +
        '`apt-get update && apt-get install -y --no-install-recommends chromium` (.ci/run does this), or set CHROMIUM_PATH to another Chromium.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 });
}

/** Closes what launchBrowser started; a browser that failed to start (undefined) is fine. */
export async function closeBrowser(browser: Browser | undefined): Promise<void> {
  await browser?.close().catch(() => undefined);
}

/**
 * A fresh profile (its own cookies, so its own console session) whose waits are bounded by
 * BROWSER_WAIT_MS, in English and UTC so pages read the same on every machine.
 */
export async function newContext(browser: Browser, opts: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-GB', timezoneId: 'UTC', viewport: { width: 1280, height: 900 }, ...opts });
  context.setDefaultTimeout(BROWSER_WAIT_MS);
  context.setDefaultNavigationTimeout(10_000);
  return context;
}
