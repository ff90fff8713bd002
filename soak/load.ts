/**
 * The load: `ops` operations in `concurrency` lanes, about a third of them declares and the rest
 * clicks on step buttons of incidents already set up. A request that gets no acknowledgement is
 * sent again, same body re-signed, once a bot answers: it is the same request (same trigger_id or
 * action_ts), so the bot may treat it as a replay. Every attempt is recorded.
 *
 * Clicks on one step are serialized: a step is clicked again only after the click before it was
 * answered AND Slack shows its result (or SETTLE_MS passed). So the state a click asks for is the
 * state the step should end in when no later click follows, and each click's timeline event, if
 * any, falls between its first send and the next click on that step.
 */
import type { ButtonsEvent, ReplyEvent } from '../test/support/fake-slack-process';
import type { BotSupervisor } from './bot-supervisor';
import type { ClickOp, DeclareOp, StepState } from './records';
import { clickBody, commandBody, failureCode, postSigned, type PostResult } from './slack-requests';
import type { IncidentRow, World } from './world';

const ATTEMPT_TIMEOUT_MS = 10_000;
const MAX_ATTEMPTS = 30;
/** How long a step waits for Slack to show the last click before it may be clicked anyway. */
const SETTLE_MS = 10_000;
/** How long a lane looks for a free step before it declares instead. */
const PICK_WAIT_MS = 2_000;
const USERS = 20;
const KILL_JITTER_MS = 100;

interface SeenButton {
  ts: string;
  value: string;
  label: string;
  seq: number;
}

interface StepTrack {
  inFlight: boolean;
  lastAsked: StepState | null;
  /** After this, the step may be clicked even if Slack has not shown the last click yet. */
  settleBy: number;
}

interface Target {
  incident: IncidentRow;
  stepId: string;
  actionId: string;
  button: SeenButton;
  track: StepTrack;
}

export interface LoadOptions {
  ops: number;
  concurrency: number;
  killPoints: Set<number>;
  respondBase: string;
  rng: () => number;
  /** No new operation starts after this (wall clock ms); ones in flight finish. */
  stopStartingAt: number;
}

export class LoadGenerator {
  readonly declares: DeclareOp[] = [];
  readonly clicks: ClickOp[] = [];
  /** Ops that were to be clicks but found no free step, and declared instead. */
  clicksTurnedDeclares = 0;
  /** Ops never started because the run hit its time limit or the bot could not be restarted. */
  notStarted = 0;
  readonly steps = new Map<string, StepTrack>();
  /** Kills scheduled by the lanes; the run waits for them (and the restarts) before checking. */
  readonly pendingKills: Promise<void>[] = [];
  /** Op index from which on a lane waits for a scheduled kill (and restart) to have happened. */
  private readonly gates: Array<{ from: number; done: Promise<void> }> = [];
  private readonly buttons = new Map<string, Map<string, SeenButton>>();
  private readonly replyTo = new Map<string, { replies: string[] }>();
  private nextOp = 0;
  private seq = 0;

  constructor(
    private readonly opts: LoadOptions,
    private readonly bot: BotSupervisor,
    private readonly world: World,
  ) {}

  /** Every stored write of a message with step buttons; the newest write of a step wins. */
  onButtons(e: ButtonsEvent): void {
    const inChannel = this.buttons.get(e.channel) ?? new Map<string, SeenButton>();
    this.buttons.set(e.channel, inChannel);
    for (const b of e.buttons) {
      const seen = inChannel.get(b.actionId);
      if (!seen || seen.seq < e.seq) inChannel.set(b.actionId, { ts: e.ts, value: b.value, label: b.label, seq: e.seq });
    }
  }

  onReply(e: ReplyEvent): void {
    const id = e.path.split('/').pop() ?? '';
    this.replyTo.get(id)?.replies.push(e.text);
  }

  async run(): Promise<void> {
    await Promise.all(Array.from({ length: this.opts.concurrency }, () => this.lane()));
  }

  private halted(): boolean {
    return this.bot.failed !== null || this.bot.stopped;
  }

