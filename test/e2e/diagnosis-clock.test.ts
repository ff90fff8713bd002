import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import { checkDiagnosisDue } from '../../src/core/incident/diagnosis';
import { encodeAction } from '../../src/core/text/actions';
import { startBot, type BotProcess } from '../support/bot-process';
import { botEnv, slackEnv } from '../support/bot-env';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';
import { startHarness, type Harness } from '../support/harness';
import { dropPrefix, uniquePrefix } from '../support/redis';
import { postSigned } from '../support/signing';
import { sleep, until } from '../support/wait';

const ALICE = 'UALICE01';
const SHIPPED = path.resolve(__dirname, '../../playbooks/pdf-404.yaml');
/** pdf-404's step that records the cause (`marks: diagnosed`). */
const CAUSE_STEP = 'identify-cause';

/**
 * The shipped pdf-404 runbook as it is now (others edit it), with a diagnosis limit short enough
 * to pass during a test. Only that field differs; the rule quoted is the one in the shipped file.
 */
function quickRunbookDir(within: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'diagnosis-clock-'));
  const doc = parseDocument(readFileSync(SHIPPED, 'utf8'));
  doc.set('diagnose_within', within);
  writeFileSync(path.join(dir, 'pdf-404.yaml'), doc.toString());
  return dir;
}

