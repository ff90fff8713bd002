/** What the bench processes say to each other, and the credentials they share. */

export const SIGNING_SECRET = 'test-signing-secret-bench-0123456789';
// The fake Slack only accepts tokens that say "test".
export const BOT_TOKEN = 'xoxb-test-bench-incident-bot';
export const TEAM = 'T0BENCH';

/** A step's button as a message showed it: `done` when its label is Reopen. */
export interface StepButton {
  actionId: string;
  value: string;
  done: boolean;
}

/** One Web API call as the fake Slack answered it; `at` is wallNow() in the fake Slack process. */
export interface ApiArrival {
  method: string;
  ok: boolean;
  error?: string;
  at: number;
  channel?: string;
  ts?: string;
  /** Present on chat.postMessage / chat.update whose blocks hold step buttons. */
  steps?: StepButton[];
  /** chat.postMessage: the incident its metadata names (the bot's rendered messages and keyed notices carry one). */
  incident?: string;
  /** chat.postMessage: what the metadata says it is: a rendered kind (header, checklist …) or a notice's key (escalation:1 …). */
  tag?: string;
}

/** A response_url reply; `channel` is the incident channel a "declared" reply links to. */
export interface ReplyArrival {
  at: number;
  declared: boolean;
  channel?: string;
}

export interface StepMessage {
  channel: string;
  ts: string;
  steps: StepButton[];
}

/** One burst from the load client: per-request HTTP times in ms and a count per status. */
export interface LoadResult {
  ms: number[];
  statuses: Record<string, number>;
  wallMs: number;
}

export interface ClickResult extends LoadResult {
  /** Click sent → matching chat.update received by the fake Slack, ms, one per matched click. */
  updateMs: number[];
  timeouts: number;
}

/** Event-loop delay in ms beyond the sampling interval. */
export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  samples: number;
}

export interface CommandLoad {
  url: string;
  text: string;
  responseBase: string;
  total: number;
  concurrency: number;
  /** Everyone clicking later must be in the channel; the declarer is invited. */
  user?: string;
  /** Numbers the requests, so summaries and trigger ids differ between bursts. */
  firstIndex: number;
}

export interface ClickLoad {
  target: string;
  url: string;
  responseBase: string;
  total: number;
  concurrency: number;
  user: string;
  timeoutMs: number;
  /** One click in flight per message: every lane works on a checklist no other lane is clicking. */
  spread?: boolean;
}

/** Five people (or `users.length`) clicking different steps of one checklist at the same moment. */
export interface BurstLoad {
  target: string;
  url: string;
  responseBase: string;
  /** The checklist: every click goes to one of its steps, a different one each. */
  ts: string;
  users: string[];
  timeoutMs: number;
}

export interface BurstResult {
  /** Click sent → chat.update showing it, ms, one per click that showed up. */
  updateMs: number[];
  statuses: Record<string, number>;
  timeouts: number;
  /** The steps clicked, by action id, with the state each click asked for. */
  asked: Array<{ actionId: string; done: boolean }>;
}

/** One burst of Alertmanager webhooks, one firing alert each, every one routed to a paging runbook. */
export interface AlertLoad {
  url: string;
  /** ALERTS_TOKEN, sent as Authorization: Bearer. */
  token: string;
  total: number;
  concurrency: number;
  /** Numbers the alerts, so fingerprints differ between bursts. */
  firstIndex: number;
  /** Labels every alert carries; each also gets its own `instance`. */
  labels: Record<string, string>;
  fingerprintPrefix: string;
  /** How long a lane waits for the page before counting it missing and sending its next alert. */
  timeoutMs: number;
}

/** One alert: times in ms from sending its POST (load client clock) to each arrival (fake Slack clock). */
export interface AlertSample {
  fingerprint: string;
  status: number;
  /** What the bot answered for it: declared, repeated, unrouted … */
  outcome?: string;
  incident?: string;
  /** → HTTP response. */
  responseMs: number;
  /** → the first chat.postMessage naming the incident, and what it was. */
  firstMs?: number;
  firstTag?: string;
  /** → the level-1 callout in the incident channel. */
  calloutMs?: number;
  /** → the level-1 direct message: the page. */
  pageMs?: number;
}

export interface AlertResult {
  samples: AlertSample[];
  wallMs: number;
}
