import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import {
  checklistGeneration,
  type ActionItem,
  type ChecklistStep,
  type EdgeCaseHit,
  type Note,
  type FiredLevel,
  type Incident,
  type Postmortem,
  type ProbeRun,
  type ReplacedChecklist,
  type Snapshot,
} from '../core/model';
import type { Change, IncidentStore, NewEscalation, NewIncident, NewJob, NewProbeRun, NewRunbookChange, PairChange, TimelineEvent } from '../core/ports';
import { NotWrittenError, UserError } from '../core/errors';
import { edgeCaseRefOf } from '../core/runbook/edge-cases';
import { EMPTY_ANALYSIS } from '../core/incident/analysis';
import { checkout, inTransaction, isServerError, isUniqueViolation, prepared, type Row } from './db';
import { CAUSE_CATEGORY_SHOWN } from './postmortem-columns';
import { ProbeResultWriter } from './probe-results';
import { eventArrays, jobArrays, probeRunArrays, writeChange } from './change-write';

const INCIDENT_COLUMNS = [
  'id',
  'number',
  'playbook_id',
  'class',
  'title',
  'severity',
  'status',
  'platform',
  'workspace',
  'channel_id',
  'declared_by',
  'commander',
  'summary',
  'resolution',
  'declared_at',
  'acknowledged_at',
  'diagnosed_at',
  'mitigated_at',
  'resolved_at',
  'cancelled_at',
  'version',
  'duplicate_of',
  'validation_confirmed',
  'validated_checks',
  'impact_started_at',
  'diagnose_within_seconds',
];

const STEP_JSON = `json_agg(json_build_object('stepId', s.step_id, 'position', s.position, 'title', s.title,
           'state', s.state, 'changedBy', s.changed_by, 'changedAt', s.changed_at) ORDER BY s.position)`;

