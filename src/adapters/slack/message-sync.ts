import { createHash } from 'node:crypto';
import type { WebClient } from '@slack/web-api';
import { PermanentError } from '../../core/errors';
import type { CoreDeps } from '../../core/incident/deps';
import { checklistView, headerView } from '../../core/render/views';
import type { Logger } from '../../logger';
import type { ChatRefStore, RenderSession } from '../../store/chat-refs';
import { checklistMessages, headerMessage, type SlackMessage } from './blocks';

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
  ) {}

  async sync(incidentId: string): Promise<void> {
    await this.refs.renderLatest(
      incidentId,
      (session) => this.renderOnce(incidentId, session),
      async () => (await this.deps.store.get(incidentId))?.incident.version ?? 0,
    );
  }

  /** Renders the state read after taking the lock, and returns the version it showed. */
  private async renderOnce(incidentId: string, session: RenderSession): Promise<number> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap) throw new PermanentError(`incident ${incidentId} does not exist`);
    const version = snap.incident.version;
    const channel = snap.incident.channelId;
    if (!channel) return version; // provisioning renders once the channel exists
    const pb = this.deps.catalog.forIncident(snap.incident.runbookId);
    await this.put(incidentId, session, channel, 'header', 0, headerMessage(headerView(snap, pb)), version);
    const pages = checklistMessages(checklistView(snap, pb));
    for (const [page, msg] of pages.entries()) {
      await this.put(incidentId, session, channel, 'checklist', page, msg, version);
    }
    return version;
  }

  private async put(
    incidentId: string,
    session: RenderSession,
    channel: string,
    kind: 'header' | 'checklist',
    page: number,
    msg: SlackMessage,
    version: number,
  ): Promise<void> {
    const ref = session.refs.find((r) => r.kind === kind && r.page === page);
    if (ref && ref.renderedVersion >= version) return;
    const hash = createHash('sha256').update(JSON.stringify(msg)).digest('base64url');
    if (ref) {
      if (ref.renderedHash !== hash) {
        await this.client.chat.update({ channel: ref.channelId, ts: ref.messageRef, text: msg.text, blocks: msg.blocks as never });
      }
      await session.save({ ...ref, renderedVersion: version, renderedHash: hash });
      return;
    }
    const posted = await this.client.chat.postMessage({ channel, text: msg.text, blocks: msg.blocks as never, unfurl_links: false });
    const ts = posted.ts as string;
    await session.save({ kind, page, channelId: channel, messageRef: ts, renderedVersion: version, renderedHash: hash });
    if (kind === 'header') {
      await this.client.pins.add({ channel, timestamp: ts }).catch((err: Error) => {
        // A missing pin is an inconvenience, not a reason to re-post the header.
        this.logger.warn({ incidentId, platform: 'slack', channel, err: err.message }, 'could not pin the incident header (needs pins:write)');
      });
    }
  }
}
