import type { ConversationsInviteResponse, WebClient } from '@slack/web-api';
import type { CoreDeps } from '../../core/incident/deps';
import { label } from '../../core/model';
import type { EscalationNotice, JobAttempt } from '../../core/ports';
import type { Span, Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { EscalationTarget, SlackEscalationTargets } from './escalation-targets';
import { fixFor, forJobs, isPermanent, slackErrorCode } from './errors';
import { textWithActions } from './blocks';
import { mrkdwn } from './format';
import { postOnce } from './keyed-post';
import { deliverEscalation, type OpenedEscalation } from '../common/escalation';

/** conversations.invite takes up to 1000 users (100 in older documentation): stay under both. */
const INVITE_BATCH = 100;

/** Not refusals: an earlier try of this job invited them already, or it is the bot itself. */
const ALREADY_THERE = ['already_in_channel', 'cant_invite_self'];

/** Slack refusing one person, not the call. */
const PERSON_REFUSALS = ['cant_invite', 'user_not_found', 'user_disabled', 'user_is_restricted', 'ura_max_channels', 'invitee_cant_see_channel', 'cannot_dm_bot'];

const GONE = ['user_not_found', 'user_disabled'];

/** Slack refusing one target; any other permanent refusal is about the app (scopes, token) or the workspace. */
const TARGET_REFUSALS = [...PERSON_REFUSALS, 'not_in_channel', 'channel_not_found', 'is_archived'];

type Targeted = Exclude<EscalationTarget, { kind: 'unresolved' }>;

/** Whom a fired level could not reach, and why, for the one message that says so. */
type Unreachable =
  | { written: string; why: 'unknown' | 'ambiguous' | 'deactivated' }
  | { who: Span[]; why: 'refused'; step: 'lookup' | 'invite' | 'dm' | 'post'; code: string };

/**
 * Delivers a fired escalation level in Slack: one message in the incident channel naming the
 * targets, their people invited, a direct message to each user target, a notice in each channel
 * target, and one message about the targets that could not be reached.
 *
 * A job may run again after a crash, so every message is posted with a key and looked for first,
 * and an invite of someone already there counts as done. An unreachable target is said, never
 * thrown: the level has fired either way. Only a passing failure (rate limit, network) is thrown,
 * so the job tries again.
 */
export class SlackEscalations {
  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    private readonly targets: SlackEscalationTargets,
    private readonly logger: Logger,
    /** Whether setup posted the header and checklist; a level due at declare (`after: 0m`) waits for them, so the page comes under them. */
    private readonly setupPosted: (incidentId: string) => Promise<boolean> = async () => true,
  ) {}

  async escalate(notice: EscalationNotice, attempt: JobAttempt = { attempt: 1, final: true }): Promise<void> {
    await deliverEscalation(this.deps, notice, { roomWord: 'channel', forJobs }, async (level) => {
      // Setup is still posting the header and checklist: the next try pages under them. The last
      // try pages anyway: a page late or out of place is better than none.
      if (!attempt.final && !(await this.setupPosted(notice.incidentId))) throw new Error(`incident ${notice.incidentId}'s messages are not posted yet`);
      await this.deliver(notice, level);
    });
  }

  private async deliver(notice: EscalationNotice, { snap, room, key }: OpenedEscalation): Promise<void> {
    const resolved = await this.targets.resolve(notice.targets);
    const targets = distinct(resolved.filter((t): t is Targeted => t.kind !== 'unresolved'));
    const unreachable = resolved.flatMap((t) => (t.kind === 'unresolved' ? [unresolved(t)] : []));

    // The callout and each direct message carry the page's Acknowledge button.
    const callout = calloutText(notice, targets);
    await postOnce(this.client, room, notice.incidentId, key, callout, withButtons(callout, notice));
    unreachable.push(...(await this.invite(room, people(targets))));
    const dmText: Text = [...notice.text, `\nYou are called in at escalation level ${notice.level}: work it in `, { channel: room }, '.'];
    const channelText: Text = [...notice.text, '\nFollow it in ', { channel: room }, '.'];
    for (const t of targets) {
      if (t.kind === 'group') continue;
      const failed =
        t.kind === 'user' ? await this.dm(t, notice, key, dmText) : await this.tellChannel(t, notice.incidentId, key, channelText);
      if (failed) unreachable.push(failed);
    }

    if (unreachable.length === 0) return;
    const text = unreachableText(unreachable, notice, label(snap.incident));
    await postOnce(this.client, room, notice.incidentId, `${key}:unreachable`, mrkdwn(text));
    this.logger.warn({ incidentId: notice.incidentId, platform: 'slack', level: notice.level, unreachable }, 'escalation could not reach every target');
  }

  /** Brings the people in, in batches; returns those Slack would not let in, one entry per reason. */
  private async invite(room: string, users: string[]): Promise<Unreachable[]> {
    const refused = new Map<string, string[]>();
    for (let i = 0; i < users.length; i += INVITE_BATCH) {
      for (const { user, code } of await this.inviteBatch(room, users.slice(i, i + INVITE_BATCH))) {
        refused.set(code, [...(refused.get(code) ?? []), user]);
      }
    }
    return [...refused].map(([code, who]) => ({ who: who.map((user) => ({ user })), why: 'refused', step: 'invite', code }));
  }

  private async inviteBatch(room: string, users: string[]): Promise<Array<{ user: string; code: string }>> {
    let answers: ConversationsInviteResponse['errors'];
    try {
      // force: Slack invites the others even when one of them cannot be, and says who per person.
      answers = (await this.client.conversations.invite({ channel: room, users: users.join(','), force: true })).errors;
    } catch (err) {
      answers = (err as { data?: ConversationsInviteResponse }).data?.errors;
      if (!answers?.length) {
        const code = refusal(err);
        // Without Slack's per-person answers, only one person at a time says whose refusal it is.
        if (users.length > 1 && (PERSON_REFUSALS.includes(code) || ALREADY_THERE.includes(code))) {
          const one: Array<{ user: string; code: string }> = [];
          for (const user of users) one.push(...(await this.inviteBatch(room, [user])));
          return one;
        }
        answers = users.map((user) => ({ user, error: code }));
      }
    }
    return (answers ?? []).flatMap((a) => (a.user && !ALREADY_THERE.includes(a.error ?? '') ? [{ user: a.user, code: a.error ?? 'unknown_error' }] : []));
  }

  /** A keyed post in the direct message, so a retry finds it there instead of writing again. */
  private async dm(t: Targeted, notice: EscalationNotice, key: string, text: Text): Promise<Unreachable | null> {
    try {
      const opened = await this.client.conversations.open({ users: t.id });
      const shownText = mrkdwn(text);
      await postOnce(this.client, opened.channel!.id!, notice.incidentId, key, shownText, withButtons(shownText, notice));
      return null;
    } catch (err) {
      return { who: [shown(t)], why: 'refused', step: 'dm', code: refusal(err) };
    }
  }

  private async tellChannel(t: Targeted, incidentId: string, key: string, text: Text): Promise<Unreachable | null> {
    try {
      await postOnce(this.client, t.id, incidentId, key, mrkdwn(text));
      return null;
    } catch (err) {
      return { who: [shown(t)], why: 'refused', step: 'post', code: refusal(err) };
    }
  }
}