// The incident row with its checklist as JSON, so a snapshot is one round trip. A switch of
// runbook n opened generation n + 1 and replaced generation n, whose steps ride along with it.
const SNAPSHOT_COLUMNS = `${INCIDENT_COLUMNS.map((c) => `i.${c}`).join(', ')}, COALESCE((
  SELECT ${STEP_JSON}
  FROM checklist_steps s WHERE s.incident_id = i.id AND s.generation = i.checklist_generation), '[]') AS steps,
  COALESCE((
  SELECT json_agg(json_build_object('generation', r.generation - 1, 'runbookId', r.from_runbook, 'replacedAt', r.changed_at,
           'replacedBy', r.changed_by, 'replacedWith', r.to_runbook, 'reason', r.reason,
           'steps', COALESCE((SELECT ${STEP_JSON} FROM checklist_steps s WHERE s.incident_id = i.id AND s.generation = r.generation - 1), '[]'))
         ORDER BY r.generation)
  FROM runbook_changes r WHERE r.incident_id = i.id), '[]') AS replaced,
  COALESCE((
  SELECT json_agg(json_build_object('id', p.id, 'probeId', p.probe_id, 'status', p.status, 'reason', p.reason,
           'queuedAt', p.queued_at, 'finishedAt', p.finished_at, 'durationMs', p.duration_ms) ORDER BY p.probe_id)
  FROM (SELECT DISTINCT ON (probe_id) id, probe_id, status, reason, queued_at, finished_at, duration_ms FROM probe_runs
        WHERE incident_id = i.id ORDER BY probe_id, queued_at DESC) p), '[]') AS probes,
  COALESCE((
  SELECT json_agg(json_build_object('level', e.level, 'targets', e.targets, 'reason', e.reason, 'at', e.escalated_at,
           'by', e.escalated_by, 'note', e.note) ORDER BY e.level)
  FROM escalations e WHERE e.incident_id = i.id), '[]') AS escalations,
  (SELECT json_build_object('status', m.status, 'owner', m.owner, 'dueOn', m.due_on, 'openedAt', m.opened_at, 'openedBy', m.opened_by,
           'reviewedAt', m.reviewed_at, 'publishedAt', m.published_at, 'closedAt', m.closed_at,
           'analysis', json_build_object('impactSummary', m.impact_summary, 'rootCause', m.root_cause, 'causeCategory', ${CAUSE_CATEGORY_SHOWN},
             'contributingFactors', m.contributing_factors, 'wentWell', m.went_well, 'wentBadly', m.went_badly, 'lessons', m.lessons),
           'analysisUpdatedAt', m.analysis_updated_at, 'analysisUpdatedBy', m.analysis_updated_by)
   FROM postmortems m WHERE m.incident_id = i.id) AS postmortem,
  COALESCE((
  SELECT json_agg(json_build_object('number', a.number, 'text', a.text, 'owner', a.owner, 'dueOn', a.due_on, 'createdAt', a.created_at,
           'createdBy', a.created_by, 'closedAt', a.closed_at, 'closedBy', a.closed_by) ORDER BY a.number)
  FROM action_items a WHERE a.incident_id = i.id), '[]') AS action_items,
  (SELECT o.number FROM incidents o WHERE o.id = i.duplicate_of) AS duplicate_of_number,
  COALESCE((SELECT json_agg(d.number ORDER BY d.number) FROM incidents d WHERE d.duplicate_of = i.id), '[]') AS duplicates,
  COALESCE((
  SELECT json_agg(o.number ORDER BY o.number) FROM incident_links l
  JOIN incidents o ON o.id = CASE WHEN l.incident_a = i.id THEN l.incident_b ELSE l.incident_a END
  WHERE l.incident_a = i.id OR l.incident_b = i.id), '[]') AS related,
  COALESCE((
  SELECT json_agg(json_build_object('step', e.data->'step', 'case', e.data->'case', 'by', e.actor, 'at', e.at) ORDER BY e.at, e.id)
  FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'edge_case.hit'), '[]') AS edge_cases_hit,
  COALESCE((
  SELECT json_agg(json_build_object('text', e.data->>'text', 'by', e.actor, 'at', e.at, 'author', e.data->>'author', 'link', e.data->>'link',
           'message', e.data->>'message') ORDER BY e.at, e.id)
  FROM incident_events e WHERE e.incident_id = i.id AND e.kind = 'note.added'), '[]') AS notes`;

// The next incident number. A declare Slack recorded before its ack took its number then (ACCEPT_SQL).
const NEXT_NUMBER = `nextval(pg_get_serial_sequence('incidents', 'number'))`;

// A declare in one statement: the incident, its checklist, its first event and its setup job.
const DECLARE_SQL = `WITH inc AS (
         INSERT INTO incidents (id, playbook_id, class, title, severity, status, platform, workspace, channel_id,
                                declared_by, commander, summary, declared_at, request_key, impact_started_at, diagnose_within_seconds, number)
         OVERRIDING SYSTEM VALUE
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $26, $31, COALESCE($32::int, 900),
                 COALESCE($33::bigint, ${NEXT_NUMBER}))
         ON CONFLICT (platform, request_key) WHERE request_key IS NOT NULL DO NOTHING
         RETURNING ${INCIDENT_COLUMNS.join(', ')}
       ), st AS (
         INSERT INTO checklist_steps (incident_id, step_id, position, title, runbook_id)
         SELECT $1::uuid, u.*, $2::text FROM unnest($14::text[], $15::int[], $16::text[]) AS u WHERE EXISTS (SELECT 1 FROM inc)
       ), ev AS (
         INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
         SELECT $1::uuid, * FROM unnest($17::timestamptz[], $18::text[], $19::text[], $20::jsonb[], $21::text[])
         WHERE EXISTS (SELECT 1 FROM inc)
       ), ob AS (
         INSERT INTO outbox (incident_id, kind, payload, dedupe_key, run_at)
         SELECT $1::uuid, * FROM unnest($22::text[], $23::jsonb[], $24::text[], $25::timestamptz[])
         WHERE EXISTS (SELECT 1 FROM inc)
         ON CONFLICT (dedupe_key) DO NOTHING
       ), pr AS (
         INSERT INTO probe_runs (id, incident_id, probe_id, status, requested_by, queued_at)
         SELECT u.id, $1::uuid, u.probe, 'queued', u.by, u.at FROM unnest($27::uuid[], $28::text[], $29::text[], $30::timestamptz[]) AS u(id, probe, by, at)
         WHERE EXISTS (SELECT 1 FROM inc)
       )
       SELECT * FROM inc`;

