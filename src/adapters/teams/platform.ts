import type { Pool } from 'pg';
import type { TeamsConfig } from './settings';
import { PermanentError } from '../../core/errors';
import type { CoreDeps } from '../../core/incident/deps';
import type { Actor, Incident } from '../../core/model';
import type { ChatPlatform, EscalationNotice, JobAttempt, ReplyTo } from '../../core/ports';
import type { ActionView } from '../../core/text/actions';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { ChatPostStore } from '../../store/chat-posts';
import { ChatRefStore } from '../../store/chat-refs';
import { TeamsDirectory } from '../../store/teams-directory';
import { TeamsAdapter } from './adapter';
import type { Card } from './cards';
import { TeamsConnector } from './connector';
import { forJobs } from './errors';
import { teamsTargetsReach, TeamsEscalations } from './escalation';
import { threadLink, threadParts } from './ids';
import { TeamsMessageSync } from './message-sync';
import { TeamsPeople } from './people';
import { TeamsProvisioner } from './provision';
import { readTeamsReply } from './reply-to';
import { TeamsRoomPost } from './room-post';
import { requireSnapshot } from '../../core/incident/require-snapshot';
import type { AlertOfferChoice } from '../../core/text/alert-offer';
import { postAlertOffer } from './alert-offer';

/** Teams behind the platform interface: the core and the job layer see only ChatPlatform. */
export class TeamsPlatform implements ChatPlatform {
  readonly name = 'teams';
  readonly adapter: TeamsAdapter;
  readonly directory: TeamsDirectory;
  readonly connector: TeamsConnector;
  readonly say: TeamsRoomPost;
  private readonly sync: TeamsMessageSync;
  private readonly provisioner: TeamsProvisioner;
  private readonly escalations: TeamsEscalations;
  private readonly admins: Set<string>;

  constructor(
    readonly config: TeamsConfig,
    pool: Pool,
    private readonly deps: CoreDeps,
    logger: Logger,
  ) {
    this.adapter = new TeamsAdapter(config);
    this.directory = new TeamsDirectory(pool);
    this.connector = new TeamsConnector(this.adapter, this.directory);
    const people = new TeamsPeople(this.directory);
    this.say = new TeamsRoomPost(this.connector, new ChatPostStore(pool, 'teams'), people);
    const announce = config.announceChannelId ? { channelId: config.announceChannelId, logger } : null;
    this.sync = new TeamsMessageSync(this.connector, deps, new ChatRefStore(pool, 'teams'), people, announce);
    this.provisioner = new TeamsProvisioner(this.connector, deps, this.sync, this.say, config.incidentChannelId, logger);
    this.escalations = new TeamsEscalations(this.connector, this.directory, deps, this.say, logger);
    this.admins = new Set(config.admins);
  }

  provision(incidentId: string, replyTo: ReplyTo | null, attempt: JobAttempt): Promise<void> {
    return this.provisioner.provision(incidentId, replyTo, attempt);
  }

  async render(incidentId: string): Promise<void> {
    await this.sync.sync(incidentId).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /** The card a click on message `messageId` should be answered with, from the newest state. */
  cardFor(incidentId: string, messageId: string): Promise<Card | null> {
    return this.sync.cardFor(incidentId, messageId);
  }

  async post(incidentId: string, text: Text, opts: { key?: string; actions?: ActionView[] } = {}): Promise<void> {
    const snap = await requireSnapshot(this.deps.store, incidentId);
    const room = snap.incident.channelId;
    if (!room) throw new Error(`incident ${incidentId} has no thread yet`);
    await this.say.say(room, text, { incidentId, key: opts.key, actions: opts.actions }).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /** Said once in TEAMS_ANNOUNCE_CHANNEL_ID, as a post of its own: the key is claimed in chat_posts first. */
  async announce(incidentId: string, text: Text, key: string): Promise<void> {
    if (!this.config.announceChannelId) return;
    await this.say.say(this.config.announceChannelId, text, { incidentId, key }).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /**
   * An alert no runbook routes, offered in TEAMS_INCIDENT_CHANNEL_ID as a post of its own with a
   * button per runbook. Said once: the alert's row is claimed before this runs (AlertIntake).
   */
  async offerAlert(text: Text, alert: Omit<AlertOfferChoice, 'runbook'>, runbooks: string[]): Promise<void> {
    if (!this.config.incidentChannelId) throw new PermanentError('no TEAMS_INCIDENT_CHANNEL_ID to offer the alert in');
    await postAlertOffer(this.connector, this.config.incidentChannelId, text, alert, runbooks);
  }

  roomUrl(incident: Incident): string | null {
    return incident.channelId ? threadLink(incident.channelId, incident.workspace) : null;
  }

  escalate(notice: EscalationNotice): Promise<void> {
    return this.escalations.escalate(notice);
  }

  /** Teams has no private replies in a conversation: the answer goes where the person asked. */
  async reaches(targets: string[], userId: string, room: string | null): Promise<boolean> {
    if (!room) return false;
    try {
      return await teamsTargetsReach(this.connector, targets, userId, room);
    } catch (err) {
      throw forJobs(err);
    }
  }

  async notify(replyTo: ReplyTo, text: Text): Promise<void> {
    const to = readTeamsReply(replyTo);
    if (!to) throw new PermanentError('nowhere to reply: no Teams conversation');
    await this.say.say(to.conversationId, text, { mention: false }).catch((err: unknown) => {
      throw forJobs(err);
    });
  }

  /** A 1:1 chat with the person, opened through the incident's team; they must be known to the bot. */
  async remind(userId: string, incident: Pick<Incident, 'id' | 'workspace' | 'channelId'>, text: Text): Promise<void> {
    const person = (await this.directory.people([userId])).get(userId.toLowerCase());
    if (!person) throw new PermanentError(`Teams user ${userId} never wrote to the bot, so it cannot open a chat with them`);
    if (!incident.channelId) throw new PermanentError(`incident ${incident.id} has no thread to reach its team through`);
    try {
      const chat = await this.connector.openChat(person.teamsId, incident.channelId);
      await this.say.say(chat, text, { mention: false });
    } catch (err) {
      throw forJobs(err);
    }
  }

  /**
   * Anyone who can post or click in the incident's thread is in its team, since a channel's
   * threads show to the whole team; from anywhere else, Teams is asked whether they are.
   */
  async resolveActor(userId: string, incident: Incident | null, origin: { room: string | null; via: 'command' | 'click' }): Promise<Actor> {
    const isAdmin = this.admins.has(userId.toLowerCase());
    const room = incident?.channelId ?? null;
    if (!room) return { id: userId, isAdmin, inChannel: false };
    if (origin.room === room) return { id: userId, isAdmin, inChannel: true };
    const inTeam = threadParts(room).messageId ? (await this.connector.member(room, userId).catch(() => null)) !== null : false;
    return { id: userId, isAdmin, inChannel: inTeam };
  }
}
