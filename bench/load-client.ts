/**
 * The load generator, in its own process so signing and timing never share an event loop with
 * the server being measured. It sends signed slash commands, button clicks and Alertmanager
 * webhooks, and times clicks against chat.update arrivals, and alerts against the incident's
 * messages, that the fake Slack reports (relayed by the parent).
 */
import { postSigned } from '../test/support/signing';
import { emit, onEvent, serve, wallNow } from './ipc';
import { LoopDelayWindows } from './loop-delay';
import type {
  AlertLoad,
  AlertResult,
  AlertSample,
  ApiArrival,
  BurstLoad,
  BurstResult,
  ClickLoad,
  ClickResult,
  CommandLoad,
  LoadResult,
  StepMessage,
} from './protocol';
import { SIGNING_SECRET, TEAM } from './protocol';

const FORM = 'application/x-www-form-urlencoded';

interface Step {
  channel: string;
  ts: string;
  actionId: string;
  value: string;
  done: boolean;
  busy: boolean;
  /** Its click never showed up; its state is unknown, so it is not clicked again. */
  lost: boolean;
}

interface Waiter {
  wantDone: boolean;
  sentAt: number;
  resolve(match: { at: number; value: string }): void;
}

const targets = new Map<string, Step[]>();
const waiting = new Map<string, Waiter>();
let seq = 0;

/** Runs `total` jobs, `concurrency` at a time; each job is sequential inside its lane. */
async function lanes(total: number, concurrency: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) await job(next++);
    }),
  );
  return performance.now() - started;
}

function count(statuses: Record<string, number>, status: number): void {
  statuses[status] = (statuses[status] ?? 0) + 1;
}

async function commands(load: CommandLoad): Promise<LoadResult> {
  const ms: number[] = [];
  const statuses: Record<string, number> = {};
  const wallMs = await lanes(load.total, load.concurrency, async (k) => {
    const i = load.firstIndex + k;
    const body = new URLSearchParams({
      token: 'legacy-verification-token',
      team_id: TEAM,
      team_domain: 'braiflow',
      channel_id: 'CGENERAL',
      channel_name: 'general',
      user_id: load.user ?? `UBENCH${String(i % 50).padStart(3, '0')}`,
      user_name: 'bench',
      command: '/incident',
      text: `${load.text} ${i}`,
      api_app_id: 'A0BENCH',
      is_enterprise_install: 'false',
      response_url: `${load.responseBase}cmd-${i}`,
      trigger_id: `trigger-cmd-${i}`,
    }).toString();
    const res = await postSigned(load.url, SIGNING_SECRET, body, FORM);
    ms.push(res.ms);
    count(statuses, res.status);
  });
  return { ms, statuses, wallMs };
}

/** The body Slack sends for a button click, as test/support/harness.ts click() builds it. */
function clickBody(user: string, step: Step, responseUrl: string): string {
  const n = ++seq;
  const payload = {
    type: 'block_actions',
    team: { id: TEAM, domain: 'braiflow' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: TEAM },
    api_app_id: 'A0BENCH',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: step.ts, channel_id: step.channel, is_ephemeral: false },
    trigger_id: `trigger-click-${n}`,
    channel: { id: step.channel, name: 'incident' },
    message: { type: 'message', ts: step.ts, text: '', blocks: [] },
    response_url: responseUrl,
    // action_ts must be unique: the bot treats a repeated one as a replay and records nothing.
    actions: [
      {
        type: 'button',
        action_id: step.actionId,
        block_id: 'b',
        text: { type: 'plain_text', text: 'x' },
        value: step.value,
        action_ts: `${Math.floor(Date.now() / 1000)}.${String(n).padStart(6, '0')}`,
      },
    ],
  };
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function pickFree(steps: Step[], from: number, spread = false): { step: Step; index: number } | null {
  const busyMessages = spread ? new Set(steps.filter((s) => s.busy).map((s) => s.ts)) : null;
  for (let k = 0; k < steps.length; k++) {
    const index = (from + k) % steps.length;
    const step = steps[index]!;
    if (!step.busy && !step.lost && !busyMessages?.has(step.ts)) return { step, index };
  }
  return null;
}

/**
 * Each lane clicks a step nobody else is clicking, so the step's next state is known and the
 * first chat.update of that message showing it is the answer to this click. A lane waits for
 * that update before its next click: "in flight" means not yet visible in Slack.
 */
