/**
 * FakeSlack in a process of its own, for the soak: it must outlive every bot it serves, and its
 * work must not share an event loop with the load generator. It streams the step buttons of every
 * message it stores (so the parent can click what a person would see) and answers `summary` with
 * a compact picture of channels, pins and messages (no blocks) for the invariant checks.
 *
 * FAKE_SLACK_DELAY_MS > 0 puts a proxy in front of the Web API that answers that much later: real
 * Slack is not loopback-fast, and a slow call widens the windows in which a kill can land.
 *
 * Protocol over the IPC channel: parent → {id, cmd}; child → {id, ok, result | error} or {event, data}.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeSlack, type ApiCall, type Reply } from './fake-slack';

export interface StepButtonSeen {
  actionId: string;
  value: string;
  /** What the person sees: Done or Reopen. */
  label: string;
}

/** One stored write (post or update) of a message that carries step buttons. */
export interface ButtonsEvent {
  channel: string;
  ts: string;
  /** Increases with every write, so the newest picture of a step wins. */
  seq: number;
  buttons: StepButtonSeen[];
}

export interface ReplyEvent {
  path: string;
  text: string;
}

export interface ChannelSummary {
  id: string;
  name: string;
  topic: string;
  members: string[];
  /** The ts of every successful pins.add in this channel, repeats included. */
  pins: string[];
  /** postedAt: Date.now() when chat.postMessage stored it. */
  messages: Array<{ ts: string; header: boolean; checklist: boolean; postedAt: number }>;
  /** Who was in the channel when step buttons first appeared in it (null: they never did). */
  membersWhenButtonsShown: string[] | null;
  /** Date.now() of conversations.create, of the first step buttons, and of each invite. */
  createdAt: number;
  buttonsShownAt: number | null;
  invitedAt: Record<string, number>;
}

export interface FakeSlackSummary {
  channels: ChannelSummary[];
  /** Per Web API method: answered ok / refused. */
  calls: Record<string, { ok: number; refused: number }>;
  /** "method: error" → count. */
  refusals: Record<string, number>;
  replies: number;
  /** Date.now() of the last Web API call or response_url reply. */
  lastActivityAt: number;
}

export interface FakeSlackReady {
  url: string;
  /** What the bot's SLACK_API_URL should be (the delaying proxy when there is one). */
  apiUrl: string;
  respondBase: string;
}

const slack = new FakeSlack();
let seq = 0;
let lastActivityAt = Date.now();
const calls: FakeSlackSummary['calls'] = {};
const refusals: Record<string, number> = {};
const membersWhenButtonsShown = new Map<string, string[]>();
// When things happened, so a broken invariant can be set against the kill that caused it.
const buttonsShownAt = new Map<string, number>();
const createdAt = new Map<string, number>();
const invitedAt = new Map<string, Record<string, number>>();
const postedAt = new Map<string, number>();

function emit(event: string, data: unknown): void {
  process.send?.({ event, data });
}

// FakeSlack records a call right after handling it and before answering. A posted message's ts is
// only in its reply, so the last message stored is remembered for the call record that follows.
let lastPosted: { ts: string } | null = null;
const storeMessage = slack.messages.set.bind(slack.messages);
slack.messages.set = (key, message) => {
  lastPosted = message;
  if (!postedAt.has(key)) postedAt.set(key, Date.now());
  return storeMessage(key, message);
};
const recordCall = slack.calls.push.bind(slack.calls);
slack.calls.push = (...list: ApiCall[]) => {
  lastActivityAt = Date.now();
  for (const c of list) observeCall(c);
  return recordCall(...list);
};
const recordReply = slack.replies.push.bind(slack.replies);
slack.replies.push = (...list: Reply[]) => {
  lastActivityAt = Date.now();
  for (const r of list) emit('reply', { path: r.path, text: String(r.body.text ?? '') } satisfies ReplyEvent);
  return recordReply(...list);
};

