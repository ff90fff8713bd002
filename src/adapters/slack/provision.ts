import type { WebClient } from '@slack/web-api';
import { UnrecoverableError, type Job } from 'bullmq';
import { attachChannel } from '../../core/incident/attach-channel';
import type { CoreDeps } from '../../core/incident/deps';
import { label, type Incident } from '../../core/incident/model';
import type { Logger } from '../../logger';
import { channelName } from './channel-name';
import { slackErrorCode } from './client';
import type { SlackMessageSync } from './message-sync';
import { respondEphemeral } from './response-url';

export const BOT_ACTOR = 'incident-bot';
const NAME_ATTEMPTS = 10;

export interface ProvisionPayload {
  incidentId: string;
  replyTo: { responseUrl?: string } | null;
}

/** Opens the incident channel, invites the declarer, posts and pins the header and the checklist. */
export class SlackProvisioner {
  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    private readonly messages: SlackMessageSync,
    private readonly logger: Logger,
  ) {}

  async provision(payload: ProvisionPayload, job?: Job): Promise<void> {
    const snap = await this.deps.store.get(payload.incidentId);
    if (!snap) throw new UnrecoverableError(`incident ${payload.incidentId} does not exist`);
    const incident = snap.incident;
    const log = this.logger.child({ incidentId: incident.id, platform: 'slack', actor: incident.declaredBy });
    let stage = 'open its channel';
    try {
      let channel = incident.channelId;
      if (!channel) {
        const created = await this.createChannel(incident);
        channel = created.id;
        await attachChannel(this.deps, incident.id, channel, BOT_ACTOR, created.name);
        log.info({ channel, name: created.name }, 'incident channel opened');
      }
      stage = `invite you to <#${channel}>`;
      await this.invite(channel, incident.declaredBy);
      await this.client.conversations.setTopic({ channel, topic: topic(incident) }).catch((err: Error) => {
        log.warn({ err: err.message }, 'could not set the channel topic');
      });
      stage = `post the header and checklist in <#${channel}>`;
      await this.messages.sync(incident.id);
      // The channel is open and rendered; a lapsed response_url must not re-run all of that.
      await this.reply(payload, `${label(incident)} declared. Work it in <#${channel}>: the runbook checklist is pinned there.`).catch(
        (err: Error) => log.warn({ err: err.message }, 'could not tell the declarer where the channel is'),
      );
    } catch (err) {
      const finalAttempt = !job || err instanceof UnrecoverableError || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const code = slackErrorCode(err) ?? (err as Error).message;
      const problem = `${label(incident)} is recorded, but I could not ${stage} (${code}).`;
      // Said once at the first failure and once at the last, so nobody waits in silence at 3 a.m.
      if (!finalAttempt && job.attemptsMade === 0) {
        await this.reply(payload, `${problem} I keep trying for about a minute and will post here when it works.`).catch(() => undefined);
      }
      if (finalAttempt) {
        const fix =
          code === 'missing_scope' || code === 'not_authed' || code === 'invalid_auth'
            ? 'The Slack app is not installed with the scopes in slack/manifest.*.json: reinstall it.'
            : `Ask whoever runs the bot to check its logs for ${label(incident)}.`;
        await this.reply(payload, `${problem} I have stopped trying. ${fix} Meanwhile, work the \`${incident.playbookId}\` runbook by hand.`).catch(
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

  private async reply(payload: ProvisionPayload, text: string): Promise<void> {
    const url = payload.replyTo?.responseUrl;
    if (url) await respondEphemeral(url, text);
  }
}

// Only what never changes: severity and status live on the pinned header, which is re-rendered.
function topic(i: Incident): string {
  return `${label(i)} · runbook ${i.playbookId} · ${i.title}`.slice(0, 250);
}
