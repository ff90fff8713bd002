import { startConsoleHarness, csrfOf, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';

/** The console's incident page asks for the quick validation before resolving, as Slack and Teams do. */
describe('resolving from the console', () => {
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

  async function declare(client: ConsoleClient, summary: string) {
    const page = (await client.get('/console')).body;
    const res = await client.post('/console/command', { csrf: csrfOf(page)!, request: field(page, 'request'), text: `/incident pdf-404 ${summary}` });
    expect(res.status).toBe(303);
    const { rows } = await c.schema.pool.query('SELECT id, number FROM incidents WHERE title = $1', [summary]);
    return { id: rows[0].id as string, page: `/console/incidents/${rows[0].number}` };
  }

  /** Fills in the incident page's resolve form: `ticked` checks, and a resolution. */
  async function submit(client: ConsoleClient, pagePath: string, ticked: number[], resolution = '') {
    const page = (await client.get(pagePath)).body;
    const form = /<details class="resolve-form">([\s\S]*?)<\/details>/.exec(page)![1]!;
    const checks = [...form.matchAll(/<input type="checkbox" name="(check-\d+)" value="true">/g)].map((m) => m[1]!);
    const fields: Record<string, string> = {
      csrf: csrfOf(page)!,
      request: field(form, 'request'),
      payload: field(form, 'payload'),
      form: field(form, 'form'),
      resolution,
    };
    for (const n of ticked) fields[`check-${n}`] = 'true';
    const res = await client.post('/console/click', fields);
    expect(res.status).toBe(303);
    return { checks, after: (await client.get(pagePath)).body };
  }

  const row = async (id: string) =>
    (await c.schema.pool.query('SELECT status, resolution, validation_confirmed, validated_checks FROM incidents WHERE id = $1', [id])).rows[0];

  it('shows a checkbox per check; one left unticked is refused by name, all ticked resolves and records them', async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const inc = await declare(ada, 'console pdf 404');

    const refused = await submit(ada, inc.page, [1, 2, 4]);
    expect(refused.checks).toEqual(['check-1', 'check-2', 'check-3', 'check-4']);
    expect(refused.after).toContain('Not confirmed: 3. INV-SMOKE-0001 downloads in the UI as support-smoke, including via the emailed link.');
    expect((await row(inc.id)).status).toBe('declared');

    const done = await submit(ada, inc.page, [1, 2, 3, 4], 'purged the <script>cache</script>');
    expect(done.after).toContain('resolved, with all 4 quick validation checks confirmed.');
    expect(done.after).toContain('purged the &lt;script&gt;cache&lt;/script&gt;'); // hostile text stays text
    expect(done.after).not.toContain('class="resolve-form"');
    expect(await row(inc.id)).toEqual({
      status: 'resolved',
      resolution: 'purged the <script>cache</script>',
      validation_confirmed: true,
      validated_checks: [1, 2, 3, 4],
    });
  });
});