  private async lane(): Promise<void> {
    for (;;) {
      if (this.nextOp >= this.opts.ops) return;
      if (this.halted() || Date.now() > this.opts.stopStartingAt) {
        this.notStarted += this.opts.ops - this.nextOp;
        this.nextOp = this.opts.ops;
        return;
      }
      // Ops race ahead of a restart; without this gate, kill points close together would fire
      // back to back after the load, not spread over it. Ops up to the next kill point still
      // start meanwhile, so requests are in flight when the kill lands.
      const gate = this.gates.find((g) => g.from <= this.nextOp);
      if (gate) {
        await gate.done;
        // Several lanes wait on one gate; only the first to wake removes it.
        const at = this.gates.indexOf(gate);
        if (at >= 0) this.gates.splice(at, 1);
        continue;
      }
      const op = this.nextOp++;
      if (this.opts.killPoints.has(op)) {
        // A moment after the op goes out, so kills land mid-request and mid-job, not between ops.
        const jitter = this.opts.rng() * KILL_JITTER_MS;
        const done = new Promise<void>((resolve) => setTimeout(() => void this.bot.killAndRestart().then(resolve), jitter));
        this.pendingKills.push(done);
        // Load flows on while the kill is pending, up to the next kill point (or the last few ops).
        const next = [...this.opts.killPoints].filter((p) => p > op).sort((a, b) => a - b)[0] ?? this.opts.ops - this.opts.concurrency;
        this.gates.push({ from: Math.max(op + 1, next), done });
      }
      const wantsDeclare = op % 3 === 0;
      const target = wantsDeclare ? null : await this.pickStep();
      if (target) {
        await this.click(op, target);
      } else {
        if (!wantsDeclare) this.clicksTurnedDeclares++;
        await this.declare(op);
      }
    }
  }

  private async declare(op: number): Promise<void> {
    const user = `USOAK${String(Math.floor(this.opts.rng() * USERS)).padStart(2, '0')}`;
    const record: DeclareOp = {
      op,
      title: `soak ${op}`,
      user,
      triggerId: `trigger-soak-${op}`,
      attempts: [],
      outcome: 'never-acknowledged',
      number: null,
      ackText: null,
      replies: [],
    };
    this.declares.push(record);
    this.replyTo.set(`cmd-${op}`, record);
    const body = commandBody({ user, text: `pdf-404 ${record.title}`, triggerId: record.triggerId, responseUrl: `${this.opts.respondBase}cmd-${op}` });
    // Only a 200 with a body acknowledges a declare: the body says whether it was recorded.
    const final = await this.send(body, record.attempts, (r) => r.status === 200 && r.body.trim().length > 0);
    if (!final) return;
    const text = ackText(final.body);
    record.ackText = text;
    let m: RegExpExecArray | null;
    if ((m = /^INC-(\d+) declared/.exec(text))) {
      record.outcome = 'recorded';
      record.number = Number(m[1]);
    } else if ((m = /^INC-(\d+) was already declared by this request/.exec(text))) {
      record.outcome = 'replayed';
      record.number = Number(m[1]);
    } else if (/NOT recorded/.test(text)) {
      record.outcome = 'not-recorded';
    } else if (/could not confirm/i.test(text)) {
      record.outcome = 'unconfirmed';
    } else {
      record.outcome = 'other';
    }
  }

