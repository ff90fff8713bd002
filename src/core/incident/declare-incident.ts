import { UserError } from '../errors';
import type { Snapshot, Actor } from './model';
import type { CoreDeps } from './deps';

export interface DeclareInput {
  runbook: string;
  summary?: string;
  /** Anyone may declare, so only who it is matters here. */
  actor: Pick<Actor, 'id'>;
  platform: string;
  workspace: string | null;
  /** Where the adapter should report the outcome (e.g. a Slack response_url); opaque to the core. */
  replyTo?: Record<string, unknown>;
}

export async function declareIncident(deps: CoreDeps, input: DeclareInput): Promise<Snapshot> {
  const pb = deps.catalog.find(input.runbook);
  if (!pb) throw unknownRunbook(deps, input.runbook);
  const now = deps.clock.now();
  const summary = input.summary?.trim() || null;
  return deps.store.create(
    {
      playbookId: pb.id,
      class: pb.class,
      title: summary ?? pb.title,
      severity: pb.severity,
      status: 'declared',
      platform: input.platform,
      workspace: input.workspace,
      declaredBy: input.actor.id,
      // Whoever declares leads until they hand over; someone must own the incident from second one.
      commander: input.actor.id,
      summary,
      declaredAt: now,
    },
    pb.steps.map((s, position) => ({ stepId: s.id, position, title: s.title })),
    (created) => ({
      events: [
        {
          kind: 'incident.declared',
          actor: input.actor.id,
          at: now,
          data: { playbook: pb.id, severity: pb.severity, title: created.title },
          key: `${created.id}:declared`,
        },
      ],
      jobs: [
        {
          kind: 'chat.provision',
          payload: { incidentId: created.id, platform: input.platform, replyTo: input.replyTo ?? null },
          dedupeKey: `${created.id}:provision`,
          runAt: now,
        },
      ],
    }),
  );
}

export function unknownRunbook(deps: Pick<CoreDeps, 'catalog'>, name: string): UserError {
  const suggestions = deps.catalog.suggest(name);
  const hint = suggestions.length > 0 ? ` Did you mean ${suggestions.join(' or ')}?` : '';
  return new UserError(
    'unknown_runbook',
    `Unknown runbook "${name}".${hint} Runbooks: ${deps.catalog.ids().join(', ')}. Try \`/incident ${suggestions[0] ?? deps.catalog.ids()[0]} <summary>\`.`,
  );
}
