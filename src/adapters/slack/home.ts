import type { App, types } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { ActionView } from '../../core/text/actions';
import { homeView, moreText, type HomeRowView, type HomeSectionView, type HomeView } from '../../core/render/home';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import type { HomeQueries } from '../../store/home';
import { mrkdwn, truncate } from './format';
import { button as blockButton } from './blocks';

export type Block = types.KnownBlock;

// Slack's documented limits for a Home tab (views and Block Kit reference).
export const HOME_LIMITS_SLACK = {
  blocksPerView: 100,
  sectionText: 3000,
  contextText: 3000,
  headerText: 150,
  buttonText: 75,
  actionId: 255,
};

// Blocks every home has whatever the data: the "updated" line, and per section its header and
// its last line (empty or "and N more"), with a divider between sections. The rows share the rest.
const FIXED_BLOCKS = 1 + 3 * 2 + 2;
const ROWS_PER_SECTION = Math.floor((HOME_LIMITS_SLACK.blocksPerView - FIXED_BLOCKS) / 3);

export const ITEM_DONE_PREFIX = 'item.done.';

/** The Done button of action item `n` on the incident: unique in a home, whatever it lists. */
export function itemDoneActionId(incidentId: string, n: number): string {
  return `${ITEM_DONE_PREFIX}${incidentId}.${n}`;
}

/**
 * The Home tab's blocks: each section's header, one section block per row (an action item's
 * Done button beside it), and the section's last line. At most 100 blocks whatever the view
 * holds: a section with more rows than its share is cut here too, and says so.
 */
export function homeBlocks(v: HomeView): Block[] {
  const blocks: Block[] = [context(['Updated ', { time: v.updatedAt }])];
  v.sections.forEach((s, idx) => {
    if (idx > 0) blocks.push({ type: 'divider' });
    blocks.push(...sectionBlocks(s));
  });
  return blocks;
}

function sectionBlocks(s: HomeSectionView): Block[] {
  const rows = s.rows.slice(0, ROWS_PER_SECTION);
  const heading = s.total > 0 ? `${s.heading} (${s.total})` : s.heading;
  const out: Block[] = [
    { type: 'header', block_id: `home-${s.id}`, text: { type: 'plain_text', text: truncate(heading, HOME_LIMITS_SLACK.headerText), emoji: true } },
    ...rows.map((r, n) => rowBlock(s, r, n)),
  ];
  const last = rows.length < s.rows.length ? moreText(rows.length, s.total) : (s.more ?? s.empty);
  if (last) out.push(context(last));
  return out;
}

function rowBlock(s: HomeSectionView, r: HomeRowView, n: number): Block {
  return {
    type: 'section',
    block_id: `home-${s.id}-${n}`,
    // The core clips titles and item texts, so a row is far below the limit; the cut is a backstop.
    text: { type: 'mrkdwn', text: truncate(mrkdwn(r.text), HOME_LIMITS_SLACK.sectionText) },
    ...(r.action ? { accessory: button(r.action) } : {}),
  };
}

/** The checklist's button, with an action id unique on the home (items of many incidents meet there). */
function button(a: ActionView): types.Button {
  const b = blockButton(a) as unknown as types.Button;
  return { ...b, action_id: homeActionId(a), text: { type: 'plain_text', text: truncate(a.label, HOME_LIMITS_SLACK.buttonText), emoji: true } };
}

function homeActionId(a: ActionView): string {
  const p = a.payload;
  if (p.a === 'item') return itemDoneActionId(p.i, p.n);
  return `home.${p.a}.${p.i}`;
}

function context(text: Text): Block {
  return { type: 'context', elements: [{ type: 'mrkdwn', text: truncate(mrkdwn(text), HOME_LIMITS_SLACK.contextText) }] };
}

/** A Slack user id, the only thing views.publish can publish to. */
const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

/**
 * Publishes a person's Home tab, rendered from stored state. A refresh is whole: the tab is
 * rebuilt from the database, never patched, so any trigger may call it any number of times.
 *
 * What refreshes a home:
 * - the person opening the tab (`app_home_opened`, registered by registerHome);
 * - an action item added, reassigned (old and new owner) or closed, and a post-mortem opened,
 *   reassigned, moved on or closed: the homes of the people it touched. The core queues a
 *   `chat.home` job per person with the change (homeJobs), whose handler calls the platform's
 *   `refreshHome(workspace, userId)`: on Slack, `publish` (it throws, so the job retries).
 *   Code outside a job can call `refresh`, which never throws.
 * Open incidents are not pushed to every home on each change (a call per person in the
 * workspace); they are current each time the tab is opened.
 */
export class SlackHome {
  constructor(
    private readonly client: WebClient,
    private readonly queries: HomeQueries,
    private readonly logger: Logger,
    /** The team's time zone (TEAM_TZ), for "due today" and "overdue". */
    private readonly tz: string,
  ) {}

  /** Renders and publishes one person's home; throws what Slack or the database threw. */
  async publish(workspace: string | null, userId: string, now: Date = new Date()): Promise<void> {
    const data = await this.queries.forUser('slack', workspace, userId);
    const blocks = homeBlocks(homeView(data, now, this.tz));
    await this.client.views.publish({ user_id: userId, view: { type: 'home', blocks } });
  }

  /**
   * Publishes the homes of the people a change touched (owners old and new), each once. Never
   * throws: a home that could not be refreshed is logged, and is current again the next time
   * it is opened; the change that triggered it stands either way.
   */
  async refresh(workspace: string | null, userIds: Iterable<string | null | undefined>, now: Date = new Date()): Promise<void> {
    const users = [...new Set([...userIds].filter((u): u is string => !!u && SLACK_USER.test(u)))];
    await Promise.all(
      users.map((user) =>
        this.publish(workspace, user, now).catch((err: Error) =>
          this.logger.warn({ platform: 'slack', user, workspace, err }, 'could not refresh the App Home'),
        ),
      ),
    );
  }
}

/**
 * The Home tab is published each time someone opens it (Slack acks the event for us). The
 * Messages tab sends the same event with `tab: 'messages'`; it has nothing to render.
 */
export function registerHome(app: App, home: SlackHome, logger: Logger): void {
  app.event('app_home_opened', async ({ event, body, context }) => {
    if (event.tab !== 'home') return;
    const workspace = body.team_id ?? context.teamId ?? null;
    try {
      await home.publish(workspace, event.user);
    } catch (err) {
      logger.warn({ platform: 'slack', user: event.user, workspace, err }, 'could not publish the App Home');
    }
  });
}
