import { startConsoleHarness, type ConsoleHarness } from '../support/console-harness';
import { until } from '../support/wait';

const TOKEN = 'alerts-token-0123456789abcdef0123456789';

/** With neither Slack nor Teams configured, an alert declares on the console and speaks there. */
describe('alerts in, console only', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness({ env: { ALERTS_TOKEN: TOKEN } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const send = (status: 'firing' | 'resolved') =>
    fetch(`${c.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        version: '4',
        status,
        commonLabels: {},
        alerts: [
          { status, labels: { alertname: 'StorageAccessDenied', bucket: 'invoices' }, annotations: {}, startsAt: '2026-03-01T03:00:00Z', fingerprint: 'c-1' },
        ],
      }),
    });

  it('declares the routed runbook on the console, and says there once that the alert resolved', async () => {
    expect((await send('firing')).status).toBe(200);
    const q = () => c.schema.pool.query(`SELECT i.* FROM alerts a JOIN incidents i ON i.id = a.incident_id WHERE a.fingerprint = 'c-1'`);
    const incident = (await q()).rows[0];
    // No summary annotation: the title is the alertname.
    expect(incident).toEqual(expect.objectContaining({ platform: 'web', playbook_id: 'storage-permissions', title: 'StorageAccessDenied' }));
    await until(async () => (await q()).rows[0].channel_id, 'the console room', 10_000);
    // It is the console's like any incident declared there: its page opens.
    expect(incident.workspace).toBe('console');
    expect((await c.client().get(`/console/incidents/${incident.number}`)).status).toBe(200);
    expect((await send('resolved')).status).toBe(200);
    expect((await send('resolved')).status).toBe(200);
    const said = await until(
      async () => {
        const { rows } = await c.schema.pool.query(`SELECT text FROM console_messages WHERE incident_id = $1 AND key = 'alert_resolved'`, [incident.id]);
        return rows.length > 0 ? rows : null;
      },
      'the resolved notice',
      10_000,
    );
    expect(said).toHaveLength(1);
    expect(JSON.stringify(said[0].text)).toContain('run the quick validation, then resolve');
    expect((await q()).rows[0].status).toBe('declared');
  });
});

/** An alert no runbook routes is listed on the console's front page, with a form per runbook to declare it. */
describe('unrouted alerts on the console', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness({ env: { ALERTS_TOKEN: TOKEN, CONSOLE_PEOPLE: 'ada:Ada Lovelace,root:Root' } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  const TITLE = 'Disk <script>alert(1)</script> full';
  const send = () =>
    fetch(`${c.baseUrl}/alerts/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DiskAlmostFull', note: '"><img src=x onerror=alert(1)>' },
            annotations: { summary: TITLE },
            startsAt: '2026-03-01T03:00:00Z',
            fingerprint: 'c-unrouted',
          },
        ],
      }),
    }).then(async (res) => ((await res.json()) as { results: Array<{ outcome: string }> }).results[0]!.outcome);

  /** The hidden fields of each "Declare as" form of a page, by its button's text. */
  function declareForms(page: string): Map<string, Record<string, string>> {
    const out = new Map<string, Record<string, string>>();
    for (const [form] of page.matchAll(/<form class="action" method="post" action="\/console\/alerts\/declare">.*?<\/form>/g)) {
      out.set(/<button[^>]*>([^<]*)<\/button>/.exec(form)![1]!, hiddenFields(form));
    }
    return out;
  }
  const hiddenFields = (form: string): Record<string, string> =>
    Object.fromEntries([...form.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((m) => [m[1]!, unescape(m[2]!)]));
  const unescape = (s: string) =>
    s
      .replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'")
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  const incidents = async () => (await c.schema.pool.query(`SELECT * FROM incidents WHERE title = $1`, [TITLE])).rows;

  it('lists it, escaped, with a form per runbook; the form declares it and opens its page; a foreign post records nothing', async () => {
    expect(await send()).toBe('unrouted');
    const browser = c.client();
    const front = await browser.get('/console');
    expect(front.status).toBe(200);
    expect(front.body).toContain('Unrouted alerts');
    expect(front.body).toContain('Disk &lt;script&gt;alert(1)&lt;/script&gt; full');
    expect(front.body).toContain('note=&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(front.body).not.toContain('<script>alert(1)');
    expect(front.body).not.toContain('<img src=x');
    const forms = declareForms(front.body);
    expect([...forms.keys()]).toEqual([
      'Declare as general',
      'Declare as pdf-404',
      'Declare as queue-failure',
      'Declare as storage-permissions',
      'Declare as workflow-500',
    ]);
    const pdf = forms.get('Declare as pdf-404')!;
    expect(Object.keys(pdf).sort()).toEqual(['choice', 'csrf', 'request']);

    // Another site's page posting the same form (the browser sends its Origin), and one without the CSRF token.
    expect((await browser.post('/console/alerts/declare', pdf, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post('/console/alerts/declare', { ...pdf, csrf: 'forged' })).status).toBe(403);
    expect(await incidents()).toEqual([]);

    const declared = await browser.post('/console/alerts/declare', pdf);
    expect(declared.status).toBe(303);
    const [incident] = await incidents();
    expect(incident).toEqual(expect.objectContaining({ playbook_id: 'pdf-404', platform: 'web', declared_by: 'ada', commander: 'ada' }));
    expect(declared.location).toBe(`/console/incidents/${incident.number}`);
    const page = await browser.get(declared.location!);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`INC-${incident.number} declared with runbook`);
    expect(page.body).toContain('Disk &lt;script&gt;alert(1)&lt;/script&gt; full');
    // Its own buttons work on its page, as on any console incident's.
    const ack = [...page.body.matchAll(/<form class="action" method="post" action="\/console\/click">.*?<\/form>/g)].map((m) => hiddenFields(m[0]));
    const ackFields = ack.find((f) => JSON.parse(f.payload!).a === 'ack')!;
    expect((await browser.post('/console/click', ackFields)).location).toBe(declared.location);
    expect((await incidents())[0].acknowledged_at).not.toBeNull();

    // The same form again (a double submit), or another runbook's from the page still open: the same incident.
    expect((await browser.post('/console/alerts/declare', pdf)).location).toBe(`/console/incidents/${incident.number}`);
    const other = await browser.post('/console/alerts/declare', forms.get('Declare as queue-failure')!);
    expect(other.location).toBe(`/console/incidents/${incident.number}`);
    expect((await browser.get(other.location!)).body).toContain(`This alert is INC-${incident.number} already.`);
    expect(await incidents()).toHaveLength(1);
    expect((await browser.get('/console')).body).not.toContain('Unrouted alerts');
    expect(await send()).toBe('repeated');

    // Once its incident ended, the alert firing again waits for a person again.
    const resolved = await browser.post('/console/command', { csrf: pdf.csrf!, text: 'resolve --validated freed some space', room: `console:${incident.id}` });
    expect(resolved.status).toBe(303);
    expect((await incidents())[0].status).toBe('resolved');
    expect(await send()).toBe('unrouted');
    expect(declareForms((await browser.get('/console')).body).size).toBe(5);
  });
});
