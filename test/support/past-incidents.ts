import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';

/**
 * History written straight into the tables, as years of use or an import would have left it: the
 * search index is kept by the migration's triggers, so seeding this way also exercises them.
 */
export interface PastIncidentSeed {
  platform?: string;
  workspace?: string | null;
  runbook?: string;
  class: string;
  title: string;
  status?: 'resolved' | 'cancelled' | 'declared';
  daysAgo: number;
  /** Minutes from declared to resolved. */
  minutes?: number;
  cause?: string;
  resolution?: string;
  notes?: string[];
  /** The room's id; `console` gives it the console room its id names (`console:<id>`). */
  channelId?: string | null;
  postmortem?: { status: 'draft' | 'in_review' | 'published' | 'closed'; rootCause?: string; lessons?: string };
  imported?: { from: 'servicenow' | 'csv'; externalId: string };
}

export async function seedPastIncident(pool: Pool, s: PastIncidentSeed): Promise<{ id: string; number: number }> {
  const id = randomUUID();
  const declared = new Date(Date.now() - s.daysAgo * 86_400_000);
  const status = s.status ?? 'resolved';
  const ended = new Date(declared.getTime() + (s.minutes ?? 42) * 60_000);
  const { rows } = await pool.query<{ number: string }>(
    `INSERT INTO incidents (id, playbook_id, class, title, severity, status, platform, workspace, channel_id, declared_by,
                            summary, resolution, declared_at, resolved_at, cancelled_at, imported_from, external_id)
     VALUES ($1, $2, $3, $4, 2, $5, $6, $7, $8, 'UPAST0001', $4, $9, $10, $11, $12, $13, $14) RETURNING number`,
    [
      id,
      s.runbook ?? s.class,
      s.class,
      s.title,
      status,
      s.imported ? 'import' : (s.platform ?? 'slack'),
      s.imported ? null : s.workspace === undefined ? 'T0TEST' : s.workspace,
      s.channelId === 'console' ? `console:${id}` : (s.channelId ?? null),
      s.resolution ?? null,
      declared,
      status === 'resolved' ? ended : null,
      status === 'cancelled' ? ended : null,
      s.imported?.from ?? null,
      s.imported?.externalId ?? null,
    ],
  );
  const event = (kind: string, data: Record<string, unknown>, n: number) =>
    pool.query(`INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key) VALUES ($1, $2, 'UPAST0001', $3, $4, $5)`, [
      id,
      new Date(declared.getTime() + n * 60_000),
      kind,
      data,
      `${id}:seed:${n}`,
    ]);
  if (s.cause) await event('incident.diagnosed', { via: 'command', cause: s.cause }, 1);
  for (const [n, text] of (s.notes ?? []).entries()) await event('note.added', { text }, 2 + n);
  if (s.postmortem) {
    const closed = s.postmortem.status === 'closed' ? ended : null;
    await pool.query(
      `INSERT INTO postmortems (incident_id, status, owner, due_on, opened_at, opened_by, closed_at, root_cause, lessons)
       VALUES ($1, $2, 'UPAST0001', $3::date, $3, 'UPAST0001', $4, $5, $6)`,
      [id, s.postmortem.status, ended, closed, s.postmortem.rootCause ?? null, s.postmortem.lessons ?? null],
    );
  }
  return { id, number: Number(rows[0]!.number) };
}
