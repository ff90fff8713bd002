import { randomUUID } from 'node:crypto';
import { TurnContext, type Activity } from 'botbuilder';
import type { DeclareCommand, Dispatcher, Request } from '../../core/commands/dispatch';
import { parseCommand, type Command } from '../../core/commands/parse';
import { NotWrittenError, UserError } from '../../core/errors';
import type { ActionPayload } from '../../core/text/actions';
import type { AlertOfferChoice, DeclareAlert } from '../../core/text/alert-offer';
import { internalErrorText, problemText } from '../../core/render/replies';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { commandText } from './activity-text';
import { alertDeclaredAnswer, readAlertChoice } from './alert-offer';
import { actionAnswer, addToTimeline, readMessageAction, SUBMIT_ACTION_INVOKE, threadOf } from './message-action';
import { readCardAction } from './cards';
import { readResolveForm } from './resolve-card';
import { readAnalysisForm } from './analysis-card';
import { NO_RUNBOOK_PICKED, readRunbookPick } from './runbook-card';
import type { TeamsPlatform } from './platform';
import { teamsReplyTo } from './reply-to';

/** How long a declare may take before the answer must go; Teams shows an error after about 15 s. */
export const DECLARE_BUDGET_MS = 4_000;

/** Where an activity came from, in the core's terms. */
interface Origin {
  userId: string;
  tenantId: string | null;
  conversationId: string;
  /** The team channel, when it came from one; null in a chat (or the Emulator). */
  channel: string | null;
}

/**
 * One turn of the Teams bot: a command typed to `@Incident`, a click on a card (Universal Actions
 * invoke, or a classic Action.Submit message), or anything else Teams sends, which is only used
 * to learn who people are and where the bot can speak.
 */
export class TeamsBot {
  constructor(
    private readonly dispatcher: Dispatcher,
    private readonly platform: TeamsPlatform,
    private readonly logger: Logger,
    /** Declares an unrouted alert as the runbook its offer's button names; null: alerts are not wired here. */
    private readonly declareAlert: DeclareAlert | null = null,
  ) {}

  async onTurn(ctx: TurnContext): Promise<void> {
    const a = ctx.activity;
    const origin = originOf(a);
    // The message action's answer has a deadline that a slow directory write must not eat into.
    if (a.type === 'invoke' && a.name === SUBMIT_ACTION_INVOKE) {
      void this.remember(a, origin).catch((err: unknown) => this.logger.warn({ platform: 'teams', err }, 'could not remember who sent a message action'));
      return this.onMessageAction(ctx, origin);
    }
    await this.remember(a, origin);
    if (a.type === 'invoke' && a.name === 'adaptiveCard/action') return this.onCardAction(ctx, origin);
    if (a.type !== 'message') return;
    if (a.value !== undefined && a.value !== null && !a.text) return this.onSubmit(ctx, origin);
    return this.onCommand(ctx, origin);
  }

  private async onCommand(ctx: TurnContext, origin: Origin): Promise<void> {
    const log = { platform: 'teams', actor: origin.userId, conversation: origin.conversationId };
    const { text, mentions } = commandText(ctx.activity);
    const people = new Map<string, string>();
    for (const [token, m] of mentions) people.set(token, await this.aadIdOf(m.teamsId, origin.conversationId));
    let cmd: Command;
    try {
      cmd = parseCommand(text, (word) => people.get(word) ?? null);
      const atOnce = this.dispatcher.answerAtOnce(cmd);
      if (atOnce) return this.reply(ctx, atOnce);
    } catch (err) {
      if (err instanceof UserError) return this.reply(ctx, problemText(err.problem));
      throw err;
    }
    if (cmd.kind === 'declare' && !origin.channel && !this.platform.config.incidentChannelId) {
      return this.reply(ctx, [
        'Incidents declared in a chat open their thread in the incident channel, and none is set. Declare it in a team channel (',
        { command: `incident ${cmd.runbook} …` },
        '), or ask whoever runs the bot to set TEAMS_INCIDENT_CHANNEL_ID. Nothing was recorded.',
      ]);
    }
    const req: Request = {
      userId: origin.userId,
      platform: this.platform,
      workspace: origin.tenantId,
      room: origin.conversationId,
      replyTo: teamsReplyTo({ conversationId: origin.conversationId, channel: origin.channel, tenantId: origin.tenantId }),
      // Teams may deliver a message twice; the same activity id finds the incident it made.
      requestId: ctx.activity.id ? `${origin.tenantId}:${ctx.activity.id}` : undefined,
      // Teams sends the sender's zone with each message.
      readerTz: async () => ctx.activity.localTimezone ?? null,
    };
    if (cmd.kind === 'declare') {
      const r = await this.dispatcher.declareNow(cmd as DeclareCommand, req, DECLARE_BUDGET_MS);
      return this.reply(ctx, r.reply!);
    }
    const answer = await this.dispatcher.command(cmd, req).then(
      (r) => r.reply,
      (err: unknown) => this.errorText(err, log),
    );
    if (answer) await this.reply(ctx, answer);
  }

