import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for Slack's Web API and response_url endpoints on loopback. It records every call
 * and refuses what Slack refuses, so a test that passes here would not be rejected by Slack.
 */
export interface ApiCall {
  method: string;
  args: Record<string, any>;
  ok: boolean;
  error?: string;
}

export interface Reply {
  path: string;
  body: Record<string, any>;
}

interface Message {
  channel: string;
  ts: string;
  text: string;
  blocks: any[];
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  /** Who wrote it: the bot (UBOT) for everything posted with the bot token. */
  user: string;
  /** A reply in the thread of this message: not in the channel's history, only in conversations.replies. */
  threadTs?: string;
}

/** How an answer is lost after the call was performed: the connection drops, or Slack says 500. */
export type LostAnswer = 'reset' | 500;

const CHANNEL_NAME = /^[a-z0-9_-]{1,80}$/;

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly replies: Reply[] = [];
  readonly channels = new Map<string, { id: string; name: string; topic: string; members: Set<string>; creator: string }>();
  readonly messages = new Map<string, Message>();
  readonly pins: Array<{ channel: string; ts: string }> = [];
  /** Messages only one person sees (chat.postEphemeral), in order. */
  readonly ephemerals: Array<{ channel: string; user: string; text: string }> = [];
  /** Modals opened with views.open, in order. */
  readonly views: Array<{ triggerId: string; view: any }> = [];
  /** Home tabs published with views.publish, by user id: the latest one wins, as in Slack. */
  readonly homes = new Map<string, { user_id: string; view: any }>();
  readonly usergroups = new Map<string, string[]>();
  /** Handles of the user groups in `usergroups`, by id (`oncall-documents` for `@oncall-documents`). */
  readonly usergroupHandles = new Map<string, string>();
  /** The workspace's people, as users.list pages them and conversations.open finds them. */
  readonly users: Array<{ id: string; name: string; display_name?: string; deleted?: boolean; tz?: string }> = [];
  /** People Slack will not invite into any channel (cant_invite), as it refuses single-channel guests. */
  readonly uninvitable = new Set<string>();
  /** Methods to fail on their next calls, with Slack's error code. */
  readonly failNext = new Map<string, string>();
  /** Methods to answer with HTTP 429 and this Retry-After (seconds) on their next call, as Slack rate-limits. */
  readonly rateLimitNext = new Map<string, number>();
  /**
   * Asked after a call was performed: a truthy answer loses Slack's answer that way, so the
   * caller cannot tell that the channel or message now exists.
   */
  loseAnswer: ((method: string, args: Record<string, any>) => LostAnswer | false) | null = null;
  /** Methods answered with HTTP 429 until this time (ms), each with the Retry-After left. */
  readonly rateLimitedUntil = new Map<string, number>();
  /** Methods that answer only after this many ms: a slow Slack makes the window for a crash real. */
  readonly delayMs = new Map<string, number>();
  /** Told of every Web API call as it arrives, before any delay: a test can kill the caller then. */
  onArrive: ((method: string, args: Record<string, any>) => void) | null = null;
  private server: Server | null = null;
  private seq = 0;
  private waiters: Array<() => void> = [];
  url = '';
  /** Where apps.connections.open sends a Socket Mode client; set by FakeSocketMode. */
  socketUrl = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ({ status, body, headers, lost }) => {
          if (lost === 'reset') {
            req.socket.destroy();
            this.waiters.forEach((w) => w());
            return;
          }
          if (lost === 500) {
            res.writeHead(500, { 'content-type': 'text/plain' });
            res.end('internal error');
            this.waiters.forEach((w) => w());
            return;
          }
          res.writeHead(status, { 'content-type': 'application/json', ...headers });
          res.end(JSON.stringify(body));
          this.waiters.forEach((w) => w());
        },
        (err: Error) => {
          res.writeHead(500);
          res.end(err.message);
        },
      );
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server?.close(() => r()));
  }

  /** Answers every call of `method` with 429 for the next `seconds`, as Slack's rate limits do. */
  rateLimitFor(method: string, seconds: number): void {
    this.rateLimitedUntil.set(method, Date.now() + seconds * 1000);
  }

  /** Someone writes in a channel, as a person would (in a thread under `threadTs`); returns the message's ts. */
  say(channel: string, user: string, text: string, threadTs?: string): string {
    const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
    this.messages.set(`${channel}/${ts}`, { channel, ts, text, blocks: [], user, ...(threadTs ? { threadTs } : {}) });
    return ts;
  }

  /** Someone joins a channel by hand, as a responder would. */
  join(channel: string, user: string): void {
    this.channels.get(channel)!.members.add(user);
  }

  /** A channel made by hand with the bot in it, as a digest or notice channel would be. */
  addChannel(id: string, name: string, members: string[] = []): void {
    this.channels.set(id, { id, name, topic: '', members: new Set(['UBOT', ...members]), creator: 'U0ADMIN' });
  }

  addUsergroup(id: string, handle: string, members: string[]): void {
    this.usergroups.set(id, members);
    this.usergroupHandles.set(id, handle);
  }

  callsOf(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method && c.ok);
  }

  messagesIn(channel: string): Message[] {
    return [...this.messages.values()].filter((m) => m.channel === channel);
  }

  /** The reply to a declare's response URL that links the incident's channel, once it is sent. */
  channelLinkReply(responseUrl: string, ms?: number): Promise<Reply> {
    return this.waitFor(() => this.replies.find((r) => responseUrl.endsWith(r.path) && /<#C\w+>/.test(r.body.text)), 'the channel link', ms);
  }

  /** The id of the channel a declare's reply (to `responseUrl`) links, once it is sent. */
  async declaredChannel(responseUrl: string, ms?: number): Promise<string> {
    const reply = await this.channelLinkReply(responseUrl, ms);
    return /<#(C\w+)>/.exec(reply.body.text)![1]!;
  }

  /** Waits until `check` holds after some request, or fails after `ms`. */
  async waitFor<T>(check: () => T | undefined | false | null, what: string, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
      this.waiters = [];
    }
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown; headers?: Record<string, string>; lost?: LostAnswer | false }> {
    const raw = await new Promise<string>((r) => {
      let data = '';
      req.on('data', (c) => (data += c));
      req.on('end', () => r(data));
    });
    const path = req.url ?? '/';
    if (path.startsWith('/respond/')) {
      this.replies.push({ path, body: JSON.parse(raw || '{}') });
      return { status: 200, body: { ok: true } };
    }
    const method = path.replace(/^\/api\//, '').split('?')[0]!;
    const args = parseArgs(raw, req.headers['content-type'] ?? '');
    this.onArrive?.(method, args);
    const delay = this.delayMs.get(method);
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const retryAfter = this.rateLimitNext.get(method);
    if (retryAfter !== undefined) {
      this.rateLimitNext.delete(method);
      this.calls.push({ method, args, ok: false, error: 'ratelimited' });
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(retryAfter) } };
    }
    const limitedUntil = this.rateLimitedUntil.get(method) ?? 0;
    if (limitedUntil > Date.now()) {
      this.calls.push({ method, args, ok: false, error: 'ratelimited' });
      const left = Math.max(1, Math.ceil((limitedUntil - Date.now()) / 1000));
      return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(left) } };
    }
    const auth = req.headers.authorization ?? '';
    let result: Record<string, unknown>;
    const appLevel = method === 'apps.connections.open';
    const token = auth.replace(/^Bearer /, '') || String(args.token ?? '');
    if (!token.startsWith(appLevel ? 'xapp-test-' : 'xoxb-test-')) {
      result = { ok: false, error: 'not_authed' };
    } else if (this.failNext.has(method)) {
      result = { ok: false, error: this.failNext.get(method) };
      this.failNext.delete(method);
    } else {
      result = this.dispatch(method, args);
    }
    const lost = result.ok === true && this.loseAnswer ? this.loseAnswer(method, args) : false;
    this.calls.push({ method, args, ok: result.ok === true, error: (result.error as string | undefined) ?? (lost ? `answer lost (${lost})` : undefined) });
    return { status: 200, body: result, lost };
  }

  private dispatch(method: string, args: Record<string, any>): Record<string, unknown> {
    switch (method) {
      case 'apps.connections.open':
        if (!this.socketUrl) return { ok: false, error: 'socket_mode_not_enabled' };
        return { ok: true, url: this.socketUrl };
      case 'auth.test':
        return { ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T1', user: 'incident' };
      case 'conversations.create': {
        if (!CHANNEL_NAME.test(args.name ?? '')) return { ok: false, error: 'invalid_name_specials' };
        if ([...this.channels.values()].some((c) => c.name === args.name)) return { ok: false, error: 'name_taken' };
        const id = `C${String(++this.seq).padStart(8, '0')}`;
        this.channels.set(id, { id, name: args.name, topic: '', members: new Set(['UBOT']), creator: 'UBOT' });
        return { ok: true, channel: { id, name: args.name, creator: 'UBOT' } };
      }
      case 'conversations.list': {
        // One page of at most `limit` channels, in creation order, with a cursor for the rest.
        // Direct messages are not among the public and private channels it lists.
        const all = [...this.channels.values()].filter((c) => !c.id.startsWith('D'));
        const start = Number(args.cursor || 0);
        const limit = Math.min(Number(args.limit || 100), 1000);
        const page = all.slice(start, start + limit);
        const next = start + limit < all.length ? String(start + limit) : '';
        return {
          ok: true,
          channels: page.map((c) => ({ id: c.id, name: c.name, creator: c.creator, is_archived: false })),
          response_metadata: { next_cursor: next },
        };
      }
      case 'conversations.history': {
        if (!this.channels.has(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (!this.channels.get(args.channel)!.members.has('UBOT')) return { ok: false, error: 'not_in_channel' };
        const withMeta = String(args.include_all_metadata) === 'true';
        // latest/oldest bound the window (exclusive unless inclusive=true), as Slack reads them.
        const inclusive = String(args.inclusive) === 'true' || args.inclusive === true;
        const within = (ts: string) =>
          (args.latest === undefined || (inclusive ? ts <= String(args.latest) : ts < String(args.latest))) &&
          (args.oldest === undefined || (inclusive ? ts >= String(args.oldest) : ts > String(args.oldest)));
        const messages = [...this.messages.values()]
          .filter((m) => m.channel === args.channel && !m.threadTs && within(m.ts))
          .reverse()
          .slice(0, Number(args.limit || 100))
          .map((m) => ({
            type: 'message',
            user: m.user,
            ...(m.user === 'UBOT' ? { bot_id: 'BBOT' } : {}),
            ts: m.ts,
            text: m.text,
            ...(withMeta && m.metadata ? { metadata: m.metadata } : {}),
          }));
        return { ok: true, messages, has_more: false };
      }
      case 'conversations.replies': {
        // A thread: its parent, then its replies; `ts` may name the parent or any reply.
        if (!this.channels.get(args.channel)?.members.has('UBOT')) return { ok: false, error: 'channel_not_found' };
        const named = this.messages.get(`${args.channel}/${args.ts}`);
        if (!named) return { ok: false, error: 'thread_not_found' };
        const parent = named.threadTs ?? named.ts;
        const thread = [...this.messages.values()].filter((m) => m.channel === args.channel && (m.ts === parent || m.threadTs === parent));
        return { ok: true, messages: thread.map((m) => ({ type: 'message', user: m.user, ts: m.ts, text: m.text, thread_ts: parent })), has_more: false };
      }
      case 'chat.getPermalink': {
        if (!this.messages.has(`${args.channel}/${args.message_ts}`)) return { ok: false, error: 'message_not_found' };
        return {
          ok: true,
          channel: args.channel,
          permalink: `https://braiflow.slack.com/archives/${args.channel}/p${String(args.message_ts).replace('.', '')}`,
        };
      }
      case 'chat.postEphemeral': {
        if (!this.channels.has(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (!args.text && !args.blocks) return { ok: false, error: 'no_text' };
        this.ephemerals.push({ channel: args.channel, user: args.user, text: args.text ?? '' });
        return { ok: true, message_ts: `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}` };
      }
      case 'conversations.invite': {
        const ch = this.channels.get(args.channel);
        if (!ch) return { ok: false, error: 'channel_not_found' };
        const users = String(args.users).split(',');
        // Slack answers per person; without force, one refusal invites nobody.
        const errors = users.flatMap((user) => {
          const error = ch.members.has(user) ? 'already_in_channel' : user === 'UBOT' ? 'cant_invite_self' : this.uninvitable.has(user) ? 'cant_invite' : null;
          return error ? [{ user, ok: false, error }] : [];
        });
        if (errors.length === 0 || String(args.force) === 'true') {
          users.filter((u) => !errors.some((e) => e.user === u)).forEach((u) => ch.members.add(u));
        }
        if (errors.length > 0) return { ok: false, error: errors[0]!.error, errors };
        return { ok: true, channel: { id: ch.id } };
      }
      case 'conversations.open': {
        // The same direct message every time, for a person of the workspace.
        const user = this.users.find((u) => u.id === args.users);
        if (!user) return { ok: false, error: 'user_not_found' };
        if (user.deleted) return { ok: false, error: 'user_disabled' };
        const id = `D${user.id.slice(1)}`;
        if (!this.channels.has(id))
          this.channels.set(id, { id, name: `dm-${user.id.toLowerCase()}`, topic: '', members: new Set(['UBOT', user.id]), creator: 'UBOT' });
        return { ok: true, channel: { id } };
      }
      case 'conversations.members': {
        const ch = this.channels.get(args.channel);
        if (!ch) return { ok: false, error: 'channel_not_found' };
        return { ok: true, members: [...ch.members], response_metadata: { next_cursor: '' } };
      }
      case 'conversations.setTopic': {
        const ch = this.channels.get(args.channel);
        if (!ch) return { ok: false, error: 'channel_not_found' };
        if (String(args.topic).length > 250) return { ok: false, error: 'too_long' };
        ch.topic = args.topic;
        return { ok: true };
      }
      case 'chat.postMessage':
      case 'chat.update': {
        // Posting to a user id opens (or reuses) the direct message with them, as Slack does.
        if (method === 'chat.postMessage' && /^[UW][A-Z0-9]+$/.test(args.channel ?? '') && !this.channels.has(args.channel)) {
          this.channels.set(args.channel, {
            id: args.channel,
            name: `dm-${args.channel.toLowerCase()}`,
            topic: '',
            members: new Set(['UBOT', args.channel]),
            creator: 'UBOT',
          });
        }
        if (!this.channels.has(args.channel)) return { ok: false, error: 'channel_not_found' };
        if (method === 'chat.postMessage' && !this.channels.get(args.channel)!.members.has('UBOT')) return { ok: false, error: 'not_in_channel' };
        const blocks = typeof args.blocks === 'string' ? JSON.parse(args.blocks) : (args.blocks ?? []);
        const invalid = blockProblem(blocks);
        if (invalid) return { ok: false, error: 'invalid_blocks', errors: [invalid] };
        if (!args.text) return { ok: false, error: 'no_text' };
        if (method === 'chat.update') {
          const m = this.messages.get(`${args.channel}/${args.ts}`);
          if (!m) return { ok: false, error: 'message_not_found' };
          Object.assign(m, { text: args.text, blocks });
          return { ok: true, channel: args.channel, ts: args.ts };
        }
        const ts = `${Math.floor(Date.now() / 1000)}.${String(++this.seq).padStart(6, '0')}`;
        const metadata = typeof args.metadata === 'string' ? JSON.parse(args.metadata) : args.metadata;
        this.messages.set(`${args.channel}/${ts}`, { channel: args.channel, ts, text: args.text, blocks, user: 'UBOT', ...(metadata ? { metadata } : {}) });
        return { ok: true, channel: args.channel, ts };
      }
      case 'pins.add':
        if (!this.messages.has(`${args.channel}/${args.timestamp}`)) return { ok: false, error: 'message_not_found' };
        if (this.pins.some((p) => p.channel === args.channel && p.ts === args.timestamp)) return { ok: false, error: 'already_pinned' };
        this.pins.push({ channel: args.channel, ts: args.timestamp });
        return { ok: true };
      case 'views.open': {
        const view = typeof args.view === 'string' ? JSON.parse(args.view) : args.view;
        if (!args.trigger_id) return { ok: false, error: 'invalid_trigger_id' };
        const problem = viewProblem(view);
        if (problem) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [problem] } };
        this.views.push({ triggerId: String(args.trigger_id), view });
        return { ok: true, view: { id: `V${this.views.length}`, ...view } };
      }
      case 'views.update': {
        // The modal a click came from, redrawn in place; Slack knows it by the id views.open returned.
        const view = typeof args.view === 'string' ? JSON.parse(args.view) : args.view;
        const at = Number(/^V(\d+)$/.exec(String(args.view_id))?.[1] ?? 0) - 1;
        if (!this.views[at]) return { ok: false, error: 'not_found' };
        const problem = viewProblem(view);
        if (problem) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [problem] } };
        this.views[at] = { ...this.views[at]!, view };
        return { ok: true, view: { id: args.view_id, ...view } };
      }
      case 'views.publish': {
        const view = typeof args.view === 'string' ? JSON.parse(args.view) : args.view;
        if (!/^[UW][A-Z0-9]+$/.test(args.user_id ?? ''))
          return { ok: false, error: 'invalid_arguments', response_metadata: { messages: ['invalid `user_id`'] } };
        if (JSON.stringify(view ?? null).length > 250_000) return { ok: false, error: 'view_too_large' };
        const problem = homeViewProblem(view);
        if (problem) return { ok: false, error: 'invalid_arguments', response_metadata: { messages: [problem] } };
        this.homes.set(String(args.user_id), { user_id: String(args.user_id), view });
        return { ok: true, view: { id: `V${String(++this.seq).padStart(8, '0')}`, ...view } };
      }
      case 'usergroups.list': {
        const withUsers = String(args.include_users) === 'true';
        const groups = [...this.usergroups].map(([id, users]) => ({ id, handle: this.usergroupHandles.get(id) ?? '', ...(withUsers ? { users } : {}) }));
        return { ok: true, usergroups: groups };
      }
      case 'users.list': {
        // One page of at most `limit` people, with a cursor for the rest.
        const start = Number(args.cursor || 0);
        const limit = Number(args.limit || 100);
        const page = this.users.slice(start, start + limit);
        const next = start + limit < this.users.length ? String(start + limit) : '';
        const members = page.map((u) => ({ id: u.id, name: u.name, deleted: u.deleted ?? false, profile: { display_name: u.display_name ?? '' } }));
        return { ok: true, members, response_metadata: { next_cursor: next } };
      }
      case 'users.info': {
        const user = this.users.find((u) => u.id === args.user);
        return user
          ? { ok: true, user: { id: user.id, name: user.name, deleted: user.deleted ?? false, ...(user.tz ? { tz: user.tz } : {}) } }
          : { ok: false, error: 'user_not_found' };
      }
      case 'usergroups.users.list':
        return this.usergroups.has(args.usergroup) ? { ok: true, users: this.usergroups.get(args.usergroup) } : { ok: false, error: 'no_such_subteam' };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  }
}

function parseArgs(raw: string, contentType: string): Record<string, any> {
  if (contentType.includes('application/json')) return JSON.parse(raw || '{}');
  return Object.fromEntries(new URLSearchParams(raw));
}

/** A modal as views.open accepts it: Slack's documented limits for views. */
export function viewProblem(view: any): string | null {
  if (view?.type !== 'modal') return 'view.type must be modal';
  if (!view.title?.text || view.title.text.length > 24) return 'view.title must be 1 to 24 characters';
  if ((view.close?.text ?? '').length > 24) return 'view.close longer than 24 characters';
  if (!Array.isArray(view.blocks) || view.blocks.length > 100) return 'a view holds at most 100 blocks';
  return blockProblem(view.blocks, 100);
}

/** A Home tab as views.publish accepts it: Slack's documented limits for views. */
export function homeViewProblem(view: any): string | null {
  if (view?.type !== 'home') return 'view.type must be home';
  if (!Array.isArray(view.blocks) || view.blocks.length > 100) return 'a view holds at most 100 blocks';
  if ((view.private_metadata ?? '').length > 3000) return 'view.private_metadata longer than 3000 characters';
  if ((view.callback_id ?? '').length > 255) return 'view.callback_id longer than 255 characters';
  if ((view.external_id ?? '').length > 255) return 'view.external_id longer than 255 characters';
  return blockProblem(view.blocks, 100);
}

/** Slack's Block Kit limits, as its API enforces them. */
export function blockProblem(blocks: any[], maxBlocks = 50): string | null {
  if (blocks.length > maxBlocks) return `too many blocks: ${blocks.length} > ${maxBlocks}`;
  const actionIds = new Set<string>();
  for (const [i, b] of blocks.entries()) {
    if (b.type === 'section') {
      if ((b.text?.text ?? '').length > 3000) return `blocks[${i}].text longer than 3000`;
      if ((b.fields ?? []).length > 10) return `blocks[${i}].fields more than 10`;
      if (!b.text && !b.fields) return `blocks[${i}] section needs text or fields`;
    }
    if (b.type === 'header' && (b.text?.text ?? '').length > 150) return `blocks[${i}] header longer than 150`;
    if (b.type === 'actions' && (b.elements ?? []).length > 25) return `blocks[${i}] more than 25 elements`;
    const elements = [...(b.elements ?? []), ...(b.accessory ? [b.accessory] : [])];
    for (const e of elements) {
      if (!e.action_id) continue;
      if (actionIds.has(e.action_id)) return `duplicate action_id ${e.action_id}`;
      actionIds.add(e.action_id);
      if ((e.value ?? '').length > 2000) return `action ${e.action_id} value longer than 2000`;
    }
  }
  return null;
}
