/**
 * The web console in a real Chromium (Debian's, driven by playwright-core): declaring from the
 * command box, a second tab following a click without a reload, roles, the dashboard, text that
 * looks like markup staying text, and the keyboard. The tests run in order and share one bot.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { closeBrowser, launchBrowser, newContext } from '../support/browser';
import { startConsoleHarness, type ConsoleHarness } from '../support/console-harness';
import { until } from '../support/wait';

jest.setTimeout(60_000);

const XSS = `<script>window.__xss=1</script><img src=x onerror="window.__xss=2">`;

let h: ConsoleHarness;
let browser: Browser;
/** What went wrong inside a page (uncaught errors, CSP refusals): none is expected anywhere. */
const pageProblems: string[] = [];

beforeAll(async () => {
  [h, browser] = await Promise.all([startConsoleHarness(), launchBrowser()]);
});
afterAll(async () => {
  await closeBrowser(browser);
  await h?.stop();
});
afterEach(() => {
  expect(pageProblems).toEqual([]);
  pageProblems.length = 0;
});

/** A tab whose script errors and CSP refusals fail the test; confirm() dialogs are accepted. */
async function tab(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => pageProblems.push(`${page.url()}: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text())) pageProblems.push(`${page.url()}: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept().catch(() => undefined));
  return page;
}

/** Runs `act`, which submits a form, and waits until the page it leads to has loaded. */
async function navigating(page: Page, act: () => Promise<void>): Promise<void> {
  const committed = page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame(), timeout: 10_000 });
  await Promise.all([committed, act()]);
  await page.waitForLoadState('load');
}

/** Picks `id` in the "You are" box and waits for the page to come back with them chosen. */
async function actAs(page: Page, id: string): Promise<void> {
  const picker = page.locator('form[action="/console/you"]');
  await navigating(page, async () => {
    await picker.locator('select[name=person]').selectOption(id);
    await picker.locator('button[type=submit]').click();
  });
  await page.locator(`select[name=person] option[value="${id}"][selected]`).waitFor({ state: 'attached' });
}

/** Types `text` into the page's command box and submits it with Enter, as a person would. */
async function command(page: Page, text: string): Promise<void> {
  const box = page.locator('form[action="/console/command"] input[name=text]');
  await box.fill(text);
  await navigating(page, () => box.press('Enter'));
}

async function incidentRow(number: number) {
  const { rows } = await h.schema.pool.query(
    'SELECT id, status, platform, workspace, channel_id, declared_by, commander, title FROM incidents WHERE number = $1',
    [number],
  );
  return rows[0] as
    | { id: string; status: string; platform: string; workspace: string; channel_id: string | null; declared_by: string; commander: string; title: string }
    | undefined;
}

const numberOf = (page: Page) => Number(/\/console\/incidents\/(\d+)$/.exec(new URL(page.url()).pathname)?.[1] ?? NaN);

/** Resolves once the tab's server-sent events stream is open and the bot LISTENs for changes. */
async function following(page: Page, url: string): Promise<void> {
  const stream = page.waitForResponse((r) => new URL(r.url()).pathname.endsWith('/events'), { timeout: 5_000 });
  await page.goto(url);
  expect((await stream).status()).toBe(200);
  const channel = `incident_bot_console_${h.schema.name}`.slice(0, 63);
  await until(
    async () => {
      const { rows } = await h.schema.pool.query(`SELECT 1 FROM pg_stat_activity WHERE query = $1`, [`LISTEN "${channel}"`]);
      return rows.length > 0;
    },
    'the console to LISTEN for changes',
    5_000,
  );
}

/** Counts the tab's full navigations from now on, and marks its window: a reload would lose the mark. */
async function markNoReload(page: Page, mark: string): Promise<() => Promise<void>> {
  let navigations = 0;
  page.on('framenavigated', (f) => {
    if (f === page.mainFrame()) navigations++;
  });
  await page.evaluate(`window.__mark = ${JSON.stringify(mark)}`);
  return async () => {
    expect(navigations).toBe(0);
    expect(await page.evaluate('window.__mark')).toBe(mark);
  };
}

let context: BrowserContext;
let tab1: Page;
let tab2: Page;
let incidentUrl: string;
let incidentNumber: number;

