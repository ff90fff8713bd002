import { formsOf as forms, startConsoleHarness, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';

/** The edge case's list item on the page, by the id the view gives it. */
const edgeItem = (page: string, id: string) => new RegExp(`<li class="edge-case[^"]*" id="edge-${id}">([\\s\\S]*?)</li>`).exec(page)?.[1] ?? null;

describe('edge cases on the console incident page', () => {
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

  it('shows the focused step its edge cases and the runbook its own; This happened from two people records it once and says who', async () => {
    const ada = person('ada');
    const box = forms((await ada.get('/console')).body).find((f) => f.action === '/console/command')!;
    const declared = await ada.post('/console/command', { ...box.fields, text: '/incident pdf-404 console edge cases' });
    expect(declared.status).toBe(303);
    const url = declared.location!;
    const page = (await ada.get(url)).body;

    // The step in focus (step 1) carries its own case, its fallback and the button.
    const focused = edgeItem(page, 'api-baseline:1');
    expect(focused).toContain('Edge case api-baseline:1');
    expect(focused).toContain('Fallback:');
    expect(focused).toContain('This happened');
    // The runbook-level cases are under the checklist, each with its number.
    expect(page).toContain('Edge cases of the whole runbook');
    expect(edgeItem(page, '2')).toContain('Admins can download the PDF but members get 404');

    const ben = person('ben');
    const benPage = (await ben.get(url)).body;
    const adaButton = forms(page).find((f) => f.fields.payload?.includes('"c":"api-baseline:1"'))!;
    const benButton = forms(benPage).find((f) => f.fields.payload?.includes('"c":"api-baseline:1"'))!;
    expect(adaButton.label).toBe('This happened');
    const [a, b] = await Promise.all([ada.post('/console/click', adaButton.fields), ben.post('/console/click', benButton.fields)]);
    expect([a.status, b.status]).toEqual([303, 303]);

    const incident = (await c.runtime.deps.store.findByNumber('web', 'console', Number(/(\d+)$/.exec(url)![1])))!;
    const hits = (await c.runtime.deps.store.timeline(incident.incident.id)).filter((e) => e.kind === 'edge_case.hit');
    expect(hits).toHaveLength(1);
    const who = { ada: 'Ada', ben: 'Ben' }[hits[0]!.actor];

    const after = (await ada.get(url)).body;
    const item = edgeItem(after, 'api-baseline:1')!;
    expect(item).toMatch(new RegExp(`Happened \\(by <span class="person">${who} \\([a-z ]+\\)</span> at <time datetime=`));
    expect(item).not.toContain('This happened');
    // The timeline says it too, in words.
    expect(after).toContain('Edge case api-baseline:1 hit: The probe shows');
  });
});
