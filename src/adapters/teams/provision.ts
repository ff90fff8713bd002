import { attachChannel } from '../../core/incident/attach-channel';
import type { CoreDeps } from '../../core/incident/deps';
import { isAlertActor, label } from '../../core/model';
import { PermanentError } from '../../core/errors';
import type { JobAttempt, ReplyTo } from '../../core/ports';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { TeamsConnector } from './connector';
import { connectorStatus, forJobs, teamsFix } from './errors';
import { threadLink } from './ids';
import type { TeamsMessageSync } from './message-sync';
import type { TeamsRoomPost } from './room-post';
import { readTeamsReply, type TeamsReplyTo } from './reply-to';
import { requireSnapshot } from '../../core/incident/require-snapshot';

export const BOT_ACTOR = 'incident-bot';

/**
 * Opens the incident's thread in the incident channel with the header card as its first message,
 * posts the checklist under it, and mentions the declarer there (a mention is how Teams brings
 * someone into a thread). Safe to run again: a thread whose header was recorded is reused, and
 * keyed messages are said once.
 */
export class TeamsProvisioner {
  constructor(
    private readonly connector: TeamsConnector,
    private readonly deps: CoreDeps,
    private readonly sync: TeamsMessageSync,
    private readonly say: TeamsRoomPost,
    private readonly incidentChannel: string | null,
    private readonly logger: Logger,
  ) {}

  async provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt): Promise<void> {
    const snap = await requireSnapshot(this.deps.store, incidentId);
    const incident = snap.incident;
    const origin = readTeamsReply(replyTo);
    const log = this.logger.child({ incidentId, platform: 'teams', actor: incident.declaredBy });
    const channel = this.incidentChannel ?? origin?.channel ?? null;
    try {
      if (!incident.channelId && !channel) {
        throw new PermanentError('there is no channel to open its thread in: set TEAMS_INCIDENT_CHANNEL_ID, or declare in a team channel');
      }
      let room = incident.channelId;
      await this.sync.sync(incidentId, {
        open: async (header) => {
          if (room) return { room, messageId: await this.connector.send(room, header) };
          const opened = await this.connector.openThread(channel!, header);
          log.info({ channel, thread: opened.conversationId }, 'incident thread opened');
          return { room: opened.conversationId, messageId: opened.activityId };
        },
        attach: async (opened) => {
          room = opened;
          await attachChannel(this.deps, incidentId, opened, BOT_ACTOR, channel ?? opened);
        },
      });
      const who: Text = isAlertActor(incident.declaredBy) ? ['An alert'] : [{ user: incident.declaredBy }];
      await this.say.say(room!, [...who, ` declared ${label(incident)}. Work it in this thread: the checklist is right above.`], {
        incidentId,
        key: 'setup:declarer',
      });
      if (origin && origin.conversationId !== room) {
        const link = threadLink(room!, origin.tenantId);
        const where: Text = link ? [{ link, title: 'its thread' }] : ['its thread'];
        await this.say
          .say(origin.conversationId, [`${label(incident)} declared. Work it in `, ...where, ' in the incident channel: the runbook checklist is there.'], { incidentId, key: 'setup:where' })
          .catch((err: Error) => log.warn({ err }, 'could not tell the declarer where the thread is'));
      }
    } catch (err) {
      await this.saySetupFailed(incidentId, label(incident), incident.runbookId, origin, err, attempt).catch(() => undefined);
      log.warn({ err, attempt: attempt.attempt }, 'could not set up the incident thread');
      throw forJobs(err);
    }
  }

  /** Said once at the first failure and once at the last, so nobody waits in silence at 3 a.m. */
  private async saySetupFailed(incidentId: string, name: string, runbook: string, origin: TeamsReplyTo | null, err: unknown, attempt: JobAttempt): Promise<void> {
    if (!origin) return;
    const permanent = forJobs(err) instanceof PermanentError;
    const final = attempt.final || permanent;
    const why = err instanceof PermanentError ? err.message : teamsFix(connectorStatus(err));
    const problem: Text = [`${name} is recorded, but I could not open its thread: ${why}`];
    if (!final && attempt.attempt === 1) {
      await this.say.say(origin.conversationId, [...problem, ' I keep trying for about a minute and will say here when it works.'], { incidentId, key: 'setup:failing' });
    } else if (final) {
      await this.say.say(origin.conversationId, [...problem, ' I have stopped trying. Once it is fixed, run ', { command: `retry ${name}` }, '. Meanwhile, work the ', { code: runbook }, ' runbook by hand.'], {
        incidentId,
        key: `setup:stopped:${attempt.attempt}`,
      });
    }
  }
}