function observeCall(c: ApiCall): void {
  const tally = (calls[c.method] ??= { ok: 0, refused: 0 });
  if (!c.ok) {
    tally.refused++;
    const key = `${c.method}: ${c.error ?? 'unknown'}`;
    refusals[key] = (refusals[key] ?? 0) + 1;
    return;
  }
  tally.ok++;
  if (c.method === 'conversations.create') {
    const ch = [...slack.channels.values()].find((x) => x.name === c.args.name);
    if (ch && !createdAt.has(ch.id)) createdAt.set(ch.id, Date.now());
  }
  if (c.method === 'conversations.invite') {
    const list = invitedAt.get(String(c.args.channel)) ?? {};
    for (const u of String(c.args.users).split(',')) list[u] ??= Date.now();
    invitedAt.set(String(c.args.channel), list);
  }
  if (c.method !== 'chat.postMessage' && c.method !== 'chat.update') return;
  const ts = c.method === 'chat.update' ? String(c.args.ts) : lastPosted?.ts;
  const blocks = typeof c.args.blocks === 'string' ? JSON.parse(c.args.blocks) : (c.args.blocks ?? []);
  const buttons = stepButtons(blocks);
  const channel = String(c.args.channel);
  if (buttons.length > 0 && !membersWhenButtonsShown.has(channel)) {
    membersWhenButtonsShown.set(channel, [...(slack.channels.get(channel)?.members ?? [])]);
    buttonsShownAt.set(channel, Date.now());
  }
  if (ts && buttons.length > 0) emit('buttons', { channel: String(c.args.channel), ts, seq: ++seq, buttons } satisfies ButtonsEvent);
}

/** Found as the e2e tests find them: a button whose action_id starts with "step.". */
function stepButtons(blocks: any[]): StepButtonSeen[] {
  const out: StepButtonSeen[] = [];
  for (const b of blocks) {
    for (const e of [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])]) {
      if (typeof e.action_id === 'string' && e.action_id.startsWith('step.')) {
        out.push({ actionId: e.action_id, value: String(e.value ?? ''), label: String(e.text?.text ?? '') });
      }
    }
  }
  return out;
}

function summary(): FakeSlackSummary {
  const byChannel = new Map<string, ChannelSummary['messages']>();
  for (const m of slack.messages.values()) {
    const list = byChannel.get(m.channel) ?? [];
    list.push({ ts: m.ts, header: m.blocks?.[0]?.type === 'header', checklist: /checklist/.test(m.text), postedAt: postedAt.get(`${m.channel}/${m.ts}`) ?? 0 });
    byChannel.set(m.channel, list);
  }
  return {
    channels: [...slack.channels.values()].map((ch) => ({
      id: ch.id,
      name: ch.name,
      topic: ch.topic,
      members: [...ch.members],
      pins: slack.pins.filter((p) => p.channel === ch.id).map((p) => p.ts),
      messages: byChannel.get(ch.id) ?? [],
      membersWhenButtonsShown: membersWhenButtonsShown.get(ch.id) ?? null,
      createdAt: createdAt.get(ch.id) ?? 0,
      buttonsShownAt: buttonsShownAt.get(ch.id) ?? null,
      invitedAt: invitedAt.get(ch.id) ?? {},
    })),
    calls,
    refusals,
    replies: slack.replies.length,
    lastActivityAt,
  };
}

/** Forwards to the fake after `delayMs`, Web API calls only (response_url replies go direct). */
async function delayingProxy(target: string, delayMs: number): Promise<{ server: Server; url: string }> {
  const to = new URL(target);
  const server = createServer((req, res) => {
    setTimeout(() => {
      const out = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      out.on('error', (err) => {
        res.writeHead(502);
        res.end(err.message);
      });
      req.pipe(out);
    }, delayMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function main(): Promise<void> {
  await slack.start();
  const delayMs = Number(process.env.FAKE_SLACK_DELAY_MS ?? 0);
  const proxy = delayMs > 0 ? await delayingProxy(slack.url, delayMs) : null;
  const handlers: Record<string, () => unknown> = {
    summary,
    async stop() {
      await new Promise<void>((r) => (proxy ? proxy.server.close(() => r()) : r()));
      await slack.stop();
    },
  };
  // answer() catches everything it runs, so the promise it returns never rejects.
  process.on('message', (m: { id?: number; cmd?: string }) => void answer(m));
  async function answer(m: { id?: number; cmd?: string }): Promise<void> {
    if (m.id === undefined || !m.cmd) return;
    const fn = handlers[m.cmd];
    try {
      if (!fn) throw new Error(`unknown command ${m.cmd}`);
      const result = await fn();
      process.send?.({ id: m.id, ok: true, result }, () => m.cmd === 'stop' && process.exit(0));
    } catch (err) {
      process.send?.({ id: m.id, ok: false, error: (err as Error).stack ?? String(err) });
    }
  }
  emit('ready', { url: slack.url, apiUrl: `${proxy?.url ?? slack.url}/api/`, respondBase: `${slack.url}/respond/` } satisfies FakeSlackReady);
}

// An orphan must never outlive the soak: losing the parent, even mid-start, ends this process.
process.on('disconnect', () => process.exit(0));

main().catch((err: Error) => {
  emit('failed', err.stack ?? String(err));
  setTimeout(() => process.exit(1), 100);
});
