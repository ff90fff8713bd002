import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import type { ConsoleConfig } from './settings';
import { attachChannel } from '../../core/incident/attach-channel';
import type { CoreDeps } from '../../core/incident/deps';
import type { Actor, Incident } from '../../core/model';
import type { ChatPlatform, EscalationNotice, ReplyTo } from '../../core/ports';
import type { ActionView } from '../../core/text/actions';
import type { Text } from '../../core/text/text';
import type { ConsoleChanges } from '../../store/console-changes';
import { ConsoleMessages } from '../../store/console-messages';
import { requireSnapshot } from '../../core/incident/require-snapshot';

export const CONSOLE_PLATFORM = 'web';
export const CONSOLE_WORKSPACE = 'console';

/** The room of an incident on the console is its page. */
export function consoleRoom(incidentId: string): string {
  return `console:${incidentId}`;
}

/**
 * The web console behind the platform interface. Its "room" is the incident's page: setting it up
 * is recording that room, rendering is telling open pages to refresh (they render stored state
 * themselves), and what the bot says there is kept in `console_messages`. Nobody is paged from the
 * console: an escalation says whom it would page, and webhooks are called as on any platform.
 */
export class ConsolePlatform implements ChatPlatform {
  readonly name = CONSOLE_PLATFORM;
  readonly messages: ConsoleMessages;

  constructor(
    private readonly config: ConsoleConfig,
    pool: Pool,
    private readonly deps: CoreDeps,
    readonly changes: ConsoleChanges,
    private readonly baseUrl: () => string,
  ) {
    this.messages = new ConsoleMessages(pool);
  }

  async provision(incidentId: string): Promise<void> {
    await requireSnapshot(this.deps.store, incidentId);
    await this.ensureRoom(incidentId);
    await this.changes.notify(incidentId);
  }

  /**
   * Records the incident's room if setup has not yet: the console's room needs no outside call, so
   * a command typed on the page right after a declare need not wait for the setup job. Returns the
   * incident's number (for the page to go back to), or null when it is no console incident.
   */
  async ensureRoom(incidentId: string): Promise<number | null> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap || snap.incident.platform !== CONSOLE_PLATFORM) return null;
    if (!snap.incident.channelId) await attachChannel(this.deps, incidentId, consoleRoom(incidentId), 'incident-bot', 'the incident page');
    return snap.incident.number;
  }

  async render(incidentId: string): Promise<void> {
    await this.changes.notify(incidentId);
  }

  async post(incidentId: string, text: Text, opts: { key?: string; actions?: ActionView[] } = {}): Promise<void> {
    await this.messages.add(incidentId, text, opts.actions ?? [], opts.key ?? null);
    await this.changes.notify(incidentId);
  }

  roomUrl(incident: Incident): string | null {
    return `${this.baseUrl()}/console/incidents/${incident.number}`;
  }

  async escalate(notice: EscalationNotice): Promise<void> {
    const text: Text = [...notice.text, `: ${notice.targets.join(', ')}. The console pages nobody; its webhooks are called.`];
    await this.post(notice.incidentId, text, { key: `escalation:${notice.level}`, actions: notice.actions });
  }

  /** Answers go back with the request itself; what comes later (a setup failure) is logged on the page's incident. */
  /** A console person is named in a runbook as `@<id>` (CONSOLE_PEOPLE's ids: `@ada`). */
  async reaches(targets: string[], userId: string): Promise<boolean> {
    return targets.some((t) => t.toLowerCase() === `@${userId.toLowerCase()}`);
  }

  async notify(replyTo: ReplyTo, text: Text): Promise<void> {
    const incidentId = typeof replyTo.incidentId === 'string' ? replyTo.incidentId : null;
    if (incidentId) await this.post(incidentId, text);
  }

  /** On the incident's page, naming the person: the console has no private messages. Once per text and day. */
  async remind(userId: string, incident: Pick<Incident, 'id'>, text: Text): Promise<void> {
    const digest = createHash('sha256').update(JSON.stringify(text)).digest('base64url').slice(0, 16);
    await this.post(incident.id, [{ user: userId }, ': ', ...text], { key: `reminder:${userId}:${new Date().toISOString().slice(0, 10)}:${digest}` });
  }

  /** Everyone at the console sees every incident page; who is an admin is the console's setting. */
  async resolveActor(userId: string): Promise<Actor> {
    const person = this.config.people.find((p) => p.id === userId);
    return { id: userId, isAdmin: person?.admin === true, inChannel: person !== undefined };
  }
}
