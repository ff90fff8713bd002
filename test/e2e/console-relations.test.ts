import { startConsoleHarness, csrfOf, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';
import { until } from '../support/wait';

/** The console's command box takes the same words as Slack: declare with no runbook, then close a duplicate. */
describe('the general runbook and duplicates on the console', () => {
  let c: ConsoleHarness;
  let ada: ConsoleClient;
  beforeAll(async () => {
    c = await startConsoleHarness();
    ada = c.client();
    ada.jar.set('ib_person', 'ada');
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
  });

  /** Types `text` into the command box of `page` (an incident's page, or the list), as the form posts it. */
  async function type(text: string, page = '/console', room?: string): Promise<string> {
    const html = (await ada.get(page)).body;
    const request = /<input type="hidden" name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const res = await ada.post('/console/command', { csrf: csrfOf(html)!, request, text, ...(room ? { room } : {}) });
    expect(res.status).toBe(303);
    return (await ada.get(res.location!)).body;
  }

  async function incident(title: string): Promise<{ id: string; number: number }> {
    const { rows } = await c.schema.pool.query('SELECT id, number FROM incidents WHERE title = $1', [title]);
    return { id: rows[0].id, number: Number(rows[0].number) };
  }

  it('declares a general incident from the command box and closes another as its duplicate, on both pages', async () => {
    await type('/incident declare password reset e-mails never arrive');
    const original = await incident('password reset e-mails never arrive');
    const page = await type('/incident declare users say reset links do not come');
    expect(page).toContain('declared with runbook');
    const dup = await incident('users say reset links do not come');
    const { rows } = await c.schema.pool.query('SELECT playbook_id, class FROM incidents WHERE id = $1', [dup.id]);
    expect(rows[0]).toEqual({ playbook_id: 'general', class: 'general' });

    const dupPage = `/console/incidents/${dup.number}`;
    const answered = await type(`/incident duplicate INC-${original.number}`, dupPage, `console:${dup.id}`);
    expect(answered).toContain(`INC-${dup.number} is closed as a duplicate of INC-${original.number}`);
    await until(async () => (await ada.get(dupPage)).body.includes(`Duplicate of INC-${original.number}`), 'the duplicate page header', 10_000);
    const originalPage = `/console/incidents/${original.number}`;
    await until(async () => (await ada.get(originalPage)).body.includes(`Duplicates: INC-${dup.number}`), 'the original page header', 10_000);
    // Each room is told, once.
    await until(
      async () => {
        const said = await c.schema.pool.query('SELECT incident_id, key FROM console_messages WHERE key LIKE $1 ORDER BY key', ['duplicate%']);
        return said.rows.length === 2 ? said.rows : null;
      },
      'a notice in each room',
      10_000,
    );
    expect((await ada.get(originalPage)).body).toContain(`was closed as a duplicate of INC-${original.number}`);
  });
});
