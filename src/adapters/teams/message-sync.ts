import type { CoreDeps } from '../../core/incident/deps';
import { announcementView } from '../../core/render/announcement';
import { followUpTexts, followUpView } from '../../core/render/follow-up';
import type { Snapshot } from '../../core/model';
import { PermanentError } from '../../core/errors';
import type { Logger } from '../../util/logger';
import { checklistViews, headerView } from '../../core/render/views';
import type { ChatRefStore, RenderSession } from '../../store/chat-refs';
import { checklistPage, contentHash, putAll, renderLatest, type MessageTransport, type Planned } from '../common/message-sync';
import { checklistCards, headerCard, type Card } from './cards';
import { followUpCard } from './follow-up-card';
import type { TeamsConnector, OutgoingActivity } from './connector';
import { connectorStatus } from './errors';
import { threadLink } from './ids';
import type { TeamsPeople } from './people';

export function cardActivity(card: Card, summary: string): OutgoingActivity {
  return { type: 'message', summary, attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }] };
}

export interface Setup {
  open(header: OutgoingActivity): Promise<{ room: string; messageId: string }>;
  attach(room: string): Promise<void>;
}

/**
 * Brings an incident's Teams cards up to date with stored state, like Slack's sync: the header is
 * the first message of the incident's thread, the checklist pages follow it; cards older than the
 * incident's version are updated in place, current ones are left alone.
 */
export class TeamsMessageSync {
  constructor(
    private readonly connector: TeamsConnector,
    private readonly deps: CoreDeps,
    private readonly refs: ChatRefStore,
    private readonly people: TeamsPeople,
    /** TEAMS_ANNOUNCE_CHANNEL_ID: where every incident's announcement lives, and who hears why it failed; null: none. */
    private readonly announce: { channelId: string; logger: Logger } | null = null,
  ) {}

  /**
   * `setup`: setup's call. `open` posts the header card (opening the thread with it) and returns
   * where; `attach` records that room on the incident, after the header's ref is saved, so a crash
   * in between finds the thread again. Without `setup`, a render of an incident whose setup has
   * not posted yet does nothing: setup will.
   */
  async sync(incidentId: string, setup?: Setup): Promise<void> {
    await renderLatest(this.refs, incidentId, (session) => this.renderOnce(incidentId, session, setup), setup !== undefined);
  }

  /** The card now due for a message the bot posted (what a click on it should see), or null. */
  async cardFor(incidentId: string, messageId: string): Promise<Card | null> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap) return null;
    const cards = await this.cards(snap);
    const ref = (await this.refs.find(incidentId, messageId)) ?? null;
    if (!ref) return null;
    return (cards.find(([kind, page]) => kind === ref.kind && page === ref.page)?.[2].attachments?.[0]?.content as Card | undefined) ?? null;
  }

  private async cards(snap: Snapshot): Promise<Array<Planned<OutgoingActivity>>> {
    const runbook = this.deps.catalog.forIncident(snap.incident.runbookId);
    const header = headerView(snap, runbook, this.deps.catalog);
    // After the checklist, once there is a post-mortem or an action item; once posted, it stays.
    const followUp = followUpView(snap, runbook, this.deps.clock.now(), this.deps.tz);
    const { names } = await this.people.forSnapshot(snap, ...(followUp ? followUpTexts(followUp) : []));
    return [
      ['header', 0, cardActivity(headerCard(header, names), header.summary)],
      // Every checklist the incident has had: those a switch of runbook replaced, read-only, then the current one.
      ...checklistViews(snap, this.deps.catalog).flatMap(({ generation, view }) =>
        checklistCards(view, names).map((card, page): Planned<OutgoingActivity> => ['checklist', checklistPage(generation, page), cardActivity(card, view.heading)]),
      ),
      ...(followUp ? [['followup', 0, cardActivity(followUpCard(followUp, names), followUp.summary)] as Planned<OutgoingActivity>] : []),
    ];
  }

  private async renderOnce(incidentId: string, session: RenderSession, setup?: Setup): Promise<number> {
    const snap = session.snapshot;
    const version = snap.incident.version;
    // The cards of the version it records as shown, not of a later read.
    const cards = await this.cards(snap);
    const hasHeader = session.refs.some((r) => r.kind === 'header');
    if (!hasHeader) {
      if (!setup) return version; // setup posts first
      const header = cards[0]![2];
      const { room, messageId } = await setup.open(header);
      const ref = { kind: 'header' as const, page: 0, channelId: room, messageRef: messageId, renderedVersion: version, renderedHash: contentHash(header) };
      await session.save(ref);
      session.refs.push(ref);
    }
    const room = session.refs.find((r) => r.kind === 'header')!.channelId;
    if (setup && snap.incident.channelId !== room) await setup.attach(room);
    await putAll(session, room, cards, version, this.transport(room));
    if (this.announce) await this.announceIn(this.announce, snap, session, version);
    return version;
  }

  /**
   * The incident's post in the announce channel: a thread of its own, opened by the card, then
   * updated in place like the header. A channel the bot cannot reach is logged, not retried: the
   * incident's own thread matters more. (Teams history cannot be searched: a try killed between
   * posting and saving the ref posts the announcement again.)
   */
  private async announceIn(announce: { channelId: string; logger: Logger }, snap: Snapshot, session: RenderSession, version: number): Promise<void> {
    const i = snap.incident;
    const view = announcementView(snap, i.channelId ? threadLink(i.channelId, i.workspace) : null);
    const { names } = await this.people.forSnapshot(snap);
    const activity = cardActivity(headerCard(view, names), view.summary);
    try {
      if (!session.refs.some((r) => r.kind === 'announcement')) {
        const opened = await this.connector.openThread(announce.channelId, activity);
        const ref = { kind: 'announcement' as const, page: 0, channelId: opened.conversationId, messageRef: opened.activityId, renderedVersion: version, renderedHash: contentHash(activity) };
        await session.save(ref);
        session.refs.push(ref);
        return;
      }
      await putAll(session, announce.channelId, [['announcement', 0, activity]], version, {
        post: (_kind, _page, a) => this.connector.send(announce.channelId, a),
        update: async (ref, a) => {
          await this.connector.update(ref.channelId, ref.messageRef, a);
          return undefined;
        },
      });
    } catch (err) {
      const status = connectorStatus(err);
      if (!(err instanceof PermanentError) && status !== 403 && status !== 404) throw err;
      announce.logger.warn(
        { incidentId: i.id, platform: 'teams', channel: announce.channelId, status, err },
        'could not announce the incident in TEAMS_ANNOUNCE_CHANNEL_ID: add the app to that team and check the channel id',
      );
    }
  }

  private transport(room: string): MessageTransport<OutgoingActivity> {
    return {
      post: (_kind, _page, activity) => this.connector.send(room, activity),
      update: async (ref, activity) => {
        const updated = await this.connector.update(ref.channelId, ref.messageRef, activity).then(
          () => true,
          (err: unknown) => {
            // Someone deleted the card: post it again rather than leave the room without it.
            if (connectorStatus(err) === 404 && ref.kind !== 'header') return false;
            throw err;
          },
        );
        return updated ? undefined : this.connector.send(room, activity);
      },
    };
  }
}
