import { acknowledge } from '../../core/incident/acknowledge';
import { assignCommander } from '../../core/incident/assign-commander';
import { cancel } from '../../core/incident/cancel';
import { mitigate } from '../../core/incident/mitigate';
import { label, type Actor, type Incident, type Snapshot } from '../../core/incident/model';
import { resolve } from '../../core/incident/resolve';
import { setSeverity } from '../../core/incident/set-severity';
import { UserError } from '../../core/errors';
import type { SlashCommand } from './command-parser';
import type { SlackContext } from './context';
import { mention, slackTime } from './format';

type ScopedCommand = Exclude<SlashCommand, { kind: 'help' | 'declare' | 'list' }>;

/** Commands that act on the incident whose channel they are typed in. Returns the reply. */
export async function runInIncident(ctx: SlackContext, cmd: ScopedCommand, channelId: string, actor: Actor): Promise<string> {
  const snap = await ctx.deps.store.findByChannel('slack', channelId);
  if (!snap) {
    throw new UserError(
      'not_in_incident',
      `\`/incident ${cmd.kind}\` works inside an incident channel, and this is not one. Open the incident's channel (see \`/incident list\`) and run it there.`,
    );
  }
  const id = snap.incident.id;
  const name = label(snap.incident);
  const { deps } = ctx;
  switch (cmd.kind) {
    case 'status':
      return statusText(snap);
    case 'ack': {
      const r = await acknowledge(deps, id, actor);
      return r.changed ? `You acknowledged ${name}.` : `${name} is already ${r.snapshot.incident.status}.`;
    }
    case 'mitigate': {
      const r = await mitigate(deps, id, actor);
      return r.changed ? `${name} is marked mitigated. Resolve it with \`/incident resolve <summary>\` once you are sure.` : `${name} is already mitigated.`;
    }
    case 'resolve': {
      const r = await resolve(deps, id, actor, cmd.summary);
      return r.changed ? `${name} resolved.` : `${name} was already resolved.`;
    }
    case 'cancel': {
      const r = await cancel(deps, id, actor, cmd.reason);
      return r.changed ? `${name} cancelled; it is left out of MTTR.` : `${name} was already cancelled.`;
    }
    case 'sev': {
      const r = await setSeverity(deps, id, cmd.severity, actor);
      return r.changed ? `${name} is now SEV${cmd.severity}.` : `${name} is already SEV${cmd.severity}.`;
    }
    case 'commander': {
      const r = await assignCommander(deps, id, cmd.userId, actor);
      return r.changed ? `${mention(cmd.userId)} now leads ${name}.` : `${mention(cmd.userId)} already leads ${name}.`;
    }
  }
}

export function statusText(s: Snapshot): string {
  const i = s.incident;
  const done = s.steps.filter((x) => x.state === 'done').length;
  const next = s.steps.find((x) => x.state !== 'done');
  const when = (what: string, at: Date | null) => (at ? `${what} ${slackTime(at)}` : null);
  return [
    `*${label(i)}* · SEV${i.severity} · ${i.status} · runbook \`${i.playbookId}\``,
    i.title,
    `Commander: ${i.commander ? mention(i.commander) : 'nobody'} · Checklist: ${done} of ${s.steps.length} done${next ? ` · next: ${next.title}` : ''}`,
    [when('Declared', i.declaredAt), when('acknowledged', i.acknowledgedAt), when('diagnosed', i.diagnosedAt), when('mitigated', i.mitigatedAt), when('resolved', i.resolvedAt), when('cancelled', i.cancelledAt)]
      .filter(Boolean)
      .join(' · '),
  ].join('\n');
}

export function listText(open: Incident[]): string {
  if (open.length === 0) return 'No open incidents. Declare one with `/incident <runbook> [summary]`.';
  return [
    `*Open incidents (${open.length})*`,
    ...open.map(
      (i) =>
        `• *${label(i)}* SEV${i.severity} · ${i.status} · ${i.channelId ? `<#${i.channelId}>` : 'channel not open yet'} · ${i.title} · declared ${slackTime(i.declaredAt)}`,
    ),
  ].join('\n');
}