async function clicks(load: ClickLoad): Promise<ClickResult> {
  const steps = targets.get(load.target);
  if (!steps) throw new Error(`no targets named ${load.target}`);
  const ms: number[] = [];
  const updateMs: number[] = [];
  const statuses: Record<string, number> = {};
  let timeouts = 0;
  let cursor = 0;
  const wallMs = await lanes(load.total, load.concurrency, async (i) => {
    const picked = pickFree(steps, cursor, load.spread);
    if (!picked) throw new Error('every step is busy or lost; use more incidents or less concurrency');
    const { step } = picked;
    cursor = picked.index + 1;
    step.busy = true;
    const key = `${step.ts}|${step.actionId}`;
    const wantDone = !step.done;
    let timer: NodeJS.Timeout | undefined;
    const sentAt = wallNow();
    const shown = new Promise<{ at: number; value: string } | null>((resolve) => {
      waiting.set(key, { wantDone, sentAt, resolve });
      timer = setTimeout(() => resolve(null), load.timeoutMs);
    });
    const res = await postSigned(load.url, SIGNING_SECRET, clickBody(load.user, step, `${load.responseBase}click-${i}`), FORM);
    ms.push(res.ms);
    count(statuses, res.status);
    const match = res.status === 200 ? await shown : null;
    clearTimeout(timer);
    waiting.delete(key);
    if (!match) {
      // A click refused (503 when the bot sheds load, say) recorded nothing: its step is as it was.
      if (res.status !== 200) return void (step.busy = false);
      timeouts++;
      step.lost = true;
      return;
    }
    updateMs.push(match.at - sentAt);
    step.done = wantDone;
    step.value = match.value;
    step.busy = false;
  });
  return { ms, statuses, wallMs, updateMs, timeouts };
}

/**
 * `users.length` people click different open steps of one checklist at the same moment, each
 * waiting for the chat.update that shows their step done. The steps are left busy: the checklist
 * is not clicked again by the closed loop.
 */
async function burst(load: BurstLoad): Promise<BurstResult> {
  const steps = targets.get(load.target)?.filter((s) => s.ts === load.ts && !s.busy && !s.lost && !s.done);
  if (!steps || steps.length < load.users.length) throw new Error(`checklist ${load.ts} has ${steps?.length ?? 0} open steps, ${load.users.length} needed`);
  const statuses: Record<string, number> = {};
  const updateMs: number[] = [];
  let timeouts = 0;
  const picked = steps.slice(0, load.users.length);
  await Promise.all(
    picked.map(async (step, k) => {
      step.busy = true;
      const key = `${step.ts}|${step.actionId}`;
      let timer: NodeJS.Timeout | undefined;
      const sentAt = wallNow();
      const shown = new Promise<{ at: number; value: string } | null>((resolve) => {
        waiting.set(key, { wantDone: true, sentAt, resolve });
        timer = setTimeout(() => resolve(null), load.timeoutMs);
      });
      const res = await postSigned(load.url, SIGNING_SECRET, clickBody(load.users[k]!, step, `${load.responseBase}burst-${++seq}`), FORM);
      count(statuses, res.status);
      const match = res.status === 200 ? await shown : null;
      clearTimeout(timer);
      waiting.delete(key);
      if (match) {
        updateMs.push(match.at - sentAt);
        step.done = true;
        step.value = match.value;
      } else timeouts++;
    }),
  );
  return { updateMs, statuses, timeouts, asked: picked.map((s) => ({ actionId: s.actionId, done: true })) };
}

onEvent('api', (a: ApiArrival) => {
  if (a.method !== 'chat.update' || !a.steps) return;
  for (const s of a.steps) {
    const w = waiting.get(`${a.ts}|${s.actionId}`);
    if (w && s.done === w.wantDone && a.at >= w.sentAt) {
      waiting.delete(`${a.ts}|${s.actionId}`);
      w.resolve({ at: a.at, value: s.value });
    }
  }
});

/** What reached the fake Slack about each incident: its first message, the level-1 callout and the page (DM). */
interface IncidentPosts {
  first?: { at: number; tag?: string };
  callout?: number;
  page?: number;
  /** The lane waiting for this incident's page. */
  paged?: () => void;
}

