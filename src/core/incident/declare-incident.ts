import { randomUUID } from 'node:crypto';
import { UserError } from '../errors';
import type { RunbookCatalog } from '../runbook/catalog';
import type { CoreDeps } from './deps';
import { diagnoseWithinSeconds, diagnosisDueJob } from './diagnosis';
import { firstLevelJob } from './escalation';
import { similarNoticeJob } from './similar';
import { checkedText } from './text-limits';
import { autoProbes, queueProbes } from './probes';
import { alertImpactStart } from './impact-start';
import { isAlertActor, type Actor, type Snapshot } from '../model';

export interface DeclareInput {
  runbook: string;
  summary?: string;
  /** Anyone may declare, so only who it is matters here. */
  actor: Pick<Actor, 'id'>;
  platform: string;
  workspace: string | null;
  /** Where the platform should report the outcome (e.g. a Slack response_url); opaque to the core. */
  replyTo?: Record<string, unknown>;
  /** The platform's id for this request: a retry or replay of it declares nothing new. */
  requestKey?: string;
  /** The alert it answers; an `alert:<source>` actor (the alert itself) leaves it without a commander until someone takes it. */
  alert?: AlertFacts;
  /** A declare recorded earlier (accept-declare.ts) keeps the id, time and number it was recorded with. */
  id?: string;
  at?: Date;
  number?: number;
}

/** What an incoming alert said, kept on the timeline (`alert.received`). */
export interface AlertFacts {
  source: string;
  fingerprint: string;
  labels: Record<string, string>;
  url: string | null;
  /** When the alert says impact began; kept as the incident's impact_started_at. */
  startsAt: Date | null;
  /** The route's severity, or the alert's severity label; else the runbook's. */
  severity: number | null;
}

/**
 * One write: the incident, its checklist, the declared event, the provisioning job, the probes
 * and the diagnosis clock.
 * `created` is false when the same request declared it before.
 */
export async function declareIncident(deps: CoreDeps, input: DeclareInput): Promise<{ snapshot: Snapshot; created: boolean }> {
  const runbook = deps.catalog.find(input.runbook);
  if (!runbook) throw unknownRunbook(deps.catalog, input.runbook);
  const now = input.at ?? deps.clock.now();
  const summary = checkedText(input.summary, 'summary');
  const id = input.id ?? randomUUID();
  const title = summary ?? runbook.title;
  const alert = input.alert;
  const severity = alert?.severity ?? runbook.severity;
  // The runbook's checks start with the incident: evidence is gathered before anyone clicks.
  const probes = queueProbes(
    { id, platform: input.platform, runbookId: runbook.id },
    autoProbes(runbook),
    input.actor.id,
    now,
    'declare',
    `${id}:probes:declare`,
  );
  return deps.store.create(
    {
      id,
      runbookId: runbook.id,
      class: runbook.class,
      title,
      severity,
      status: 'declared',
      platform: input.platform,
      workspace: input.workspace,
      declaredBy: input.actor.id,
      // Whoever declares leads until they hand over; someone must own the incident from second one.
      // An alert owns nothing: the ladder pages until a person acknowledges and takes the lead.
      commander: isAlertActor(input.actor.id) ? null : input.actor.id,
      summary,
      declaredAt: now,
      requestKey: input.requestKey ?? null,
      impactStartedAt: alertImpactStart(alert?.startsAt ?? null, now),
      diagnoseWithinSeconds: diagnoseWithinSeconds(runbook),
      number: input.number ?? null,
    },
    runbook.steps.map((s, position) => ({ stepId: s.id, position, title: s.title })),
    {
      events: [
        {
          kind: 'incident.declared',
          actor: input.actor.id,
          at: now,
          data: { runbook: runbook.id, severity, title },
          key: `${id}:declared`,
        },
        ...(alert
          ? [
              {
                kind: 'alert.received',
                actor: input.actor.id,
                at: now,
                data: {
                  source: alert.source,
                  fingerprint: alert.fingerprint,
                  labels: alert.labels,
                  url: alert.url,
                  startsAt: alert.startsAt?.toISOString() ?? null,
                },
                key: `${id}:alert:received`,
              },
            ]
          : []),
        ...probes.events,
      ],
      probeRuns: probes.probeRuns,
      jobs: [
        {
          kind: 'chat.provision',
          payload: { incidentId: id, platform: input.platform, replyTo: input.replyTo ?? null },
          dedupeKey: `${id}:provision`,
          runAt: now,
        },
        ...(probes.jobs ?? []),
        // Earlier incidents like this one, said under the checklist once setup has posted it.
        similarNoticeJob({ id, declaredAt: now, platform: input.platform }),
        // The diagnosis clock starts with the incident. Nothing withdraws it: when due, it looks for itself.
        diagnosisDueJob({ id, declaredAt: now }, runbook),
        // So does the on-call ladder: level 1 fires unless someone acknowledges first.
        ...[firstLevelJob({ id, declaredAt: now, severity: runbook.severity }, runbook)].filter((j) => j !== null),
      ],
    },
  );
}

/** `switching`: the runbook was named to switch an incident to, not to declare one. */
export function unknownRunbook(catalog: RunbookCatalog, input: string, switching = false): UserError {
  return new UserError({ code: 'unknown_runbook', input, suggestions: catalog.suggest(input), runbooks: catalog.ids(), ...(switching ? { switching } : {}) });
}
