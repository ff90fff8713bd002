import type { Pool, PoolClient } from 'pg';
import type { ChecklistStep, Incident, Snapshot } from '../core/incident/model';
import type { Change, IncidentPatch, IncidentStore, NewIncident, NewJob } from '../core/ports';
import { UserError } from '../core/errors';
import { inTransaction } from './db';

/** Thrown inside a transaction to roll it back when an event key was seen before (a replay). */
class Replayed extends Error {}

const PATCH_COLUMNS: Record<keyof IncidentPatch, string> = {
  status: 'status',
  severity: 'severity',
  commander: 'commander',
  channelId: 'channel_id',
  resolution: 'resolution',
  acknowledgedAt: 'acknowledged_at',
  diagnosedAt: 'diagnosed_at',
  mitigatedAt: 'mitigated_at',
  resolvedAt: 'resolved_at',
  cancelledAt: 'cancelled_at',
};

export class PgIncidentStore implements IncidentStore {
  /** `afterJobs` runs after a commit that wrote outbox rows, so the relay can move them at once. */
  constructor(
    private readonly pool: Pool,
    private readonly afterJobs: () => void = () => undefined,
  ) {}

  async create(
    input: NewIncident,
    steps: Array<Pick<ChecklistStep, 'stepId' | 'position' | 'title'>>,
    build: (created: Incident) => Change,
  ): Promise<Snapshot> {
    const created = await inTransaction(this.pool, async (c) => {
      const { rows } = await c.query(
        `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, workspace, channel_id,
                                declared_by, commander, summary, declared_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
        [
          input.playbookId, input.class, input.title, input.severity, input.status, input.platform, input.workspace,
          input.channelId ?? null, input.declaredBy, input.commander, input.summary, input.declaredAt,
        ],
      );
      const incident = toIncident(rows[0]);
      await c.query(
        `INSERT INTO checklist_steps (incident_id, step_id, position, title)
         SELECT $1, * FROM unnest($2::text[], $3::int[], $4::text[])`,
        [incident.id, steps.map((s) => s.stepId), steps.map((s) => s.position), steps.map((s) => s.title)],
      );
      const change = build(incident);
      await writeEvents(c, incident.id, change);
      await writeJobs(c, incident.id, change.jobs ?? []);
      return loadSnapshot(c, incident.id) as Promise<Snapshot>;
    });
    this.afterJobs();
    return created;
  }

  async mutate(incidentId: string, decide: (current: Snapshot) => Change): Promise<{ snapshot: Snapshot; changed: boolean }> {
    try {
      const out = await inTransaction(this.pool, async (c) => {
        const current = await loadSnapshot(c, incidentId, true);
        if (!current) {
          throw new UserError('not_found', 'That incident no longer exists. Run `/incident list` to see the open ones.');
        }
        const change = decide(current);
        if (change.events.length === 0) return { snapshot: current, changed: false };
        if (!(await writeEvents(c, incidentId, change))) throw new Replayed();
        await applyPatch(c, incidentId, change.incident ?? {});
        for (const s of change.steps ?? []) {
          await c.query(
            `UPDATE checklist_steps SET state = $3, changed_by = $4, changed_at = $5 WHERE incident_id = $1 AND step_id = $2`,
            [incidentId, s.stepId, s.state, s.changedBy, s.changedAt],
          );
        }
        await writeJobs(c, incidentId, change.jobs ?? []);
        return { snapshot: (await loadSnapshot(c, incidentId))!, changed: true };
      });
      if (out.changed) this.afterJobs();
      return out;
    } catch (err) {
      if (!(err instanceof Replayed)) throw err;
      return { snapshot: (await this.get(incidentId))!, changed: false };
    }
  }

  async get(incidentId: string): Promise<Snapshot | null> {
    const c = await this.pool.connect();
    try {
      return await loadSnapshot(c, incidentId);
    } finally {
      c.release();
    }
  }

  async findByChannel(platform: string, channelId: string): Promise<Snapshot | null> {
    const c = await this.pool.connect();
    try {
      const { rows } = await c.query('SELECT * FROM incidents WHERE platform = $1 AND channel_id = $2', [platform, channelId]);
      return rows[0] ? withSteps(c, rows[0]) : null;
    } finally {
      c.release();
    }
  }

  async listOpen(platform: string, workspace: string | null): Promise<Incident[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM incidents WHERE platform = $1 AND workspace IS NOT DISTINCT FROM $2
         AND status NOT IN ('resolved', 'cancelled') ORDER BY severity, declared_at`,
      [platform, workspace],
    );
    return rows.map(toIncident);
  }
}

/** Returns false when an event key already exists: the request was a replay. */
async function writeEvents(c: PoolClient, incidentId: string, change: Change): Promise<boolean> {
  for (const e of change.events) {
    const { rowCount } = await c.query(
      `INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (idempotency_key) DO NOTHING`,
      [incidentId, e.at, e.actor, e.kind, JSON.stringify(e.data ?? {}), e.key],
    );
    if (rowCount === 0) return false;
  }
  return true;
}

async function writeJobs(c: PoolClient, incidentId: string, jobs: NewJob[]): Promise<void> {
  for (const j of jobs) {
    await c.query(
      `INSERT INTO outbox (incident_id, kind, payload, dedupe_key, run_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dedupe_key) DO NOTHING`,
      [incidentId, j.kind, JSON.stringify(j.payload), j.dedupeKey, j.runAt],
    );
  }
}

async function applyPatch(c: PoolClient, incidentId: string, patch: IncidentPatch): Promise<void> {
  const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as Array<[keyof IncidentPatch, unknown]>;
  const sets = entries.map(([k], i) => `${PATCH_COLUMNS[k]} = $${i + 2}`);
  await c.query(`UPDATE incidents SET ${[...sets, 'version = version + 1'].join(', ')} WHERE id = $1`, [
    incidentId,
    ...entries.map(([, v]) => v),
  ]);
}

async function loadSnapshot(c: PoolClient, incidentId: string, lock = false): Promise<Snapshot | null> {
  const { rows } = await c.query(`SELECT * FROM incidents WHERE id = $1 ${lock ? 'FOR UPDATE' : ''}`, [incidentId]);
  return rows[0] ? withSteps(c, rows[0]) : null;
}

// A pg row of incidents; its column types are fixed by the migrations.
async function withSteps(c: PoolClient, row: any): Promise<Snapshot> {
  const steps = await c.query('SELECT * FROM checklist_steps WHERE incident_id = $1 ORDER BY position', [row.id]);
  return {
    incident: toIncident(row),
    steps: steps.rows.map((r) => ({
      stepId: r.step_id,
      position: r.position,
      title: r.title,
      state: r.state,
      changedBy: r.changed_by,
      changedAt: r.changed_at,
    })),
  };
}

// A pg row; its column types are fixed by the migrations.
function toIncident(r: any): Incident {
  return {
    id: r.id,
    number: Number(r.number),
    playbookId: r.playbook_id,
    class: r.class,
    title: r.title,
    severity: r.severity,
    status: r.status,
    platform: r.platform,
    workspace: r.workspace,
    channelId: r.channel_id,
    declaredBy: r.declared_by,
    commander: r.commander,
    summary: r.summary,
    resolution: r.resolution,
    declaredAt: r.declared_at,
    acknowledgedAt: r.acknowledged_at,
    diagnosedAt: r.diagnosed_at,
    mitigatedAt: r.mitigated_at,
    resolvedAt: r.resolved_at,
    cancelledAt: r.cancelled_at,
    version: r.version,
  };
}
