import { postmortemMarkdown } from '../../src/core/render/postmortem';
import { startHarness, type Harness } from '../support/harness';

jest.setTimeout(60_000);

const ALICE = 'UALICE01'; // declares: the commander, so the post-mortem's owner
const BOB = 'UBOB0002'; // a responder in the channel: neither owner nor commander
const DAY = 86_400_000;

let now = Date.now();
const clock = { now: () => new Date(now) };

let h: Harness;
let second: Harness;
beforeAll(async () => {
  h = await startHarness({ clock });
  second = await startHarness({ clock, share: h }); // a second bot of the same deployment
  for (const id of [ALICE, BOB]) h.slack.users.push({ id, name: id.toLowerCase() });
});
afterAll(async () => {
  await second?.stop();
  await h?.stop();
});

/** A SEV2 declared and resolved: its post-mortem is open, as a draft owned by Alice. */
async function resolvedIncident(summary: string) {
  const res = await h.command(`pdf-404 ${summary}`, ALICE);
  const channel = await h.slack.declaredChannel(res.responseUrl);
  h.slack.join(channel, BOB);
  await say('resolve --validated rolled back the storage key change', ALICE, channel);
  const { rows } = await h.schema.pool.query('SELECT id, number FROM incidents WHERE channel_id = $1', [channel]);
  return { channel, id: rows[0].id as string, number: rows[0].number as number };
}

const say = async (text: string, user: string, channel: string) => (await h.command(text, user, channel)).body?.text as string;
const stored = async (id: string) => (await h.schema.pool.query('SELECT * FROM postmortems WHERE incident_id = $1', [id])).rows[0];

/** The follow-up message, found by the metadata the bot posts it with. */
const followUp = (channel: string, id: string, has = '') =>
  h.slack.waitFor(
    () =>
      h.slack
        .messagesIn(channel)
        .find((m) => m.metadata?.event_payload?.incident_id === id && m.metadata?.event_payload?.kind === 'followup' && JSON.stringify(m.blocks).includes(has)),
    `the follow-up message${has ? ` showing ${has}` : ''}`,
  );