// A recorded declare: one outbox row, with the incident's number taken from its sequence now.
// A replay takes a number it does not keep; numbers may skip, as they may on a failed insert.
const ACCEPT_SQL = `INSERT INTO outbox (kind, payload, dedupe_key, run_at, relayed_at)
       SELECT $1, $2::jsonb || jsonb_build_object('number', n.number), $3, $4, CASE WHEN $5::boolean THEN now() END
       FROM (SELECT ${NEXT_NUMBER} AS number) n
       ON CONFLICT (dedupe_key) DO NOTHING
       RETURNING payload->>'number' AS number`;

/** Rolls a transaction back when an event key was seen before: the request was a replay. */
class Replayed extends Error {}

/**
 * One statement on a connection of its own. Connecting is apart from the statement, so a failure
 * can be told apart: no connection, or a statement the server refused, wrote nothing for sure
 * (NotWrittenError); a statement with no answer may have.
 */
async function oneStatement<T>(pool: Pool, run: (c: PoolClient) => Promise<T>): Promise<T> {
  const c = await checkout(pool).catch((err: unknown) => {
    throw err instanceof NotWrittenError ? err : new NotWrittenError(err);
  });
  let broken = false;
  return run(c)
    .catch((err: unknown) => {
      if (isServerError(err)) throw new NotWrittenError(err);
      broken = true;
      throw err;
    })
    .finally(() => c.release(broken));
}

export class PgIncidentStore implements IncidentStore {
  /**
   * `afterJobs` runs after a commit that wrote outbox rows, so the relay can move them at once.
   * `declarePool` writes declares: give it tight timeouts, so a declare fails fast and truthfully.
   */
  constructor(
    private readonly pool: Pool,
    private readonly afterJobs: () => void = () => undefined,
    private readonly declarePool: Pool = pool,
    /**
     * Runs an accepted job in this process (jobs/local-declares.ts). Without it, accepted jobs go
     * through the relay to a worker like any other.
     */
    private readonly runAccepted: ((job: NewJob) => void) | null = null,
  ) {
    this.results = new ProbeResultWriter(pool, afterJobs);
  }

  /** Results arrive from many jobs at once; they are written in batches. */
  private readonly results: ProbeResultWriter;

  /**
   * One statement, so one round trip and its own transaction: a declare is written whole or not at
   * all. A request key seen before writes nothing; the incident it made is returned instead.
   */
  async create(
    input: NewIncident,
    steps: Array<Pick<ChecklistStep, 'stepId' | 'position' | 'title'>>,
    change: Change,
  ): Promise<{ snapshot: Snapshot; created: boolean }> {
    const ev = eventArrays(change.events);
    const jobs = jobArrays(change.jobs ?? []);
    const values = [
      input.id,
      input.runbookId,
      input.class,
      input.title,
      input.severity,
      input.status,
      input.platform,
      input.workspace,
      input.channelId ?? null,
      input.declaredBy,
      input.commander,
      input.summary,
      input.declaredAt,
      steps.map((s) => s.stepId),
      steps.map((s) => s.position),
      steps.map((s) => s.title),
      ...ev,
      ...jobs,
      input.requestKey ?? null,
      ...probeRunArrays(change.probeRuns ?? []),
      input.impactStartedAt ?? null,
      input.diagnoseWithinSeconds ?? null,
      input.number ?? null,
    ];
    const { rows } = await this.onDeclarePool(prepared(DECLARE_SQL, values));
    if (rows.length === 0) {
      const existing = await this.pool.query(`SELECT ${SNAPSHOT_COLUMNS} FROM incidents i WHERE i.platform = $1 AND i.request_key = $2`, [
        input.platform,
        input.requestKey,
      ]);
      return { snapshot: toSnapshot(existing.rows[0]), created: false };
    }
    if ((change.jobs ?? []).length > 0) this.afterJobs();
    return {
      snapshot: {
        incident: toIncident(rows[0]!),
        steps: steps.map((s) => ({ ...s, state: 'open', changedBy: null, changedAt: null })),
        probes: (change.probeRuns ?? []).map(queuedRun).sort((a, b) => a.probeId.localeCompare(b.probeId)),
        escalations: [],
        replaced: [],
        edgeCasesHit: [],
        notes: [],
      },
      created: true,
    };
  }

