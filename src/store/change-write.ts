import type { PoolClient } from 'pg';
import { ANALYSIS_FIELDS } from '../core/model';
import type { Change, IncidentPatch, NewEscalation, NewEvent, NewJob, NewProbeRun, NewRunbookChange } from '../core/ports';
import { prepared } from './db';
import { ANALYSIS_COLUMNS } from './postmortem-columns';

// The one statement that writes a use case's change to an incident (store/incident-store.ts).
const PATCH_COLUMNS: Record<keyof IncidentPatch, string> = {
  runbookId: 'playbook_id',
  class: 'class',
  status: 'status',
  severity: 'severity',
  commander: 'commander',
  channelId: 'channel_id',
  resolution: 'resolution',
  acknowledgedAt: 'acknowledged_at',
  acknowledgedVia: 'acknowledged_via',
  diagnosedAt: 'diagnosed_at',
  mitigatedAt: 'mitigated_at',
  resolvedAt: 'resolved_at',
  cancelledAt: 'cancelled_at',
  duplicateOf: 'duplicate_of',
  validationConfirmed: 'validation_confirmed',
  validatedChecks: 'validated_checks',
  impactStartedAt: 'impact_started_at',
  diagnoseWithinSeconds: 'diagnose_within_seconds',
};

/**
 * Writes events, patch, steps, jobs and an escalation in one statement; returns how many events
 * and escalations were new (a replayed key or a level already fired writes none).
 *
 * With `ifVersion`, the statement writes only if the incident is still at that version, and it
 * writes nothing at all (`applied` false) when it is not. There a replay is not counted but refused:
 * a key or level already recorded fails the statement with a unique violation, which writes nothing
 * either. That is for a change decided without the row lock, in its own transaction (the statement).
 */
