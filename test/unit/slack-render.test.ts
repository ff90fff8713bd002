import { checklistMessages, headerMessage, type SlackMessage } from '../../src/adapters/slack/blocks';
import { CHANNEL_NAME, channelName } from '../../src/adapters/slack/channel-name';
import type { Incident, Status } from '../../src/core/model';
import type { Runbook } from '../../src/core/runbook/schema';
import { checklistView, headerView } from '../../src/core/render/views';
import { blockProblem } from '../support/fake-slack';
import { DECLARED_AT, DONE_AT, INCIDENT_ID, makeRunbook, makeSnapshot } from '../support/factories';

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';

/** The incident rendered here: Alice declared it and commands it, and its title is full of characters Slack escapes. */
const ALICES_INCIDENT: Partial<Incident> = { title: 'Invoices & quotes return <404> for some tenants', declaredBy: ALICE, commander: ALICE };

/** About 2400 characters of runbook detail, over many lines, full of characters Slack treats as control characters. */
function longDetail(n: number): string {
  const lines: string[] = [];
  for (let i = 0; lines.join('\n').length < 2350; i++) {
    lines.push(`${n}.${i} Check A&B <queue> depth & retries; if waiting > 200 && failed < 20 then page <@oncall>.`);
  }
  return lines.join('\n').slice(0, 2400);
}

function bigRunbook(steps: number): Runbook {
  return makeRunbook({
    id: 'big-runbook',
    title: 'A very long runbook & friends',
    summary: 'Synthetic runbook with many long steps.',
    links: [
      { title: 'Grafana & logs', url: 'https://grafana.example/d/x' },
      { title: 'Status page', url: 'https://status.example' },
    ],
    steps: Array.from({ length: steps }, (_, i) => ({
      id: `step-${String(i + 1).padStart(3, '0')}`,
      title: `Step ${i + 1}: look at <things> & stuff`,
      detail: longDetail(i + 1),
      ...(i === 0 ? { probe: 'me-standard-user' } : {}),
    })),
  });
}

const texts = (m: SlackMessage): string[] =>
  m.blocks
    .flatMap((b: any) => [b.text?.text, ...(b.fields ?? []).map((f: any) => f.text), ...(b.elements ?? []).map((e: any) => e.text)])
    .filter((t): t is string => typeof t === 'string');

const stepButtons = (m: SlackMessage) =>
  m.blocks
    .filter((b: any) => b.accessory?.action_id?.startsWith('step.'))
    .map((b: any) => ({ actionId: b.accessory.action_id as string, label: b.accessory.text.text as string, value: JSON.parse(b.accessory.value) }));

const allButtons = (m: SlackMessage) =>
  m.blocks.flatMap((b: any) => [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]).filter((e: any) => e.type === 'button');

describe('channelName', () => {
  const base = { declaredAt: DECLARED_AT, runbookId: 'pdf-404', number: 7 };

  it('reads inc-<yyyymmdd>-<runbook>-<n>', () => {
    expect(channelName(base)).toBe('inc-20250307-pdf-404-7');
  });

  it('uses the UTC date of declaration', () => {
    expect(channelName({ ...base, declaredAt: new Date('2025-12-31T23:59:59Z') })).toBe('inc-20251231-pdf-404-7');
  });

  it('adds -<attempt> when a retry needs a fresh name', () => {
    expect(channelName(base, 2)).toBe('inc-20250307-pdf-404-7-2');
    expect(channelName(base, 1)).toBe('inc-20250307-pdf-404-7');
  });

  it('is lowercase and only uses characters Slack allows', () => {
    const name = channelName({ ...base, runbookId: 'PDF 404/Invoices' });
    expect(name).toBe(name.toLowerCase());
    expect(name).toMatch(/^[a-z0-9_-]{1,80}$/);
  });

  it('stays within 80 characters for a 40-character runbook id and a huge incident number, keeping the number', () => {
    const runbookId = 'a'.repeat(20) + '-' + 'b'.repeat(19);
    expect(runbookId).toHaveLength(40);
    for (const number of [1, 2147483647, Number.MAX_SAFE_INTEGER]) {
      for (const attempt of [1, 2, 99]) {
        const name = channelName({ ...base, runbookId, number }, attempt);
        expect(name).toMatch(/^[a-z0-9_-]{1,80}$/);
        expect(name).toMatch(CHANNEL_NAME);
        expect(name.startsWith('inc-20250307-')).toBe(true);
        expect(name.endsWith(`-${number}${attempt > 1 ? `-${attempt}` : ''}`)).toBe(true);
      }
    }
  });
});