  /** One statement on the declare pool, with `oneStatement`'s account of failure. */
  private onDeclarePool<R extends Row = Row>(query: QueryConfig): Promise<QueryResult<R>> {
    return oneStatement(this.declarePool, (c) => c.query<R>(query));
  }

  /**
   * One row, on the declare pool, with the same account of failure as `create`. Marked relayed
   * when this process runs it: the relay leaves it alone, and the overdue sweep gives it the grace
   * it gives a render run here before it asks Redis about it.
   */
  async accept(job: NewJob & { kind: 'incident.declare' }): Promise<{ accepted: boolean; number: number }> {
    const { rows } = await this.onDeclarePool<{ number: string }>(
      prepared(ACCEPT_SQL, [job.kind, job.payload, job.dedupeKey, job.runAt, this.runAccepted !== null]),
    );
    if (rows.length === 0) {
      // A replay: the number is the first request's.
      const first = await this.pool.query<{ number: string }>(`SELECT payload->>'number' AS number FROM outbox WHERE dedupe_key = $1`, [job.dedupeKey]);
      return { accepted: false, number: Number(first.rows[0]?.number) };
    }
    const number = Number(rows[0]!.number);
    const accepted = { ...job, payload: { ...job.payload, number } };
    if (this.runAccepted) this.runAccepted(accepted);
    else this.afterJobs();
    return { accepted: true, number };
  }

  /**
   * Read, decide, write. The new snapshot is computed, not re-read: the write happens only if
   * nothing else changed the incident since it was read.
   */
  async mutate(incidentId: string, decide: (current: Snapshot) => Change, seen?: Snapshot): Promise<{ snapshot: Snapshot; changed: boolean }> {
    return (await this.mutateIfUnchanged(incidentId, decide, seen)) ?? this.mutateLocked(incidentId, decide);
  }

  /**
   * The usual case in two round trips: read, decide, and write in one statement that applies only
   * if the incident's version is still the one read (every write of what a snapshot holds bumps it).
   * Null when it was not, or when the change was a replay: the locked path decides again and tells.
   */
  private async mutateIfUnchanged(
    incidentId: string,
    decide: (current: Snapshot) => Change,
    seen: Snapshot | undefined,
  ): Promise<{ snapshot: Snapshot; changed: boolean } | null> {
    const current = seen ?? (await this.get(incidentId));
    if (!current) throw new UserError({ code: 'not_found' });
    const change = decide(current);
    if (change.events.length === 0) return { snapshot: current, changed: false };
    // A replay refused by a unique index wrote nothing, like a version that moved.
    const written = await oneStatement(this.pool, (c) =>
      writeChange(c, incidentId, change, current.incident.version).catch((err: unknown) => {
        if (isUniqueViolation(err)) return null;
        throw err;
      }),
    );
    if (!written?.applied) return null;
    this.afterJobs();
    return { snapshot: applied(current, change), changed: true };
  }