export async function writeChange(
  c: PoolClient,
  incidentId: string,
  change: Change,
  ifVersion?: number,
): Promise<{ applied: boolean; events: number; escalations: number; requests: number; runbookChanges: number }> {
  const patch = Object.entries(change.incident ?? {}).filter(([, v]) => v !== undefined) as Array<[keyof IncidentPatch, unknown]>;
  const steps = change.steps ?? [];
  const params: unknown[] = [
    incidentId,
    ...eventArrays(change.events),
    steps.map((s) => s.stepId),
    steps.map((s) => s.state),
    steps.map((s) => s.changedBy),
    steps.map((s) => s.changedAt),
    ...jobArrays(change.jobs ?? []),
    ...probeRunArrays(change.probeRuns ?? []),
    ...escalationParams(change.escalation),
    ...postmortemParams(change.postmortem),
    ...actionItemParams(change.actionItem),
    change.requestKey ?? null,
    ...runbookChangeParams(change.runbookChange),
    ...analysisParams(change.postmortemAnalysis),
  ];
  if (change.probeResult) throw new Error('a probe result is written by recordProbeResult');
  const sets = patch.map(([k, v]) => `${PATCH_COLUMNS[k]} = $${params.push(v)}`);
  const quick = ifVersion !== undefined;
  // Quick: every other part reads `inc`, so the row is updated (and locked) first, and only if its
  // version held; under the lock already (not quick), `inc` always updates the row.
  const gate = quick ? 'EXISTS (SELECT 1 FROM inc)' : 'true';
  const onReplay = (target: string) => (quick ? '' : `ON CONFLICT ${target}DO NOTHING`);
  const versionHeld = quick ? ` AND version = $${params.push(ifVersion)}::int` : '';
  const { rows } = await c.query(
    prepared(
      `WITH inc AS (
       UPDATE incidents SET ${[...sets, 'checklist_generation = COALESCE($41::int, checklist_generation)', 'version = version + 1'].join(', ')}
       WHERE id = $1${versionHeld} RETURNING 1
     ), ev AS (
       INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
       SELECT $1, * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::jsonb[], $6::text[]) WHERE ${gate}
       ${onReplay('(idempotency_key) ')} RETURNING 1
     ), st AS (
       UPDATE checklist_steps c SET state = u.state, changed_by = u.by, changed_at = u.at
       FROM unnest($7::text[], $8::text[], $9::text[], $10::timestamptz[]) AS u(step_id, state, by, at)
       WHERE c.incident_id = $1 AND c.step_id = u.step_id
         AND c.generation = (SELECT checklist_generation FROM incidents WHERE id = $1) AND ${gate}
     ), ob AS (
       INSERT INTO outbox (incident_id, kind, payload, dedupe_key, run_at)
       SELECT $1, * FROM unnest($11::text[], $12::jsonb[], $13::text[], $14::timestamptz[]) WHERE ${gate}
       ON CONFLICT (dedupe_key) DO NOTHING
     ), pr AS (
       INSERT INTO probe_runs (id, incident_id, probe_id, status, requested_by, queued_at)
       SELECT u.id, $1, u.probe, 'queued', u.by, u.at FROM unnest($15::uuid[], $16::text[], $17::text[], $18::timestamptz[]) AS u(id, probe, by, at)
       WHERE ${gate}
     ), esc AS (
       INSERT INTO escalations (incident_id, level, targets, reason, escalated_at, escalated_by, note)
       SELECT $1, $19::int, $20::jsonb, $21::text, $22::timestamptz, $23::text, $24::text WHERE $19::int IS NOT NULL AND ${gate}
       ${onReplay('ON CONSTRAINT escalations_once ')} RETURNING 1
     ), pm_open AS (
       INSERT INTO postmortems (incident_id, owner, due_on, opened_at, opened_by)
       SELECT $1, $25::text, $26::date, $27::timestamptz, $28::text WHERE $27::timestamptz IS NOT NULL AND ${gate}
       ON CONFLICT (incident_id) DO NOTHING
     ), pm_move AS (
       UPDATE postmortems SET status = $29::text,
         reviewed_at = CASE WHEN $29::text = 'in_review' THEN $30::timestamptz ELSE reviewed_at END,
         published_at = CASE WHEN $29::text IN ('published', 'closed') THEN COALESCE(published_at, $30::timestamptz) ELSE published_at END,
         closed_at = CASE WHEN $29::text = 'closed' THEN $30::timestamptz ELSE NULL END
       WHERE incident_id = $1 AND $29::text IS NOT NULL AND ${gate}
     ), pm_analysis AS (
       UPDATE postmortems SET ${ANALYSIS_SETS}, analysis_updated_at = $51::timestamptz, analysis_updated_by = $52::text
       WHERE incident_id = $1 AND $50::jsonb IS NOT NULL AND ${gate}
     ), ai_add AS (
       INSERT INTO action_items (incident_id, number, text, owner, due_on, created_at, created_by)
       SELECT $1, $31::int, $32::text, $33::text, $34::date, $35::timestamptz, $36::text WHERE $31::int IS NOT NULL AND ${gate}
     ), ai_close AS (
       UPDATE action_items SET closed_at = $38::timestamptz, closed_by = $39::text
       WHERE incident_id = $1 AND number = $37::int AND closed_at IS NULL AND ${gate}
     ), rk AS (
       INSERT INTO request_keys (incident_id, key) SELECT $1, $40::text WHERE $40::text IS NOT NULL AND ${gate}
       ${onReplay('')} RETURNING 1
     ), rc AS (
       INSERT INTO runbook_changes (incident_id, generation, from_runbook, to_runbook, changed_at, changed_by, reason)
       SELECT $1, $41::int, $42::text, $43::text, $44::timestamptz, $45::text, $46::text WHERE $41::int IS NOT NULL AND ${gate}
       ${onReplay('')} RETURNING 1
     ), rc_steps AS (
       INSERT INTO checklist_steps (incident_id, generation, runbook_id, step_id, position, title)
       SELECT $1, $41::int, $43::text, * FROM unnest($47::text[], $48::int[], $49::text[]) WHERE $41::int IS NOT NULL AND ${gate}
       ON CONFLICT DO NOTHING
     )
     SELECT (SELECT count(*) FROM inc)::int AS applied, (SELECT count(*) FROM ev)::int AS events, (SELECT count(*) FROM esc)::int AS escalations,
       (SELECT count(*) FROM rk)::int AS requests, (SELECT count(*) FROM rc)::int AS runbook_changes`,
      params,
    ),
  );
  return {
    applied: rows[0].applied === 1,
    events: rows[0].events as number,
    escalations: rows[0].escalations as number,
    requests: rows[0].requests as number,
    runbookChanges: rows[0].runbook_changes as number,
  };
}