/**
 * Slack's code when its answer is final (a refusal, or that the person is in the channel already);
 * anything passing is thrown again, for the job to retry.
 */
function refusal(err: unknown): string {
  const code = slackErrorCode(err);
  if (code !== undefined && (TARGET_REFUSALS.includes(code) || ALREADY_THERE.includes(code) || isPermanent(code))) return code;
  throw err;
}

/** The same group, person or channel written twice (`@jane` and `U…`) is named, invited and told once. */
function distinct(targets: Targeted[]): Targeted[] {
  const seen = new Set<string>();
  return targets.filter((t) => !seen.has(t.id) && seen.add(t.id));
}

function people(targets: Targeted[]): string[] {
  return [...new Set(targets.flatMap((t) => (t.kind === 'group' ? t.members : t.kind === 'user' ? [t.id] : [])))];
}

function unresolved(t: Extract<EscalationTarget, { kind: 'unresolved' }>): Unreachable {
  return t.why === 'refused' ? { who: [t.written], why: 'refused', step: 'lookup', code: t.code } : { written: t.written, why: t.why };
}

/** A raw id shows as Slack shows it (a name); a handle or a name as the runbook wrote it. */
function shown(t: Targeted): Span {
  if (t.written.startsWith('@') || t.written.startsWith('#') || t.kind === 'group') return t.written;
  return t.kind === 'user' ? { user: t.id } : { channel: t.id };
}

