import { PermanentError } from '../../core/errors';
import type { CoreDeps } from '../../core/incident/deps';
import { label } from '../../core/model';
import type { EscalationNotice } from '../../core/ports';
import type { Span, Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { TeamsDirectory } from '../../store/teams-directory';
import type { TeamsConnector, TeamsMember } from './connector';
import { forJobs } from './errors';
import { threadLink } from './ids';
import type { TeamsRoomPost } from './room-post';
import { deliverEscalation, type OpenedEscalation } from '../common/escalation';

/**
 * Delivers a fired escalation level in Teams: one message in the incident's thread mentioning
 * every person the targets name (a mention notifies them and brings them into the thread), a 1:1
 * message to each of them, and one message naming the targets that could not be reached.
 *
 * Teams has no user groups the bot can read, so `@handle` is a member of the incident channel's
 * team whose e-mail or sign-in name starts with `handle@`, or whose display name is `handle`.
 * Every message is keyed, so a job run again after a crash says nothing twice.
 */
export class TeamsEscalations {
  constructor(
    private readonly connector: TeamsConnector,
    private readonly directory: TeamsDirectory,
    private readonly deps: CoreDeps,
    private readonly say: TeamsRoomPost,
    private readonly logger: Logger,
  ) {}

  async escalate(notice: EscalationNotice): Promise<void> {
    await deliverEscalation(this.deps, notice, { roomWord: 'thread', forJobs }, (level) => this.deliver(notice, level));
  }

  private async deliver(notice: EscalationNotice, { snap, room, key }: OpenedEscalation): Promise<void> {
    const roster = await this.connector.members(room);
    const found: TeamsMember[] = [];
    const unreachable: string[] = [];
    for (const target of notice.targets) {
      const m = match(target, roster);
      if (m) {
        if (!found.some((f) => f.id === m.id)) found.push(m);
      } else unreachable.push(target);
    }
    for (const m of found) {
      if (m.aadObjectId) await this.directory.rememberPerson({ aadObjectId: m.aadObjectId, teamsId: m.id, name: m.name ?? m.id, tenantId: null });
    }
    const who = (m: TeamsMember): Span => ({ user: m.aadObjectId ?? m.id });
    const paged: Text = found.length > 0 ? [': ', ...found.flatMap((m, i) => (i === 0 ? [who(m)] : [', ', who(m)]))] : [': nobody I could find'];
    // Plain text, not a card: its mentions are what notify the people (the thread's header card has Acknowledge).
    await this.say.say(room, [...notice.text, ...paged, '.'], { incidentId: notice.incidentId, key });

    const link = threadLink(room, null);
    const dm: Text = [...notice.text, `.\nYou are called in at escalation level ${notice.level} of ${label(snap.incident)}: `, link ? { link, title: 'open its thread' } : 'see the incident channel', '.'];
    for (const m of found) {
      try {
        const chat = await this.connector.openChat(m.id, room);
        // The 1:1 page is a card with the page's Acknowledge, clicked from the 1:1 chat.
        await this.say.say(chat, dm, { incidentId: notice.incidentId, key: `${key}:dm:${m.id}`, actions: notice.actions });
      } catch (err) {
        if (forJobs(err) instanceof PermanentError) unreachable.push(`${m.name ?? m.id} (no 1:1 chat: ${(err as Error).message})`);
        else throw err;
      }
    }
    if (unreachable.length === 0) return;
    await this.say.say(
      room,
      [
        `⚠️ Level ${notice.level} could not reach `,
        unreachable.join(', '),
        '. In Teams, write a target as @name, where name@… is the person\'s e-mail or sign-in name in this team. Fix it in ',
        { code: notice.fixAt },
        ', and page them by hand meanwhile.',
      ],
      { incidentId: notice.incidentId, key: `${key}:unreachable` },
    );
    this.logger.warn({ incidentId: notice.incidentId, platform: 'teams', level: notice.level, unreachable }, 'escalation could not reach every target');
  }
}

/** Whether `targets` name `userId` (an AAD object id, as Teams actors are named) among `room`'s team. */
export async function teamsTargetsReach(connector: TeamsConnector, targets: string[], userId: string, room: string): Promise<boolean> {
  const roster = await connector.members(room);
  return targets.some((t) => {
    const m = match(t, roster);
    return !!m && (m.aadObjectId?.toLowerCase() === userId.toLowerCase() || m.id === userId);
  });
}

/** The team member a runbook target names, if it names exactly one; channels and Slack ids name nobody here. */
function match(target: string, roster: TeamsMember[]): TeamsMember | null {
  if (!target.startsWith('@')) return null;
  const handle = target.slice(1).toLowerCase();
  const local = (address?: string) => address?.toLowerCase().split('@')[0];
  const hits = roster.filter((m) => local(m.email) === handle || local(m.userPrincipalName) === handle || m.name?.toLowerCase() === handle);
  return hits.length === 1 ? hits[0]! : null;
}