describe('checklistMessages', () => {
  const STEPS = 120;
  const runbook = bigRunbook(STEPS);
  const pages = checklistMessages(checklistView(makeSnapshot({ runbook, incident: ALICES_INCIDENT }), runbook));

  it('splits a 120-step runbook over several messages', () => {
    expect(pages.length).toBeGreaterThan(1);
  });

  it('keeps every message within Slack Block Kit limits', () => {
    for (const [i, page] of pages.entries()) {
      expect({ page: i + 1, problem: blockProblem(page.blocks) }).toEqual({ page: i + 1, problem: null });
      expect(page.text).not.toBe('');
    }
  });

  it('shows every step exactly once, in runbook order', () => {
    const shown = pages.flatMap((p) => p.blocks.filter((b: any) => b.type === 'section' && String(b.block_id).startsWith('step-')).map((b: any) => b.block_id));
    expect(shown).toEqual(runbook.steps.map((s) => `step-${s.id}`));
    const buttons = pages.flatMap(stepButtons).map((b) => b.actionId);
    expect(buttons).toEqual(runbook.steps.map((s) => `step.${s.id}`));
  });

  it('shows the step in focus whole and every other step in one line, each with its Details button', () => {
    const focus = pages[0]!.blocks.find((b: any) => b.type === 'rich_text') as any;
    expect(focus.block_id).toBe(`step-detail-${runbook.steps[0]!.id}`);
    expect(pages.flatMap((p) => p.blocks).filter((b: any) => b.type === 'rich_text')).toHaveLength(1);
    const details = pages.flatMap((p) =>
      p.blocks.filter((b: any) => b.type === 'actions' && String(b.block_id).startsWith('step-details-')).flatMap((b: any) => b.elements),
    );
    expect(details.map((e: any) => [e.action_id, e.text.text, e.value])).toEqual(
      runbook.steps.map((st, i) => [`details.${st.id}`, String(i + 1), INCIDENT_ID]),
    );
  });

  it('labels each message "part k of N" and says when the checklist continues', () => {
    const n = pages.length;
    pages.forEach((page, i) => {
      const label = `part ${i + 1} of ${n}`;
      expect(page.text).toContain(label);
      expect((page.blocks[0] as any).text.text).toContain(label);
      const last = page.blocks[page.blocks.length - 1] as any;
      if (i < n - 1) expect(last.elements[0].text).toBe(`Continued in the next message (part ${i + 2}).`);
      else expect(last.type).not.toBe('context');
    });
    expect(pages[0]!.text).toContain('part 1 of');
  });

  it('escapes & and < from runbook text so Slack shows them literally', () => {
    for (const t of pages.flatMap(texts)) {
      // Only Slack's own tokens may open with "<": mentions, dates, links.
      const stray = t.replace(/<(@[UW][A-Z0-9]+|!date\^[^>]+|https?:\/\/[^>]+)>/g, '');
      expect(stray).not.toMatch(/[<>]/);
      expect(stray).not.toMatch(/&(?!amp;|lt;|gt;)/);
    }
  });

  it('keeps a long unbroken detail of the step in focus whole, exactly as written, within Slack limits', () => {
    const dense = bigRunbook(1);
    dense.steps[0]!.detail = '&<>'.repeat(1200); // 3,600 characters with no line break or space
    const msgs = checklistMessages(checklistView(makeSnapshot({ runbook: dense, incident: ALICES_INCIDENT }), dense));
    const rich = msgs[0]!.blocks.find((b: any) => b.type === 'rich_text') as any;
    const texts = rich.elements.flatMap((e: any) => e.elements.map((t: any) => t.text as string));
    expect(texts.join('')).toBe(dense.steps[0]!.detail);
    for (const t of texts) expect(t.length).toBeLessThanOrEqual(3000);
    expect(blockProblem(msgs[0]!.blocks)).toBeNull();
  });

  it('puts a short runbook in one message without a part label', () => {
    const small = bigRunbook(3);
    const msgs = checklistMessages(checklistView(makeSnapshot({ runbook: small, incident: ALICES_INCIDENT }), small));
    expect(msgs).toHaveLength(1);
    expect(msgs[0]!.text).not.toMatch(/part \d/);
    expect(blockProblem(msgs[0]!.blocks)).toBeNull();
  });
});