describe('the post-mortem analysis (Slack)', () => {
  it('refuses review without a root cause and publishing with an empty part, naming them; "n/a" fills a part', async () => {
    const inc = await resolvedIncident('invoices return 404');
    expect(await say('postmortem review', ALICE, inc.channel)).toMatch(/post-mortem cannot go to review without a root cause/);
    expect((await stored(inc.id)).status).toBe('draft');

    expect(await say('analysis root_cause storage keys rotated without re-rendering cached PDFs', BOB, inc.channel)).toMatch(
      /^Only the post-mortem owner \(<@UALICE01>\) or an incident admin can edit the post-mortem analysis of INC-\d+/,
    );
    expect(await say('analysis category Storage Keys!', ALICE, inc.channel)).toMatch(/"Storage Keys!" is not a cause category/);
    expect(await say('analysis root_cause storage keys rotated without re-rendering cached PDFs', ALICE, inc.channel)).toMatch(
      /^Saved INC-\d+'s analysis\. INC-\d+'s analysis is missing: Impact, Cause category, Contributing factors, What went well, What went badly, Lessons\./,
    );
    expect(await say('postmortem review', ALICE, inc.channel)).toMatch(/is in review/);

    await say('analysis impact 40 tenants could not download invoices for 31 minutes', ALICE, inc.channel);
    await say('analysis category storage-keys-rotated', ALICE, inc.channel);
    await say('analysis factors N/A', ALICE, inc.channel);
    const refused = await say('postmortem publish', ALICE, inc.channel);
    expect(refused).toMatch(/cannot be published yet: What went well, What went badly, Lessons are still empty/);
    expect(refused).toContain('n/a where it does not apply');
    expect((await stored(inc.id)).status).toBe('in_review');

    for (const part of ['went_well', 'went_badly', 'lessons']) await say(`analysis ${part} n/a`, ALICE, inc.channel);
    // No action items: published and closed at once.
    expect(await say('postmortem publish', ALICE, inc.channel)).toMatch(/post-mortem is closed/);
    expect(await stored(inc.id)).toMatchObject({
      status: 'closed',
      root_cause: 'storage keys rotated without re-rendering cached PDFs',
      cause_category: 'storage-keys-rotated',
      contributing_factors: 'n/a',
      analysis_updated_by: ALICE,
    });
    // Published is what was reviewed: it stays so.
    expect(await say('analysis lessons rotate keys with the renderer', ALICE, inc.channel)).toMatch(/is closed, so its analysis stays as it was published/);
  });

  it('"n/a" as the category of a cause no category fits: it publishes, the export says so, and the column the reports count stays empty', async () => {
    const inc = await resolvedIncident('a one-off cause');
    await say('analysis category bucket-policy-edited', ALICE, inc.channel);
    for (const [part, text] of [
      ['impact', 'two tenants saw 404s'],
      ['root_cause', 'a hand-edited bucket policy'],
      ['category', 'N/A'],
      ['factors', 'n/a'],
      ['went_well', 'n/a'],
      ['went_badly', 'n/a'],
      ['lessons', 'n/a'],
    ])
      await say(`analysis ${part} ${text}`, ALICE, inc.channel);
    // The slug written first is gone: "n/a" replaced it.
    expect(await stored(inc.id)).toMatchObject({ cause_category: null, cause_category_na: true });
    await say('postmortem review', ALICE, inc.channel);
    expect(await say('postmortem publish', ALICE, inc.channel)).toMatch(/post-mortem is closed/);
    const snapshot = (await h.runtime.deps.store.get(inc.id))!;
    expect(snapshot.postmortem!.analysis!.causeCategory).toBe('n/a');
    const md = postmortemMarkdown({ snapshot, runbook: h.runtime.deps.catalog.forIncident('pdf-404'), timeline: await h.runtime.deps.store.timeline(inc.id) });
    expect(md).toContain('Cause category: n/a (no category fits; not counted in recurrence by cause)');
  });

  it('the draft post has Edit analysis too: it opens the same modal, prefilled', async () => {
    const inc = await resolvedIncident('draft edit button');
    await say('analysis impact drafts 404ed', ALICE, inc.channel);
    const draft = await h.slack.waitFor(
      () => h.slack.messagesIn(inc.channel).find((m) => JSON.stringify(m.blocks ?? []).includes('Post-mortem draft')),
      'the draft',
    );
    const buttons = draft.blocks.flatMap((b: any) => (b.elements ?? []).concat(b.accessory ? [b.accessory] : [])).filter((e: any) => e.type === 'button');
    expect(buttons.map((b: any) => b.text.text)).toEqual(['Edit analysis', 'Send to review']);
    const edit = buttons[0];
    const before = h.slack.views.length;
    expect(await h.click(ALICE, inc.channel, draft.ts, edit.action_id, edit.value)).toBe(200);
    const modal = (await h.slack.waitFor(() => h.slack.views.slice(before).find((v) => v.view.callback_id === 'incident.analysis'), 'the analysis modal')).view;
    expect(modal.blocks.find((b: any) => b.type === 'input').element.initial_value).toBe('drafts 404ed');
  });

  it('Edit analysis opens a prefilled modal; submitting it stores the parts, records which changed and re-renders the follow-up', async () => {
    const inc = await resolvedIncident('quotes return 404');
    await say('analysis impact a few quotes 404ed', ALICE, inc.channel);
    const msg = await followUp(inc.channel, inc.id, 'Analysis missing: Root cause');
    const button = msg.blocks.flatMap((b: any) => b.elements ?? []).find((e: any) => e.action_id === 'incident.analysis');
    expect(button.text.text).toBe('Edit analysis');

    // Bob may not: he is told, and no modal opens.
    const before = h.slack.views.length;
    expect(await h.click(BOB, inc.channel, msg.ts, 'incident.analysis', button.value)).toBe(200);
    await h.slack.waitFor(() => h.slack.replies.find((r) => /Only the post-mortem owner/.test(r.body.text ?? '')), 'the refusal');
    expect(h.slack.views.slice(before)).toEqual([]);
    expect(await h.click(ALICE, inc.channel, msg.ts, 'incident.analysis', button.value)).toBe(200);
    const modal = (await h.slack.waitFor(() => h.slack.views.slice(before).find((v) => v.view.callback_id === 'incident.analysis'), 'the analysis modal')).view;
    const inputs = modal.blocks.filter((b: any) => b.type === 'input');
    expect(inputs.map((b: any) => b.label.text)).toEqual([
      'Impact',
      'Root cause',
      'Cause category',
      'Contributing factors',
      'What went well',
      'What went badly',
      'Lessons',
    ]);
    expect(inputs[0].element.initial_value).toBe('a few quotes 404ed');

    const value = (text: string) => ({ value: { type: 'plain_text_input', value: text } });
    const refused = await h.submitView(ALICE, modal, { causeCategory: value('Quotes CDN') });
    expect(refused.body.response_action).toBe('errors');
    expect(refused.body.errors.causeCategory).toMatch(/"Quotes CDN" is not a cause category/);

    const res = await h.submitView(ALICE, modal, {
      impactSummary: value('a few quotes 404ed'),
      rootCause: value('the CDN kept <old> paths & *stale* links'),
      causeCategory: value('cdn-stale-paths'),
      contributingFactors: value('n/a'),
      wentWell: value('the runbook found it in 9 minutes'),
      wentBadly: value(''),
      lessons: value('purge on deploy'),
    });
    expect(res.status).toBe(200);
    expect(res.body).toBeNull(); // the modal closes
    expect(await stored(inc.id)).toMatchObject({
      impact_summary: 'a few quotes 404ed',
      root_cause: 'the CDN kept <old> paths & *stale* links',
      cause_category: 'cdn-stale-paths',
      contributing_factors: 'n/a',
      went_well: 'the runbook found it in 9 minutes',
      went_badly: null,
      lessons: 'purge on deploy',
      analysis_updated_by: ALICE,
    });
    const events = await h.schema.pool.query(
      `SELECT actor, data FROM incident_events WHERE incident_id = $1 AND kind = 'postmortem.analysis_edited' ORDER BY at, id`,
      [inc.id],
    );
    expect(events.rows.at(-1)).toEqual({ actor: ALICE, data: { fields: ['root_cause', 'category', 'factors', 'went_well', 'lessons'] } });

    // The follow-up shows what is still missing, and the text is in the export, escaped.
    const after = await followUp(inc.channel, inc.id, 'Analysis missing: What went badly.');
    expect(JSON.stringify(after.blocks)).not.toContain('Root cause');
    const snapshot = (await h.runtime.deps.store.get(inc.id))!;
    const md = postmortemMarkdown({ snapshot, runbook: h.runtime.deps.catalog.forIncident('pdf-404'), timeline: await h.runtime.deps.store.timeline(inc.id) });
    expect(md).toContain('## Root cause\n\nthe CDN kept \\<old\\> paths & \\*stale\\* links\n\nCause category: cdn-stale-paths');
    expect(md).toContain('Post-mortem analysis edited: root cause, cause category, contributing factors, what went well, lessons');
  });

  it('reminds the owner of an overdue post-mortem once per day, with two bots running the daily job twice', async () => {
    const inc = await resolvedIncident('receipts return 404');
    const today = new Date(now).toISOString().slice(0, 10);
    await h.schema.pool.query('UPDATE postmortems SET due_on = $2::date WHERE incident_id = $1', [inc.id, today]);
    const dm = `D${ALICE.slice(1)}`;
    const reminders = () => h.slack.messagesIn(dm).filter((m) => m.text.includes(`post-mortem of INC-${inc.number}`));
    const runDaily = async (tag: string) => {
      await Promise.all([h, second].map((b, i) => b.runtime.queues.queues.schedules.add('actions.remind', {}, { jobId: `pm-remind-${tag}-${i}` })));
      await new Promise((r) => setTimeout(r, 1_500));
    };
    await runDaily('same-day');
    expect(reminders()).toHaveLength(0); // due today is not overdue yet
    now += DAY;
    await runDaily('day-1');
    await h.slack.waitFor(() => reminders().length >= 1, 'the first reminder');
    await runDaily('day-1-again');
    expect(reminders()).toHaveLength(1);
    expect(reminders()[0]!.text).toContain('is overdue: a draft');
    expect(reminders()[0]!.text).toContain('Its analysis is missing: Impact, Root cause');
    expect(reminders()[0]!.text).toContain(`analysis INC-${inc.number} &lt;part&gt; &lt;text&gt;`);
    now += DAY;
    await runDaily('day-2');
    await h.slack.waitFor(() => reminders().length >= 2, 'the next day');
    await runDaily('day-2-again');
    expect(reminders()).toHaveLength(2);
    // A published one is not overdue any more.
    await h.schema.pool.query(`UPDATE postmortems SET status = 'published', published_at = now() WHERE incident_id = $1`, [inc.id]);
    now += DAY;
    await runDaily('day-3');
    expect(reminders()).toHaveLength(2);
  });
});
