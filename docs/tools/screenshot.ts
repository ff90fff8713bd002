import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PAGE_WIDTH = 800;

/**
 * Writes `html` to a temp file and screenshots the whole page to `out` with Debian's Chromium
 * (`apt-get install -y chromium`; CHROMIUM_PATH points elsewhere). Returns the page height.
 */
export async function screenshot(html: string, out: string): Promise<number> {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: apt-get install -y chromium, or set CHROMIUM_PATH`);
  const htmlFile = path.join(mkdtempSync(path.join(tmpdir(), 'slack-picture-')), 'page.html');
  writeFileSync(htmlFile, html);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--font-render-hinting=none'] });
  try {
    const page = await browser.newPage({ viewport: { width: PAGE_WIDTH, height: 600 }, deviceScaleFactor: 1 });
    await page.goto(pathToFileURL(htmlFile).href);
    // A string, not a function: the project's types have no DOM.
    const height = Number(await page.evaluate('document.fonts.ready.then(() => document.documentElement.scrollHeight)'));
    await page.screenshot({ path: out, fullPage: true });
    return height;
  } finally {
    await browser.close();
  }
}
