import { postmortemMarkdown } from '../../src/core/render/postmortem';
import { ManualClock } from '../support/manual-clock';
import { startHarness, type Harness } from '../support/harness';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';

// 02:54 in Berlin (CET, UTC+1): the team's zone, in which a bare `02:40` is read.
const DECLARED = '2026-12-05T01:54:00Z';

describe("/incident started in Slack: when impact began, in the person's own time zone or the team's", () => {
  let h: Harness;
  const clock = new ManualClock(new Date(DECLARED));
  beforeAll(async () => {
    h = await startHarness({ clock, env: { TEAM_TZ: 'Europe/Berlin' } });
  });
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    h.slack.join(channel, BOB);
    const incident = (await h.runtime.deps.store.findByChannel('slack', channel))!.incident;
    return { channel, incident };
  }
  const header = (channel: string) =>
    h.slack.messagesIn(channel).find((m) => m.metadata?.event_type === 'braiflow_incident_message' && m.blocks[0]?.type === 'header');

  it('records a local time before the declaration, says it in the zone it read it in, and shows it in the header, status and post-mortem', async () => {
    clock.set(DECLARED);
    const { channel, incident } = await declare('pdf-404 invoices return 404 since the deploy');
    clock.set('2026-12-05T02:05:00Z');
    const said = await h.command('started 02:40', BOB, channel);
    expect(said.body.text).toBe(`Impact started 02:40 Europe/Berlin (14 min before the declaration): recorded for INC-${incident.number}.`);

    const stored = (await h.runtime.deps.store.get(incident.id))!.incident;
    expect(stored.impactStartedAt).toEqual(new Date('2026-12-05T01:40:00Z'));
    const events = (await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'impact.start_set');
    expect(events).toEqual([expect.objectContaining({ actor: BOB, data: { from: null, to: '2026-12-05T01:40:00.000Z' } })]);

    // The header is rendered again from the stored state, with the start beside the declaration.
    await h.slack.waitFor(() => JSON.stringify(header(channel)?.blocks ?? []).includes('impact started'), 'the header to show the impact start');
    expect(JSON.stringify(header(channel)!.blocks)).toContain('(14 min before)');

    const status = (await h.command('status', ALICE, channel)).body.text as string;
    expect(status).toMatch(/Impact started <!date\^1796434800\^/);

    // The same time again changes nothing; an ISO instant with its offset is taken as it is.
    const again = await h.command('started 2026-12-05T02:40:00+01:00', BOB, channel);
    expect(again.body.text).toBe(`INC-${incident.number}'s impact start was already 02:40 Europe/Berlin (14 min before the declaration).`);
    expect((await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'impact.start_set')).toHaveLength(1);

    const snapshot = (await h.runtime.deps.store.get(incident.id))!;
    const markdown = postmortemMarkdown({
      snapshot,
      runbook: h.runtime.deps.catalog.forIncident('pdf-404'),
      timeline: await h.runtime.deps.store.timeline(incident.id),
    });
    expect(markdown).toContain('Impact started at 2026-12-05 01:40 UTC, 14 min before the declaration.');
    expect(markdown).toMatch(/\| Impact start set to 2026-12-05 01:40 UTC \|/);
    expect(markdown).toMatch(/\| Time to detect \(impact start → declared\) \| 14 min \|/);
  });

  it('refuses a time after the declaration and one more than 30 days before it, and changes nothing', async () => {
    clock.set(DECLARED);
    const { channel, incident } = await declare('pdf-404 refused impact starts');
    clock.set('2026-12-05T02:30:00Z');
    const late = await h.command('started 03:10', BOB, channel);
    expect(late.body.text).toBe(
      `Impact cannot start after INC-${incident.number} was declared: 03:10 Europe/Berlin is 16 min after the declaration at 02:54. ` +
        'Nothing was changed. Give the time impact began, e.g. `/incident started 02:40`.',
    );
    const early = await h.command('started 2026-10-01 02:40', BOB, channel);
    expect(early.body.text).toMatch(/^1 Oct 2026 02:40 Europe\/Berlin is more than 30 days before INC-\d+ was declared\. Nothing was changed\./);
    const garbled = await h.command('started yesterday', BOB, channel);
    expect(garbled.body.text).toMatch(/^Say when impact started as a time in your own zone/);
    expect((await h.runtime.deps.store.get(incident.id))!.incident.impactStartedAt).toBeNull();
    expect((await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'impact.start_set')).toEqual([]);
  });

  it("reads the time in the zone of the person's Slack profile, and says which zone it used", async () => {
    const CAROL = 'UCAROL03';
    h.slack.users.push({ id: CAROL, name: 'carol', tz: 'America/New_York' });
    clock.set(DECLARED); // 20:54 the evening before in New York (UTC−5)
    const { channel, incident } = await declare('pdf-404 a reader in New York');
    h.slack.join(channel, CAROL);
    const said = await h.command('started 20:40', CAROL, channel);
    expect(said.body.text).toBe(`Impact started 20:40 America/New_York (14 min before the declaration): recorded for INC-${incident.number}.`);
    expect((await h.runtime.deps.store.get(incident.id))!.incident.impactStartedAt).toEqual(new Date('2026-12-05T01:40:00Z'));
    // Bob's profile has no zone: his 02:40 is the team's (Berlin), the same instant.
    const bob = await h.command('started 02:40', BOB, channel);
    expect(bob.body.text).toBe(`INC-${incident.number}'s impact start was already 02:40 Europe/Berlin (14 min before the declaration).`);
    // Refusals name the reader's zone too.
    const late = await h.command('started 21:10', CAROL, channel);
    expect(late.body.text).toContain('21:10 America/New_York is 16 min after the declaration at 20:54.');
    expect((await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'impact.start_set')).toHaveLength(1);
  });
});