  /**
   * Universal Actions: the answer to the invoke is the clicked card as it is now, which Teams
   * shows to the clicker at once; the render job updates the message for everyone else. A refusal
   * answers with a message only the clicker sees.
   */
  private async onCardAction(ctx: TurnContext, origin: Origin): Promise<void> {
    const choice = readAlertChoice(ctx.activity.value);
    if (choice) {
      const text = await this.alertChoice(choice, origin);
      const body = { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: await this.platform.say.plain(text) };
      await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body } });
      return;
    }
    const { payload, unread } = clicked(ctx.activity.value);
    const outcome = payload ? await this.click(payload, ctx, origin, true) : { text: unread };
    const card = payload && !outcome.text ? await this.platform.cardFor(payload.i, ctx.activity.replyToId ?? '') : null;
    const body = card
      ? { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card }
      : { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: await this.platform.say.plain(outcome.text ?? ['Recorded.']) };
    await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body } });
  }

  /**
   * A message action ("Add to incident timeline" on a message in an incident's thread). Teams waits
   * on a dialog for the answer, so it is always given, refusals included.
   */
  private async onMessageAction(ctx: TurnContext, origin: Origin): Promise<void> {
    const action = readMessageAction(ctx.activity.value);
    const room = action.message ? threadOf(origin.conversationId, origin.channel, action.message) : origin.conversationId;
    const log = { platform: 'teams', actor: origin.userId, action: action.commandId, conversation: room };
    const req = {
      userId: origin.userId,
      platform: this.platform,
      workspace: origin.tenantId,
      room,
      requestId: ctx.activity.id ? `${origin.tenantId}:${ctx.activity.id}` : undefined,
    };
    const text = await addToTimeline(this.dispatcher, req, action, (err) => this.errorText(err, log));
    await ctx.sendActivity({ type: 'invokeResponse', value: { status: 200, body: actionAnswer(await this.platform.say.plain(text)) } });
  }

  /** A client without Universal Actions sends the card's data as a message. */
  private async onSubmit(ctx: TurnContext, origin: Origin): Promise<void> {
    const choice = readAlertChoice(ctx.activity.value);
    if (choice) return this.reply(ctx, await this.alertChoice(choice, origin));
    const { payload, unread } = clicked(ctx.activity.value);
    if (!payload) return this.reply(ctx, unread);
    const { text } = await this.click(payload, ctx, origin, false);
    if (text) await this.reply(ctx, text);
  }

  /** `invoke`: Universal Actions, where a resolve form's success is answered by the card as it now is. */
  private async click(payload: ActionPayload, ctx: TurnContext, origin: Origin, invoke: boolean): Promise<{ text: Text | null }> {
    const log = { platform: 'teams', actor: origin.userId, action: payload.a, incidentId: payload.i };
    const req: Request = {
      userId: origin.userId,
      platform: this.platform,
      workspace: origin.tenantId,
      room: origin.conversationId,
      // A 1:1 chat with the bot, where a page's card lands.
      direct: ctx.activity.conversation?.conversationType === 'personal',
      requestId: ctx.activity.id ? `${origin.tenantId}:${ctx.activity.id}` : undefined,
    };
    try {
      // The Resolve card's toggles and resolution ride with its button's payload.
      const form = payload.a === 'resolve' ? readResolveForm(ctx.activity.value) : null;
      if (form) {
        const r = await this.dispatcher.submitResolve(payload.i, form, req);
        return { text: invoke ? null : r.reply };
      }
      // Edit analysis's inputs ride with its button's payload, as the resolve form's do.
      const analysis = payload.a === 'analysis' ? readAnalysisForm(ctx.activity.value) : null;
      if (analysis) {
        const r = await this.dispatcher.submitAnalysis(payload.i, analysis, req);
        return { text: invoke ? null : r.reply };
      }
      const r = await this.dispatcher.click(payload, req);
      return { text: r.reply };
    } catch (err) {
      return { text: this.errorText(err, log) };
    }
  }

  /**
   * "Declare as <runbook>" on an unrouted alert's offer: declared by the clicker, who is told where
   * setup goes on (the offer's thread); a second click finds the same incident.
   */
  private async alertChoice(choice: AlertOfferChoice, origin: Origin): Promise<Text> {
    if (!this.declareAlert) return problemText({ code: 'stale_button' });
    const replyTo = teamsReplyTo({ conversationId: origin.conversationId, channel: origin.channel, tenantId: origin.tenantId });
    try {
      const { incident, created } = await this.declareAlert(choice, origin.userId, { workspace: origin.tenantId, replyTo });
      return alertDeclaredAnswer(incident, created);
    } catch (err) {
      return this.errorText(err, { platform: 'teams', actor: origin.userId, action: 'alert.declare', fingerprint: choice.fingerprint });
    }
  }

  private async reply(ctx: TurnContext, text: Text): Promise<void> {
    await ctx.sendActivity(await this.platform.say.activity(text, [], false));
  }

  private errorText(err: unknown, context: Record<string, unknown>): Text {
    if (err instanceof UserError) return problemText(err.problem);
    const ref = randomUUID().slice(0, 8);
    this.logger.error({ ...context, ref, err }, 'teams request failed');
    return internalErrorText(ref, err instanceof NotWrittenError);
  }

  /** A mentioned person's Entra id: known from an earlier activity, else asked of Teams. */
  private async aadIdOf(teamsId: string, conversationId: string): Promise<string> {
    const known = (await this.platform.directory.people([teamsId])).get(teamsId);
    if (known) return known.aadObjectId;
    const member = await this.platform.connector.member(conversationId, teamsId).catch(() => null);
    if (!member?.aadObjectId) return teamsId;
    await this.platform.directory.rememberPerson({ aadObjectId: member.aadObjectId, teamsId: member.id, name: member.name ?? member.id, tenantId: null });
    return member.aadObjectId.toLowerCase();
  }

  /** Who sent it and where the bot can answer later: kept in Postgres for names, mentions and proactive messages. */
  private async remember(a: Activity, origin: Origin): Promise<void> {
    const from = a.from as { id?: string; name?: string; aadObjectId?: string } | undefined;
    if (from?.id && from.aadObjectId) {
      await this.platform.directory.rememberPerson({ aadObjectId: from.aadObjectId, teamsId: from.id, name: from.name || from.id, tenantId: origin.tenantId });
    }
    if (!a.conversation?.id || !a.serviceUrl) return;
    const reference = TurnContext.getConversationReference(a) as Record<string, unknown>;
    delete reference.activityId; // a reply target would make every proactive message a reply to this one
    const data = a.channelData as { team?: { id?: string } } | undefined;
    await this.platform.directory.rememberConversation(a.conversation.id, reference, { tenantId: origin.tenantId, teamId: data?.team?.id ?? null });
  }
}

/**
 * The payload a click carries: a button's own, or the runbook picked on the header's Switch runbook
 * card (the same `runbook` payload Slack's menu sends). `unread` answers a click with neither.
 */
function clicked(value: unknown): { payload: ActionPayload | null; unread: Text } {
  const pick = readRunbookPick(value);
  if (pick) return { payload: pick.payload, unread: NO_RUNBOOK_PICKED };
  return { payload: readCardAction(value), unread: problemText({ code: 'stale_button' }) };
}

function originOf(a: Activity): Origin {
  const data = (a.channelData ?? {}) as { tenant?: { id?: string }; channel?: { id?: string }; teamsChannelId?: string };
  const from = a.from as { id: string; aadObjectId?: string };
  return {
    userId: from?.aadObjectId?.toLowerCase() ?? from?.id ?? 'unknown',
    tenantId: data.tenant?.id ?? a.conversation?.tenantId ?? null,
    conversationId: a.conversation?.id ?? '',
    channel: data.channel?.id ?? data.teamsChannelId ?? null,
  };
}
