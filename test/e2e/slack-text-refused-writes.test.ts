import { startHarness, type Harness } from '../support/harness';
import { stepButtons } from '../support/slack-blocks';
import { postgresProxy, type TcpProxy } from '../support/tcp-proxy';

const ALICE = 'UALICE01';
const BIDI = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/;

/**
 * What a person types is shown to everyone in the header, topic and list: it must read the same
 * for all (no bidi overrides) and show something. And a click that Postgres never took says so.
 */
describe('summaries as people see them, and clicks the database did not take', () => {
  let h: Harness;
  let proxy: TcpProxy;

  beforeAll(async () => {
    proxy = await postgresProxy();
    h = await startHarness({ postgresProxy: proxy });
  }, 20_000);
  afterEach(() => proxy?.heal());
  afterAll(async () => {
    proxy?.heal();
    await h?.stop();
    await proxy?.stop();
  }, 20_000);

  async function declared(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const [header, checklist] = await h.slack.waitFor(
      () => (h.slack.messagesIn(channel).length >= 2 ? h.slack.messagesIn(channel) : null),
      'header and checklist',
    );
    return { channel, header: header!, checklist: checklist!, ack: res.body.text as string };
  }

  it('strips bidi controls from the summary everywhere it is shown', async () => {
    const { channel, header } = await declared('pdf-404 \u202Eexe.fdp\u202C uploads \u2066fail\u2069 \u200Fnow');
    const topic = h.slack.channels.get(channel)!.topic;
    expect(topic).toContain('exe.fdp uploads fail now');
    expect(topic).not.toMatch(BIDI);
    expect(JSON.stringify(header.blocks)).toContain('exe.fdp uploads fail now');
    expect(JSON.stringify(header.blocks)).not.toMatch(BIDI);
    const list = await h.command('list', ALICE);
    expect(list.body.text).toContain('exe.fdp uploads fail now');
    expect(list.body.text).not.toMatch(BIDI);
  });

  it('takes 300 emoji as 300 characters, and cuts the topic between whole emoji', async () => {
    const { channel, ack } = await declared(`pdf-404 x${'🔥'.repeat(300)}`);
    expect(ack).toMatch(/^INC-\d+ declared/);
    const topic = h.slack.channels.get(channel)!.topic;
    expect(topic).toContain('🔥🔥🔥');
    // A lone surrogate is half an emoji: Slack would show a broken glyph.
    expect(topic).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/);
  });

  it('refuses a summary that shows nothing, saying why', async () => {
    const res = await h.command('pdf-404 \u200B\u200B\u200D\u2060', ALICE);
    expect(res.body.text).toBe('That summary shows nothing: it has only spaces or invisible characters. Write it in words people can read.');
    expect(h.slack.callsOf('conversations.create')).toHaveLength(2);
  });

  it('tells the clicker a click was not recorded when Postgres refuses connections', async () => {
    const { channel, checklist } = await declared('pdf-404 set up before postgres went away');
    const step = stepButtons(checklist.blocks)[0]!;
    proxy.refuse();
    proxy.drop();
    const before = h.slack.replies.length;
    expect(await h.click(ALICE, channel, checklist.ts, step.actionId, step.value)).toBe(200);
    const reply = await h.slack.waitFor(() => h.slack.replies.slice(before).find((r) => /recorded/i.test(r.body.text)), 'the answer to the click');
    expect(reply.body.text).toMatch(/^\*Not recorded\*: the database could not be reached, so nothing changed\. Try again in a minute \(ref \w+\)\.$/);
    // A command that writes says the same.
    const ack = await h.command('ack', ALICE, channel);
    expect(ack.body.text).toMatch(/^\*Not recorded\*: .* Try again in a minute/);
  });
});
