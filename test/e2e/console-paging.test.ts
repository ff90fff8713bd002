import { rmSync } from 'node:fs';
import { startConsoleHarness, csrfOf, type ConsoleClient, type ConsoleHarness } from '../support/console-harness';
import { quickLadderDir } from '../support/escalation-fixtures';
import { sleep, until } from '../support/wait';

/**
 * The console names its people in a runbook as `@<id>` (CONSOLE_PEOPLE): Ada is level 1, so her own
 * declare is her acknowledgement and nobody is paged; Ben (support) declaring pages her.
 */
describe('paging from the console', () => {
  let dir: string;
  let c: ConsoleHarness;
  beforeAll(async () => {
    dir = quickLadderDir([
      { after: '1s', notify: ['@ada'] },
      { after: '30m', notify: ['@root'] },
    ]);
    c = await startConsoleHarness({ runbooksDir: dir });
  }, 30_000);
  afterAll(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  async function declare(client: ConsoleClient, summary: string): Promise<{ id: string; declared_at: Date }> {
    const page = (await client.get('/console')).body;
    const request = /<input type="hidden" name="request" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const res = await client.post('/console/command', { csrf: csrfOf(page)!, request, text: `/incident pdf-404 ${summary}` });
    expect(res.status).toBe(303);
    const { rows } = await c.schema.pool.query('SELECT id, declared_at FROM incidents WHERE title = $1', [summary]);
    return rows[0];
  }
  const state = async (id: string) => {
    const { rows } = await c.schema.pool.query('SELECT acknowledged_at, acknowledged_via FROM incidents WHERE id = $1', [id]);
    const levels = await c.schema.pool.query('SELECT level FROM escalations WHERE incident_id = $1', [id]);
    return { ...rows[0], levels: levels.rows.map((r) => r.level) };
  };

  it("counts the on-call's own declare as the acknowledgement: level 1 is not paged", async () => {
    const ada = c.client();
    ada.jar.set('ib_person', 'ada');
    const { id, declared_at } = await declare(ada, 'ada saw it first');
    await until(async () => (await state(id)).acknowledged_at, 'the acknowledgement by declaring', 10_000);
    await sleep(1_500);
    expect(await state(id)).toEqual({ acknowledged_at: declared_at, acknowledged_via: 'declare', levels: [] });
  });

  it('pages level 1 when someone else declares, and the incident stays unacknowledged', async () => {
    const ben = c.client();
    ben.jar.set('ib_person', 'ben');
    const { id } = await declare(ben, 'ben saw it first');
    await until(async () => (await state(id)).levels.length === 1, 'level 1', 10_000);
    expect(await state(id)).toEqual({ acknowledged_at: null, acknowledged_via: null, levels: [1] });
  });
});
