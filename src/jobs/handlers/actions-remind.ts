import type { ChatPlatform, Clock } from '../../core/ports';
import { postmortemReminderText, reminderText } from '../../core/render/follow-up-text';
import { missingAnalysis } from '../../core/incident/analysis';
import type { OverduePostmortem, PostmortemReminderStore } from '../../store/postmortem-reminders';
import { localDay } from '../../core/incident/local-day';
import type { Logger } from '../../util/logger';
import type { ActionReminderStore, OverdueItem } from '../../store/action-reminders';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * The daily reminder: the owner of each overdue action item is told privately, once per item and
 * day. An item nobody owns is said in its incident's room instead, so it does not rot unseen. An
 * overdue post-mortem (a draft or in review past its due day) is reminded the same way in the same
 * run: to its owner, or in the room when it has none.
 */
export class OverdueReminders {
  constructor(
    private readonly store: ActionReminderStore,
    private readonly platforms: (name: string) => ChatPlatform | undefined,
    private readonly clock: Clock,
    private readonly tz: string,
    private readonly logger: Logger,
    private readonly postmortems?: PostmortemReminderStore,
  ) {}

  /** How many reminders this run sent. A failed one is given back and thrown after the others ran. */
  async run(): Promise<number> {
    // The same day the screens call "today": overdue here is overdue there.
    const today = localDay(this.clock.now(), this.tz);
    let sent = 0;
    let failure: unknown = null;
    for (const item of await this.store.overdue(today)) {
      const platform = this.platforms(item.platform);
      if (!platform || !(await this.store.claim(item, today))) continue;
      try {
        await this.send(platform, item, today);
        await this.store.sent(item, today);
        sent++;
      } catch (err) {
        await this.store.release(item, today).catch(() => undefined);
        this.logger.warn({ incidentId: item.incidentId, platform: item.platform, item: item.number, err }, 'could not send an overdue reminder');
        failure ??= err;
      }
    }
    for (const pm of this.postmortems ? await this.postmortems.overdue(today) : []) {
      const platform = this.platforms(pm.platform);
      if (!platform || !(await this.postmortems!.claim(pm.incidentId, today))) continue;
      try {
        await this.sendPostmortem(platform, pm, today);
        await this.postmortems!.sent(pm.incidentId, today);
        sent++;
      } catch (err) {
        await this.postmortems!.release(pm.incidentId, today).catch(() => undefined);
        this.logger.warn({ incidentId: pm.incidentId, platform: pm.platform, err }, 'could not send an overdue post-mortem reminder');
        failure ??= err;
      }
    }
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    return sent;
  }

  /** Keyed like an item's: a retry after a lost answer finds the message instead of sending it again. */
  private async sendPostmortem(platform: ChatPlatform, pm: OverduePostmortem, today: string): Promise<void> {
    const text = postmortemReminderText({ ...pm, missing: missingAnalysis(pm.analysis) });
    if (pm.owner) return platform.remind(pm.owner, { id: pm.incidentId, workspace: pm.workspace, channelId: pm.channelId }, text);
    if (pm.channelId) await platform.post(pm.incidentId, text, { key: `pm-reminder:${today}` });
  }

  private async send(platform: ChatPlatform, item: OverdueItem, today: string): Promise<void> {
    const text = reminderText(item);
    if (item.owner) return platform.remind(item.owner, { id: item.incidentId, workspace: item.workspace, channelId: item.channelId }, text);
    if (item.channelId) await platform.post(item.incidentId, text, { key: `reminder:${item.number}:${today}` });
  }
}

/** Fired daily by a Job Scheduler: owners of overdue action items are reminded. */
export const actionsRemind =
  ({ reminders }: HandlerDeps): Handler<'actions.remind'> =>
  async () => {
    await reminders.run();
  };
