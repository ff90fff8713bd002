import type { Pool } from 'pg';
import type { Change } from '../core/ports';
import { GroupCommit } from '../util/group-commit';
import { isServerError, prepared } from './db';

export interface ResultWrite {
  incidentId: string;
  /** A change carrying a probe result, its events and its jobs (decideProbeResult's). */
  change: Change;
}

/**
 * Many probe results in one statement, hence one round trip and one commit. Every event and job
 * hangs off its run's update, so a run already recorded (a job that ran twice) writes nothing of
 * its own; each incident the batch touched gets one version bump. No incident is read or locked
 * beforehand: a result does not depend on the incident's state.
 */
const WRITE_RESULTS = `WITH r AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::timestamptz[], $8::int[])
      AS r(run, incident, status, reason, detail, started, finished, duration)
  ), res AS (
    UPDATE probe_runs p SET status = r.status, reason = r.reason, detail = r.detail, started_at = r.started,
           finished_at = r.finished, duration_ms = r.duration
    FROM r WHERE p.id = r.run AND p.incident_id = r.incident AND p.finished_at IS NULL
    RETURNING p.id, p.incident_id
  ), ev AS (
    INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
    SELECT res.incident_id, e.at, e.actor, e.kind, e.data, e.key
    FROM unnest($9::uuid[], $10::timestamptz[], $11::text[], $12::text[], $13::jsonb[], $14::text[]) AS e(run, at, actor, kind, data, key)
    JOIN res ON res.id = e.run
    ON CONFLICT (idempotency_key) DO NOTHING
  ), ob AS (
    INSERT INTO outbox (incident_id, kind, payload, dedupe_key, run_at)
    SELECT res.incident_id, j.kind, j.payload, j.key,
           CASE WHEN j.pace IS NULL OR last.at IS NULL OR last.at <= j.at - j.pace THEN j.at -- none lately: now
                WHEN last.at > j.at THEN last.at                                          -- join the one scheduled
                ELSE last.at + j.pace END                                                 -- a pace after the last
    FROM unnest($15::uuid[], $16::text[], $17::jsonb[], $18::text[], $19::timestamptz[], $20::interval[]) AS j(run, kind, payload, key, at, pace)
    JOIN res ON res.id = j.run
    LEFT JOIN LATERAL (
      SELECT max(o.run_at) AS at FROM outbox o WHERE o.incident_id = res.incident_id AND o.kind = j.kind AND j.pace IS NOT NULL
    ) last ON true
    ON CONFLICT (dedupe_key) DO NOTHING
  ), inc AS (
    UPDATE incidents SET version = version + 1 WHERE id IN (SELECT incident_id FROM res)
  )
  SELECT id FROM res`;

// Two batches from two workers can lock incidents in different orders; Postgres then aborts one.
const DEADLOCK = '40P01';

export class ProbeResultWriter {
  private readonly batches: GroupCommit<ResultWrite, boolean>;

  constructor(
    private readonly pool: Pool,
    /** Runs after a write that queued jobs. */
    private readonly afterJobs: () => void,
  ) {
    this.batches = new GroupCommit(
      (items) => this.writeWithRetry(items),
      200,
      (err) => isServerError(err),
    );
  }

  /** True if this result was written; false if its run had been recorded before. */
  write(item: ResultWrite): Promise<boolean> {
    if (!item.change.probeResult) return Promise.reject(new Error('a probe result write needs a probe result'));
    return this.batches.add(item);
  }

  private async writeWithRetry(items: ResultWrite[]): Promise<boolean[]> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.writeBatch(items);
      } catch (err) {
        if ((err as { code?: string }).code !== DEADLOCK || attempt >= 3) throw err;
      }
    }
  }

  private async writeBatch(items: ResultWrite[]): Promise<boolean[]> {
    const runs = items.map(({ incidentId, change }) => ({ incidentId, r: change.probeResult! }));
    const events = items.flatMap(({ change }) => change.events.map((e) => ({ run: change.probeResult!.runId, e })));
    const jobs = items.flatMap(({ change }) => (change.jobs ?? []).map((j) => ({ run: change.probeResult!.runId, j })));
    const { rows } = await this.pool.query<{ id: string }>(
      prepared(WRITE_RESULTS, [
        runs.map((x) => x.r.runId),
        runs.map((x) => x.incidentId),
        runs.map((x) => x.r.status),
        runs.map((x) => x.r.reason),
        runs.map((x) => JSON.stringify(x.r.detail)),
        runs.map((x) => x.r.startedAt),
        runs.map((x) => x.r.finishedAt),
        runs.map((x) => Math.round(x.r.durationMs)),
        events.map((x) => x.run),
        events.map((x) => x.e.at),
        events.map((x) => x.e.actor),
        events.map((x) => x.e.kind),
        events.map((x) => JSON.stringify(x.e.data ?? {})),
        events.map((x) => x.e.key),
        jobs.map((x) => x.run),
        jobs.map((x) => x.j.kind),
        jobs.map((x) => JSON.stringify(x.j.payload)),
        jobs.map((x) => x.j.dedupeKey),
        jobs.map((x) => x.j.runAt),
        jobs.map((x) => (x.j.paceMs === undefined ? null : `${x.j.paceMs} milliseconds`)),
      ]),
    );
    const written = new Set(rows.map((r) => r.id));
    if (rows.length > 0 && jobs.length > 0) this.afterJobs();
    return items.map(({ change }) => written.has(change.probeResult!.runId));
  }
}