/** Nulls when the change switches no runbook: those statements then write nothing. */
function runbookChangeParams(r: NewRunbookChange | undefined): unknown[] {
  return [
    r?.generation ?? null,
    r?.from ?? null,
    r?.to ?? null,
    r?.at ?? null,
    r?.by ?? null,
    r?.reason ?? null,
    (r?.steps ?? []).map((s) => s.stepId),
    (r?.steps ?? []).map((s) => s.position),
    (r?.steps ?? []).map((s) => s.title),
  ];
}

// Each column of the analysis is written only when the change names it: a key present with null clears it.
const ANALYSIS_SETS = [
  ...ANALYSIS_FIELDS.map((f) => {
    const col = ANALYSIS_COLUMNS[f];
    // A category of "n/a" is its own flag (migration 0032): the column the reports count stays NULL.
    const value = f === 'causeCategory' ? `NULLIF($50::jsonb->>'${f}', 'n/a')` : `$50::jsonb->>'${f}'`;
    return `${col} = CASE WHEN $50::jsonb ? '${f}' THEN ${value} ELSE ${col} END`;
  }),
  `cause_category_na = CASE WHEN $50::jsonb ? 'causeCategory' THEN COALESCE($50::jsonb->>'causeCategory' = 'n/a', false) ELSE cause_category_na END`,
].join(', ');

function analysisParams(a: Change['postmortemAnalysis']): unknown[] {
  return a ? [JSON.stringify(a.set), a.at, a.by] : [null, null, null];
}

/** Nulls for what the change does not do: those statements then touch nothing. */
function postmortemParams(p: Change['postmortem']): unknown[] {
  const open = p && 'open' in p ? p.open : null;
  const move = p && 'to' in p ? p : null;
  return [open?.owner ?? null, open?.dueOn ?? null, open?.openedAt ?? null, open?.openedBy ?? null, move?.to ?? null, move?.at ?? null];
}

function actionItemParams(a: Change['actionItem']): unknown[] {
  const add = a && 'add' in a ? a.add : null;
  const close = a && 'close' in a ? a : null;
  return [
    add?.number ?? null,
    add?.text ?? null,
    add?.owner ?? null,
    add?.dueOn ?? null,
    add?.createdAt ?? null,
    add?.createdBy ?? null,
    close?.close ?? null,
    close?.at ?? null,
    close?.by ?? null,
  ];
}

/** Nulls when the change fires no level: the insert then selects nothing. */
function escalationParams(e: NewEscalation | undefined): unknown[] {
  if (!e) return [null, null, null, null, null, null];
  return [e.level, JSON.stringify(e.targets), e.reason, e.at, e.by, e.note];
}

export function eventArrays(events: NewEvent[]): unknown[] {
  return [
    events.map((e) => e.at),
    events.map((e) => e.actor),
    events.map((e) => e.kind),
    events.map((e) => JSON.stringify(e.data ?? {})),
    events.map((e) => e.key),
  ];
}

export function jobArrays(jobs: NewJob[]): unknown[] {
  return [jobs.map((j) => j.kind), jobs.map((j) => JSON.stringify(j.payload)), jobs.map((j) => j.dedupeKey), jobs.map((j) => j.runAt)];
}

export function probeRunArrays(runs: NewProbeRun[]): unknown[] {
  return [runs.map((r) => r.id), runs.map((r) => r.probeId), runs.map((r) => r.requestedBy), runs.map((r) => r.queuedAt)];
}