describe('checklist step state', () => {
  const runbook = bigRunbook(4);

  it('shows who completed a step and when, and offers Reopen', () => {
    const s = makeSnapshot({ runbook, incident: { ...ALICES_INCIDENT, status: 'acknowledged' }, done: ['step-002'], doneBy: BOB });
    const msgs = checklistMessages(checklistView(s, runbook));
    const blocks = msgs.flatMap((m) => m.blocks) as any[];
    const start = blocks.findIndex((b) => b.block_id === 'step-step-002');
    const doneStep = blocks[start];
    const stepText = blocks
      .slice(
        start,
        blocks.findIndex((b) => b.block_id === 'step-step-003'),
      )
      .filter((b) => b.type === 'section')
      .map((b) => b.text.text)
      .join('\n');
    expect(stepText).toContain(`Done by <@UBOB0002> <!date^${Math.floor(DONE_AT.getTime() / 1000)}^`);
    expect(stepText).toContain('|2025-03-07 09:42 UTC>');
    expect(doneStep.text.text).toContain(':white_check_mark:');

    const buttons = msgs.flatMap(stepButtons);
    expect(buttons.find((b) => b.actionId === 'step.step-002')).toEqual({
      actionId: 'step.step-002',
      label: 'Reopen',
      value: { a: 'step', i: INCIDENT_ID, s: 'step-002', to: 'open' },
    });
    expect(msgs[0]!.text).toContain('1/4 done'); // progress is shown on the first part only
    expect(buttons.filter((b) => b.label === 'Done')).toHaveLength(3);
  });

  it('offers Done on an open step', () => {
    const msgs = checklistMessages(checklistView(makeSnapshot({ runbook, incident: ALICES_INCIDENT }), runbook));
    const buttons = msgs.flatMap(stepButtons);
    expect(buttons).toHaveLength(4);
    for (const b of buttons) {
      expect(b.label).toBe('Done');
      expect(b.value).toEqual({ a: 'step', i: INCIDENT_ID, s: b.actionId.replace(/^step\./, ''), to: 'done' });
    }
    expect(msgs.flatMap(texts).join('\n')).not.toContain('Done by');
  });

  it.each<Status>(['resolved', 'cancelled'])('offers no buttons once the incident is %s', (status) => {
    const endedAt = status === 'resolved' ? { resolvedAt: DONE_AT } : { cancelledAt: DONE_AT };
    const ended = makeSnapshot({ runbook, incident: { ...ALICES_INCIDENT, status, ...endedAt }, done: ['step-001'], doneBy: BOB });
    const checklist = checklistMessages(checklistView(ended, runbook));
    const header = headerMessage(headerView(ended, runbook));
    // Only the Details buttons stay: they open a step to read, and change nothing.
    expect(checklist.flatMap(allButtons).filter((b: any) => !b.action_id.startsWith('details.'))).toEqual([]);
    expect(allButtons(header)).toEqual([]);
    expect(header.blocks.some((b: any) => b.type === 'actions')).toBe(false);
    // The record of who did what stays visible.
    expect(checklist.flatMap(texts).join('\n')).toContain('Done by <@UBOB0002>');
  });
});

describe('headerMessage', () => {
  const runbook = bigRunbook(2);
  const header = (status: Status, extra: Partial<Incident> = {}) =>
    headerMessage(headerView(makeSnapshot({ runbook, incident: { ...ALICES_INCIDENT, status, ...extra } }), runbook));
  const actionIds = (m: SlackMessage) => allButtons(m).map((b: any) => b.action_id);

  it('offers Acknowledge, Cause identified, Escalate and Resolve while the incident is only declared', () => {
    const m = header('declared');
    expect(actionIds(m)).toEqual(['incident.ack', 'incident.diagnosed', 'incident.escalate', 'incident.resolve']);
    expect(allButtons(m).map((b: any) => JSON.parse(b.value))).toEqual([
      { a: 'ack', i: INCIDENT_ID },
      { a: 'diagnosed', i: INCIDENT_ID },
      { a: 'escalate', i: INCIDENT_ID },
      { a: 'resolve', i: INCIDENT_ID },
    ]);
    expect(m.text).toContain('(Declared)');
  });

  it.each<Status>(['acknowledged', 'mitigated'])('offers Cause identified, Escalate and Resolve once %s, not Acknowledge', (status) => {
    expect(actionIds(header(status, { acknowledgedAt: DONE_AT }))).toEqual(['incident.diagnosed', 'incident.escalate', 'incident.resolve']);
  });

  it('resolves from the button through the quick validation modal, with no confirm dialog before it', () => {
    const resolve: any = allButtons(header('acknowledged')).find((b: any) => b.action_id === 'incident.resolve');
    expect(resolve).toMatchObject({ style: 'danger', text: { text: 'Resolve' } });
    expect(resolve.confirm).toBeUndefined();
  });

  it('shows a resolved incident with its resolution and no buttons', () => {
    const m = header('resolved', { resolvedAt: DONE_AT, resolution: 'rolled back & re-rendered' });
    expect(actionIds(m)).toEqual([]);
    expect(texts(m).join('\n')).toContain('rolled back &amp; re-rendered');
    expect(m.text).toContain('(Resolved)');
  });

  it.each<Status>(['declared', 'acknowledged', 'mitigated', 'resolved', 'cancelled'])('passes Slack Block Kit limits when %s', (status) => {
    expect(blockProblem(header(status, { acknowledgedAt: DONE_AT, resolvedAt: DONE_AT }).blocks)).toBeNull();
  });

  it('keeps the header within Slack limits for a very long incident title', () => {
    const m = header('declared', { title: 'x'.repeat(500) });
    expect(blockProblem(m.blocks)).toBeNull();
    expect((m.blocks[0] as any).text.text.length).toBeLessThanOrEqual(150);
  });

  it('names the commander, severity and runbook, escaping runbook text', () => {
    const all = texts(header('declared')).join('\n');
    expect(all).toContain('<@UALICE01>');
    expect(all).toContain('SEV2');
    expect(all).toContain('A very long runbook &amp; friends (big-runbook)');
    expect(all).toContain('<https://grafana.example/d/x|Grafana &amp; logs>');
  });
});
