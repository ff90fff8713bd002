import type { ChatPlatform, Clock } from '../../core/ports';
import { reminderText } from '../../core/render/follow-up-text';
import { localDay } from '../../core/incident/local-day';
import type { Logger } from '../../util/logger';
import type { ActionReminderStore, OverdueItem } from '../../store/action-reminders';
import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/**
 * The daily reminder: the owner of each overdue action item is told privately, once per item and
 * day. An item nobody owns is said in its incident's room instead, so it does not rot unseen.
 */
export class OverdueReminders {
  constructor(
    private readonly store: ActionReminderStore,
    private readonly platforms: (name: string) => ChatPlatform | undefined,
    private readonly clock: Clock,
    private readonly tz: string,
    private readonly logger: Logger,
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
    if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
    return sent;
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
