import { FakeSlack } from '../support/fake-slack';
import { FakeSocketMode } from '../support/fake-socket-mode';
import { startHarness, TEAM, type Harness } from '../support/harness';

// With SLACK_APP_TOKEN set, the same flow runs over Slack's Socket Mode WebSocket instead of HTTP.
describe('Socket Mode', () => {
  let slack: FakeSlack;
  let socket: FakeSocketMode;
  let h: Harness;

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    socket = await new FakeSocketMode(slack).start();
    h = await startHarness({ socketMode: { appToken: 'xapp-test-1-socket', slack } });
  });
  afterAll(async () => {
    await h.stop();
    await socket.stop();
  });

  it('connects with the app token, declares from a slash command envelope, and records a click', async () => {
    expect(socket.connected).toBe(true);
    expect(slack.callsOf('apps.connections.open')).toHaveLength(1);

    const responseUrl = slack.responseUrl('socket-1');
    const envelope = socket.send('slash_commands', {
      team_id: TEAM,
      channel_id: 'CGENERAL',
      user_id: 'UALICE01',
      command: '/incident',
      text: 'workflow-500 automations fail with 500',
      response_url: responseUrl,
      trigger_id: 't1',
    });
    const ack = (await slack.waitFor(() => socket.acks.get(envelope), 'the ack on the socket')) as { text: string; response_type: string };
    expect(ack).toEqual(expect.objectContaining({ response_type: 'ephemeral', text: expect.stringMatching(/^INC-\d+ declared with runbook `workflow-500`/) }));

    const reply = await slack.waitFor(() => slack.replies.find((r) => responseUrl.endsWith(r.path)), 'the declared reply');
    const channel = /<#(C\w+)>/.exec(reply.body.text)![1]!;
    const [, checklist] = await slack.waitFor(() => {
      const m = slack.messagesIn(channel);
      return m.length >= 2 ? m : null;
    }, 'header and checklist');
    const button = checklist!.blocks.find((b: any) => b.accessory)!.accessory;
    slack.join(channel, 'UBOB0002');

    const click = socket.send('interactive', {
      type: 'block_actions',
      team: { id: TEAM },
      user: { id: 'UBOB0002' },
      channel: { id: channel },
      container: { type: 'message', channel_id: channel, message_ts: checklist!.ts },
      message: { ts: checklist!.ts },
      response_url: slack.responseUrl('socket-click'),
      actions: [{ type: 'button', action_id: button.action_id, block_id: 'b', value: button.value, action_ts: '1.1' }],
    });
    await slack.waitFor(() => socket.acks.has(click), 'the click ack');
    await slack.waitFor(
      () =>
        slack.messages.get(`${channel}/${checklist!.ts}`)!.blocks.find((b: any) => b.accessory?.action_id === button.action_id).accessory.text.text ===
        'Reopen',
      'the step done',
    );
    const { rows } = await h.schema.pool.query(`SELECT kind, actor FROM incident_events WHERE kind = 'step.completed'`);
    expect(rows).toEqual([{ kind: 'step.completed', actor: 'UBOB0002' }]);
  });
});
