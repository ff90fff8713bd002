import { formsOf, startConsoleHarness, type ConsoleHarness } from '../support/console-harness';
import { seedPastIncident } from '../support/past-incidents';
import { rawRequest } from '../support/raw-http';
import { until } from '../support/wait';

const HOSTILE_CAUSE = '<img src=x onerror=alert(1)> kerberos ticket expired & "quoted"';

describe('memory of past incidents on the console: the search page, the command, and similar incidents on the incident page', () => {
  let c: ConsoleHarness;
  let past: { id: string; number: number };
  let slackOne: { id: string; number: number };

  beforeAll(async () => {
    c = await startConsoleHarness();
    past = await seedPastIncident(c.schema.pool, {
      platform: 'web',
      workspace: 'console',
      channelId: 'console',
      class: 'queue',
      runbook: 'queue-failure',
      title: 'render jobs stuck in the queue',
      daysAgo: 4,
      minutes: 75,
      cause: HOSTILE_CAUSE,
      resolution: 'renewed the keytab and restarted the workers',
      postmortem: { status: 'in_review', lessons: 'alert before the ticket expires' },
    });
    // Another platform's incident: not the console's to show.
    slackOne = await seedPastIncident(c.schema.pool, { class: 'queue', title: 'kerberos ticket expired in slack', daysAgo: 2 });
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('lists matches with cause, fix and a link to the incident page, everything typed escaped', async () => {
    const ada = c.client();
    const empty = await ada.get('/console/search');
    expect(empty.status).toBe(200);
    expect(empty.body).toContain('<form class="command search" method="get" action="/console/search" role="search">');
    expect(empty.body).toContain('<a href="/console/search" aria-current="page">Search</a>');

    const page = await ada.get('/console/search?q=kerberos');
    expect(page.status).toBe(200);
    expect(page.body).toContain(`<strong>INC-${past.number}</strong>`);
    expect(page.body).toContain('resolved in 1h 15m');
    expect(page.body).toContain('Cause: &lt;img src=x onerror=alert(1)&gt; kerberos ticket expired &amp; &quot;quoted&quot;');
    expect(page.body).not.toContain('<img src=x');
    expect(page.body).toContain('Fix: renewed the keytab and restarted the workers');
    expect(page.body).toContain(`post-mortem (in review): <a href="/console/rooms/${past.id}">the incident page</a>`);
    expect(page.body).not.toContain(`INC-${slackOne.number}<`);
    const room = await ada.get(`/console/rooms/${past.id}`);
    expect(room.status).toBe(303);
    expect(room.location).toBe(`/console/incidents/${past.number}`);
    expect((await ada.get(`/console/rooms/${slackOne.id}`)).status).toBe(404);

    // A word of the post-mortem's lessons finds it too.
    expect((await ada.get('/console/search?q=expires+alert')).body).toContain(`<strong>INC-${past.number}</strong>`);
  });

  it('answers hostile, empty, too long and NUL-laden searches with a page that says why, never a 500', async () => {
    const ada = c.client();
    const hostile = `<script>alert(1)</script>" & | ! :* ' OR 1=1 -- "unclosed`;
    const res = await ada.get(`/console/search?q=${encodeURIComponent(hostile)}`);
    expect(res.status).toBe(200);
    expect(res.body).not.toContain('<script>alert(1)');
    expect(res.body).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;&quot; &amp; | ! :* &#39;');
    expect(res.body).toContain('No past incident matches');
    const nul = await ada.get('/console/search?q=%00%01');
    expect(nul.status).toBe(200);
    expect(nul.body).toContain('Say what to look for');
    const long = await ada.get(`/console/search?q=${'a'.repeat(5000)}`);
    expect(long.status).toBe(200);
    expect(long.body).toContain('That search is 5000 characters; keep it to 200.');
    const stop = await ada.get('/console/search?q=the+of+and');
    expect(stop.body).toContain('has no word to search for');
    // The console's own host check holds here as on every page.
    const foreign = await rawRequest(`${c.baseUrl}/console/search?q=kerberos`, { headers: { host: 'evil.example' } });
    expect(foreign.status).toBe(421);
  });

  it('takes /incident search in the command box', async () => {
    const ada = c.client();
    const box = formsOf((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const sent = await ada.post('/console/command', { ...box.fields, text: '/incident search keytab' });
    expect(sent.status).toBe(303);
    const shown = (await ada.get(sent.location!)).body;
    expect(shown).toContain(`<strong>INC-${past.number}</strong>`);
    expect(shown).toContain('Fix: renewed the keytab and restarted the workers');
  });

  it('shows earlier incidents like a new one on its page, once', async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const box = formsOf((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const url = (await ada.post('/console/command', { ...box.fields, text: '/incident queue-failure kerberos ticket expired again' })).location!;
    const page = await until(
      async () => {
        const body = (await ada.get(url)).body;
        return body.includes('Seen before') && body;
      },
      'the similar-incidents notice on the page',
      15_000,
    );
    expect(page).toContain(`<strong>INC-${past.number}</strong>`);
    expect(page).toContain('(same class)');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain(`INC-${slackOne.number}<`);
    expect(page.split('Seen before')).toHaveLength(2);
  });
});
