import type { Pool } from 'pg';
import type { PostmortemAnalysis, PostmortemStatus } from '../core/model';
import { ANALYSIS_COLUMNS, CAUSE_CATEGORY_SHOWN } from './postmortem-columns';

export interface OverduePostmortem {
  incidentId: string;
  incidentNumber: number;
  title: string;
  platform: string;
  workspace: string | null;
  channelId: string | null;
  status: PostmortemStatus;
  owner: string | null;
  dueOn: string;
  analysis: PostmortemAnalysis;
}

/**
 * Overdue post-mortems, and the once-a-day claim on reminding each: whoever inserts the
 * (incident, day) row of postmortem_reminders sends that day's reminder, however many bots run.
 */
export class PostmortemReminderStore {
  constructor(private readonly pool: Pool) {}

  /** Drafts and reviews due before `today` (YYYY-MM-DD) whose reminder for `today` nobody has sent yet. */
  async overdue(today: string, limit = 500): Promise<OverduePostmortem[]> {
    const { rows } = await this.pool.query(
      `SELECT m.incident_id, i.number AS incident_number, i.title, i.platform, i.workspace, i.channel_id, m.status, m.owner,
              to_char(m.due_on, 'YYYY-MM-DD') AS due_on, m.impact_summary, m.root_cause,
              ${CAUSE_CATEGORY_SHOWN} AS cause_category, m.contributing_factors,
              m.went_well, m.went_badly, m.lessons
       FROM postmortems m JOIN incidents i ON i.id = m.incident_id
       WHERE m.status IN ('draft', 'in_review') AND m.due_on < $1::date
         AND NOT EXISTS (SELECT 1 FROM postmortem_reminders r WHERE r.incident_id = m.incident_id AND r.day = $1::date AND r.sent_at IS NOT NULL)
       ORDER BY m.due_on, i.number
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
      status: r.status,
      owner: r.owner,
      dueOn: r.due_on,
      analysis: analysisOf(r),
    }));
  }

  /** True for the one caller that may send today's reminder of this post-mortem. */
  async claim(incidentId: string, today: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('INSERT INTO postmortem_reminders (incident_id, day) VALUES ($1, $2::date) ON CONFLICT DO NOTHING', [
      incidentId,
      today,
    ]);
    return rowCount === 1;
  }

  async sent(incidentId: string, today: string): Promise<void> {
    await this.pool.query('UPDATE postmortem_reminders SET sent_at = now() WHERE incident_id = $1 AND day = $2::date', [incidentId, today]);
  }

  /** Gives the day's claim back after a failed send, so the job's retry sends it. */
  async release(incidentId: string, today: string): Promise<void> {
    await this.pool.query('DELETE FROM postmortem_reminders WHERE incident_id = $1 AND day = $2::date AND sent_at IS NULL', [incidentId, today]);
  }
}

function analysisOf(r: Record<string, string | null>): PostmortemAnalysis {
  return Object.fromEntries(Object.entries(ANALYSIS_COLUMNS).map(([f, c]) => [f, r[c] ?? null])) as PostmortemAnalysis;
}
