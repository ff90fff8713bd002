import { NotWrittenError, UserError } from '../errors';
import { acknowledge } from '../incident/acknowledge';
import { assignCommander } from '../incident/assign-commander';
import { cancel } from '../incident/cancel';
import { acceptDeclare } from '../incident/accept-declare';
import { declareIncident, unknownRunbook, type DeclareInput } from '../incident/declare-incident';
import type { CoreDeps } from '../incident/deps';
import { mitigate } from '../incident/mitigate';
import { label, type Actor, type AnalysisField, type Incident, type Snapshot } from '../model';
import { validationChecks, type Runbook, type ValidationCheck } from '../runbook/schema';
import { checksToConfirm, resolve } from '../incident/resolve';
import { resolveFormView, type ResolveFormView } from '../render/validation';
import { retrySetup } from '../incident/retry-setup';
import { runProbes } from '../incident/probes';
import { escalateNow } from '../incident/escalation';
import { markDiagnosed } from '../incident/diagnose';
import { requireParticipant } from '../incident/guards';
import { clippedText } from '../incident/text-limits';
import { addActionItem, closeActionItem } from '../incident/action-items';
import { recordEdgeCase } from '../incident/edge-case';
import { addNote } from '../incident/note';
import { setImpactStart } from '../incident/impact-start';
import { knownZone } from '../incident/local-day';
import { movePostmortem, openPostmortem } from '../incident/postmortem';
import { editAnalysis, requireAnalysisEditor } from '../incident/analysis';
import { analysisFormView, analysisStatusText, type AnalysisFormView } from '../render/analysis';
import { actionAddedText, actionClosedText, actionListText, postmortemStatusText } from '../render/follow-up-text';
import { edgeCaseListText, edgeCaseText } from '../render/edge-cases';
import { edgeCaseOf, parseEdgeCaseId, type EdgeCaseRef } from '../runbook/edge-cases';
import { mttrText } from '../render/report-text';
import { searchResultsText } from '../render/past-incidents';
import { SEARCH_RESULTS_MAX } from '../search';
import { setSeverity } from '../incident/set-severity';
import { setStep } from '../incident/set-step';
import { setClass } from '../incident/set-class';
import { linkIncidents, markDuplicate } from '../incident/relations';
import { classText, duplicateText, linkedText } from '../render/relation-text';
import { switchRunbook } from '../incident/switch-runbook';
import type { ChatPlatform, OpsLog, ReplyTo } from '../ports';
import type { ActionPayload } from '../text/actions';
import {
  acknowledgedText,
  actionAlreadyAddedText,
  cancelledText,
  causeRecordedText,
  commanderText,
  declaredText,
  mitigatedText,
  noteAddedText,
  resolvedText,
  runbookSwitchedText,
  resolvedValidatedText,
  validationAskText,
  setupRetriedText,
  severityText,
  escalatedText,
  helpText,
  impactStartText,
  listText,
  notRecordedText,
  probesQueuedText,
  problemText,
  statusText,
  unconfirmedText,
} from '../render/replies';
import type { Text } from '../text/text';
import { stepDetailView, type StepDetailView } from '../render/views';
import { Limiter } from './limit';
import { forRequest } from './request-deps';
import type { Command } from './parse';

export interface Request {
  userId: string;
  platform: ChatPlatform;
  workspace: string | null;
  /** The room the request came from. */
  room: string | null;
  /** The request came from a direct message with the bot (a Slack DM, a Teams 1:1 chat), where pages land. */
  direct?: boolean;
  replyTo?: ReplyTo;
  /** The platform's id for this request (Slack: trigger_id, action_ts); a replay of it records nothing. */
  requestId?: string;
  /**
   * The IANA zone the person reads and types times in (Slack's profile zone, Teams' localTimezone,
   * the console browser's). Asked only by commands that read a typed time; null or a zone this
   * runtime does not know means the team's zone (TEAM_TZ).
   */
  readerTz?: () => Promise<string | null>;
}

export type DeclareCommand = Extract<Command, { kind: 'declare' }>;

const DECLARE_WITHOUT_DEADLINE_MS = 10_000;

