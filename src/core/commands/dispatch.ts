import { UserError } from '../errors';
import { acknowledge } from '../incident/acknowledge';
import { assignCommander } from '../incident/assign-commander';
import { cancel } from '../incident/cancel';
import { declareIncident, unknownRunbook } from '../incident/declare-incident';
import type { CoreDeps } from '../incident/deps';
import { mitigate } from '../incident/mitigate';
import { label, type Snapshot } from '../incident/model';
import { resolve } from '../incident/resolve';
import { setSeverity } from '../incident/set-severity';
import { setStep } from '../incident/set-step';
import type { ChatPlatform, ReplyTo } from '../ports';
import type { ActionPayload } from '../render/actions';
import { declaringText, helpText, listText, statusText } from '../render/replies';
import type { Text } from '../render/text';
import { Limiter } from './limit';
import type { Command } from './parse';

export interface Request {
  userId: string;
  platform: ChatPlatform;
  workspace: string | null;
  /** The room the request came from. */
  room: string | null;
  replyTo?: ReplyTo;
  /** The platform's id for a click (Slack action_ts); a replay of it records nothing. */
  requestId?: string;
}

/** What to tell the person; null when the answer arrives another way (a re-rendered message, a job). */
export interface Result {
  reply: Text | null;
  snapshot?: Snapshot;
}

/**
 * Runs commands and clicks for every surface: an adapter turns its input into a Command or an
 * ActionPayload plus who and where, and formats the Text that comes back.
 */
export class Dispatcher {
  private readonly limiter: Limiter;

  constructor(
    private readonly deps: CoreDeps,
    maxInFlight = 8,
  ) {
    this.limiter = new Limiter(maxInFlight);
  }

  /** Answers that need no database, so an adapter can send them with its acknowledgement. */
  answerAtOnce(cmd: Command): Text | null {
    if (cmd.kind === 'help') return helpText(this.deps.catalog);
    if (cmd.kind === 'declare') {
      const pb = this.deps.catalog.find(cmd.runbook);
      if (!pb) throw unknownRunbook(this.deps.catalog, cmd.runbook);
      return declaringText(pb.id, pb.title);
    }
    return null;
  }

  command(cmd: Command, req: Request): Promise<Result> {
    return this.limiter.run(() => this.runCommand(cmd, req));
  }

  click(action: ActionPayload, req: Request): Promise<Result> {
    return this.limiter.run(() => this.runClick(action, req));
  }

  private async runCommand(cmd: Command, req: Request): Promise<Result> {
    const { deps } = this;
    switch (cmd.kind) {
      case 'help':
        return { reply: helpText(deps.catalog) };
      case 'list':
        return { reply: listText(await deps.store.listOpen(req.platform.name, req.workspace)) };
      case 'declare': {
        const snapshot = await declareIncident(deps, {
          runbook: cmd.runbook,
          summary: cmd.summary,
          actor: { id: req.userId },
          platform: req.platform.name,
          workspace: req.workspace,
          replyTo: req.replyTo,
        });
        return { reply: null, snapshot }; // provisioning tells the declarer where to work
      }
    }
    const snap = req.room ? await deps.store.findByChannel(req.platform.name, req.room) : null;
    if (!snap) throw new UserError({ code: 'not_in_incident', command: cmd.kind });
    const id = snap.incident.id;
    const name = label(snap.incident);
    if (cmd.kind === 'status') return { reply: statusText(snap), snapshot: snap };
    const actor = await req.platform.resolveActor(req.userId, snap.incident, { room: req.room, via: 'command' });
    switch (cmd.kind) {
      case 'ack': {
        const r = await acknowledge(deps, id, actor, 'command');
        return { reply: r.changed ? [`You acknowledged ${name}.`] : [`${name} is already ${r.snapshot.incident.status}.`], snapshot: r.snapshot };
      }
      case 'mitigate': {
        const r = await mitigate(deps, id, actor);
        const reply: Text = r.changed
          ? [`${name} is marked mitigated. Resolve it with `, { command: 'resolve <summary>' }, ' once you are sure.']
          : [`${name} is already mitigated.`];
        return { reply, snapshot: r.snapshot };
      }
      case 'resolve': {
        const r = await resolve(deps, id, actor, cmd.summary);
        return { reply: [r.changed ? `${name} resolved.` : `${name} was already resolved.`], snapshot: r.snapshot };
      }
      case 'cancel': {
        const r = await cancel(deps, id, actor, cmd.reason);
        return { reply: [r.changed ? `${name} cancelled; it is left out of MTTR.` : `${name} was already cancelled.`], snapshot: r.snapshot };
      }
      case 'sev': {
        const r = await setSeverity(deps, id, cmd.severity, actor);
        return { reply: [r.changed ? `${name} is now SEV${cmd.severity}.` : `${name} is already SEV${cmd.severity}.`], snapshot: r.snapshot };
      }
      case 'commander': {
        const r = await assignCommander(deps, id, cmd.userId, actor);
        return { reply: [{ user: cmd.userId }, r.changed ? ` now leads ${name}.` : ` already leads ${name}.`], snapshot: r.snapshot };
      }
    }
  }

  private async runClick(action: ActionPayload, req: Request): Promise<Result> {
    const { deps } = this;
    const snap = await deps.store.get(action.i);
    if (!snap) throw new UserError({ code: 'not_found' });
    const actor = await req.platform.resolveActor(req.userId, snap.incident, { room: req.room, via: 'click' });
    const name = label(snap.incident);
    switch (action.a) {
      case 'step': {
        const r = await setStep(deps, { incidentId: action.i, stepId: action.s, to: action.to, actor, requestId: req.requestId });
        return { reply: null, snapshot: r.snapshot }; // the re-rendered checklist is the answer
      }
      case 'ack': {
        const r = await acknowledge(deps, action.i, actor, 'button');
        return { reply: r.changed ? null : [`${name} is already ${r.snapshot.incident.status}.`], snapshot: r.snapshot };
      }
      case 'resolve': {
        const r = await resolve(deps, action.i, actor);
        return { reply: r.changed ? null : [`${name} was already resolved.`], snapshot: r.snapshot };
      }
    }
  }
}