  /**
   * Lock, read, decide, write everything in one statement, commit. A replayed key or level found
   * by the write rolls it all back.
   */
  private async mutateLocked(incidentId: string, decide: (current: Snapshot) => Change): Promise<{ snapshot: Snapshot; changed: boolean }> {
    try {
      const out = await inTransaction(this.pool, async (c) => {
        const current = await loadSnapshot(c, incidentId, true);
        if (!current) throw new UserError({ code: 'not_found' });
        const change = decide(current);
        if (change.events.length === 0) return { snapshot: current, changed: false };
        const written = await writeChange(c, incidentId, change);
        // A level fires once: the unique key on (incident, level) turns a second firing into a replay.
        const replayed =
          (change.escalation && written.escalations === 0) ||
          (change.runbookChange && written.runbookChanges === 0) ||
          (change.requestKey !== undefined && written.requests === 0);
        if (written.events < change.events.length || replayed) throw new Replayed();
        return { snapshot: applied(current, change), changed: true };
      });
      if (out.changed) this.afterJobs();
      return out;
    } catch (err) {
      // A statement the server refused rolled the whole transaction back.
      if (isServerError(err)) throw new NotWrittenError(err);
      if (!(err instanceof Replayed)) throw err;
      return { snapshot: (await this.get(incidentId))!, changed: false };
    }
  }

