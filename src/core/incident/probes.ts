import { randomUUID } from 'node:crypto';
import { UserError } from '../errors';
import type { Change, NewEvent, NewJob, NewProbeRun, ProbeResult } from '../ports';
import type { Runbook } from '../runbook/schema';
import { changeIncident } from './change';
import type { CoreDeps } from './deps';
import { requireOpen, requireParticipant } from './guards';
import { label, type Actor, type Incident, type Snapshot } from './model';

/**
 * The runs, jobs and event that queue `probeIds` for an incident, written in the same
 * transaction as whatever asked for them (the declare, a button, a command). Each run has its own
 * id, which is also its job's id: a run is executed, and reported, once.
 */
export function queueProbes(incident: Pick<Incident, 'id' | 'platform'>, probeIds: string[], by: string, at: Date, via: string, key: string): Change {
  if (probeIds.length === 0) return { events: [] };
  const runs: NewProbeRun[] = probeIds.map((probeId) => ({ id: randomUUID(), probeId, requestedBy: by, queuedAt: at }));
  const jobs: NewJob[] = runs.map((r) => ({
    kind: 'probe.run',
    payload: { incidentId: incident.id, runId: r.id, probeId: r.probeId },
    dedupeKey: `${r.id}:probe`,
    runAt: at,
  }));
  const event: NewEvent = { kind: 'probe.requested', actor: by, at, data: { probes: probeIds, via }, key };
  return { events: [event], jobs, probeRuns: runs };
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
 * Records a probe run's result with its `probe.finished` event. The event key is the run's, so a
 * run executed again after a crash is reported once; results are evidence, so they are recorded
 * even after the incident ended.
 */
export function decideProbeResult(s: Snapshot, result: ProbeResult, probeId: string): Change {
  return {
    probeResult: result,
    events: [
      {
        kind: 'probe.finished',
        actor: 'incident-bot',
        at: result.finishedAt,
        data: { probe: probeId, run: result.runId, status: result.status, reason: result.reason, duration_ms: Math.round(result.durationMs) },
        key: `${result.runId}:finished`,
      },
    ],
  };
}

export async function recordProbeResult(deps: CoreDeps, incidentId: string, probeId: string, result: ProbeResult) {
  return changeIncident(deps, incidentId, (s) => decideProbeResult(s, result, probeId));
}
