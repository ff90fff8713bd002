import type { Pool } from 'pg';

export interface OverdueItem {
  incidentId: string;
  incidentNumber: number;
  title: string;
  platform: string;
  workspace: string | null;
  channelId: string | null;
  number: number;
  text: string;
  owner: string | null;
  dueOn: string;
}

/**
 * Overdue action items, and the once-a-day claim on reminding each: whoever inserts the
 * (item, day) row sends that day's reminder, however many bots run the daily job.
 */
export class ActionReminderStore {
  constructor(private readonly pool: Pool) {}

  /** Open items due before `today` (YYYY-MM-DD) whose reminder for `today` nobody has sent yet. */
  async overdue(today: string, limit = 500): Promise<OverdueItem[]> {
    const { rows } = await this.pool.query(
      `SELECT a.incident_id, i.number AS incident_number, i.title, i.platform, i.workspace, i.channel_id,
              a.number, a.text, a.owner, to_char(a.due_on, 'YYYY-MM-DD') AS due_on
       FROM action_items a JOIN incidents i ON i.id = a.incident_id
       WHERE a.closed_at IS NULL AND a.due_on < $1::date
         AND NOT EXISTS (SELECT 1 FROM action_reminders r WHERE r.incident_id = a.incident_id AND r.number = a.number AND r.day = $1::date AND r.sent_at IS NOT NULL)
       ORDER BY a.due_on, i.number, a.number
       LIMIT $2`,
      [today, limit],
    );
    return rows.map((r) => ({
      incidentId: r.incident_id,
      incidentNumber: Number(r.incident_number),
      title: r.title,
      platform: r.platform,
      workspace: r.workspace,
      channelId: r.channel_id,
      number: r.number,
      text: r.text,
      owner: r.owner,
      dueOn: r.due_on,
    }));
  }

  /** True for the one caller that may send today's reminder of this item. */
  async claim(item: Pick<OverdueItem, 'incidentId' | 'number'>, today: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`INSERT INTO action_reminders (incident_id, number, day) VALUES ($1, $2, $3::date) ON CONFLICT DO NOTHING`, [
      item.incidentId,
      item.number,
      today,
    ]);
    return rowCount === 1;
  }

  async sent(item: Pick<OverdueItem, 'incidentId' | 'number'>, today: string): Promise<void> {
    await this.pool.query('UPDATE action_reminders SET sent_at = now() WHERE incident_id = $1 AND number = $2 AND day = $3::date', [
      item.incidentId,
      item.number,
      today,
    ]);
  }

  /** Gives the day's claim back after a failed send, so the job's retry sends it. */
  async release(item: Pick<OverdueItem, 'incidentId' | 'number'>, today: string): Promise<void> {
    await this.pool.query('DELETE FROM action_reminders WHERE incident_id = $1 AND number = $2 AND day = $3::date AND sent_at IS NULL', [
      item.incidentId,
      item.number,
      today,
    ]);
  }
}