/** The line of the shipped diagnosing step about escalating, as a person reads it (no Markdown markers). */
function shippedRule(): string {
  const steps = parseDocument(readFileSync(SHIPPED, 'utf8')).toJS().steps as Array<{ marks?: string; detail: string }>;
  const line = steps
    .find((s) => s.marks === 'diagnosed')!
    .detail.split('\n')
    .find((l) => /escalat/i.test(l))!;
  return line
    .replace(/\*\*|`/g, '')
    .replace(/^\s*-\s+/, '')
    .trim();
}

/** Slack's text as a person sees it. */
const unescape = (t: string) => t.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

const NOTICE = /^⏰ /;

interface Deployment {
  slack: FakeSlack;
  pool: TestSchema['pool'];
}

/** What the channel and the timeline hold about the notice for one incident. */
async function noticeState(d: Deployment, incidentId: string, channel: string) {
  const { rows } = await d.pool.query<{ events: number; jobs: number }>(
    `SELECT (SELECT count(*)::int FROM incident_events WHERE incident_id = $1 AND kind = 'diagnosis.overdue') AS events,
            (SELECT count(*)::int FROM outbox WHERE incident_id = $1 AND kind = 'chat.notice' AND payload->>'notice' = 'diagnosis_overdue') AS jobs`,
    [incidentId],
  );
  const messages = d.slack.messagesIn(channel).filter((m) => NOTICE.test(unescape(m.text)));
  return { messages: messages.map((m) => unescape(m.text)), ...rows[0]! };
}

async function incidentByNumber(pool: TestSchema['pool'], number: number) {
  return until(
    async () => {
      const { rows } = await pool.query<{ id: string; channel_id: string | null; declared_at: Date }>(
        'SELECT id, channel_id, declared_at FROM incidents WHERE number = $1',
        [number],
      );
      return rows[0]?.channel_id ? { id: rows[0].id, channel: rows[0].channel_id, declaredAt: rows[0].declared_at } : null;
    },
    `INC-${number} to have its channel`,
    10_000,
  );
}

describe('the diagnosis clock, with a web process and two workers', () => {
  // Long enough to tick the cause step by hand first; short enough to wait for.
  const LIMIT_MS = 4_000;
  let dir: string;
  let web: Harness;
  const workers: Harness[] = [];

  beforeAll(async () => {
    dir = quickRunbookDir(`${LIMIT_MS / 1000}s`);
    web = await startHarness({ role: 'web', runbooksDir: dir });
    for (let i = 0; i < 2; i++) workers.push(await startHarness({ role: 'worker', share: web, runbooksDir: dir }));
  }, 30_000);
  afterAll(async () => {
    // Workers share the web harness's fake Slack, schema and prefix; it cleans those up last.
    for (const w of workers) await w.stop();
    await web?.stop();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  async function declare(summary: string) {
    const res = await web.command(`pdf-404 ${summary}`, ALICE);
    const number = Number(/^INC-(\d+) declared/.exec(res.body.text)?.[1]);
    expect(number).toBeGreaterThan(0);
    return { number, ...(await incidentByNumber(web.schema.pool, number)) };
  }

  const deployment = (): Deployment => ({ slack: web.slack, pool: web.schema.pool });

  it('tells the channel once, quoting the runbook, when no cause is recorded in time', async () => {
    const { number, id, channel, declaredAt } = await declare('never diagnosed');
    // The incident keeps its runbook's limit: the reports count "diagnosed in time" against it.
    const { rows } = await web.schema.pool.query('SELECT diagnose_within_seconds FROM incidents WHERE id = $1', [id]);
    expect(rows[0].diagnose_within_seconds).toBe(LIMIT_MS / 1000);

    const notice = await web.slack.waitFor(
      () => web.slack.messagesIn(channel).find((m) => NOTICE.test(unescape(m.text))),
      'the diagnosis notice',
      LIMIT_MS + 15_000,
    );
    // Not before the limit: the fake's ts counts whole seconds, as Slack's does.
    expect(Number(notice.ts.split('.')[0])).toBeGreaterThanOrEqual(Math.floor((declaredAt.getTime() + LIMIT_MS) / 1000));
    await sleep(3_000); // a second notice, if there were one, would land now

    const state = await noticeState(deployment(), id, channel);
    expect(state).toEqual({ messages: [expect.any(String)], events: 1, jobs: 1 });
    const text = state.messages[0]!;
    expect(text).toContain(`${LIMIT_MS / 1000} seconds since INC-${number} was declared and no cause is recorded yet.`);
    expect(text).toContain(`The runbook says: “${shippedRule()}”`);
    expect(text).toMatch(/Record the cause with step \d+ \(.+\) when you have it\.$/);

    // Another bot process deciding again (a job run twice) is a replay: it writes and posts nothing.
    const again = await Promise.all(workers.map((w) => checkDiagnosisDue(w.runtime.deps, id)));
    expect(again.map((r) => r.changed)).toEqual([false, false]);
    await sleep(1_500);
    expect(await noticeState(deployment(), id, channel)).toEqual(state);
  }, 40_000);

  it('says nothing when the cause is recorded before the limit', async () => {
    const { id, channel, declaredAt } = await declare('diagnosed in time');
    const due = declaredAt.getTime() + LIMIT_MS;

    // ALICE declared, so she is in the channel: she ticks the step that records the cause.
    const checklist = await web.slack.waitFor(
      () => web.slack.messagesIn(channel).find((m) => JSON.stringify(m.blocks).includes(`"action_id":"step.${CAUSE_STEP}"`)),
      'the checklist with the cause step',
    );
    const value = encodeAction({ a: 'step', i: id, s: CAUSE_STEP, to: 'done' });
    expect(await web.click(ALICE, channel, checklist.ts, `step.${CAUSE_STEP}`, value)).toBe(200);
    const { rows } = await web.schema.pool.query<{ diagnosed_at: Date | null }>('SELECT diagnosed_at FROM incidents WHERE id = $1', [id]);
    expect(rows[0]!.diagnosed_at!.getTime()).toBeLessThan(due); // or this test would prove nothing

    // The clock still looks when it is due, and finds nothing to say.
    await until(
      async () => {
        const r = await web.schema.pool.query('SELECT 1 FROM outbox WHERE dedupe_key = $1 AND done_at IS NOT NULL', [`${id}:diagnosis_due`]);
        return r.rowCount === 1;
      },
      'the diagnosis clock to have run',
      LIMIT_MS + 15_000,
    );
    await sleep(1_500);
    expect(await noticeState(deployment(), id, channel)).toEqual({ messages: [], events: 0, jobs: 0 });
  }, 40_000);
});

/**
 * The bot runs in its own process and is killed with SIGKILL the moment its notice reaches Slack
 * (Slack still posts it). The job comes back to the next bot, which must find the message by its
 * metadata instead of posting it a second time.
 */
describe('a bot killed -9 right after Slack took the notice', () => {
  const SECRET = 'test-signing-secret-diagnosis-clock';
  let slack: FakeSlack;
  let schema: TestSchema;
  let prefix: string;
  let dir: string;
  let bot: BotProcess | null = null;
  const env = () => ({
    ...botEnv({ databaseUrl: schema.url, prefix, runbooksDir: dir }),
    ...slackEnv('xoxb-test-diagnosis-clock', SECRET, slack.apiUrl),
  });

  beforeAll(async () => {
    slack = await new FakeSlack().start();
    schema = await freshSchema();
    prefix = uniquePrefix();
    dir = quickRunbookDir('2s');
    bot = await startBot({ env: env() });
  }, 30_000);
  afterAll(async () => {
    slack.onArrive = null;
    await bot?.stop();
    await slack.stop();
    await schema.drop();
    await dropPrefix(prefix);
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('posts the notice once', async () => {
    // Slack takes its time over the post; the bot dies the moment the call reaches Slack.
    slack.delayMs.set('chat.postMessage', 300);
    const killed = new Promise<void>((resolve) => {
      slack.onArrive = (method, args) => {
        if (method === 'chat.postMessage' && String(args.metadata ?? '').includes(`"key":"diagnosis_overdue"`)) {
          slack.onArrive = null;
          void bot!.kill('SIGKILL').then(resolve);
        }
      };
    });
    const body = new URLSearchParams({
      team_id: 'T0TEST',
      channel_id: 'CGENERAL',
      user_id: ALICE,
      command: '/incident',
      text: 'pdf-404 killed while noticing',
      response_url: slack.responseUrl('diagnosis-kill'),
      trigger_id: 'diagnosis-kill-trigger',
    }).toString();
    const res = await postSigned(bot!.eventsUrl, SECRET, body, 'application/x-www-form-urlencoded');
    const number = Number(/^INC-(\d+) declared/.exec(JSON.parse(res.body).text)?.[1]);
    const { id, channel } = await incidentByNumber(schema.pool, number);

    await killed;
    slack.delayMs.delete('chat.postMessage');
    bot = await startBot({ env: env(), port: bot!.port });

    // The killed bot's job waits for its lock to lapse, then runs on the new bot to completion.
    await until(
      async () => {
        const r = await schema.pool.query('SELECT 1 FROM outbox WHERE incident_id = $1 AND kind = $2 AND done_at IS NOT NULL', [id, 'chat.notice']);
        return r.rowCount === 1;
      },
      'the notice job to complete on the second bot',
      30_000,
    );
    await sleep(500); // anything still in flight lands now

    const state = await noticeState({ slack, pool: schema.pool }, id, channel);
    expect(state).toEqual({ messages: [expect.stringContaining(`since INC-${number} was declared`)], events: 1, jobs: 1 });
    const posts = slack.calls.filter((c) => c.method === 'chat.postMessage' && String(c.args.metadata ?? '').includes('diagnosis_overdue'));
    expect(posts).toHaveLength(1);
  }, 60_000);
});