  private async click(op: number, t: Target): Promise<void> {
    t.track.inFlight = true;
    const n = ++this.seq;
    const to = askedState(t.button);
    const record: ClickOp = {
      op,
      incidentId: t.incident.id,
      incidentNumber: t.incident.number,
      stepId: t.stepId,
      channel: t.incident.channel_id!,
      messageTs: t.button.ts,
      actionId: t.actionId,
      to,
      user: t.incident.declared_by,
      // Unique per click: the bot takes a repeated action_ts for a replay and records nothing.
      actionTs: `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
      attempts: [],
      acked: false,
      firstSentAt: Date.now(),
      ackAt: null,
      replies: [],
    };
    this.clicks.push(record);
    this.replyTo.set(`click-${op}`, record);
    const body = clickBody({
      user: record.user,
      channel: record.channel,
      messageTs: record.messageTs,
      actionId: record.actionId,
      value: t.button.value,
      actionTs: record.actionTs,
      triggerId: `trigger-click-${op}`,
      responseUrl: `${this.opts.respondBase}click-${op}`,
    });
    try {
      const final = await this.send(body, record.attempts, (r) => r.status === 200);
      record.acked = final !== null;
      record.ackAt = final ? record.attempts[record.attempts.length - 1]!.endAt : null;
    } finally {
      t.track.lastAsked = to;
      t.track.settleBy = Date.now() + SETTLE_MS;
      t.track.inFlight = false;
    }
  }

  /** Sends until acknowledged; after a failure, waits for a bot to be serving and sends again. */
  private async send(body: string, attempts: ClickOp['attempts'], acked: (r: PostResult) => boolean): Promise<PostResult | null> {
    for (let k = 0; k < MAX_ATTEMPTS; k++) {
      await this.bot.whenUp();
      if (this.halted()) return null;
      const generation = this.bot.generation;
      const sentAt = Date.now();
      try {
        const r = await postSigned(this.bot.eventsUrl, body, ATTEMPT_TIMEOUT_MS);
        const endAt = Date.now();
        attempts.push({ generation, sentAt, endAt, status: r.status, body: r.body.slice(0, 300) });
        if (acked(r)) {
          this.bot.noteAck(generation, endAt);
          return r;
        }
      } catch (err) {
        attempts.push({ generation, sentAt, endAt: Date.now(), failure: failureCode(err) });
      }
      // Down: whenUp() waits for the restart. Up but refusing: do not spin.
      if (this.bot.up) await new Promise((r) => setTimeout(r, 200));
    }
    return null;
  }

  /** A random step nobody is clicking whose last click Slack already shows; waits a little for one. */
  private async pickStep(): Promise<Target | null> {
    const until = Date.now() + PICK_WAIT_MS;
    for (;;) {
      const free = this.freeSteps();
      if (free.length > 0) return free[Math.floor(this.opts.rng() * free.length)]!;
      if (Date.now() > until || this.halted()) return null;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  private freeSteps(): Target[] {
    const now = Date.now();
    const out: Target[] = [];
    const channels = this.world.channels();
    // Only the channel the incident points at: a click anywhere else is refused as forged. And only
    // once the declarer is in it (membership only grows, so a stale "yes" is still true): a person
    // outside the channel is refused by design, which is not what the click checks measure.
    for (const [channel, incident] of this.world.byChannel) {
      const inChannel = this.buttons.get(channel);
      if (!inChannel || !channels.get(channel)?.members.includes(incident.declared_by)) continue;
      for (const [actionId, button] of inChannel) {
        const stepId = stepOf(actionId, button.value);
        const key = `${incident.id}/${stepId}`;
        let track = this.steps.get(key);
        if (!track) this.steps.set(key, (track = { inFlight: false, lastAsked: null, settleBy: 0 }));
        if (track.inFlight) continue;
        const shown: StepState = askedState(button) === 'done' ? 'open' : 'done';
        if (track.lastAsked !== null && shown !== track.lastAsked && now < track.settleBy) continue;
        out.push({ incident, stepId, actionId, button, track });
      }
    }
    return out;
  }
}

/** The state a click on this button asks for: the value's `to`, else what its label says. */
export function askedState(b: { value: string; label: string }): StepState {
  try {
    const to = (JSON.parse(b.value) as { to?: unknown }).to;
    if (to === 'done' || to === 'open') return to;
  } catch {
    // not JSON: fall back to the label
  }
  return b.label === 'Reopen' ? 'open' : 'done';
}

function stepOf(actionId: string, value: string): string {
  try {
    const s = (JSON.parse(value) as { s?: unknown }).s;
    if (typeof s === 'string') return s;
  } catch {
    // not JSON: the action_id names the step
  }
  return actionId.replace(/^step\./, '');
}

function ackText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : body;
  } catch {
    return body;
  }
}
