import type { WebClient } from '@slack/web-api';
import { attachChannel } from '../../core/incident/attach-channel';
import type { CoreDeps } from '../../core/incident/deps';
import { isAlertActor, label, type Incident } from '../../core/model';
import { PermanentError } from '../../core/errors';
import type { JobAttempt, ReplyTo } from '../../core/ports';
import { sliceWhole, type Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { ChatRoomStore } from '../../store/chat-rooms';
import { channelName } from './channel-name';
import { answerLost, fixFor, forJobs, isPermanent, slackErrorCode } from './errors';
import { escape, mrkdwn } from './format';
import type { SlackMessageSync } from './message-sync';
import { respondEphemeral } from './response-url';
import { requireSnapshot } from '../../core/incident/require-snapshot';

export const BOT_ACTOR = 'incident-bot';
const NAME_ATTEMPTS = 10;
const SLACK_NOTICES = ['channel_join', 'channel_leave', 'channel_topic', 'channel_purpose', 'channel_name'];

/**
 * Opens the incident channel, invites the declarer, posts and pins the header and the checklist.
 * Every step can be run again after a crash at any point: the channel it meant to create is
 * written down first and found again, and messages already posted are found by their metadata.
 */
export class SlackProvisioner {
  private botUserId: Promise<string> | null = null;

  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    private readonly messages: SlackMessageSync,
    private readonly rooms: ChatRoomStore,
    private readonly logger: Logger,
  ) {}

  async provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt = { attempt: 1, final: true }): Promise<void> {
    const snap = await requireSnapshot(this.deps.store, incidentId);
    const incident = snap.incident;
    const log = this.logger.child({ incidentId: incident.id, platform: 'slack', actor: incident.declaredBy });
    let stage: Text = ['open its channel'];
    try {
      let channel = incident.channelId;
      let freshChannel = false;
      if (!channel) {
        const opened = await this.openChannel(incident);
        channel = opened.id;
        freshChannel = !opened.reused;
        await attachChannel(this.deps, incident.id, channel, BOT_ACTOR, opened.name);
        log.info({ channel, name: opened.name, reused: opened.reused }, 'incident channel opened');
      }
      stage = ['invite you to ', { channel }];
      // An alert declared it: nobody to bring in; the escalation ladder pages the on-call people.
      if (!isAlertActor(incident.declaredBy)) await this.invite(channel, incident.declaredBy);
      await this.client.conversations.setTopic({ channel, topic: topic(incident) }).catch((err: Error) => {
        log.warn({ err }, 'could not set the channel topic');
      });
      stage = ['post the header and checklist in ', { channel }];
      await this.messages.sync(incident.id, { setup: true, freshChannel });
      // The channel is open and rendered; a lapsed response_url must not re-run all of that.
      await this.reply(replyTo, [`${label(incident)} declared. Work it in `, { channel }, ': the runbook checklist is pinned there.']).catch(
        (err: Error) => log.warn({ err }, 'could not tell the declarer where the channel is'),
      );
    } catch (err) {
      const code = slackErrorCode(err) ?? (err as Error).message;
      const permanent = err instanceof PermanentError || isPermanent(slackErrorCode(err));
      const finalAttempt = attempt.final || permanent;
      const problem: Text = [`${label(incident)} is recorded, but I could not `, ...stage, ` (${code}).`];
      // Said once at the first failure and once at the last, so nobody waits in silence at 3 a.m.
      if (!finalAttempt && attempt.attempt === 1) {
        await this.reply(replyTo, [...problem, ' I keep trying for about a minute and will post here when it works.']).catch(() => undefined);
      }
      if (finalAttempt) {
        await this.reply(replyTo, [
          ...problem,
          ` I have stopped trying. ${fixFor(slackErrorCode(err), label(incident))} Then run `,
          { command: `retry ${label(incident)}` },
          '. Meanwhile, work the ',
          { code: incident.runbookId },
          ' runbook by hand.',
        ]).catch(() => undefined);
      }
      log.warn({ err, code, attempt: attempt.attempt, final: finalAttempt }, 'could not set up the incident channel');
      throw forJobs(err);
    }
  }

  /**
   * Creates the channel, or finds the one an earlier, interrupted call created. The name is
   * written down before each create call, so a lost answer or "name taken" for that very name is
   * looked up and adopted if the bot made it, instead of moving on to the next name.
   */
  private async openChannel(incident: Incident): Promise<{ id: string; name: string; reused: boolean }> {
    const intended = await this.rooms.intended(incident.id);
    if (intended?.roomId) return { id: intended.roomId, name: intended.name, reused: true };
    const first = intended ? Math.max(1, attemptOf(incident, intended.name)) : 1;
    for (let attempt = first; attempt <= NAME_ATTEMPTS; attempt++) {
      const name = channelName(incident, attempt);
      if (intended?.name !== name) await this.rooms.intend(incident.id, name);
      try {
        const res = await this.client.conversations.create({ name, is_private: false });
        const id = res.channel!.id!;
        await this.rooms.created(incident.id, id);
        return { id, name, reused: false };
      } catch (err) {
        const taken = slackErrorCode(err) === 'name_taken';
        // Not resent: Slack may have made the channel, so look for it before anything else.
        if (!taken && !answerLost(err)) throw err;
        const mine = await this.findOwnChannel(name, incident.id);
        if (mine) {
          await this.rooms.created(incident.id, mine);
          return { id: mine, name, reused: true };
        }
        if (!taken) throw err; // not made after all: the job's next try creates it
      }
    }
    throw new Error(`every channel name up to ${channelName(incident, NAME_ATTEMPTS)} is taken`);
  }

  /**
   * The public channel called `name`, if the bot created it and nobody else wrote in it. Slack has
   * no lookup by name, so the list is paged. Someone else's channel, or one in use, is not ours.
   */
  private async findOwnChannel(name: string, incidentId: string): Promise<string | null> {
    const me = await this.me();
    let cursor: string | undefined;
    do {
      const page = await this.client.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, cursor });
      const found = (page.channels ?? []).find((c) => c.name === name);
      if (found) return found.creator === me && (await this.unused(found.id!, me, incidentId)) ? found.id! : null;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor);
    return null;
  }

  /** No message from anyone but the bot, and none of the bot's about another incident. */
  private async unused(channel: string, me: string, incidentId: string): Promise<boolean> {
    const history = await this.client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
    return (history.messages ?? []).every((m) => {
      // Joins and topic changes are Slack's notices, not somebody using the channel.
      if (m.subtype && SLACK_NOTICES.includes(m.subtype)) return true;
      const about = (m.metadata as { event_payload?: Record<string, unknown> } | undefined)?.event_payload?.incident_id;
      return m.user === me && (about === undefined || about === incidentId);
    });
  }

  private me(): Promise<string> {
    this.botUserId ??= this.client.auth.test().then(
      (r) => String(r.user_id),
      (err: unknown) => {
        this.botUserId = null;
        throw err;
      },
    );
    return this.botUserId;
  }

  private async invite(channel: string, user: string): Promise<void> {
    try {
      await this.client.conversations.invite({ channel, users: user });
    } catch (err) {
      // Re-running a provision job finds them already there; that is success.
      if (!['already_in_channel', 'cant_invite_self'].includes(slackErrorCode(err) ?? '')) throw err;
    }
  }

  private async reply(replyTo: ReplyTo | null, text: Text): Promise<void> {
    const url = replyTo?.responseUrl;
    if (typeof url === 'string') await respondEphemeral(url, mrkdwn(text));
  }
}

/** Which try of `channelName` produced `name` (1 for the plain name). */
function attemptOf(incident: Incident, name: string): number {
  for (let a = 1; a <= NAME_ATTEMPTS; a++) if (channelName(incident, a) === name) return a;
  return 1;
}

// Only what never changes: severity and status live on the pinned header, which is re-rendered.
// Escaped like any mrkdwn, and cut so that the escaped text fits Slack's 250 characters.
function topic(i: Incident): string {
  let text = sliceWhole(`${label(i)} · runbook ${i.runbookId} · ${i.title}`, 250);
  while (escape(text).length > 250) text = sliceWhole(text, text.length - 1);
  return escape(text);
}
