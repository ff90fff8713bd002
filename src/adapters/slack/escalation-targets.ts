import type { WebClient } from '@slack/web-api';
import { isPermanent, slackErrorCode } from './errors';

/** A runbook's escalation target (`@handle`, `#name` or a raw id) as Slack knows it, or why it is not known. */
export type EscalationTarget =
  | { written: string; kind: 'group'; id: string; members: string[] }
  | { written: string; kind: 'user'; id: string }
  | { written: string; kind: 'channel'; id: string }
  | { written: string; kind: 'unresolved'; why: 'unknown' | 'ambiguous' | 'deactivated' }
  /** Slack refused the lookup for good (a missing scope …): retrying will not find it either. */
  | { written: string; kind: 'unresolved'; why: 'refused'; code: string };

const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const GROUP_ID = /^S[A-Z0-9]{2,}$/;
const CHANNEL_ID = /^[CG][A-Z0-9]{2,}$/;

const TTL_MS = 5 * 60_000;

interface Groups {
  byHandle: Map<string, { id: string; members: string[] }>;
  byId: Map<string, { id: string; members: string[] }>;
}

interface Person {
  id: string;
  deleted: boolean;
}

interface People {
  byName: Map<string, Person>;
  /** Display names are not unique in Slack, so each can stand for several people. */
  byDisplayName: Map<string, Person[]>;
}

/**
 * Turns escalation targets into Slack ids. The workspace's user groups, users and channels are
 * each listed once and kept a few minutes, so a ladder firing for many incidents at once costs
 * one listing, not one per incident. A permanent refusal becomes an unresolved target; anything
 * else (rate limits, network) is thrown, for the job to retry.
 */
export class SlackEscalationTargets {
  private readonly groups: Cached<Groups>;
  private readonly people: Cached<People>;
  private readonly channels: Cached<Map<string, string>>;

  constructor(
    private readonly client: WebClient,
    ttlMs = TTL_MS,
    now: () => number = Date.now,
  ) {
    this.groups = new Cached(() => this.listGroups(), ttlMs, now);
    this.people = new Cached(() => this.listPeople(), ttlMs, now);
    this.channels = new Cached(() => this.listChannels(), ttlMs, now);
  }

  resolve(targets: string[]): Promise<EscalationTarget[]> {
    return Promise.all(
      targets.map((written) =>
        this.one(written).catch((err: unknown): EscalationTarget => {
          const code = slackErrorCode(err);
          if (code === undefined || !isPermanent(code)) throw err;
          return { written, kind: 'unresolved', why: 'refused', code };
        }),
      ),
    );
  }

  private async one(written: string): Promise<EscalationTarget> {
    if (USER_ID.test(written)) return { written, kind: 'user', id: written };
    if (CHANNEL_ID.test(written)) return { written, kind: 'channel', id: written };
    if (GROUP_ID.test(written)) {
      // The mention needs no lookup, but inviting the group's people needs its members.
      const group = (await this.groups.get()).byId.get(written);
      return group ? { written, kind: 'group', ...group } : { written, kind: 'unresolved', why: 'unknown' };
    }
    const name = written.slice(1).toLowerCase();
    if (written.startsWith('#')) {
      const id = (await this.channels.get()).get(name);
      return id ? { written, kind: 'channel', id } : { written, kind: 'unresolved', why: 'unknown' };
    }
    if (written.startsWith('@')) return this.handle(written, name);
    return { written, kind: 'unresolved', why: 'unknown' };
  }

  /** On-call rotations are user groups, so a handle is a group first, then a username, then a display name. */
  private async handle(written: string, name: string): Promise<EscalationTarget> {
    const group = (await this.groups.get()).byHandle.get(name);
    if (group) return { written, kind: 'group', ...group };
    const people = await this.people.get();
    const byName = people.byName.get(name);
    if (byName && !byName.deleted) return { written, kind: 'user', id: byName.id };
    const shown = people.byDisplayName.get(name) ?? [];
    const active = shown.filter((p) => !p.deleted);
    if (active.length === 1) return { written, kind: 'user', id: active[0]!.id };
    if (active.length > 1) return { written, kind: 'unresolved', why: 'ambiguous' };
    return { written, kind: 'unresolved', why: byName || shown.length > 0 ? 'deactivated' : 'unknown' };
  }

  private async listGroups(): Promise<Groups> {
    const res = await this.client.usergroups.list({ include_users: true });
    const groups: Groups = { byHandle: new Map(), byId: new Map() };
    for (const g of res.usergroups ?? []) {
      if (!g.id) continue;
      const group = { id: g.id, members: g.users ?? [] };
      groups.byId.set(g.id, group);
      if (g.handle) groups.byHandle.set(g.handle.toLowerCase(), group);
    }
    return groups;
  }

  private async listPeople(): Promise<People> {
    const people: People = { byName: new Map(), byDisplayName: new Map() };
    let cursor: string | undefined;
    do {
      // Slack advises pages of at most 200 people.
      const page = await this.client.users.list({ limit: 200, cursor });
      for (const m of page.members ?? []) {
        if (!m.id) continue;
        const person = { id: m.id, deleted: m.deleted === true };
        if (m.name) people.byName.set(m.name.toLowerCase(), person);
        const display = m.profile?.display_name?.toLowerCase();
        if (display) people.byDisplayName.set(display, [...(people.byDisplayName.get(display) ?? []), person]);
      }
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return people;
  }

  private async listChannels(): Promise<Map<string, string>> {
    const channels = new Map<string, string>();
    let cursor: string | undefined;
    do {
      // Private channels are listed only if the bot is in them, which it must be to post there anyway.
      const page = await this.client.conversations.list({ types: 'public_channel,private_channel', exclude_archived: true, limit: 1000, cursor });
      for (const c of page.channels ?? []) if (c.id && c.name) channels.set(c.name.toLowerCase(), c.id);
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return channels;
  }
}

/** One listing kept for `ttlMs`; callers arriving while it loads share the load, and a failed load is not kept. */
class Cached<T> {
  private entry: { at: number; value: Promise<T> } | null = null;

  constructor(
    private readonly load: () => Promise<T>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  get(): Promise<T> {
    if (this.entry && this.now() - this.entry.at < this.ttlMs) return this.entry.value;
    const value = this.load();
    const entry = { at: this.now(), value };
    this.entry = entry;
    value.catch(() => {
      if (this.entry === entry) this.entry = null;
    });
    return value;
  }
}