describe('one incident worked in the browser', () => {
  beforeAll(async () => {
    context = await newContext(browser);
    tab1 = await tab(context);
  });
  afterAll(async () => {
    await context?.close();
  });

  test('Ada declares from the command box and lands on the incident page with its header and checklist', async () => {
    await tab1.goto(`${h.baseUrl}/console`);
    await actAs(tab1, 'ada');
    await command(tab1, '/incident pdf-404 invoices return 404');
    expect(tab1.url()).toMatch(/\/console\/incidents\/\d+$/);
    incidentUrl = tab1.url();
    incidentNumber = numberOf(tab1);

    const header = tab1.locator('section.incident-header');
    await header.getByText('invoices return 404').first().waitFor();
    expect(await header.locator('h1').innerText()).toContain(`INC-${incidentNumber}`);
    const checklist = tab1.locator('section.checklist');
    await checklist
      .getByText(/Generated PDFs/)
      .first()
      .waitFor();
    expect(await checklist.locator('li.step').count()).toBeGreaterThan(3);
    expect(await checklist.locator('li.step').first().getByRole('button', { name: 'Done' }).count()).toBe(1);

    const row = await until(
      async () => {
        const r = await incidentRow(incidentNumber);
        return r?.channel_id ? r : null;
      },
      'the incident and its room',
      5_000,
    );
    expect(row).toMatchObject({ platform: 'web', workspace: 'console', channel_id: `console:${row.id}`, declared_by: 'ada', commander: 'ada' });
    // The declarer is told where it landed; the flash names the incident.
    expect(await tab1.locator('.flash').innerText()).toContain(`INC-${incidentNumber}`);
  });

  test("the declare's answer stays on the page while the incident changes underneath it", async () => {
    const other = await tab(context);
    await other.goto(incidentUrl);
    await command(other, 'note flash check from another tab');
    await other.close();
    await tab1
      .locator('section.timeline')
      .getByText(/flash check from another tab/)
      .waitFor({ timeout: 5_000 });
    expect(await tab1.locator('.flash').innerText()).toContain(`INC-${incidentNumber}`);
  });

  test("a second tab shows the first tab's click without a reload", async () => {
    tab2 = await tab(context);
    await following(tab2, incidentUrl);
    const noReload = await markNoReload(tab2, 'tab 2 as first loaded');
    expect(
      await tab2
        .locator('section.timeline')
        .getByText(/Step 1 done/)
        .count(),
    ).toBe(0);

    const firstStep = tab1.locator('section.checklist li.step').first();
    await navigating(tab1, () => firstStep.getByRole('button', { name: 'Done' }).click());
    await tab1
      .locator('section.timeline')
      .getByText(/Step 1 done/)
      .waitFor();

    await tab2
      .locator('section.timeline')
      .getByText(/Step 1 done/)
      .waitFor({ timeout: 5_000 });
    await tab2
      .locator('section.checklist li.step')
      .first()
      .getByText(/Done by Ada/)
      .waitFor();
    await noReload();
  });

  test('Ben may not resolve it (Ada commands); Root, an admin, may', async () => {
    await actAs(tab1, 'ben');
    expect(tab1.url()).toBe(incidentUrl);
    await command(tab1, 'resolve --validated fixed');
    const refusal = await tab1.locator('.flash').innerText();
    expect(refusal).toMatch(/Only the commander \(Ada/);
    expect((await incidentRow(incidentNumber))!.status).not.toBe('resolved');

    await actAs(tab1, 'root');
    await command(tab1, 'resolve --validated fixed');
    await until(async () => (await incidentRow(incidentNumber))?.status === 'resolved', 'the incident resolved', 5_000);
    expect(await tab1.locator('.flash.flash-error').count()).toBe(0);
    // The live tab follows this too.
    await tab2
      .locator('section.timeline')
      .getByText(/Resolved \(quick validation confirmed: checks 1, 2, 3, 4\): fixed/)
      .waitFor({ timeout: 5_000 });
  });

  test('the dashboard counts it, with a row for its class', async () => {
    await tab1.goto(`${h.baseUrl}/console/dashboard`);
    const incidents = tab1
      .locator('.card')
      .filter({ has: tab1.locator('dt', { hasText: /^Incidents$/ }) })
      .locator('.value');
    expect(Number(await incidents.innerText())).toBeGreaterThanOrEqual(1);
    // pdf-404's class is charted, and each chart has a table with a row for it.
    await tab1
      .locator('table tr')
      .filter({ has: tab1.locator('th', { hasText: /^pdf$/ }) })
      .first()
      .waitFor({ state: 'attached' });
  });
});

describe('text that looks like markup', () => {
  let ctx: BrowserContext;
  let a: Page;
  beforeAll(async () => {
    ctx = await newContext(browser);
    a = await tab(ctx);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  test('a summary with a script and an onerror shows as text on the incident page, the list and a live redraw, and runs nothing', async () => {
    await a.goto(`${h.baseUrl}/console`);
    await actAs(a, 'ada');
    await command(a, `/incident pdf-404 ${XSS}`);
    expect(a.url()).toMatch(/\/console\/incidents\/\d+$/);
    const url = a.url();
    const number = numberOf(a);
    expect((await incidentRow(number))!.title).toContain(XSS);

    const harmless = async (page: Page) => {
      expect(await page.evaluate('typeof window.__xss')).toBe('undefined');
      expect(await page.locator('main script').count()).toBe(0);
      expect(await page.locator('img[src="x"]').count()).toBe(0);
    };
    await a.locator('section.incident-header').getByText(XSS).first().waitFor();
    await harmless(a);

    await a.goto(`${h.baseUrl}/console`);
    await a.locator('table.incidents').getByText(XSS).first().waitFor();
    await harmless(a);

    // console.js swaps <main> for the refetched page: the text must stay text there too.
    const b = await tab(ctx);
    await following(b, url);
    const noReload = await markNoReload(b, 'b');
    await a.goto(url);
    await navigating(a, () => a.locator('section.checklist li.step').first().getByRole('button', { name: 'Done' }).click());
    await b
      .locator('section.timeline')
      .getByText(/Step 1 done/)
      .waitFor({ timeout: 5_000 });
    await noReload();
    await b.locator('section.incident-header').getByText(XSS).first().waitFor();
    await harmless(b);
    // An image that failed to load fires onerror a moment later: give it that moment.
    await b.waitForTimeout(300);
    await harmless(b);
    await harmless(a);
  });
});

describe('without script', () => {
  let ctx: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ctx = await newContext(browser, { javaScriptEnabled: false });
    page = await tab(ctx);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  test('the page a declare lands on takes commands for its incident at once: ack, a click, resolve', async () => {
    await page.goto(`${h.baseUrl}/console`);
    await command(page, '/incident pdf-404 no script here');
    expect(page.url()).toMatch(/\/console\/incidents\/\d+$/);
    const url = page.url();
    const number = numberOf(page);
    // Typed on the page as first served: no redraw has brought anything newer.
    await command(page, 'ack');
    expect(page.url()).toBe(url);
    expect(await page.locator('.flash.flash-error').count()).toBe(0);
    await until(async () => (await incidentRow(number))?.status === 'acknowledged', 'the incident acknowledged', 5_000);

    await navigating(page, () => page.locator('section.checklist li.step').first().getByRole('button', { name: 'Done' }).click());
    expect(page.url()).toBe(url);
    await page
      .locator('section.timeline')
      .getByText(/Step 1 done/)
      .waitFor();

    await command(page, 'resolve --validated rolled back');
    await until(async () => (await incidentRow(number))?.status === 'resolved', 'the incident resolved', 5_000);
  });
});

describe("a time typed in the browser's zone", () => {
  let ctx: BrowserContext;
  afterAll(async () => {
    await ctx?.close();
  });

  test('started 09:40 typed in Tokyo is 09:40 in Tokyo, and the answer names the zone', async () => {
    ctx = await newContext(browser, { timezoneId: 'Asia/Tokyo' });
    const page = await tab(ctx);
    await page.goto(`${h.baseUrl}/console`);
    await command(page, '/incident pdf-404 declared from Tokyo');
    const { rows } = await h.schema.pool.query('SELECT id, declared_at FROM incidents WHERE number = $1', [numberOf(page)]);
    const started = new Date(Math.floor((rows[0].declared_at.getTime() - 20 * 60_000) / 60_000) * 60_000);
    const typed = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Tokyo', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(started);
    await command(page, `started ${typed}`);
    await expect(page.locator('.flash').first().textContent()).resolves.toMatch(
      new RegExp(`Impact started ${typed} Asia/Tokyo \\(2\\d min before the declaration\\)`),
    );
    const stored = await h.schema.pool.query('SELECT impact_started_at FROM incidents WHERE id = $1', [rows[0].id]);
    expect(stored.rows[0].impact_started_at).toEqual(started);
  });
});

describe('the keyboard', () => {
  let ctx: BrowserContext;
  let page: Page;
  beforeAll(async () => {
    ctx = await newContext(browser);
    page = await tab(ctx);
  });
  afterAll(async () => {
    await ctx?.close();
  });

  const FOCUSED = `(() => { const e = document.activeElement; return e ? [e.tagName, e.getAttribute('name') || '', (e.textContent || '').trim().slice(0, 40)].join('|') : ''; })()`;

  /** Presses Tab from the top of the page until `want` has focus; what had focus on the way, when it never does. */
  async function tabTo(want: (focused: string) => boolean, max = 80): Promise<string[]> {
    await page.evaluate('document.activeElement && document.activeElement.blur && document.activeElement.blur()');
    const seen: string[] = [];
    for (let i = 0; i < max; i++) {
      await page.keyboard.press('Tab');
      const f = String(await page.evaluate(FOCUSED));
      seen.push(f);
      if (want(f)) return seen;
    }
    throw new Error(`Tab never reached it; focus went through: ${seen.join(' → ')}`);
  }

  test('Tab reaches the command box and the checklist buttons, and Enter in the box submits it', async () => {
    await page.goto(`${h.baseUrl}/console`);
    await tabTo((f) => f.startsWith('INPUT|text|'));
    await page.keyboard.type('/incident pdf-404 typed with the keyboard only');
    await navigating(page, () => page.keyboard.press('Enter'));
    expect(page.url()).toMatch(/\/console\/incidents\/\d+$/);

    await tabTo((f) => f === 'BUTTON||Done');
    await tabTo((f) => f.startsWith('INPUT|text|'));
    await tabTo((f) => f.startsWith('SELECT|person|'));
  });
});