const PAGE_KEY = 'escalation:1';
const incidents = new Map<string, IncidentPosts>();
const postsOf = (id: string): IncidentPosts => {
  let p = incidents.get(id);
  if (!p) incidents.set(id, (p = {}));
  return p;
};

/** The level's direct message is its keyed post in a DM channel (D…); the callout is the same key in the incident channel. */
function notePost(a: ApiArrival): void {
  if (a.method !== 'chat.postMessage' || !a.incident) return;
  const p = postsOf(a.incident);
  if (!p.first || a.at < p.first.at) p.first = { at: a.at, tag: a.tag };
  if (a.tag !== PAGE_KEY) return;
  if (a.channel?.startsWith('D')) {
    p.page ??= a.at;
    p.paged?.();
  } else p.callout ??= a.at;
}

function alertBody(load: AlertLoad, i: number): { fingerprint: string; body: string } {
  const fingerprint = `${load.fingerprintPrefix}${String(i).padStart(5, '0')}`;
  const labels: Record<string, string> = { ...load.labels, instance: `bench-${i}` };
  const now = new Date().toISOString();
  return {
    fingerprint,
    body: JSON.stringify({
      version: '4',
      groupKey: `{}:{alertname="${labels.alertname ?? ''}"}`,
      status: 'firing',
      receiver: 'incident-bot',
      groupLabels: {},
      commonLabels: labels,
      commonAnnotations: {},
      externalURL: 'http://alertmanager.bench.invalid',
      alerts: [
        {
          status: 'firing',
          labels,
          annotations: { summary: `bench alert ${i}: invoice PDFs return 404` },
          startsAt: now,
          endsAt: '0001-01-01T00:00:00Z',
          generatorURL: `http://prometheus.bench.invalid/graph?g0.expr=bench${i}`,
          fingerprint,
        },
      ],
    }),
  };
}

/**
 * Closed loop: each lane posts one firing alert and keeps it in flight until the fake Slack has
 * received its page (or `timeoutMs` passed), then posts the next. Every time runs from just before
 * the POST, on this process's wall clock, to the arrival stamped by the fake Slack's.
 */
async function alerts(load: AlertLoad): Promise<AlertResult> {
  const samples: AlertSample[] = [];
  const wallMs = await lanes(load.total, load.concurrency, async (k) => {
    const { fingerprint, body } = alertBody(load, load.firstIndex + k);
    const sentAt = wallNow();
    const res = await fetch(load.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${load.token}` }, body });
    const text = await res.text();
    const sample: AlertSample = { fingerprint, status: res.status, responseMs: wallNow() - sentAt };
    samples.push(sample);
    if (res.status !== 200) return;
    const result = (JSON.parse(text) as { results?: Array<{ outcome?: string; incident?: string }> }).results?.[0];
    sample.outcome = result?.outcome;
    sample.incident = result?.incident;
    if (!sample.incident || sample.outcome !== 'declared') return;
    const posts = postsOf(sample.incident);
    if (posts.page === undefined) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, sentAt + load.timeoutMs - wallNow()));
        posts.paged = () => (clearTimeout(timer), resolve());
      });
      posts.paged = undefined;
    }
    if (posts.first) [sample.firstMs, sample.firstTag] = [posts.first.at - sentAt, posts.first.tag];
    if (posts.callout !== undefined) sample.calloutMs = posts.callout - sentAt;
    if (posts.page !== undefined) sample.pageMs = posts.page - sentAt;
  });
  return { samples, wallMs };
}

onEvent('post', notePost);

// A busy client inflates every latency it measures, so its own loop delay is reported too.
const loop = new LoopDelayWindows();

serve({
  commands,
  clicks,
  burst,
  alerts,
  loopStart: (kind: string) => loop.start(kind),
  loopStop: (kind: string) => loop.stop(kind),
  loopRead: (kind: string) => loop.pooled(kind),
  setTargets({ name, messages }: { name: string; messages: StepMessage[] }) {
    targets.set(
      name,
      messages.flatMap((m) =>
        m.steps.map((s) => ({ channel: m.channel, ts: m.ts, actionId: s.actionId, value: s.value, done: s.done, busy: false, lost: false })),
      ),
    );
    return targets.get(name)!.length;
  },
});
emit('ready');
