import { startConsoleHarness, csrfOf, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';

/** The console's incident page offers the switch as a form; both checklists show on the page. */
describe('switching runbook on the console', () => {
  let c: ConsoleHarness;
  beforeAll(async () => {
    c = await startConsoleHarness();
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  const request = (page: string) => /<input type="hidden" name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';

  async function incidentPage(client: ConsoleClient, number: number): Promise<string> {
    return (await client.get(`/console/incidents/${number}`)).body;
  }

  it('switches the same incident from its page, keeps the old checklist read-only, and refuses someone who does not lead it', async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const home = (await ada.get('/console')).body;
    await ada.post('/console/command', { csrf: csrfOf(home)!, request: request(home), text: '/incident pdf-404 invoices <b>404</b>' });
    const { rows } = await c.schema.pool.query(`SELECT id, number, declared_at FROM incidents WHERE playbook_id = 'pdf-404'`);
    const { id, number, declared_at } = rows[0];

    let page = await incidentPage(ada, number);
    const form = /<form class="action choice"[\s\S]*?<\/form>/.exec(page)![0];
    expect(form).toContain('<label for="choice-switch-runbook">Switch runbook</label>');
    const choice = /<option value="([^"]+)">storage-permissions: /.exec(form)![1]!.replaceAll('&quot;', '"');

    // Ben neither declared nor commands it: refused, as for severity.
    const ben = c.client();
    ben.jar.set('ib_person', 'ben');
    const benPage = await incidentPage(ben, number);
    const refused = await ben.post('/console/click', { csrf: csrfOf(benPage)!, request: request(benPage), payload: choice });
    expect(refused.status).toBe(303);
    expect(await incidentPage(ben, number)).toMatch(/Only the commander .* can switch the runbook of INC-\d+/);

    const done = await ada.post('/console/click', { csrf: csrfOf(page)!, request: request(page), payload: choice });
    expect(done.status).toBe(303);
    page = await incidentPage(ada, number);
    expect(page).toMatch(/INC-\d+ now follows Object storage access denied/);

    // One incident, now storage-permissions; both checklists on its page, the old one without buttons.
    const after = (await c.schema.pool.query('SELECT id, playbook_id, class, declared_at FROM incidents')).rows;
    expect(after).toEqual([{ id, playbook_id: 'storage-permissions', class: 'storage', declared_at }]);
    expect(page).toMatch(/<h2 id="checklist-heading">INC-\d+ checklist: Object storage access denied/);
    const old = /<section class="panel checklist replaced"[\s\S]*?<\/section>/.exec(page)![0];
    expect(old).toMatch(/checklist: Generated PDFs .* \(replaced\)/);
    expect(old).toMatch(/Replaced by Object storage access denied .*\(storage-permissions\)/);
    expect(old).not.toContain('<form');
    // The summary stays text on the page.
    expect(page).toContain('invoices &lt;b&gt;404&lt;/b&gt;');
    expect(page).not.toContain('<b>404</b>');
    const events = await c.schema.pool.query(`SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = 'runbook.changed'`, [id]);
    expect(events.rows).toEqual([{ actor: 'ada', data: { from: 'pdf-404', to: 'storage-permissions', reason: null, class: 'storage' } }]);
    // The timeline says it in words.
    expect(page).toContain('Runbook switched from pdf-404 to storage-permissions');
  });
});
