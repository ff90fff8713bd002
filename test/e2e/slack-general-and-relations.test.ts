import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';

const ALICE = 'UALICE01'; // declares; an ordinary, non-admin user
const BOB = 'UBOB0002'; // a responder who is neither commander, declarer nor admin
const ROOT = path.resolve(__dirname, '../..');

/** `incident-bot <args>` against this test's schema, as an operator runs it; never blocking the bot in this process. */
async function cli(h: Harness, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/app/cli.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: h.schema.url, PLAYBOOKS_DIR: path.join(ROOT, 'playbooks') },
    encoding: 'utf8',
  });
  return stdout;
}

/** The incident's own rendered message of `kind` (header, checklist), found by its metadata. */
function rendered(h: Harness, channel: string, kind: 'header' | 'checklist') {
  return h.slack.messagesIn(channel).find((m) => m.metadata?.event_payload.kind === kind) ?? null;
}

/** A keyed notice the bot said in the room, found by its key. */
function notice(h: Harness, channel: string, key: string) {
  return h.slack.messagesIn(channel).find((m) => m.metadata?.event_payload.key === key) ?? null;
}

describe('the general runbook, classes and related incidents in Slack', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    expect(res.status).toBe(200);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    h.slack.join(channel, BOB);
    await h.slack.waitFor(() => rendered(h, channel, 'header') && rendered(h, channel, 'checklist'), 'header and checklist');
    const number = Number(/^INC-(\d+)/.exec(res.body.text)![1]);
    return { res, channel, number };
  }

  const headerText = (channel: string) => JSON.stringify(rendered(h, channel, 'header')!.blocks);
  const waitHeader = (channel: string, text: string) => h.slack.waitFor(() => headerText(channel).includes(text), `the header of ${channel} to show "${text}"`);

  it('declares with no runbook: /incident declare opens a general incident with its channel and triage checklist', async () => {
    const { res, channel } = await declare('declare the login page is slow');

    expect(res.body.text).toMatch(/^INC-\d+ declared with runbook `general`/);
    expect(h.slack.channels.get(channel)!.topic).toMatch(/^INC-\d+ · runbook general · the login page is slow$/);
    const checklist = rendered(h, channel, 'checklist')!;
    expect(stepButtons(checklist.blocks).length).toBeGreaterThanOrEqual(6);
    expect(JSON.stringify(checklist.blocks)).toContain('impact and scope');
    expect(headerText(channel)).toContain('*Class*\\ngeneral');

    const { rows } = await h.schema.pool.query('SELECT playbook_id, class, severity, title FROM incidents WHERE channel_id = $1', [channel]);
    expect(rows[0]).toEqual({ playbook_id: 'general', class: 'general', severity: 3, title: 'the login page is slow' });
  });

  it('still refuses an unknown runbook word, pointing to the runbooks and to /incident declare', async () => {
    const before = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    const res = await h.command('auth-outage nobody can log in', ALICE);
    expect(res.body.text).toContain('Unknown runbook "auth-outage"');
    expect(res.body.text).toContain('pdf-404');
    // Slack escapes < and > in what the bot says.
    expect(res.body.text).toContain('For anything none of them covers, `/incident declare &lt;summary&gt;` uses the general runbook.');
    expect(res.body.text).toContain('Try `/incident pdf-404 &lt;summary&gt;`');
    const after = await h.schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('moves an incident to a class with /incident class, and the report counts that class as uncovered', async () => {
    const { channel } = await declare('declare nobody can sign in with SSO');

    const bad = await h.command('class Auth_Outage', ALICE, channel);
    expect(bad.body.text).toMatch(/lowercase letters, digits and dashes, at most 40 characters/);
    const notMine = await h.command('class auth', BOB, channel);
    expect(notMine.body.text).toMatch(/^Only the commander .* can change the class of INC-\d+/);

    const ok = await h.command('class auth', ALICE, channel);
    expect(ok.body.text).toMatch(/^INC-\d+ is now in class auth/);
    await waitHeader(channel, '*Class*\\nauth');
    const again = await h.command('class auth', ALICE, channel);
    expect(again.body.text).toMatch(/is already in class auth/);

    const events = await h.schema.pool.query(
      `SELECT e.actor, e.data FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE i.channel_id = $1 AND e.kind = 'class.changed'`,
      [channel],
    );
    expect(events.rows).toEqual([{ actor: ALICE, data: { from: 'general', to: 'auth' } }]);

    const report = JSON.parse(await cli(h, 'report', 'mttr', '--json'));
    expect(report.classes).toContainEqual(expect.objectContaining({ class: 'auth', incidents: 1, has_runbook: false }));
    expect(report.uncovered_top_classes).toContainEqual({ class: 'auth', incidents: 1 });
    // The general runbook takes anything, so its class is not coverage either.
    expect(report.classes).toContainEqual(expect.objectContaining({ class: 'general', has_runbook: false }));
    expect(report.runbook_coverage).toBe(0);
    expect(report.overall.duplicates).toBe(0);
  });

  it('closes a duplicate in favour of its original: both rooms told, both headers, left out of MTTR, counted as duplicates', async () => {
    const original = await declare('pdf-404 invoices return 404');
    const dup = await declare('declare customers cannot download invoices');

    const self = await h.command(`duplicate INC-${dup.number}`, ALICE, dup.channel);
    expect(self.body.text).toMatch(/cannot be a duplicate of itself/);
    const unknown = await h.command('duplicate INC-999999', ALICE, dup.channel);
    expect(unknown.body.text).toBe('There is no INC-999999 in this workspace. Run `/incident list` to see the open ones.');
    const notMine = await h.command(`duplicate INC-${original.number}`, BOB, dup.channel);
    expect(notMine.body.text).toMatch(/^Only the commander .* can close as a duplicate INC-\d+/);

    const res = await h.command(`duplicate INC-${original.number}`, ALICE, dup.channel);
    expect(res.body.text).toBe(`INC-${dup.number} is closed as a duplicate of INC-${original.number}; it is left out of MTTR like a cancel.`);

    await waitHeader(dup.channel, `Duplicate of INC-${original.number}`);
    await waitHeader(original.channel, `Duplicates: INC-${dup.number}`);
    expect(headerText(dup.channel)).not.toContain('"Resolve"');
    const inDup = await h.slack.waitFor(() => notice(h, dup.channel, `duplicate_of:${original.number}`), 'the notice in the duplicate room');
    expect(inDup.text).toContain(`is closed as a duplicate of INC-${original.number}`);
    expect(inDup.text).toContain(`<#${original.channel}>`);
    const inOriginal = await h.slack.waitFor(() => notice(h, original.channel, `duplicated_by:${dup.number}`), 'the notice in the original room');
    expect(inOriginal.text).toContain(`was closed as a duplicate of INC-${original.number}`);

    const again = await h.command(`duplicate INC-${original.number}`, ALICE, dup.channel);
    expect(again.body.text).toMatch(/is already a duplicate of/);

    const rows = await h.schema.pool.query('SELECT status, duplicate_of FROM incidents WHERE channel_id = $1', [dup.channel]);
    const originalId = (await h.schema.pool.query('SELECT id FROM incidents WHERE channel_id = $1', [original.channel])).rows[0].id;
    expect(rows.rows[0]).toEqual({ status: 'cancelled', duplicate_of: originalId });

    // A third incident cannot be a duplicate of the duplicate: it is pointed at the original.
    const third = await declare('declare invoice links broken');
    const chained = await h.command(`duplicate INC-${dup.number}`, ALICE, third.channel);
    expect(chained.body.text).toBe(
      `INC-${dup.number} is itself a duplicate of INC-${original.number}. Mark INC-${third.number} as a duplicate of the original instead: \`/incident duplicate INC-${original.number}\`.`,
    );
    // A closed incident cannot become a duplicate.
    const closed = await h.command(`duplicate INC-${third.number}`, ALICE, dup.channel);
    expect(closed.body.text).toMatch(/is already cancelled, so you cannot close as a duplicate it/);

    const kpis = await h.command('mttr 7d', ALICE);
    expect(kpis.body.text).toMatch(/\*Duplicates\*: 1 closed as duplicate of another incident/);
  });

  it('links two incidents both ways, on both headers and timelines; linking again is a no-op', async () => {
    const a = await declare('declare e-mail notifications are not sent');
    const b = await declare('queue jobs stuck in the email queue');

    const self = await h.command(`link INC-${a.number}`, ALICE, a.channel);
    expect(self.body.text).toMatch(/cannot be linked to itself/);
    const bad = await h.command('link the other one', ALICE, a.channel);
    expect(bad.body.text).toMatch(/^Name the other incident and nothing else/);

    const res = await h.command(`link INC-${b.number}`, BOB, a.channel);
    expect(res.body.text).toBe(`INC-${a.number} and INC-${b.number} are now linked as related, on both headers.`);
    await waitHeader(a.channel, `Related: INC-${b.number}`);
    await waitHeader(b.channel, `Related: INC-${a.number}`);

    // From the other side, the pair is already linked.
    const again = await h.command(`link INC-${a.number}`, ALICE, b.channel);
    expect(again.body.text).toBe(`INC-${b.number} and INC-${a.number} are already linked.`);

    const events = await h.schema.pool.query(
      `SELECT i.number, e.actor, e.data FROM incident_events e JOIN incidents i ON i.id = e.incident_id WHERE e.kind = 'incident.linked' ORDER BY i.number`,
    );
    expect(events.rows).toEqual([
      { number: String(a.number), actor: BOB, data: { with: b.number } },
      { number: String(b.number), actor: BOB, data: { with: a.number } },
    ]);
    const links = await h.schema.pool.query('SELECT count(*)::int AS n FROM incident_links');
    expect(links.rows[0].n).toBe(1);

    // The post-mortem export names the related incident.
    const md = await cli(h, 'postmortem', `INC-${a.number}`);
    expect(md).toContain(`| Related | INC-${b.number} |`);
    expect(md).toContain(`Linked as related to INC-${b.number}`);
  });
});
