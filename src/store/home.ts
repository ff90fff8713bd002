import type { Pool } from 'pg';
import { toIncident } from './incident-store';
import type { ActionItem, Postmortem } from '../core/model';
import { HOME_LIMITS, type HomeData, type HomeIncident, type HomeLimits } from '../core/render/home';
import { prepared, type Row } from './db';

export type HomeRead = HomeData & { totals: { open: number; items: number; postmortems: number } };

const INCIDENT_COLUMNS = `i.id, i.number, i.playbook_id, i.class, i.title, i.severity, i.status, i.platform, i.workspace, i.channel_id,
  i.declared_by, i.commander, i.summary, i.resolution, i.declared_at, i.acknowledged_at, i.diagnosed_at, i.mitigated_at,
  i.resolved_at, i.cancelled_at, i.version`;

// Each list is one statement over a partial index, its total from a window count (computed
// before the LIMIT), so a home costs three indexed reads however much there is. A null
// workspace gets its own statement: `IS NOT DISTINCT FROM` cannot use an index.
// The ORDER BYs are homeView's orders (src/core/render/home.ts): the rows fetched are the first
// ones it would list.
function inWorkspace(workspace: string | null, param: string): string {
  return workspace === null ? 'i.workspace IS NULL' : `i.workspace = ${param}`;
}

// Predicates written exactly as the partial indexes' (incidents_open, *_open_by_owner), so the
// planner can use them.
const openSql = (workspace: string | null) => `
  SELECT ${INCIDENT_COLUMNS}, count(*) OVER () AS total
    FROM incidents i
   WHERE i.platform = $1 AND ${inWorkspace(workspace, '$3')}
     AND i.status NOT IN ('resolved', 'cancelled') AND i.imported_from IS NULL
   ORDER BY i.severity, i.declared_at DESC, i.number DESC
   LIMIT $2`;

const itemsSql = (workspace: string | null) => `
  SELECT a.incident_id, a.number, a.text, a.owner, to_char(a.due_on, 'YYYY-MM-DD') AS due_on, a.created_at, a.created_by,
         a.closed_at, a.closed_by, i.number AS incident_number, i.title, i.channel_id, count(*) OVER () AS total
    FROM action_items a JOIN incidents i ON i.id = a.incident_id
   WHERE a.owner = $1 AND a.closed_at IS NULL AND i.platform = $2 AND ${inWorkspace(workspace, '$4')}
   ORDER BY a.due_on ASC NULLS LAST, i.number, a.number
   LIMIT $3`;

const postmortemsSql = (workspace: string | null) => `
  SELECT m.incident_id, m.status, m.owner, to_char(m.due_on, 'YYYY-MM-DD') AS due_on, m.opened_at, m.opened_by, m.reviewed_at,
         m.published_at, m.closed_at, i.number AS incident_number, i.title, i.channel_id, count(*) OVER () AS total
    FROM postmortems m JOIN incidents i ON i.id = m.incident_id
   WHERE m.owner = $1 AND m.status <> 'closed' AND i.platform = $2 AND ${inWorkspace(workspace, '$4')}
   ORDER BY m.due_on, i.number
   LIMIT $3`;

/** What the Home tab (or any surface's home) shows one person. */
export class HomeQueries {
  constructor(private readonly pool: Pool) {}

  /**
   * The workspace's open incidents (not imported history), and the person's open action items
   * and post-mortems on that platform's incidents in that workspace: each list at most its limit,
   * with how many there are in all.
   */
  async forUser(platform: string, workspace: string | null, userId: string, limits: Partial<HomeLimits> = {}): Promise<HomeRead> {
    const cap = { ...HOME_LIMITS, ...limits };
    const ws = workspace === null ? [] : [workspace];
    const [open, items, postmortems] = await Promise.all([
      this.pool.query(prepared(openSql(workspace), [platform, cap.open, ...ws])),
      this.pool.query(prepared(itemsSql(workspace), [userId, platform, cap.items, ...ws])),
      this.pool.query(prepared(postmortemsSql(workspace), [userId, platform, cap.postmortems, ...ws])),
    ]);
    return {
      open: open.rows.map(toIncident),
      items: items.rows.map(toItem),
      postmortems: postmortems.rows.map(toPostmortem),
      totals: { open: total(open.rows), items: total(items.rows), postmortems: total(postmortems.rows) },
    };
  }
}

// A window count over no rows is no row at all: nothing there.
function total(rows: Array<{ total: string }>): number {
  return rows.length > 0 ? Number(rows[0]!.total) : 0;
}

function incidentRef(r: Row): HomeIncident {
  return { id: r.incident_id, number: Number(r.incident_number), title: r.title, channelId: r.channel_id };
}

function toItem(r: Row): ActionItem & { incident: HomeIncident } {
  return {
    number: r.number,
    text: r.text,
    owner: r.owner,
    dueOn: r.due_on,
    createdAt: r.created_at,
    createdBy: r.created_by,
    closedAt: r.closed_at,
    closedBy: r.closed_by,
    incident: incidentRef(r),
  };
}

function toPostmortem(r: Row): Postmortem & { incident: HomeIncident } {
  return {
    status: r.status,
    owner: r.owner,
    dueOn: r.due_on,
    openedAt: r.opened_at,
    openedBy: r.opened_by,
    reviewedAt: r.reviewed_at,
    publishedAt: r.published_at,
    closedAt: r.closed_at,
    incident: incidentRef(r),
  };
}
