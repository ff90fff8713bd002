/** What the load generator sent and what came back, per operation and per attempt. */
export type StepState = 'done' | 'open';

export interface Attempt {
  /** The bot process generation the request was sent to. */
  generation: number;
  sentAt: number;
  endAt: number;
  status?: number;
  /** Start of the response body, for classifying and for evidence. */
  body?: string;
  /** Why no HTTP answer came: ECONNREFUSED, ECONNRESET, timeout, … */
  failure?: string;
}

/**
 * recorded: "INC-n declared…"; replayed: "INC-n was already declared by this request" (a retry
 * found what an earlier attempt made); not-recorded / unconfirmed: the bot said so; other: any
 * other 200 with a body; never-acknowledged: every attempt failed.
 */
export type DeclareOutcome = 'recorded' | 'replayed' | 'not-recorded' | 'unconfirmed' | 'other' | 'never-acknowledged';

export interface DeclareOp {
  op: number;
  title: string;
  user: string;
  triggerId: string;
  attempts: Attempt[];
  outcome: DeclareOutcome;
  /** The INC number the ack named. */
  number: number | null;
  ackText: string | null;
  /** Replies the bot sent later to this declare's response_url. */
  replies: string[];
}

export interface ClickOp {
  op: number;
  incidentId: string;
  incidentNumber: number;
  stepId: string;
  channel: string;
  messageTs: string;
  actionId: string;
  /** The state the clicked button asked for (its value's `to`, else its label). */
  to: StepState;
  user: string;
  actionTs: string;
  attempts: Attempt[];
  acked: boolean;
  firstSentAt: number;
  ackAt: number | null;
  /** Ephemeral replies to this click: a step click that worked gets none, so each is a refusal or error. */
  replies: string[];
}