/** The core's words, then the mentions: user groups have no neutral span, so this line is Slack's own. */
function calloutText(notice: EscalationNotice, targets: Targeted[]): string {
  const mentions = targets.map((t) => (t.kind === 'group' ? `<!subteam^${t.id}>` : t.kind === 'user' ? `<@${t.id}>` : `<#${t.id}>`));
  return mentions.length > 0 ? `${mrkdwn(notice.text)}\n${mentions.join(' ')}` : mrkdwn(notice.text);
}

/** The page's text with its buttons (Acknowledge) under it; the text stays the notification's fallback. */
function withButtons(text: string, notice: EscalationNotice): Array<Record<string, unknown>> | undefined {
  return notice.actions.length > 0 ? textWithActions(text, notice.actions) : undefined;
}

/** One line per target: what failed, why, and where to fix it. */
function unreachableText(unreachable: Unreachable[], notice: EscalationNotice, incident: string): Text {
  return unreachable.flatMap((u, i): Text => {
    const who = u.why === 'refused' ? u.who.flatMap((s, j) => (j === 0 ? [s] : [', ', s])) : [u.written];
    return [...(i > 0 ? ['\n'] : []), 'Could not reach ', ...who, ` at level ${notice.level}: `, ...reason(u), ' ', ...fix(u, who, notice, incident)];
  });
}

function reason(u: Unreachable): Text {
  switch (u.why) {
    case 'unknown':
      if (u.written.startsWith('@')) return ['no user group or user is called that.'];
      if (u.written.startsWith('#')) return ['no channel the bot can see is called that.'];
      return [u.written.startsWith('S') ? 'no user group has that id.' : 'that is not a Slack user, user group or channel.'];
    case 'ambiguous':
      return ['more than one person has that display name.'];
    case 'deactivated':
      return ['that account is deactivated.'];
    case 'refused':
      if (u.code === 'not_in_channel') return ['the bot is not in that channel.'];
      return [
        { lookup: 'Slack would not look it up', invite: 'Slack would not invite them', dm: 'Slack would not send them a direct message', post: 'Slack would not post there' }[u.step],
        ' (',
        { code: u.code },
        ').',
      ];
  }
}

function fix(u: Unreachable, who: Text, notice: EscalationNotice, incident: string): Text {
  const inRunbook = [`Fix it in ${notice.fixAt}.`];
  if (u.why === 'ambiguous') return [`Fix it in ${notice.fixAt}: write their username or user id.`];
  if (u.why !== 'refused') return inRunbook;
  if (!TARGET_REFUSALS.includes(u.code)) return [fixFor(u.code, incident)];
  if (u.code === 'not_in_channel') return ['Invite the bot to ', ...who, '.'];
  // Someone who left the workspace is for the runbook to replace; anyone else can be reached by hand.
  if (GONE.includes(u.code)) return inRunbook;
  if (u.step === 'invite') return ['Invite them by hand.'];
  if (u.step === 'dm') return ['Reach them another way.'];
  return inRunbook;
}
