import { formsOf as forms, startConsoleHarness, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';

describe('the note box on the console incident page', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness();
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  function person(id: string): ConsoleClient {
    const client = c.client();
    client.jar.set('ib_person', id);
    return client;
  }

  it('adds a note to the timeline once, as text, and shows it on the page and in the timeline', async () => {
    const ada = person('ada');
    const box = forms((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const declared = await ada.post('/console/command', { ...box.fields, text: '/incident pdf-404 console notes' });
    const url = declared.location!;
    const page = (await ada.get(url)).body;
    const noteBox = forms(page).find((f) => f.action === '/console/note')!;
    expect(noteBox).toBeDefined();
    expect(noteBox.fields.csrf).toBeTruthy();
    expect(noteBox.fields.request).toMatch(/^[A-Za-z0-9-]{8,64}$/);
    // The box stops typing where the server would refuse: the limit of a summary.
    expect(page).toMatch(/<input id="note-text" name="note" type="text" required maxlength="500"/);

    const hostile = '<img src=x onerror=alert(1)> 403 from storage & "quotes"';
    const sent = await ada.post('/console/note', { ...noteBox.fields, note: hostile });
    expect(sent.status).toBe(303);
    // The same form sent twice (a double submit, a lost answer) is one request.
    expect((await ada.post('/console/note', { ...noteBox.fields, note: hostile })).status).toBe(303);

    const incident = (await c.runtime.deps.store.findByNumber('web', 'console', Number(/(\d+)$/.exec(url)![1])))!;
    const notes = (await c.runtime.deps.store.timeline(incident.incident.id)).filter((e) => e.kind === 'note.added');
    expect(notes).toEqual([expect.objectContaining({ actor: 'ada', data: { text: hostile } })]);

    const after = (await ada.get(url)).body;
    expect(after).toContain('Note: &lt;img src=x onerror=alert(1)&gt; 403 from storage &amp; &quot;quotes&quot;');
    expect(after).not.toContain('<img src=x');
  });

  it('refuses a note too long, and a form without its CSRF token', async () => {
    const ada = person('ada');
    const box = forms((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const url = (await ada.post('/console/command', { ...box.fields, text: '/incident pdf-404 console refused notes' })).location!;
    const noteBox = forms((await ada.get(url)).body).find((f) => f.action === '/console/note')!;
    const long = await ada.post('/console/note', { ...noteBox.fields, note: 'y'.repeat(501) });
    expect(long.status).toBe(303);
    expect((await ada.get(long.location!)).body).toContain('That note is 501 characters; keep it to 500.');
    const forged = await ada.post('/console/note', { ...noteBox.fields, csrf: 'forged', note: 'sneaky' });
    expect(forged.status).toBe(403);
    const incident = (await c.runtime.deps.store.findByNumber('web', 'console', Number(/(\d+)$/.exec(url)![1])))!;
    expect((await c.runtime.deps.store.timeline(incident.incident.id)).filter((e) => e.kind === 'note.added')).toEqual([]);
  });
});

describe('/incident started on the console incident page', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness();
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('records when impact began, shows it beside the declaration and on the timeline, and refuses a time after the declaration', async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const box = forms((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const url = (await ada.post('/console/command', { ...box.fields, text: '/incident pdf-404 console impact start' })).location!;
    const incident = (await c.runtime.deps.store.findByNumber('web', 'console', Number(/(\d+)$/.exec(url)![1])))!.incident;
    const started = new Date(incident.declaredAt.getTime() - 25 * 60_000);
    const pageBox = () => ada.get(url).then((r) => forms(r.body).find((f) => f.action === '/console/command')!);

    const said = await ada.post('/console/command', { ...(await pageBox()).fields, text: `/incident started ${started.toISOString()}` });
    expect((await ada.get(said.location!)).body).toMatch(/Impact started \d\d:\d\d UTC \(25 min before the declaration\): recorded for INC-\d+\./);
    expect((await c.runtime.deps.store.get(incident.id))!.incident.impactStartedAt).toEqual(started);
    const page = (await ada.get(url)).body;
    expect(page).toContain('; impact started ');
    expect(page).toContain('(25 min before)');
    expect(page).toContain('Impact start set to ');

    const late = new Date(incident.declaredAt.getTime() + 10 * 60_000);
    const refused = await ada.post('/console/command', { ...(await pageBox()).fields, text: `/incident started ${late.toISOString()}` });
    expect((await ada.get(refused.location!)).body).toMatch(/Impact cannot start after INC-\d+ was declared: .* is 10 min after the declaration/);
    expect((await c.runtime.deps.store.get(incident.id))!.incident.impactStartedAt).toEqual(started);
  });
});