/** A message to pin, as the platform read it. */
export interface PinnedMessage {
  text: string | null;
  author: string | null;
  link: string | null;
}

/** Why a pinned message added nothing; `incident` names the incident once one was found. */
export interface PinSkipped {
  skipped: 'not_incident' | 'already_there' | 'no_text';
  incident?: string;
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
    private readonly log: OpsLog,
    maxInFlight = 8,
  ) {
    this.limiter = new Limiter(maxInFlight);
  }

  /** Answers that need no database, so an adapter can send them with its acknowledgement. */
  answerAtOnce(cmd: Command): Text | null {
    if (cmd.kind === 'help') return helpText(this.deps.catalog);
    if (cmd.kind === 'declare' && !this.deps.catalog.find(cmd.runbook)) throw unknownRunbook(this.deps.catalog, cmd.runbook);
    return null;
  }

  /**
   * Records a declare before the adapter acknowledges it, so an acknowledged declare is never
   * lost. Never throws: the reply says truthfully whether the incident was recorded, was not, or
   * could not be confirmed within `budgetMs`. What it could not record is logged in full.
   */
  async declareNow(cmd: DeclareCommand, req: Request, budgetMs: number): Promise<Result & { recorded: 'yes' | 'no' | 'unknown' }> {
    const runbook = this.deps.catalog.find(cmd.runbook);
    if (!runbook) return { reply: problemText(unknownRunbook(this.deps.catalog, cmd.runbook).problem), recorded: 'no' };
    return this.recordNow(cmd, req, budgetMs, runbook, declareIncident(this.deps, this.declareInput(cmd, req)), (out) => ({
      reply: declaredText(out.snapshot.incident, runbook.title, out.created),
      snapshot: out.snapshot,
    }));
  }

  /**
   * `declareNow` for a platform that must ack within seconds and gives each request an id (Slack):
   * only the request is recorded before the ack, one row (with the incident's number) where the
   * declare writes a score, and the incident is declared right after it (accept-declare.ts). Its
   * room follows at the request's `replyTo`. Without a request id, a replay could not be told
   * apart: it declares now.
   */
  async acceptNow(cmd: DeclareCommand, req: Request, budgetMs: number): Promise<Result & { recorded: 'yes' | 'no' | 'unknown' }> {
    const requestKey = req.requestId;
    if (!requestKey) return this.declareNow(cmd, req, budgetMs);
    const runbook = this.deps.catalog.find(cmd.runbook);
    if (!runbook) return { reply: problemText(unknownRunbook(this.deps.catalog, cmd.runbook).problem), recorded: 'no' };
    const write = acceptDeclare(this.deps, { ...this.declareInput(cmd, req), requestKey });
    return this.recordNow(cmd, req, budgetMs, runbook, write, (out) => ({
      reply: declaredText({ number: out.number, runbookId: runbook.id, channelId: null }, runbook.title, out.accepted),
    }));
  }

  private declareInput(cmd: DeclareCommand, req: Request): DeclareInput {
    return {
      runbook: cmd.runbook,
      summary: cmd.summary,
      actor: { id: req.userId },
      platform: req.platform.name,
      workspace: req.workspace,
      replyTo: req.replyTo,
      requestKey: req.requestId,
    };
  }

  /** Never throws: the reply says truthfully whether the write landed, did not, or could not be confirmed within `budgetMs`. */
  private async recordNow<T>(
    cmd: DeclareCommand,
    req: Request,
    budgetMs: number,
    runbook: Runbook,
    write: Promise<T>,
    answer: (out: T) => Result,
  ): Promise<Result & { recorded: 'yes' | 'no' | 'unknown' }> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), budgetMs)));
    try {
      const out = await Promise.race([write, late]);
      if (out !== 'late') return { ...answer(out), recorded: 'yes' };
      write.catch(() => undefined); // it may still land; provisioning then posts the channel link
      this.lost('unknown', cmd, req, 'no answer within the declare budget');
      return { reply: unconfirmedText(runbook), recorded: 'unknown' };
    } catch (err) {
      if (err instanceof UserError) return { reply: problemText(err.problem), recorded: 'no' };
      const sure = err instanceof NotWrittenError;
      this.lost(sure ? 'no' : 'unknown', cmd, req, (err as Error).message);
      return sure ? { reply: notRecordedText(runbook), recorded: 'no' } : { reply: unconfirmedText(runbook), recorded: 'unknown' };
    } finally {
      clearTimeout(timer);
    }
  }

  /** Everything needed to declare it again by hand, for whoever reads the logs. */
  private lost(recorded: 'no' | 'unknown', cmd: DeclareCommand, req: Request, reason: string): void {
    this.log.error(
      {
        recorded,
        declare: {
          runbook: cmd.runbook,
          summary: cmd.summary ?? null,
          actor: req.userId,
          platform: req.platform.name,
          workspace: req.workspace,
          room: req.room,
          requestId: req.requestId ?? null,
        },
        reason,
      },
      recorded === 'no' ? 'declare NOT recorded' : 'declare not confirmed',
    );
  }

  command(cmd: Command, req: Request): Promise<Result> {
    return this.limiter.run(() => this.runCommand(cmd, req));
  }

  click(action: ActionPayload, req: Request): Promise<Result> {
    return this.limiter.run(() => this.runClick(action, req));
  }

  /**
   * One step whole, for a Details button. Only reads, and what it shows is the runbook's text
   * and the checklist everyone in the room already sees, so it asks nothing of who clicked.
   */
  async stepDetails(incidentId: string, stepId: string): Promise<StepDetailView> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap) throw new UserError({ code: 'not_found' });
    const view = stepDetailView(snap, this.deps.catalog.forIncident(snap.incident.runbookId), stepId);
    if (!view) throw new UserError({ code: 'unknown_step', incident: label(snap.incident), step: stepId });
    return view;
  }

  private async runCommand(cmd: Command, req: Request): Promise<Result> {
    const deps = forRequest(this.deps, req.platform.name, req.requestId);
    switch (cmd.kind) {
      case 'help':
        return { reply: helpText(deps.catalog) };
      case 'list':
        return { reply: listText(await deps.store.listOpen(req.platform.name, req.workspace)) };
      case 'declare':
        // A surface with no deadline of its own still gets a truthful answer in bounded time.
        return this.declareNow(cmd, req, DECLARE_WITHOUT_DEADLINE_MS);
      case 'search': {
        if (!deps.search) throw new Error('search is not wired in this process');
        const scope = { platform: req.platform.name, workspace: req.workspace };
        const answer = await deps.search.search(scope, cmd.query, SEARCH_RESULTS_MAX);
        return { reply: searchResultsText(cmd.query, answer, req.platform.name, SEARCH_RESULTS_MAX) };
      }
      case 'mttr': {
        if (!deps.reports) throw new Error('reports are not wired in this process');
        const until = deps.clock.now();
        const since = new Date(until.getTime() - cmd.days * 86_400_000);
        const report = await deps.reports.mttr({ since, until }, deps.catalog.coveredClasses());
        return { reply: mttrText(report, `the last ${cmd.days} days`) };
      }
    }
    const ref = 'ref' in cmd ? cmd.ref : undefined;
    const snap =
      ref !== undefined
        ? await deps.store.findByNumber(req.platform.name, req.workspace, ref)
        : req.room
          ? await deps.store.findByChannel(req.platform.name, req.room)
          : null;
    if (!snap) throw new UserError(ref !== undefined ? { code: 'unknown_incident', ref } : { code: 'not_in_incident', command: cmd.kind });
    const id = snap.incident.id;
    const name = label(snap.incident);
    if (cmd.kind === 'status') return { reply: statusText(snap), snapshot: snap };
    if (cmd.kind === 'action_list') return { reply: actionListText(snap, deps.clock.now(), deps.tz), snapshot: snap };
    if (cmd.kind === 'postmortem' && !cmd.to && snap.postmortem) return { reply: postmortemStatusText(snap), snapshot: snap };
    if (cmd.kind === 'analysis' && !cmd.field) return { reply: analysisStatusText(snap), snapshot: snap };
    if (cmd.kind === 'edge' && cmd.number === undefined)
      return { reply: edgeCaseListText(snap, deps.catalog.forIncident(snap.incident.runbookId)), snapshot: snap };
    const actor = await req.platform.resolveActor(req.userId, snap.incident, { room: req.room, via: 'command' });
    switch (cmd.kind) {
      case 'ack': {
        const r = await acknowledge(deps, id, actor, 'command');
        return { reply: acknowledgedText(name, r.snapshot.incident.status, r.changed), snapshot: r.snapshot };
      }
      case 'mitigate': {
        const r = await mitigate(deps, id, actor);
        return { reply: mitigatedText(name, r.changed), snapshot: r.snapshot };
      }
      case 'resolve': {
        // Without --validated, a runbook's quick validation is asked for first, and nothing is resolved.
        const ask = cmd.validated ? null : this.checksToAsk(snap, actor);
        if (ask) return { reply: validationAskText(name, ask, cmd.ref), snapshot: snap };
        const r = await resolve(deps, id, actor, cmd.summary, { confirmed: cmd.validated ? 'all' : [] });
        return {
          reply: r.changed ? resolvedValidatedText(name, r.snapshot.incident, this.checkCount(r.snapshot)) : resolvedText(name, false),
          snapshot: r.snapshot,
        };
      }
      case 'cancel': {
        const r = await cancel(deps, id, actor, cmd.reason);
        return { reply: cancelledText(name, r.changed), snapshot: r.snapshot };
      }
      case 'sev': {
        const r = await setSeverity(deps, id, cmd.severity, actor);
        return { reply: severityText(name, cmd.severity, r.changed), snapshot: r.snapshot };
      }
      case 'runbook': {
        const r = await switchRunbook(deps, id, cmd.runbook, actor, cmd.reason);
        const title = deps.catalog.forIncident(r.snapshot.incident.runbookId).title;
        return { reply: runbookSwitchedText(name, title, r.changed), snapshot: r.snapshot };
      }
      case 'commander': {
        const r = await assignCommander(deps, id, cmd.userId, actor);
        return { reply: commanderText(name, cmd.userId, r.changed), snapshot: r.snapshot };
      }
      case 'retry': {
        const r = await retrySetup(deps, id, actor, req.replyTo ?? null);
        return { reply: setupRetriedText(name), snapshot: r.snapshot };
      }
      case 'probe': {
        const r = await runProbes(deps, id, cmd.probe, actor, req.requestId ?? `v${snap.incident.version}`);
        return { reply: probesQueuedText(name, cmd.probe), snapshot: r.snapshot };
      }
      case 'diagnosed': {
        const r = await markDiagnosed(deps, id, actor, 'command', cmd.note);
        return { reply: causeRecordedText(name, r.changed), snapshot: r.snapshot };
      }
      case 'escalate': {
        const r = await escalateNow(deps, id, actor, cmd.reason);
        return { reply: escalatedText(name, Math.max(0, ...(r.snapshot.escalations ?? []).map((e) => e.level))), snapshot: r.snapshot };
      }
      case 'postmortem': {
        const r = cmd.to ? await movePostmortem(deps, id, actor, cmd.to) : await openPostmortem(deps, id, actor);
        return { reply: postmortemStatusText(r.snapshot), snapshot: r.snapshot };
      }
      case 'analysis': {
        const r = await editAnalysis(deps, id, actor, { [cmd.field!]: cmd.text }, req.requestId ?? `v${snap.incident.version}`);
        return { reply: analysisStatusText(r.snapshot, r.changed), snapshot: r.snapshot };
      }
      case 'action_add': {
        const r = await addActionItem(deps, id, actor, { text: cmd.text, owner: cmd.owner, dueOn: cmd.dueOn }, req.requestId ?? `v${snap.incident.version}`);
        const item = r.changed ? r.snapshot.actionItems?.at(-1) : undefined;
        return { reply: item ? actionAddedText(name, item) : actionAlreadyAddedText(name), snapshot: r.snapshot };
      }
      case 'action_done': {
        const r = await closeActionItem(deps, id, actor, cmd.number);
        return { reply: actionClosedText(r.snapshot, cmd.number, r.changed), snapshot: r.snapshot };
      }
      case 'class': {
        const r = await setClass(deps, id, cmd.name, actor);
        return { reply: classText(name, cmd.name, r.changed), snapshot: r.snapshot };
      }
      case 'duplicate':
      case 'link': {
        // The other incident is named by number, in this incident's workspace, as `resolve INC-7` names one.
        const number = cmd.kind === 'duplicate' ? cmd.of : cmd.with;
        if (number === snap.incident.number) throw new UserError({ code: 'relation_to_itself', incident: name, relation: cmd.kind });
        const other = await deps.store.findByNumber(req.platform.name, snap.incident.workspace, number);
        if (!other) throw new UserError({ code: 'unknown_incident', ref: number });
        const r = cmd.kind === 'duplicate' ? await markDuplicate(deps, id, other.incident.id, actor) : await linkIncidents(deps, id, other.incident.id, actor);
        const text = cmd.kind === 'duplicate' ? duplicateText : linkedText;
        return { reply: text(name, label(other.incident), r.changed), snapshot: r.snapshots[0] };
      }
      case 'note': {
        const note = { text: cmd.text, author: null, link: null, message: null };
        const r = await addNote(deps, id, actor, note, req.requestId ?? `v${snap.incident.version}`);
        return { reply: noteAddedText(name, r.changed), snapshot: r.snapshot };
      }
      case 'started': {
        const tz = await readerZone(req, deps.tz);
        const r = await setImpactStart(deps, id, cmd.time, actor, tz);
        return { reply: impactStartText(r.snapshot.incident, tz, r.changed), snapshot: r.snapshot };
      }
      case 'edge': {
        const ref: EdgeCaseRef = { step: cmd.step ?? null, n: cmd.number ?? 0 };
        const r = await recordEdgeCase(deps, id, actor, ref, cmd.note);
        const edge = edgeCaseOf(deps.catalog.forIncident(r.snapshot.incident.runbookId), ref)!;
        return { reply: edgeCaseText(r.snapshot, ref, edge, r.changed), snapshot: r.snapshot };
      }
    }
  }

  /**
   * A message pinned to the timeline (Slack's 📌 reaction): `message` is its id in `req.room`.
   * Quiet outside an incident's room (📌 means other things elsewhere); `read` fetches the
   * message only once the incident is found, the person may add to it and the message is not
   * on its timeline yet. Null when nothing was added (not an incident room, already there, gone).
   */
  async pinMessage(req: Request, message: string, read: () => Promise<PinnedMessage | null>): Promise<Result | null> {
    const r = await this.pinMessageOutcome(req, message, read);
    return 'skipped' in r ? null : r;
  }

  /**
   * pinMessage, saying why nothing was added, for a surface that must answer every request
   * (Teams' message action) rather than stay quiet.
   */
  pinMessageOutcome(req: Request, message: string, read: () => Promise<PinnedMessage | null>): Promise<Result | PinSkipped> {
    return this.limiter.run(async (): Promise<Result | PinSkipped> => {
      if (!req.room) return { skipped: 'not_incident' };
      const snap = await this.deps.store.findByChannel(req.platform.name, req.room);
      if (!snap) return { skipped: 'not_incident' };
      const incident = label(snap.incident);
      const ref = `${req.room}/${message}`;
      if ((snap.notes ?? []).some((n) => n.message === ref)) return { skipped: 'already_there', incident };
      const actor = await req.platform.resolveActor(req.userId, snap.incident, { room: req.room, via: 'click' });
      requireParticipant(actor, snap.incident, 'add_note');
      const found = await read();
      const text = clippedText(found?.text ?? undefined);
      if (!found || !text) return { skipped: 'no_text', incident };
      const deps = forRequest(this.deps, req.platform.name, req.requestId);
      const r = await addNote(deps, snap.incident.id, actor, { text, author: found.author, link: found.link, message: ref }, ref);
      // Unchanged: someone added the same message in the meantime, found under the incident's lock.
      if (!r.changed) return { skipped: 'already_there', incident };
      return { reply: noteAddedText(incident, true), snapshot: r.snapshot };
    });
  }

  /**
   * What the Resolve button's form asks for: the incident's quick validation checks. Reads only,
   * after the refusals the resolve itself would meet, so nobody fills in a form they cannot submit.
   */
  async resolveForm(incidentId: string, req: Request): Promise<ResolveFormView | Result> {
    const { actor, snapshot: snap } = await this.clicked({ a: 'resolve', i: incidentId }, req);
    if (snap.incident.status === 'resolved') return { reply: resolvedText(label(snap.incident), false), snapshot: snap };
    const runbook = this.deps.catalog.forIncident(snap.incident.runbookId);
    checksToConfirm(snap, actor, runbook);
    return resolveFormView(snap, runbook);
  }

  /** The resolve form sent back: the checks ticked and the resolution typed. */
  submitResolve(incidentId: string, form: { confirmed: number[]; summary?: string }, req: Request): Promise<Result> {
    return this.limiter.run(async () => {
      const { deps, actor, incident } = await this.clicked({ a: 'resolve', i: incidentId }, req);
      const name = label(incident);
      const r = await resolve(deps, incidentId, actor, form.summary?.trim() || undefined, { confirmed: form.confirmed });
      return {
        reply: r.changed ? resolvedValidatedText(name, r.snapshot.incident, this.checkCount(r.snapshot)) : resolvedText(name, false),
        snapshot: r.snapshot,
      };
    });
  }

  /**
   * What Edit analysis opens: the form, prefilled. Reads only, after the refusals the edit itself
   * would meet (no post-mortem, published, not its owner, commander or an admin).
   */
  async analysisForm(incidentId: string, req: Request): Promise<AnalysisFormView> {
    const { actor, snapshot: snap } = await this.clicked({ a: 'analysis', i: incidentId }, req);
    requireAnalysisEditor(snap, actor);
    return analysisFormView(snap);
  }

  /** The analysis form sent back: every part it showed, an empty one cleared. */
  submitAnalysis(incidentId: string, form: Partial<Record<AnalysisField, string | null>>, req: Request): Promise<Result> {
    return this.limiter.run(async () => {
      const { deps, actor, incident } = await this.clicked({ a: 'analysis', i: incidentId }, req);
      const r = await editAnalysis(deps, incidentId, actor, form, req.requestId ?? `v${incident.version}`);
      return { reply: analysisStatusText(r.snapshot, r.changed), snapshot: r.snapshot };
    });
  }

  private checkCount(snap: Snapshot): number {
    return validationChecks(this.deps.catalog.forIncident(snap.incident.runbookId)).length;
  }

  /** The checks to ask for before resolving; null when there is nothing to ask (none, or already resolved). */
  private checksToAsk(snap: Snapshot, actor: Actor): ValidationCheck[] | null {
    if (snap.incident.status === 'resolved') return null;
    const checks = checksToConfirm(snap, actor, this.deps.catalog.forIncident(snap.incident.runbookId));
    return checks.length > 0 ? checks : null;
  }

  /** The incident a click or a form acts on, and who acts, after checking where it came from. */
  private async clicked(action: ActionPayload, req: Request): Promise<{ deps: CoreDeps; incident: Incident; actor: Actor; snapshot: Snapshot }> {
    const deps = forRequest(this.deps, req.platform.name, req.requestId);
    // The whole incident, not the row alone: the click's change starts from this read (request-deps.ts).
    const snapshot = await deps.store.get(action.i);
    if (!snapshot) throw new UserError({ code: 'not_found' });
    const incident = snapshot.incident;
    // A button is only ever posted in the incident's own room: one clicked anywhere else was
    // forged or copied, and must not act on the incident through someone else's membership. An
    // action item's Done is also on its owner's home, and who may close it is who they are, not
    // where they clicked. Acknowledge is also on every page in a direct message (a Slack DM, a Teams
    // 1:1 card): the page brought the person into the room, and acknowledging still requires it.
    // An incident an alert declared has no workspace (no request told it one): its room decides.
    const sameWorkspace = incident.workspace === null || req.workspace === incident.workspace;
    const anywhere = sameWorkspace && (action.a === 'item' || (action.a === 'ack' && req.direct === true));
    if (!anywhere && (req.room !== incident.channelId || !sameWorkspace)) {
      throw new UserError({ code: 'wrong_place', incident: label(incident), channel: incident.channelId });
    }
    const actor = await req.platform.resolveActor(req.userId, incident, { room: req.room, via: 'click' });
    return { deps, incident, actor, snapshot };
  }

  private async runClick(action: ActionPayload, req: Request): Promise<Result> {
    const { deps, incident, actor, snapshot } = await this.clicked(action, req);
    const name = label(incident);
    switch (action.a) {
      case 'step': {
        const r = await setStep(deps, { incidentId: action.i, stepId: action.s, to: action.to, actor, requestId: req.requestId, generation: action.g });
        return { reply: null, snapshot: r.snapshot }; // the re-rendered checklist is the answer
      }
      case 'ack': {
        const r = await acknowledge(deps, action.i, actor, 'button');
        return { reply: r.changed ? null : acknowledgedText(name, r.snapshot.incident.status, false), snapshot: r.snapshot };
      }
      case 'resolve': {
        // A Resolve button opens the resolve form where the surface has one; a bare click (an old
        // button) is asked for the quick validation, like the command.
        const ask = this.checksToAsk(snapshot, actor);
        if (ask) return { reply: validationAskText(name, ask), snapshot };
        const r = await resolve(deps, action.i, actor, undefined, { confirmed: [] });
        return { reply: r.changed ? null : resolvedText(name, false), snapshot: r.snapshot };
      }
      case 'probe': {
        const r = await runProbes(deps, action.i, action.p, actor, req.requestId ?? `v${incident.version}`);
        return { reply: null, snapshot: r.snapshot }; // the checklist shows the run, then its result
      }
      case 'diagnosed': {
        const r = await markDiagnosed(deps, action.i, actor, 'button');
        return { reply: r.changed ? null : causeRecordedText(name, false), snapshot: r.snapshot };
      }
      case 'escalate': {
        const r = await escalateNow(deps, action.i, actor);
        return { reply: escalatedText(name, Math.max(0, ...(r.snapshot.escalations ?? []).map((e) => e.level))), snapshot: r.snapshot };
      }
      case 'item': {
        const r = await closeActionItem(deps, action.i, actor, action.n);
        return { reply: r.changed ? null : actionClosedText(r.snapshot, action.n, false), snapshot: r.snapshot };
      }
      case 'runbook': {
        const r = await switchRunbook(deps, action.i, action.r, actor);
        const title = deps.catalog.forIncident(r.snapshot.incident.runbookId).title;
        return { reply: runbookSwitchedText(name, title, r.changed), snapshot: r.snapshot };
      }
      case 'pm': {
        const r = await movePostmortem(deps, action.i, actor, action.to);
        return { reply: r.changed ? null : postmortemStatusText(r.snapshot), snapshot: r.snapshot };
      }
      case 'analysis': {
        // A surface without the form (an old client): what is missing, and the command that writes it.
        return { reply: analysisStatusText(snapshot), snapshot };
      }
      case 'edge': {
        const ref = parseEdgeCaseId(action.c)!; // the payload's schema took only ids
        const r = await recordEdgeCase(deps, action.i, actor, ref);
        // The case now shows as happened; a second click (a double click, a colleague) is told who did.
        if (r.changed) return { reply: null, snapshot: r.snapshot };
        const edge = edgeCaseOf(deps.catalog.forIncident(r.snapshot.incident.runbookId), ref)!;
        return { reply: edgeCaseText(r.snapshot, ref, edge, false), snapshot: r.snapshot };
      }
    }
  }
}

/**
 * The zone a typed time is read in: the person's own when their platform says it, else the team's.
 * The answer names the zone it used, so a fallback is never silent.
 */
async function readerZone(req: Request, teamTz: string): Promise<string> {
  const tz = await req.readerTz?.().catch(() => null);
  return knownZone(tz) ? tz : teamTz;
}