  async mutatePair(
    firstId: string,
    secondId: string,
    decide: (first: Snapshot, second: Snapshot) => PairChange,
  ): Promise<{ snapshots: [Snapshot, Snapshot]; changed: boolean }> {
    const reread = async (): Promise<[Snapshot, Snapshot]> => [(await this.get(firstId))!, (await this.get(secondId))!];
    try {
      const out = await inTransaction(this.pool, async (c) => {
        // Always the same order, so two people tying the same pair from either side wait, not deadlock.
        const [low, high] = firstId < secondId ? [firstId, secondId] : [secondId, firstId];
        const locked = await c.query(prepared('SELECT id FROM incidents WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE', [[low, high]]));
        if (locked.rowCount !== 2) throw new UserError({ code: 'not_found' });
        const first = (await loadSnapshot(c, firstId))!;
        const second = (await loadSnapshot(c, secondId))!;
        const change = decide(first, second);
        if (change.first.events.length + change.second.events.length === 0) return { snapshots: [first, second] as [Snapshot, Snapshot], changed: false };
        for (const [id, one] of [
          [firstId, change.first],
          [secondId, change.second],
        ] as const) {
          if (one.events.length === 0) continue;
          const written = await writeChange(c, id, one);
          if (written.events < one.events.length || (one.requestKey !== undefined && written.requests === 0)) throw new Replayed();
        }
        if (change.link) {
          await c.query(
            prepared(`INSERT INTO incident_links (incident_a, incident_b, linked_at, linked_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
              low,
              high,
              change.link.at,
              change.link.by,
            ]),
          );
        }
        return { snapshots: [(await loadSnapshot(c, firstId))!, (await loadSnapshot(c, secondId))!] as [Snapshot, Snapshot], changed: true };
      });
      if (out.changed) this.afterJobs();
      return out;
    } catch (err) {
      if (isServerError(err)) throw new NotWrittenError(err);
      if (!(err instanceof Replayed)) throw err;
      return { snapshots: await reread(), changed: false };
    }
  }

  recordProbeResult(incidentId: string, change: Change): Promise<boolean> {
    return this.results.write({ incidentId, change });
  }

  async unfinishedProbeRuns(incidentId: string, runIds: string[]): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(
      prepared('SELECT id FROM probe_runs WHERE incident_id = $1 AND id = ANY($2::uuid[]) AND finished_at IS NULL', [incidentId, runIds]),
    );
    return rows.map((r) => r.id);
  }

  /**
   * A read that failed wrote nothing, whatever broke: a person whose command or click stopped here
   * is told it was not recorded (NotWrittenError), not that something went wrong.
   */
  private read(query: string | QueryConfig, values?: unknown[]): Promise<QueryResult> {
    return this.pool.query(query, values).catch((err: unknown) => Promise.reject(err instanceof NotWrittenError ? err : new NotWrittenError(err)));
  }

  async get(incidentId: string): Promise<Snapshot | null> {
    const { rows } = await this.read(prepared(`SELECT ${SNAPSHOT_COLUMNS} FROM incidents i WHERE i.id = $1`, [incidentId]));
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  async timeline(incidentId: string): Promise<TimelineEvent[]> {
    const { rows } = await this.pool.query(prepared('SELECT at, actor, kind, data FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [incidentId]));
    return rows.map((r) => ({ at: r.at, actor: r.actor, kind: r.kind, data: r.data ?? {} }));
  }

  async findByChannel(platform: string, channelId: string): Promise<Snapshot | null> {
    const { rows } = await this.read(
      prepared(`SELECT ${SNAPSHOT_COLUMNS} FROM incidents i WHERE i.platform = $1 AND i.channel_id = $2`, [platform, channelId]),
    );
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  async findByNumber(platform: string, workspace: string | null, number: number): Promise<Snapshot | null> {
    const { rows } = await this.read(
      `SELECT ${SNAPSHOT_COLUMNS} FROM incidents i WHERE i.platform = $1 AND (i.workspace IS NOT DISTINCT FROM $2 OR i.workspace IS NULL) AND i.number = $3`,
      [platform, workspace, number],
    );
    return rows[0] ? toSnapshot(rows[0]) : null;
  }

  /**
   * No channel, and every setup job it had is done (failed for good, or lost with a Redis that
   * restarted empty). At most 12 setups per incident: past that, a person must look.
   */
  async listStranded(olderThan: Date, limit: number): Promise<Array<Pick<Incident, 'id' | 'number' | 'platform'>>> {
    const { rows } = await this.pool.query(
      `SELECT i.id, i.number, i.platform FROM incidents i
       WHERE i.status NOT IN ('resolved', 'cancelled') AND i.channel_id IS NULL AND i.declared_at < $1 AND i.imported_from IS NULL
         AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.incident_id = i.id AND o.kind = 'chat.provision'
                           AND (o.done_at IS NULL OR o.done_at > $1))
         AND (SELECT count(*) FROM outbox o WHERE o.incident_id = i.id AND o.kind = 'chat.provision') < 12
       ORDER BY i.declared_at LIMIT $2`,
      [olderThan, limit],
    );
    return rows.map((r) => ({ id: r.id, number: Number(r.number), platform: r.platform }));
  }

  async listOpen(platform: string, workspace: string | null): Promise<Incident[]> {
    const { rows } = await this.read(
      `SELECT * FROM incidents WHERE platform = $1 AND (workspace IS NOT DISTINCT FROM $2 OR workspace IS NULL)
         AND status NOT IN ('resolved', 'cancelled') ORDER BY severity, declared_at`,
      [platform, workspace],
    );
    return rows.map(toIncident);
  }
}

function applied(current: Snapshot, change: Change): Snapshot {
  const byStep = new Map((change.steps ?? []).map((s) => [s.stepId, s]));
  const patch = Object.fromEntries(Object.entries(change.incident ?? {}).filter(([, v]) => v !== undefined));
  const probes = new Map((current.probes ?? []).map((p) => [p.probeId, p]));
  for (const run of change.probeRuns ?? []) probes.set(run.probeId, queuedRun(run));
  const switched = change.runbookChange;
  return {
    incident: { ...current.incident, ...patch, version: current.incident.version + 1 },
    steps: switched
      ? switched.steps.map((s) => ({ ...s, state: 'open', changedBy: null, changedAt: null }))
      : current.steps.map((s) => ({ ...s, ...byStep.get(s.stepId) })),
    replaced: switched ? [...(current.replaced ?? []), replacedBy(current, switched)] : current.replaced,
    probes: [...probes.values()].sort((a, b) => a.probeId.localeCompare(b.probeId)),
    escalations: change.escalation ? [...(current.escalations ?? []), firedLevel(change.escalation)] : current.escalations,
    postmortem: appliedAnalysis(appliedPostmortem(current.postmortem ?? null, change.postmortem), change.postmortemAnalysis),
    actionItems: appliedItems(current.actionItems ?? [], change.actionItem),
    relations: current.relations,
    edgeCasesHit: change.edgeCaseHit ? [...(current.edgeCasesHit ?? []), change.edgeCaseHit] : current.edgeCasesHit,
    notes: change.note ? [...(current.notes ?? []), change.note] : current.notes,
  };
}

function appliedPostmortem(current: Postmortem | null, p: Change['postmortem']): Postmortem | null {
  if (!p) return current;
  if ('open' in p)
    return (
      current ?? {
        ...p.open,
        status: 'draft',
        reviewedAt: null,
        publishedAt: null,
        closedAt: null,
        analysis: EMPTY_ANALYSIS,
        analysisUpdatedAt: null,
        analysisUpdatedBy: null,
      }
    );
  if (!current) return null;
  return {
    ...current,
    status: p.to,
    reviewedAt: p.to === 'in_review' ? p.at : current.reviewedAt,
    publishedAt: p.to === 'published' || p.to === 'closed' ? (current.publishedAt ?? p.at) : current.publishedAt,
    closedAt: p.to === 'closed' ? p.at : null,
  };
}

function appliedAnalysis(current: Postmortem | null, a: Change['postmortemAnalysis']): Postmortem | null {
  if (!current || !a) return current;
  return { ...current, analysis: { ...EMPTY_ANALYSIS, ...current.analysis, ...a.set }, analysisUpdatedAt: a.at, analysisUpdatedBy: a.by };
}

function appliedItems(items: ActionItem[], a: Change['actionItem']): ActionItem[] {
  if (!a) return items;
  if ('add' in a) return [...items, { ...a.add, closedAt: null, closedBy: null }];
  return items.map((i) => (i.number === a.close && !i.closedAt ? { ...i, closedAt: a.at, closedBy: a.by } : i));
}

function replacedBy(current: Snapshot, r: NewRunbookChange): ReplacedChecklist {
  return {
    generation: checklistGeneration(current),
    runbookId: r.from,
    steps: current.steps,
    replacedAt: r.at,
    replacedBy: r.by,
    replacedWith: r.to,
    reason: r.reason,
  };
}

function firedLevel(e: NewEscalation): FiredLevel {
  return { level: e.level, targets: e.targets, reason: e.reason, at: e.at, by: e.by, note: e.note };
}

function queuedRun(r: NewProbeRun): ProbeRun {
  return { id: r.id, probeId: r.probeId, status: 'queued', reason: null, queuedAt: r.queuedAt, finishedAt: null, durationMs: null };
}

// Locks the row and reads the snapshot in one round trip. A statement that waited for the lock
// still reads everything else as of its own start, so it also returns the version the lock saw
// (the newest): when the two differ, someone committed while it waited and the snapshot is read
// again. Every write of what a snapshot holds bumps the version in the same transaction.
const LOCKED_SNAPSHOT_SQL = `WITH locked AS MATERIALIZED (SELECT id, version FROM incidents WHERE id = $1 FOR UPDATE)
  SELECT locked.version AS locked_version, ${SNAPSHOT_COLUMNS} FROM locked JOIN incidents i ON i.id = locked.id`;

/**
 * An incident's snapshot (its id is $1) next to `gate`, which is computed once, first; the incident
 * is read only when `gate` is not null. The one row says `gate` and whether the incident was `found`.
 * A render takes its lock and reads the incident in one round trip this way (store/chat-refs.ts),
 * and one that steps aside reads nothing.
 */
export function gatedSnapshotQuery(gate: string): string {
  return `SELECT g.gate, i.id IS NOT NULL AS found, ${SNAPSHOT_COLUMNS}
    FROM (SELECT ${gate} AS gate OFFSET 0) g LEFT JOIN incidents i ON i.id = $1 AND g.gate IS NOT NULL`;
}

async function loadSnapshot(c: PoolClient, incidentId: string, lock = false): Promise<Snapshot | null> {
  if (lock) {
    const { rows } = await c.query(prepared(LOCKED_SNAPSHOT_SQL, [incidentId]));
    if (!rows[0]) return null;
    if (Number(rows[0].locked_version) === Number(rows[0].version)) return toSnapshot(rows[0]);
  }
  const { rows } = await c.query(prepared(`SELECT ${SNAPSHOT_COLUMNS} FROM incidents i WHERE i.id = $1`, [incidentId]));
  return rows[0] ? toSnapshot(rows[0]) : null;
}

// A pg row of incidents with its steps as JSON (a snapshot query's, or a `gatedSnapshotQuery`
// row that `found` it); column types are fixed by the migrations.
export function toSnapshot(row: Row): Snapshot {
  return {
    incident: toIncident(row),
    steps: (row.steps as Row[]).map(toStep),
    replaced: (row.replaced as Row[]).map((r) => ({ ...r, replacedAt: new Date(r.replacedAt), steps: (r.steps as Row[]).map(toStep) }) as ReplacedChecklist),
    probes: (row.probes as Row[]).map(
      (p) =>
        ({
          ...p,
          queuedAt: new Date(p.queuedAt),
          finishedAt: p.finishedAt ? new Date(p.finishedAt) : null,
        }) as ProbeRun,
    ),
    escalations: (row.escalations as Row[]).map((e) => ({ ...e, at: new Date(e.at) }) as FiredLevel),
    postmortem: row.postmortem ? toPostmortem(row.postmortem) : null,
    actionItems: (row.action_items as Row[]).map(
      (a) => ({ ...a, createdAt: new Date(a.createdAt), closedAt: a.closedAt ? new Date(a.closedAt) : null }) as ActionItem,
    ),
    relations: {
      duplicateOf: row.duplicate_of_number == null ? null : Number(row.duplicate_of_number),
      duplicates: (row.duplicates as unknown[]).map(Number),
      related: (row.related as unknown[]).map(Number),
    },
    edgeCasesHit: (row.edge_cases_hit as Row[]).flatMap((h): EdgeCaseHit[] => {
      const ref = edgeCaseRefOf(h);
      return ref ? [{ ...ref, by: h.by, at: new Date(h.at) }] : [];
    }),
    notes: (row.notes as Row[]).map((n): Note => ({
      text: n.text ?? '',
      by: n.by,
      at: new Date(n.at),
      author: n.author ?? null,
      link: n.link ?? null,
      message: n.message ?? null,
    })),
  };
}

const date = (v: string | null) => (v ? new Date(v) : null);

function toStep(s: Row): ChecklistStep {
  return { ...s, changedAt: s.changedAt ? new Date(s.changedAt) : null } as ChecklistStep;
}

function toPostmortem(m: Row): Postmortem {
  return {
    ...m,
    openedAt: new Date(m.openedAt),
    reviewedAt: date(m.reviewedAt),
    publishedAt: date(m.publishedAt),
    closedAt: date(m.closedAt),
    analysisUpdatedAt: date(m.analysisUpdatedAt),
  } as Postmortem;
}

// A pg row; its column types are fixed by the migrations. The column keeps its first name, playbook_id.
export function toIncident(r: Row): Incident {
  return {
    id: r.id,
    number: Number(r.number),
    runbookId: r.playbook_id,
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
    duplicateOf: r.duplicate_of ?? null,
    validationConfirmed: r.validation_confirmed ?? null,
    validatedChecks: r.validated_checks ?? null,
    impactStartedAt: r.impact_started_at ?? null,
    diagnoseWithinSeconds: r.diagnose_within_seconds ?? undefined,
  };
}
