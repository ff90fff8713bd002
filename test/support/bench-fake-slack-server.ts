/**
 * FakeSlack in a process of its own, for `npm run bench`: its work must not sit on the event
 * loop being measured. It tells the parent about every Web API call and response_url reply as
 * it arrives, stamped with wallNow() so another process can subtract its own send time.
 */
import { emit, failStart, serve, wallNow } from '../../bench/ipc';
import type { ApiArrival, ReplyArrival, StepButton, StepMessage } from '../../bench/protocol';
import { FakeSlack, type ApiCall, type Reply } from './fake-slack';

const slack = new FakeSlack();

// FakeSlack records a call right after handling it and before answering, so wrapping the record
// stamps the arrival without changing the class. A posted message's ts exists only in its reply,
// so the last message stored is remembered too.
let lastPosted: { ts: string } | null = null;
const storeMessage = slack.messages.set.bind(slack.messages);
slack.messages.set = (key, message) => {
  lastPosted = message;
  return storeMessage(key, message);
};
const recordCall = slack.calls.push.bind(slack.calls);
slack.calls.push = (...calls: ApiCall[]) => {
  const at = wallNow();
  for (const c of calls) emit('api', arrival(c, at));
  return recordCall(...calls);
};
const recordReply = slack.replies.push.bind(slack.replies);
slack.replies.push = (...replies: Reply[]) => {
  const at = wallNow();
  for (const r of replies) {
    const text = String(r.body.text ?? '');
    emit('reply', { at, declared: /declared/.test(text), channel: /<#(C\w+)>/.exec(text)?.[1] } satisfies ReplyArrival);
  }
  return recordReply(...replies);
};

function arrival(c: ApiCall, at: number): ApiArrival {
  const a: ApiArrival = { method: c.method, ok: c.ok, error: c.error, at };
  if (c.ok && (c.method === 'chat.postMessage' || c.method === 'chat.update')) {
    a.channel = c.args.channel;
    a.ts = c.method === 'chat.update' ? c.args.ts : lastPosted?.ts;
    const steps = stepButtons(typeof c.args.blocks === 'string' ? JSON.parse(c.args.blocks) : (c.args.blocks ?? []));
    if (steps.length > 0) a.steps = steps;
  }
  if (c.ok && c.method === 'chat.postMessage') {
    const meta = typeof c.args.metadata === 'string' ? JSON.parse(c.args.metadata) : c.args.metadata;
    const payload = meta?.event_payload as Record<string, unknown> | undefined;
    if (typeof payload?.incident_id === 'string') {
      a.incident = payload.incident_id;
      const tag = payload.kind ?? payload.key;
      if (typeof tag === 'string') a.tag = tag;
    }
  }
  return a;
}

/** Found the way the e2e tests find them: a section whose button's action_id starts with step. */
function stepButtons(blocks: any[]): StepButton[] {
  return blocks
    .filter((b) => b.accessory?.action_id?.startsWith('step.'))
    .map((b) => ({ actionId: b.accessory.action_id, value: b.accessory.value, done: b.accessory.text?.text === 'Reopen' }));
}

serve({
  /** A person of the workspace, as users.list pages them and conversations.open finds them. */
  addUser(user: { id: string; name: string }): void {
    slack.users.push(user);
  },
  /** People join a channel by hand, as responders do, so they may tick its steps. */
  join({ channel, users }: { channel: string; users: string[] }): void {
    for (const u of users) slack.join(channel, u);
  },
  stepMessages(channels: string[]): StepMessage[] {
    return channels.flatMap((ch) =>
      slack
        .messagesIn(ch)
        .map((m) => ({ channel: m.channel, ts: m.ts, steps: stepButtons(m.blocks) }))
        .filter((m) => m.steps.length > 0),
    );
  },
  async stop() {
    await slack.stop();
  },
});

slack.start().then(
  () => emit('ready', { url: slack.url, apiUrl: slack.apiUrl }),
  (err) => failStart(err),
);
