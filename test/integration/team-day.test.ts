import path from 'node:path';
import { addActionItem } from '../../src/core/incident/action-items';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import type { ChatPlatform } from '../../src/core/ports';
import { actionListText } from '../../src/core/render/follow-up-text';
import { followUpView } from '../../src/core/render/follow-up';
import { homeView } from '../../src/core/render/home';
import { plainText, type Text } from '../../src/core/text/text';
import { loadCatalog } from '../../src/core/runbook/loader';
import { createLogger } from '../../src/util/logger';
import { OverdueReminders } from '../../src/jobs/handlers/actions-remind';
import { ActionReminderStore } from '../../src/store/action-reminders';
import { HomeQueries } from '../../src/store/home';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';

const TZ = 'Asia/Tokyo';
const OWNER = 'UOWNER001';
const USER = { id: OWNER, isAdmin: false, inChannel: true };

/**
 * One "today" for the team: at 23:30 UTC on the 9th it is already the 10th in Tokyo, so an item
 * due the 10th is due today everywhere it shows, and only the one due the 9th gets a reminder.
 */
describe("the team's day (TEAM_TZ=Asia/Tokyo)", () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let now = new Date('2026-03-08T03:00:00Z');
  let incidentId: string;

  beforeAll(async () => {
    schema = await freshSchema();
    deps = { store: new PgIncidentStore(schema.pool), clock: { now: () => now }, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: TZ };
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', summary: 'PDF links 404', actor: USER, platform: 'slack', workspace: 'T1' });
    incidentId = snapshot.incident.id;
    await addActionItem(deps, incidentId, USER, { text: 'Due yesterday in Tokyo', owner: OWNER, dueOn: '2026-03-09' }, 'r1');
    await addActionItem(deps, incidentId, USER, { text: 'Due today in Tokyo', owner: OWNER, dueOn: '2026-03-10' }, 'r2');
    now = new Date('2026-03-09T23:30:00Z');
  });
  afterAll(() => schema.drop());

  it('reminds only the item due before the Tokyo day', async () => {
    const reminded: string[] = [];
    const platform = { remind: async (_user: string, _incident: unknown, text: Text) => void reminded.push(plainText(text)) } as unknown as ChatPlatform;
    const reminders = new OverdueReminders(new ActionReminderStore(schema.pool), () => platform, deps.clock, TZ, createLogger('silent'));
    expect(await reminders.run()).toBe(1);
    expect(reminded).toHaveLength(1);
    expect(reminded[0]).toContain('Due yesterday in Tokyo · due 2026-03-09');
  });

  it('shows the item due the Tokyo day as due today, not overdue, on the App Home', async () => {
    const home = homeView(await new HomeQueries(schema.pool).forUser('slack', 'T1', OWNER), now, TZ);
    const rows = home.sections.flatMap((s) => s.rows).map((r) => ({ text: plainText(r.text), overdue: r.overdue }));
    expect(rows.find((r) => r.text.includes('Due today in Tokyo'))).toMatchObject({ overdue: false });
    expect(rows.find((r) => r.text.includes('Due today in Tokyo'))!.text).toContain('Due today (2026-03-10)');
    expect(rows.find((r) => r.text.includes('Due yesterday in Tokyo'))).toMatchObject({ overdue: true });
  });

  it('agrees in the follow-up message and the action list', async () => {
    const snap = (await deps.store.get(incidentId))!;
    const view = followUpView(snap, deps.catalog.forIncident(snap.incident.runbookId), now, TZ)!;
    expect(view.open.map((x) => [x.number, x.overdue])).toEqual([
      [1, true],
      [2, false],
    ]);
    const list = plainText(actionListText(snap, now, TZ));
    expect(list).toMatch(/Due today in Tokyo.* · due 2026-03-10$/m);
    expect(list).toMatch(/due 2026-03-09 \(overdue\)/);
  });

  it('refuses a due day before the Tokyo day, and takes the Tokyo today', async () => {
    await expect(addActionItem(deps, incidentId, USER, { text: 'Late', owner: null, dueOn: '2026-03-09' }, 'r3')).rejects.toMatchObject({
      code: 'invalid_input',
    });
    await expect(addActionItem(deps, incidentId, USER, { text: 'Today', owner: null, dueOn: '2026-03-10' }, 'r4')).resolves.toBeDefined();
  });
});
