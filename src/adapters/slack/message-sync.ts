import type { WebClient } from '@slack/web-api';
import type { CoreDeps } from '../../core/incident/deps';
import type { Snapshot } from '../../core/model';
import { announcementView } from '../../core/render/announcement';
import { followUpView } from '../../core/render/follow-up';
import { checklistViews, headerView } from '../../core/render/views';
import type { Logger } from '../../util/logger';
import type { ChatRef, ChatRefStore, RenderSession } from '../../store/chat-refs';
import { checklistPage, opensSwitchedChecklist, putAll, renderLatest, type Kind, type MessageTransport, type Planned } from '../common/message-sync';
import { checklistMessages, headerMessage, type SlackMessage } from './blocks';
import { followUpMessage } from './follow-up-blocks';
import { slackErrorCode } from './errors';

/** The metadata event type on every message the bot renders, to recognise its own messages. */
const MESSAGE_EVENT = 'braiflow_incident_message';

const KINDS: readonly Kind[] = ['header', 'checklist', 'followup'];

/** Errors that mean the announce channel cannot be written to until someone fixes the setup. */
const ANNOUNCE_SETUP_ERRORS = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action', 'missing_scope']);

/** Where people open an incident's channel from outside it (the announcement, a pager, a webhook receiver). */
export function slackRoomUrl(channelId: string | null): string | null {
  return channelId ? `https://slack.com/app_redirect?channel=${channelId}` : null;
}

/**
 * Brings an incident's Slack messages up to date with stored state: posts what is missing,
 * updates what is older than the incident's version, and leaves current messages alone.
 */
export class SlackMessageSync {
  constructor(
    private readonly client: WebClient,
    private readonly deps: CoreDeps,
    private readonly refs: ChatRefStore,
    private readonly logger: Logger,
    /** INCIDENT_ANNOUNCE_CHANNEL: where every incident's announcement lives; null: none. */
    private readonly announceChannel: string | null = null,
  ) {}

  /**
   * `setup`: called by provisioning, after the declarer was invited; only then may the first
   * messages be posted (a render job alone would post buttons nobody can use yet).
   * `freshChannel`: the channel was created just now, so no earlier message can be in it.
   */
  async sync(incidentId: string, opts: { setup?: boolean; freshChannel?: boolean } = {}): Promise<void> {
    await renderLatest(this.refs, incidentId, (session) => this.renderOnce(incidentId, session, opts), opts.setup === true);
  }

  /** Renders the state read with the lock, and returns the version it showed. */
  private async renderOnce(incidentId: string, session: RenderSession, opts: { setup?: boolean; freshChannel?: boolean }): Promise<number> {
    const snap = session.snapshot;
    const version = snap.incident.version;
    const channel = snap.incident.channelId;
    if (!channel) return version; // provisioning renders once the channel exists
    const runbook = this.deps.catalog.forIncident(snap.incident.runbookId);
    // The follow-up exists once there is a post-mortem or an action item; once posted, it stays.
    const followUp = followUpView(snap, runbook, this.deps.clock.now(), this.deps.tz);
    const messages: Array<Planned<SlackMessage>> = [
      ['header', 0, headerMessage(headerView(snap, runbook, this.deps.catalog))],
      // Every checklist the incident has had: those a switch of runbook replaced, read-only, then the current one.
      ...checklistViews(snap, this.deps.catalog).flatMap(({ generation, view }) =>
        checklistMessages(view).map((m, page): Planned<SlackMessage> => ['checklist', checklistPage(generation, page), m]),
      ),
      ...(followUp ? [['followup', 0, followUpMessage(followUp)] as Planned<SlackMessage>] : []),
    ];
    const missing = messages.some(([kind, page]) => !session.refs.some((r) => r.kind === kind && r.page === page));
    // A setup cut short may have posted messages it never recorded: find them before posting.
    if (missing && !opts.freshChannel) await this.adoptPosted(incidentId, channel, session);
    if (!opts.setup && !session.refs.some((r) => r.kind === 'header')) return version; // setup has not posted yet
    await putAll(session, channel, messages, version, this.transport(incidentId, channel));
    if (this.announceChannel) await this.announce(incidentId, this.announceChannel, snap, session, version);
    return version;
  }

