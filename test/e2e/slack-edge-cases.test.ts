import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { startHarness, SIGNING_SECRET, TEAM, type Harness } from '../support/harness';
import { postSigned } from '../support/signing';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';

/** The shipped runbook as written: what the channel must show is what its author wrote. */
const pdf404 = parse(fs.readFileSync(path.resolve(__dirname, '../../playbooks/pdf-404.yaml'), 'utf8'));

const richText = (block: any): string =>
  (block.elements as any[]).map((e) => (e.elements as any[]).map((t) => t.text ?? (t.elements ?? []).map((x: any) => x.text).join('')).join('')).join('\n');
const buttonsOf = (blocks: any[]) => blocks.flatMap((b) => (b.type === 'actions' ? b.elements : b.accessory ? [b.accessory] : []));

describe('edge cases in the Slack checklist: seen where they happen, recorded once', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  /** The checklist is the message whose blocks hold the steps; the runbook's pages post other messages too. */
  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    h.slack.join(channel, BOB);
    const checklist = await h.slack.waitFor(
      () => h.slack.messagesIn(channel).find((m) => (m.blocks ?? []).some((b: any) => b.block_id === `step-${pdf404.steps[0].id}`)),
      'the checklist',
    );
    const incident = (await h.runtime.deps.store.findByChannel('slack', channel))!.incident;
    return { channel, ts: checklist.ts, incident };
  }
  const latest = (channel: string, ts: string) => h.slack.messages.get(`${channel}/${ts}`)!.blocks as any[];

  it('shows the focused step its own edge cases with their fallbacks and This happened; the others not yet', async () => {
    const { channel, ts } = await declare('pdf-404 edge cases shown');
    const blocks = latest(channel, ts);
    const [first] = pdf404.steps;
    const edge = blocks.find((b) => b.block_id === `edge-${first.id}:1`);
    expect(edge.type).toBe('rich_text');
    const text = richText(edge);
    expect(text).toContain(`Edge case ${first.id}:1:`);
    expect(text).toContain(first.edge_cases[0].case.trim().replace(/\*\*/g, '').split('\n')[0]);
    expect(text).toContain('Fallback:');
    expect(text).toContain('The probe itself is broken');
    const button = buttonsOf(blocks).find((b) => b.action_id === `edge.${first.id}:1`);
    expect(button.text.text).toBe('This happened');
    // A step out of focus keeps its edge cases for when it is in focus (and in its Details).
    expect(blocks.some((b) => String(b.block_id).startsWith(`edge-${pdf404.steps[4].id}:`))).toBe(false);
  });

  it('records a double click, by two people at once, as one edge_case.hit, and the checklist says who and when', async () => {
    const { channel, ts, incident } = await declare('pdf-404 edge case double click');
    const id = `${pdf404.steps[0].id}:1`;
    const button = buttonsOf(latest(channel, ts)).find((b) => b.action_id === `edge.${id}`);
    const statuses = await Promise.all([
      h.click(ALICE, channel, ts, button.action_id, button.value, '1764126000.000101'),
      h.click(BOB, channel, ts, button.action_id, button.value, '1764126000.000102'),
    ]);
    expect(statuses).toEqual([200, 200]);

    const happened = await h.slack.waitFor(() => latest(channel, ts).find((b) => b.block_id === `edge-happened-${id}`), 'the case shown as happened');
    expect(happened.elements[0].text).toMatch(new RegExp(`^:white_check_mark: Happened \\(by <@(${ALICE}|${BOB})> at <!date\\^\\d+\\^`));
    expect(buttonsOf(latest(channel, ts)).some((b) => b.action_id === `edge.${id}`)).toBe(false);

    const hits = (await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'edge_case.hit');
    expect(hits).toEqual([expect.objectContaining({ data: { case: 1, step: pdf404.steps[0].id, note: null } })]);
    // The one who came second is told it was already recorded, and by whom.
    const told = await h.slack.waitFor(() => h.slack.replies.find((r) => /already recorded/.test(r.body.text ?? '')), 'the second clicker told');
    expect(told.body.text).toContain(`Edge case ${id} was already recorded on INC-${incident.number}, by <@${hits[0]!.actor}>`);

    // The same click replayed (Slack retries with the same action_ts) records nothing more either.
    expect(await h.click(ALICE, channel, ts, button.action_id, button.value, '1764126000.000101')).toBe(200);
    expect((await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'edge_case.hit')).toHaveLength(1);
  });

  it("shows a step's edge cases and the runbook's in its Details modal, and This happened there updates the modal", async () => {
    const { channel, ts, incident } = await declare('pdf-404 edge case details');
    const step = pdf404.steps.find((s: any) => s.id === 'mitigate');
    const details = buttonsOf(latest(channel, ts)).find((b) => b.action_id === `details.${step.id}`);
    expect(await h.click(BOB, channel, ts, details.action_id, details.value)).toBe(200);
    const opened = await h.slack.waitFor(() => h.slack.views.find((v) => v.view.blocks.some((b: any) => b.block_id === `edge-${step.id}:2`)), 'the modal');
    const ids = opened.view.blocks.map((b: any) => b.block_id).filter((b: any) => String(b).startsWith('edge-') && !String(b).startsWith('edge-actions'));
    expect(ids).toEqual([`edge-${step.id}:1`, `edge-${step.id}:2`, 'edge-1', 'edge-2', 'edge-3']);
    expect(richText(opened.view.blocks.find((b: any) => b.block_id === 'edge-2'))).toContain('Admins can download the PDF but members get 404');

    // Slack sends a modal's click with the view and no channel; the modal names the incident's room.
    const button = buttonsOf(opened.view.blocks).find((b: any) => b.action_id === 'edge.2');
    const viewId = `V${h.slack.views.indexOf(opened) + 1}`;
    const payload = {
      type: 'block_actions',
      team: { id: TEAM, domain: 'braiflow' },
      user: { id: BOB, username: 'bob', name: 'bob', team_id: TEAM },
      api_app_id: 'A0TEST',
      token: 'legacy-verification-token',
      container: { type: 'view', view_id: viewId },
      trigger_id: 'trigger-modal-1',
      view: { id: viewId, type: 'modal', private_metadata: opened.view.private_metadata, hash: 'h1', blocks: opened.view.blocks },
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: 'edge-actions-2',
          text: { type: 'plain_text', text: 'This happened' },
          value: button.value,
          action_ts: '1764126000.000201',
        },
      ],
    };
    const res = await postSigned(
      h.eventsUrl,
      SIGNING_SECRET,
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      'application/x-www-form-urlencoded',
    );
    expect(res.status).toBe(200);

    await h.slack.waitFor(() => h.slack.views.find((v) => v.view.blocks.some((b: any) => b.block_id === 'edge-happened-2')), 'the modal redrawn');
    const hits = (await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'edge_case.hit');
    expect(hits).toEqual([expect.objectContaining({ actor: BOB, data: { case: 2, note: null } })]);
  });

  it('lists every edge case with its number on /incident edge, and records a step case typed by its number', async () => {
    const { channel, incident } = await declare('pdf-404 edge case command');
    const listed = (await h.command('edge', BOB, channel)).body?.text as string;
    expect(listed).toContain(`INC-${incident.number}'s edge cases`);
    expect(listed).toContain('`2` Admins can download the PDF but members get 404');
    expect(listed).toContain('`storage-object:1`');

    // Recorded before Slack is acked: the answer says so, with the fallback to follow.
    const recorded = (await h.command('edge storage-object:1 toolbox got 403', BOB, channel)).body?.text as string;
    expect(recorded).toMatch(/^Recorded edge case storage-object:1 on INC-\d+: /);
    expect(recorded).toContain('Fallback: The toolbox credentials cannot read the bucket');
    const hits = (await h.runtime.deps.store.timeline(incident.id)).filter((e) => e.kind === 'edge_case.hit');
    expect(hits).toEqual([expect.objectContaining({ data: { case: 1, step: 'storage-object', note: 'toolbox got 403' } })]);
  });
});
