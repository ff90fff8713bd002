import type { WebClient } from '@slack/web-api';
import { attachChannel } from '../../core/incident/attach-channel';
import { PermanentError } from '../../core/errors';
import type { CoreDeps } from '../../core/incident/deps';
import { label, type Incident } from '../../core/incident/model';
import type { JobAttempt, ReplyTo } from '../../core/ports';
import type { Text } from '../../core/render/text';
import type { Logger } from '../../logger';
import { channelName } from './channel-name';
import { slackErrorCode } from './client';
import type { SlackMessageSync } from './message-sync';
import { respondEphemeral } from './response-url';
import { escape, mrkdwn } from './format';

export const BOT_ACTOR = 'incident-bot';
const NAME_ATTEMPTS = 10;

/** Opens the incident channel, invites the declarer, posts and pins the header and the checklist. */
export class SlackProvisioner {
  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    private readonly messages: SlackMessageSync,
    private readonly logger: Logger,
  ) {}

  async provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt = { attempt: 1, final: true }): Promise<void> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap) throw new PermanentError(`incident ${incidentId} does not exist`);
    const incident = snap.incident;
    const log = this.logger.child({ incidentId: incident.id, platform: 'slack', actor: incident.declaredBy });
    let stage: Text = ['open its channel'];
    try {
      let channel = incident.channelId;
      if (!channel) {
        const created = await this.createChannel(incident);
        channel = created.id;
        await attachChannel(this.deps, incident.id, channel, BOT_ACTOR, created.name);
        log.info({ channel, name: created.name }, 'incident channel opened');
      }
      stage = ['invite you to ', { channel }];
      await this.invite(channel, incident.declaredBy);
      await this.client.conversations.setTopic({ channel, topic: topic(incident) }).catch((err: Error) => {
        log.warn({ err: err.message }, 'could not set the channel topic');
      });
      stage = ['post the header and checklist in ', { channel }];
      await this.messages.sync(incident.id);
      // The channel is open and rendered; a lapsed response_url must not re-run all of that.
      await this.reply(replyTo, [`${label(incident)} declared. Work it in `, { channel }, ': the runbook checklist is pinned there.']).catch(
        (err: Error) => log.warn({ err: err.message }, 'could not tell the declarer where the channel is'),
      );
    } catch (err) {
      const finalAttempt = attempt.final || err instanceof PermanentError;
      const code = slackErrorCode(err) ?? (err as Error).message;
      const problem: Text = [`${label(incident)} is recorded, but I could not `, ...stage, ` (${code}).`];
      // Said once at the first failure and once at the last, so nobody waits in silence at 3 a.m.
      if (!finalAttempt && attempt.attempt === 1) {
        await this.reply(replyTo, [...problem, ' I keep trying for about a minute and will post here when it works.']).catch(() => undefined);
      }
      if (finalAttempt) {
        const fix =
          code === 'missing_scope' || code === 'not_authed' || code === 'invalid_auth'
            ? 'The Slack app is not installed with the scopes in slack/manifest.*.json: reinstall it.'
            : `Ask whoever runs the bot to check its logs for ${label(incident)}.`;
        await this.reply(replyTo, [...problem, ` I have stopped trying. ${fix} Meanwhile, work the `, { code: incident.runbookId }, ' runbook by hand.']).catch(
          () => undefined,
        );
      }
      throw err;
    }
  }

  private async createChannel(incident: Incident): Promise<{ id: string; name: string }> {
    for (let attempt = 1; attempt <= NAME_ATTEMPTS; attempt++) {
      const name = channelName(incident, attempt);
      try {
        const res = await this.client.conversations.create({ name, is_private: false });
        return { id: res.channel!.id!, name };
      } catch (err) {
        if (slackErrorCode(err) !== 'name_taken') throw err;
      }
    }
    throw new Error(`every channel name up to ${channelName(incident, NAME_ATTEMPTS)} is taken`);
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

// Only what never changes: severity and status live on the pinned header, which is re-rendered.
// Escaped like any mrkdwn, and cut so that the escaped text fits Slack's 250 characters.
function topic(i: Incident): string {
  let text = `${label(i)} · runbook ${i.runbookId} · ${i.title}`.slice(0, 250);
  while (escape(text).length > 250) text = text.slice(0, -1);
  return escape(text);
}
