import { randomUUID } from 'node:crypto';
import { UserError } from '../errors';
import type { Change, NewEvent, NewJob, NewProbeRun, ProbeResult } from '../ports';
import type { Runbook } from '../runbook/schema';
import { changeIncident, renderJob } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { label, type Actor, type Incident, type Snapshot } from '../model';

/** What a probe run needs to know of its incident; none of it changes after the declare. */
export type ProbeOwner = Pick<Incident, 'id' | 'platform' | 'runbookId'>;

/**
 * The runs, the job and the event that queue `probeIds` for an incident, written in the same
 * transaction as whatever asked for them (the declare, a button, a command). One job carries every
 * run of the request; each run has its own id and is recorded only while unfinished, so a job run
 * again after a crash executes and reports each probe once.
 */
export function queueProbes(incident: ProbeOwner, probeIds: string[], by: string, at: Date, via: string, key: string): Change {
  if (probeIds.length === 0) return { events: [] };
  const runs: NewProbeRun[] = probeIds.map((probeId) => ({ id: randomUUID(), probeId, requestedBy: by, queuedAt: at }));
  const job: NewJob = {
    kind: 'probe.runs',
    // The runbook and platform ride along, so the worker runs and reports without reading the incident.
    payload: {
      incidentId: incident.id,
      runbookId: incident.runbookId,
      platform: incident.platform,
      runs: runs.map((r) => ({ runId: r.id, probeId: r.probeId })),
    },
    dedupeKey: `${key}:run`,
    runAt: at,
  };
  const event: NewEvent = { kind: 'probe.requested', actor: by, at, data: { probes: probeIds, via }, key };
  return { events: [event], jobs: [job], probeRuns: runs };
}

/** The probes a declare runs at once: every one not marked `auto: false`. */
export function autoProbes(runbook: Runbook): string[] {
  return runbook.probes.filter((p) => p.auto).map((p) => p.id);
}

/** `probe` is one probe id, or 'all' for every probe of the runbook. */
export function decideRunProbes(s: Snapshot, runbook: Runbook, probe: string, actor: Actor, at: Date, requestId: string): Change {
  requireOpen(s.incident, 'run_probes');
  requireParticipant(actor, s.incident, 'run_probes');
  const ids = probe === 'all' ? runbook.probes.map((p) => p.id) : runbook.probes.filter((p) => p.id === probe).map((p) => p.id);
  if (ids.length === 0) {
    throw new UserError({ code: 'unknown_probe', incident: label(s.incident), probe, probes: runbook.probes.map((p) => p.id) });
  }
  return queueProbes(s.incident, ids, actor.id, at, probe === 'all' ? 'all' : 'one', `${s.incident.id}:probes:${requestId}`);
}

export async function runProbes(deps: CoreDeps, incidentId: string, probe: string, actor: Actor, requestId: string) {
  return changeIncident(deps, incidentId, (s, at) => decideRunProbes(s, deps.catalog.forIncident(s.incident.runbookId), probe, actor, at, requestId));
}

/**
 * A probe run's result with its `probe.finished` event and a render of the checklist that shows
 * it. Nothing here depends on the incident's state: results are evidence, recorded even after the
 * incident ended, so the store writes them without locking and reading the incident first. The
 * event and render keys are the run's, so a run executed again after a crash is reported once.
 */
export function decideProbeResult(incident: Pick<Incident, 'id' | 'platform'>, result: ProbeResult, probeId: string): Change {
  const key = `${result.runId}:finished`;
  return {
    probeResult: result,
    events: [
      {
        kind: 'probe.finished',
        actor: 'incident-bot',
        at: result.finishedAt,
        data: { probe: probeId, run: result.runId, status: result.status, reason: result.reason, duration_ms: Math.round(result.durationMs) },
        key,
      },
    ],
    jobs: [{ ...renderJob(incident, key, result.finishedAt), paceMs: RESULT_RENDER_PACE_MS }],
  };
}

/**
 * "Run all checks" on a few incidents finishes dozens of probes within a second; one re-render a
 * second per incident shows them all, and keeps within Slack's chat.update rate limit. The first
 * result after a quiet second is shown at once.
 */
export const RESULT_RENDER_PACE_MS = 1_000;

/** False when the run had already been recorded (a job that ran twice). */
export async function recordProbeResult(deps: CoreDeps, incident: Pick<Incident, 'id' | 'platform'>, probeId: string, result: ProbeResult): Promise<boolean> {
  return deps.store.recordProbeResult(incident.id, decideProbeResult(incident, result, probeId));
}
