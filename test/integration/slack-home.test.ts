import { createSlackClient } from '../../src/adapters/slack/client';
import { SlackHome } from '../../src/adapters/slack/home';
import { decodeAction } from '../../src/core/text/actions';
import { createLogger } from '../../src/util/logger';
import { HomeQueries } from '../../src/store/home';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack, homeViewProblem } from '../support/fake-slack';

const TEAM = 'T0HOME';
const OTHER_TEAM = 'T0OTHER';
const ME = 'U0ME';
const YOU = 'U0YOU';
const NOW = new Date('2025-06-10T12:00:00Z');

interface SeedIncident {
  title: string;
  severity?: number;
  status?: 'declared' | 'acknowledged' | 'mitigated' | 'resolved' | 'cancelled';
  platform?: string;
  workspace?: string | null;
  imported?: boolean;
  channel?: string | null;
}

describe('the App Home read and published', () => {
  let schema: TestSchema;
  let queries: HomeQueries;
  let seq = 0;

  beforeAll(async () => {
    schema = await freshSchema();
    queries = new HomeQueries(schema.pool);
  });
  afterAll(async () => {
    await schema.drop();
  });

  async function incident(s: SeedIncident): Promise<{ id: string; number: number }> {
    const status = s.status ?? 'declared';
    const declared = new Date(NOW.getTime() - ++seq * 60_000);
    const ended = new Date(NOW.getTime() - 1000);
    const r = await schema.pool.query<{ id: string; number: string }>(
      `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, workspace, channel_id, declared_by,
                              declared_at, resolved_at, cancelled_at, imported_from, external_id)
       VALUES ('pdf-404', 'pdf', $1, $2, $3, $4, $5, $6, 'U0DECL', $7, $8, $9, $10, $11)
       RETURNING id, number`,
      [
        s.title,
        s.severity ?? 3,
        status,
        s.platform ?? 'slack',
        s.workspace === undefined ? TEAM : s.workspace,
        s.channel === undefined ? `C0HOME${seq}` : s.channel,
        declared,
        status === 'resolved' ? ended : null,
        status === 'cancelled' ? ended : null,
        s.imported ? 'csv' : null,
        s.imported ? `EXT-${seq}` : null,
      ],
    );
    return { id: r.rows[0]!.id, number: Number(r.rows[0]!.number) };
  }

  async function item(incidentId: string, n: number, owner: string | null, dueOn: string | null, closed = false): Promise<void> {
    await schema.pool.query(
      `INSERT INTO action_items (incident_id, number, text, owner, due_on, created_at, created_by, closed_at, closed_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'U0CMDR', $7, $8)`,
      [incidentId, n, `item ${n} <!here>`, owner, dueOn, NOW, closed ? NOW : null, closed ? owner : null],
    );
  }

  async function postmortem(incidentId: string, owner: string | null, status: 'draft' | 'in_review' | 'published' | 'closed', dueOn: string): Promise<void> {
    await schema.pool.query(
      `INSERT INTO postmortems (incident_id, status, owner, due_on, opened_at, opened_by, closed_at)
       VALUES ($1, $2, $3, $4, $5, 'incident-bot', $6)`,
      [incidentId, status, owner, dueOn, NOW, status === 'closed' ? NOW : null],
    );
  }

  let mine: { id: string; number: number };
  let sev1: { id: string; number: number };

  beforeAll(async () => {
    // Open in this workspace: three, the SEV1 among them.
    mine = await incident({ title: 'Checkout slow', severity: 3, status: 'acknowledged' });
    sev1 = await incident({ title: 'Everything down', severity: 1 });
    await incident({ title: 'PDFs 404', severity: 2, status: 'mitigated' });
    // Not open incidents of this workspace on Slack.
    const resolved = await incident({ title: 'Resolved last week', severity: 1, status: 'resolved' });
    await incident({ title: 'Declared by mistake', severity: 1, status: 'cancelled' });
    await incident({ title: 'Imported history', severity: 1, imported: true, channel: null });
    const elsewhere = await incident({ title: 'Other workspace', severity: 1, workspace: OTHER_TEAM });
    const teams = await incident({ title: 'On Teams', severity: 1, platform: 'teams', workspace: TEAM });
    await incident({ title: 'No workspace', severity: 1, workspace: null });

    // Mine and open: on an open incident and on a resolved one (follow-up work outlives the incident).
    await item(mine.id, 1, ME, '2025-06-20');
    await item(mine.id, 2, ME, '2025-06-01'); // overdue
    await item(resolved.id, 1, ME, null);
    await item(resolved.id, 2, ME, '2025-06-10');
    // Not mine, or not open, or not this workspace's Slack incidents.
    await item(mine.id, 3, YOU, '2025-05-01');
    await item(mine.id, 4, ME, '2025-05-01', true);
    await item(mine.id, 5, null, '2025-05-01');
    await item(elsewhere.id, 1, ME, '2025-05-01');
    await item(teams.id, 1, ME, '2025-05-01');

    await postmortem(resolved.id, ME, 'in_review', '2025-06-05');
    await postmortem(sev1.id, ME, 'draft', '2025-06-30');
    await postmortem(mine.id, YOU, 'draft', '2025-06-01');
    await postmortem(elsewhere.id, ME, 'draft', '2025-06-01');
    await postmortem(teams.id, ME, 'draft', '2025-06-01');
  });

  it("reads only that workspace's open incidents and that person's open items and post-mortems, with totals", async () => {
    const home = await queries.forUser('slack', TEAM, ME);
    expect(home.open.map((i) => [i.title, i.severity])).toEqual([
      ['Everything down', 1],
      ['PDFs 404', 2],
      ['Checkout slow', 3],
    ]);
    expect(home.open[0]).toEqual(expect.objectContaining({ id: sev1.id, number: sev1.number, status: 'declared', workspace: TEAM, platform: 'slack' }));
    expect(home.open[0]!.declaredAt).toBeInstanceOf(Date);

    expect(home.items.map((a) => [a.incident.title, a.number, a.dueOn])).toEqual([
      ['Checkout slow', 2, '2025-06-01'],
      ['Resolved last week', 2, '2025-06-10'],
      ['Checkout slow', 1, '2025-06-20'],
      ['Resolved last week', 1, null],
    ]);
    expect(home.items[0]).toEqual(
      expect.objectContaining({
        owner: ME,
        closedAt: null,
        text: 'item 2 <!here>',
        incident: { id: mine.id, number: mine.number, title: 'Checkout slow', channelId: expect.any(String) },
      }),
    );

    expect(home.postmortems.map((p) => [p.incident.title, p.status, p.dueOn])).toEqual([
      ['Resolved last week', 'in_review', '2025-06-05'],
      ['Everything down', 'draft', '2025-06-30'],
    ]);
    expect(home.totals).toEqual({ open: 3, items: 4, postmortems: 2 });
  });

  it('fetches no more than the limits, and still counts them all', async () => {
    const home = await queries.forUser('slack', TEAM, ME, { open: 1, items: 2, postmortems: 1 });
    expect(home.open.map((i) => i.title)).toEqual(['Everything down']);
    expect(home.items.map((a) => a.dueOn)).toEqual(['2025-06-01', '2025-06-10']);
    expect(home.postmortems).toHaveLength(1);
    expect(home.totals).toEqual({ open: 3, items: 4, postmortems: 2 });
  });

  it('reads an empty home as empty, and a workspace-less one by its own rows', async () => {
    expect(await queries.forUser('slack', TEAM, 'U0NOBODY')).toEqual({
      open: expect.any(Array),
      items: [],
      postmortems: [],
      totals: { open: 3, items: 0, postmortems: 0 },
    });
    const none = await queries.forUser('slack', null, ME);
    expect(none.open.map((i) => i.title)).toEqual(['No workspace']);
    expect(none.totals).toEqual({ open: 1, items: 0, postmortems: 0 });
  });

  it('publishes a valid home view for that person through the Web API', async () => {
    const slack = await new FakeSlack().start();
    try {
      // The client the bot uses, pointed at the fake as SLACK_API_URL points it in the end-to-end tests.
      const client = createSlackClient({ botToken: 'xoxb-test-home', apiUrl: slack.apiUrl, admins: { users: [], groups: [] } });
      const home = new SlackHome(client, queries, createLogger('silent'), 'UTC');
      await home.publish(TEAM, ME, NOW);

      expect([...slack.homes.keys()]).toEqual([ME]);
      const { user_id, view } = slack.homes.get(ME)!;
      expect(user_id).toBe(ME);
      expect(homeViewProblem(view)).toBeNull();
      const text = JSON.stringify(view.blocks);
      expect(text).toContain('Everything down');
      expect(text).toContain('item 2 &lt;!here&gt;');
      expect(text).not.toContain('<!here>');
      const done = view.blocks.filter((b: any) => b.accessory?.action_id?.startsWith('item.done.')).map((b: any) => b.accessory);
      expect(done.map((b: any) => decodeAction(b.value))).toEqual([
        { a: 'item', i: mine.id, n: 2 },
        expect.objectContaining({ a: 'item', n: 2 }),
        { a: 'item', i: mine.id, n: 1 },
        expect.objectContaining({ a: 'item', n: 1 }),
      ]);
      expect(done[0].action_id).toBe(`item.done.${mine.id}.2`);

      // Published again, the latest view wins; another person gets their own.
      await home.refresh(TEAM, [ME, YOU], NOW);
      expect(slack.callsOf('views.publish')).toHaveLength(3);
      const yours = slack.homes.get(YOU)!.view;
      expect(homeViewProblem(yours)).toBeNull();
      expect(yours.blocks.filter((b: any) => b.accessory).map((b: any) => b.accessory.action_id)).toEqual([`item.done.${mine.id}.3`]);
      expect(slack.homes.get(ME)!.view).toEqual(view);
    } finally {
      await slack.stop();
    }
  });
});
