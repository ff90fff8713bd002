import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';

const PEOPLE = ['UALICE01', 'UBOB0002', 'UCAROL03', 'UDAVE004', 'UERIN005'];

describe('five people tick one checklist in the same second', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await h.stop();
  });

  it('acks every click and ends with all five steps shown done, by whom', async () => {
    const res = await h.command('pdf-404 five at once', PEOPLE[0]!);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    for (const p of PEOPLE.slice(1)) h.slack.join(channel, p);
    const [, checklist] = await h.slack.waitFor(() => {
      const m = h.slack.messagesIn(channel);
      return m.length >= 2 ? m : null;
    }, 'header and checklist');
    const buttons = stepButtons(checklist!.blocks).slice(0, PEOPLE.length);
    expect(buttons).toHaveLength(PEOPLE.length);

    const statuses = await Promise.all(PEOPLE.map((p, k) => h.click(p, channel, checklist!.ts, buttons[k]!.actionId, buttons[k]!.value)));
    expect(statuses).toEqual(PEOPLE.map(() => 200));

    // The renders of a burst coalesce; whichever runs last shows every click.
    const blocks = await h.slack.waitFor(() => {
      const now = h.slack.messages.get(`${channel}/${checklist!.ts}`)!.blocks;
      const shown = stepButtons(now).filter((b) => buttons.some((x) => x.actionId === b.actionId) && b.label === 'Reopen');
      return shown.length === PEOPLE.length ? now : null;
    }, 'all five steps done in the checklist');
    for (const [k, b] of buttons.entries()) {
      const step = blocks.find((x: any) => x.accessory?.action_id === b.actionId);
      expect(step.text.text).toContain(`Done by <@${PEOPLE[k]}>`);
    }
  });
});
