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
}
