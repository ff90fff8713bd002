import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { PermanentError } from '../../core/errors';
import type { CoreDeps } from '../../core/incident/deps';
import type { Actor, Incident } from '../../core/model';
import type { ChatPlatform, EscalationNotice, JobAttempt, ReplyTo } from '../../core/ports';
import type { ActionView } from '../../core/render/views';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { ChatRefStore } from '../../store/chat-refs';
import type { ChatRoomStore } from '../../store/chat-rooms';
import { forJobs } from './errors';
import { SlackAdmins } from './admins';
import type { SlackHome } from './home';
import { SlackEscalations } from './escalation';
import { SlackEscalationTargets } from './escalation-targets';
import { textWithActions } from './blocks';
import { mrkdwn } from './format';
import { postOnce } from './keyed-post';
import { SlackMembers } from './members';
import { SlackMessageSync, slackRoomUrl } from './message-sync';
import { SlackProvisioner } from './provision';
import { respondEphemeral } from './response-url';
import { requireSnapshot } from '../../core/incident/require-snapshot';

/** Slack behind the platform interface: the core and the job layer see only ChatPlatform. */
export class SlackPlatform implements ChatPlatform {
  readonly name = 'slack';
  private readonly sync: SlackMessageSync;
  private readonly provisioner: SlackProvisioner;
  private readonly admins: SlackAdmins;
  private readonly members: SlackMembers;
  private readonly escalations: SlackEscalations;
  private readonly targets: SlackEscalationTargets;

  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    stores: { refs: ChatRefStore; rooms: ChatRoomStore },
    admins: { users: string[]; groups: string[] },
    logger: Logger,
    /** The App Home; absent where no one opens it (tests of other parts). */
    readonly home: SlackHome | null = null,
    /** INCIDENT_ANNOUNCE_CHANNEL: where every incident is announced; null: nowhere. */
    private readonly announceChannel: string | null = null,
  ) {
    this.sync = new SlackMessageSync(client, deps, stores.refs, logger, announceChannel);
    this.provisioner = new SlackProvisioner(client, deps, this.sync, stores.rooms, logger);
    this.admins = new SlackAdmins(client, admins, logger);
    this.members = new SlackMembers(client, logger);
    this.targets = new SlackEscalationTargets(client);
    this.escalations = new SlackEscalations(client, deps, this.targets, logger, (id) => stores.refs.setupPosted(id));
  }

  provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt): Promise<void> {
    return this.provisioner.provision(incidentId, replyTo, attempt);
  }

  async render(incidentId: string): Promise<void> {
    await this.sync.sync(incidentId).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  async post(incidentId: string, text: Text, opts: { key?: string; actions?: ActionView[] } = {}): Promise<void> {
    const snap = await requireSnapshot(this.deps.store, incidentId);
    const channel = snap.incident.channelId;
    if (!channel) throw new Error(`incident ${incidentId} has no channel yet`);
    const blocks = opts.actions?.length ? textWithActions(mrkdwn(text), opts.actions) : undefined;
    const posted = opts.key
      ? postOnce(this.client, channel, incidentId, opts.key, mrkdwn(text), blocks)
      : this.client.chat.postMessage({ channel, text: mrkdwn(text), ...(blocks ? { blocks: blocks as never } : {}), unfurl_links: false });
    await posted.catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /** Said once in INCIDENT_ANNOUNCE_CHANNEL: the key is found in its history by every try. */
  async announce(incidentId: string, text: Text, key: string): Promise<void> {
    if (!this.announceChannel) return;
    await postOnce(this.client, this.announceChannel, incidentId, key, mrkdwn(text)).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /** Where people open the incident's channel from outside Slack (a pager, a webhook receiver). */
  roomUrl(incident: Incident): string | null {
    return slackRoomUrl(incident.channelId);
  }

  /** Every try delivers the whole level and finds what an earlier try did, so which try it is changes nothing. */
  escalate(notice: EscalationNotice, attempt: JobAttempt): Promise<void> {
    return this.escalations.escalate(notice, attempt);
  }

  /** A member of a user group the targets name, or a user they name; lookups are shared with escalate's (cached). */
  async reaches(targets: string[], userId: string): Promise<boolean> {
    try {
      const resolved = await this.targets.resolve(targets);
      return resolved.some((t) => (t.kind === 'group' && t.members.includes(userId)) || (t.kind === 'user' && t.id === userId));
    } catch (err) {
      throw forJobs(err);
    }
  }

  async notify(replyTo: ReplyTo, text: Text): Promise<void> {
    if (typeof replyTo.responseUrl === 'string') return respondEphemeral(replyTo.responseUrl, mrkdwn(text));
    if (typeof replyTo.user === 'string') {
      await this.client.chat.postMessage({ channel: replyTo.user, text: mrkdwn(text), unfurl_links: false });
      return;
    }
    throw new PermanentError('nowhere to reply: neither a response_url nor a user');
  }

  async refreshHome(workspace: string | null, userId: string): Promise<void> {
    await this.home?.publish(workspace, userId).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /**
   * A direct message: the app's DM with the person, opened if needed. Keyed once per person, text
   * and day, so a try after a lost answer finds the reminder in the DM instead of sending it again.
   */
  async remind(userId: string, incident: Pick<Incident, 'id' | 'workspace' | 'channelId'>, text: Text): Promise<void> {
    try {
      const dm = await this.client.conversations.open({ users: userId });
      const digest = createHash('sha256').update(JSON.stringify(text)).digest('base64url').slice(0, 16);
      const day = this.deps.clock.now().toISOString().slice(0, 10);
      await postOnce(this.client, dm.channel!.id!, incident.id, `reminder:${userId}:${day}:${digest}`, mrkdwn(text));
    } catch (err) {
      throw forJobs(err);
    }
  }

  /**
   * Typing a command in a channel proves membership (Slack only lets members post); anyone who can
   * see a public channel can click its buttons, so a click asks Slack who is in the channel.
   */
  async resolveActor(userId: string, incident: Incident | null, origin: { room: string | null; via: 'command' | 'click' }): Promise<Actor> {
    const channel = incident?.channelId ?? null;
    const typedThere = origin.via === 'command' && channel !== null && origin.room === channel;
    const [isAdmin, inChannel] = await Promise.all([
      this.admins.isAdmin(userId),
      typedThere ? true : channel ? this.members.isMember(channel, userId) : false,
    ]);
    return { id: userId, isAdmin, inChannel };
  }
}
