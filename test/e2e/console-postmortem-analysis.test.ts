import { randomUUID } from 'node:crypto';
import { startConsoleHarness, csrfOf, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';

/** The console's follow-up carries the Edit analysis form, posted like any click: same CSRF and Origin rules. */
describe('the post-mortem analysis on the console', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness();
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const field = (html: string, name: string) => unescape(new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1] ?? '');
  const stored = async (id: string) => (await c.schema.pool.query('SELECT * FROM postmortems WHERE incident_id = $1', [id])).rows[0];

  async function command(client: ConsoleClient, text: string, room?: string) {
    const page = (await client.get('/console')).body;
    const res = await client.post('/console/command', { csrf: csrfOf(page)!, request: randomUUID(), text, ...(room ? { room } : {}) });
    expect(res.status).toBe(303);
  }

  /** The analysis form of the incident page, as the browser would send it with `parts` typed in. */
  async function analysisForm(client: ConsoleClient, pagePath: string, parts: Record<string, string>) {
    const page = (await client.get(pagePath)).body;
    const form = /<details class="analysis-form">([\s\S]*?)<\/details>/.exec(page)![1]!;
    const textareas = Object.fromEntries(
      [...form.matchAll(/<textarea id="[^"]+" name="(\w+)"[^>]*>([^<]*)<\/textarea>/g)].map((m) => [m[1]!, unescape(m[2]!)]),
    );
    const fields: Record<string, string> = {
      csrf: csrfOf(page)!,
      request: field(form, 'request'),
      payload: field(form, 'payload'),
      form: field(form, 'form'),
      ...textareas,
      causeCategory: field(form, 'causeCategory'),
      ...parts,
    };
    return { form, fields };
  }

  it('prefills the form, refuses a foreign Origin and a forged CSRF token, and stores what the owner sends', async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const summary = 'console analysis pdf 404';
    await command(ada, `/incident pdf-404 ${summary}`);
    const { rows } = await c.schema.pool.query('SELECT id, number FROM incidents WHERE title = $1', [summary]);
    const id = rows[0].id as string;
    const pagePath = `/console/incidents/${rows[0].number}`;
    await command(ada, '/incident resolve --validated rolled back', `console:${id}`);
    await command(ada, '/incident analysis impact invoices <b>404</b> for 40 tenants', `console:${id}`);

    const { form, fields } = await analysisForm(ada, pagePath, {
      rootCause: 'keys rotated <script>alert(1)</script>',
      causeCategory: 'storage-keys-rotated',
      wentBadly: 'n/a',
    });
    expect(form).toContain('invoices &lt;b&gt;404&lt;/b&gt; for 40 tenants'); // prefilled, as text
    expect(fields.impactSummary).toBe('invoices <b>404</b> for 40 tenants');

    // Another site's form, and one without the session's token, write nothing.
    expect((await ada.post('/console/click', fields, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await ada.post('/console/click', { ...fields, csrf: 'forged' })).status).toBe(403);
    expect((await stored(id)).root_cause).toBeNull();

    // Ben is neither owner, commander nor admin: refused by name.
    const ben = c.client();
    ben.jar.set('ib_person', 'ben');
    const bens = await analysisForm(ben, pagePath, { rootCause: 'not mine to say' });
    expect((await ben.post('/console/click', bens.fields)).status).toBe(303);
    expect((await ben.get(pagePath)).body).toContain('Only the post-mortem owner');
    expect((await stored(id)).root_cause).toBeNull();

    expect((await ada.post('/console/click', fields)).status).toBe(303);
    const after = (await ada.get(pagePath)).body;
    expect(after).toContain('Saved INC-');
    expect(after).toContain('Analysis missing: Contributing factors, What went well, Lessons.');
    expect(after).toContain('keys rotated &lt;script&gt;alert(1)&lt;/script&gt;'); // back in the form, escaped
    expect(await stored(id)).toMatchObject({
      impact_summary: 'invoices <b>404</b> for 40 tenants',
      root_cause: 'keys rotated <script>alert(1)</script>',
      cause_category: 'storage-keys-rotated',
      went_badly: 'n/a',
      analysis_updated_by: 'ada',
    });
  });
});