  /**
   * The incident's message in the announce channel, rendered and kept current like the header.
   * A channel the bot cannot write to is logged, not retried: the incident's own room matters more.
   */
  private async announce(incidentId: string, announceChannel: string, snap: Snapshot, session: RenderSession, version: number): Promise<void> {
    const message = headerMessage(announcementView(snap, slackRoomUrl(snap.incident.channelId)));
    try {
      if (!session.refs.some((r) => r.kind === 'announcement')) await this.adoptPosted(incidentId, announceChannel, session, ['announcement']);
      await putAll(session, announceChannel, [['announcement', 0, message]], version, this.transport(incidentId, announceChannel));
    } catch (err) {
      const code = slackErrorCode(err);
      if (!code || !ANNOUNCE_SETUP_ERRORS.has(code)) throw err;
      this.logger.warn(
        { incidentId, platform: 'slack', channel: announceChannel, code },
        'could not announce the incident in INCIDENT_ANNOUNCE_CHANNEL: invite the bot to that channel (/invite @bot) or fix the channel id',
      );
    }
  }

  private transport(incidentId: string, channel: string): MessageTransport<SlackMessage> {
    return {
      post: async (kind, page, msg) => {
        const posted = await this.client.chat.postMessage({
          channel,
          text: msg.text,
          blocks: msg.blocks as never,
          unfurl_links: false,
          // Lets a setup that crashed between posting and saving the ref find this message again.
          metadata: { event_type: MESSAGE_EVENT, event_payload: { incident_id: incidentId, kind, page } },
        });
        const ts = posted.ts as string;
        // Pin before recording: a crash in between finds the header by its metadata and pins it again.
        // A checklist a switch of runbook posted is pinned too, beside the header, to be found.
        if (kind === 'header' || opensSwitchedChecklist(kind, page)) await this.pin(incidentId, channel, ts);
        return ts;
      },
      update: async (ref, msg) => {
        await this.client.chat.update({ channel: ref.channelId, ts: ref.messageRef, text: msg.text, blocks: msg.blocks as never });
        return undefined;
      },
    };
  }

  private async pin(incidentId: string, channel: string, ts: string): Promise<void> {
    await this.client.pins.add({ channel, timestamp: ts }).catch((err: unknown) => {
      if (slackErrorCode(err) === 'already_pinned') return;
      // A missing pin is an inconvenience, not a reason to re-post the header.
      this.logger.warn({ incidentId, platform: 'slack', channel, err }, 'could not pin the incident header (needs pins:write)');
    });
  }

  /**
   * Finds messages an earlier, interrupted render posted but did not record, by the metadata each
   * message carries, and records them: they are updated in place instead of posted again.
   */
  private async adoptPosted(incidentId: string, channel: string, session: RenderSession, kinds: readonly Kind[] = KINDS): Promise<void> {
    const history = await this.client.conversations.history({ channel, include_all_metadata: true, limit: 200 });
    // Oldest first: if two copies exist from before this fix, the first one posted is kept.
    for (const m of [...(history.messages ?? [])].reverse()) {
      const meta = m.metadata as { event_type?: string; event_payload?: Record<string, unknown> } | undefined;
      if (meta?.event_type !== MESSAGE_EVENT || meta.event_payload?.incident_id !== incidentId) continue;
      const kind = meta.event_payload.kind;
      const page = Number(meta.event_payload.page ?? 0);
      if (!kinds.includes(kind as Kind) || session.refs.some((r) => r.kind === kind && r.page === page)) continue;
      const ref: ChatRef = { kind: kind as Kind, page, channelId: channel, messageRef: String(m.ts), renderedVersion: 0, renderedHash: null };
      await session.save(ref);
      session.refs.push({ ...ref });
      if (kind === 'header') await this.pin(incidentId, channel, String(m.ts));
    }
  }
}
