/** What `npm run soak` reads from the environment, checked once at start. */
export interface Settings {
  ops: number;
  kills: number;
  concurrency: number;
  deadlineS: number;
  /** Longest wait after the load for every incident to have its channel and messages. */
  quiesceS: number;
  seed: number;
  /** FAKE_SLACK_DELAY_MS for the fake's Web API: 0 = loopback speed. */
  slackDelayMs: number;
  /** The bot's LOG_LEVEL; warn keeps job failures in the output tail without drowning it. */
  botLogLevel: string;
  /** SOAK_KEEP_DATA=1: leave the schema and Redis keys behind for inspecting a FAIL. */
  keepData: boolean;
}

function whole(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  const v = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new Error(`${name} must be a whole number ≥ ${min} (got "${raw}")`);
  return v;
}

export function readSettings(): Settings {
  return {
    ops: whole('SOAK_OPS', 1000, 1),
    kills: whole('SOAK_KILLS', 5, 0),
    concurrency: whole('SOAK_CONCURRENCY', 10, 1),
    deadlineS: whole('SOAK_DEADLINE_S', 300, 30),
    quiesceS: whole('SOAK_QUIESCE_S', 60, 1),
    // A seed makes the op mix and kill moments repeatable; timing still varies run to run.
    seed: whole('SOAK_SEED', Math.floor(Math.random() * 2 ** 31), 0),
    slackDelayMs: whole('SOAK_SLACK_DELAY_MS', 0, 0),
    botLogLevel: process.env.SOAK_BOT_LOG_LEVEL || 'warn',
    keepData: process.env.SOAK_KEEP_DATA === '1',
  };
}
