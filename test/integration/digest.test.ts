import type { Pool } from 'pg';
import { loadConfig } from '../../src/app/config';
import { loadCatalog } from '../../src/core/runbook/loader';
import { weeklyDigestFrom } from '../../src/app/digest-wiring';
import { DigestClaims } from '../../src/store/digest-claims';
import { createLogger } from '../../src/util/logger';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../support/harness';
import path from 'node:path';

const CHANNEL = 'C0KPI0001';
// Wednesday: the last complete period is Mon 2 March 09:00 to Mon 9 March 09:00 UTC.
const NOW = new Date('2026-03-11T12:00:00Z');
const clock = { now: () => NOW };
const PERIOD_START = new Date('2026-03-02T09:00:00Z');

async function incident(pool: Pool, cls: string, declared: string, minutesToResolve: number | null): Promise<string> {
  const r = await pool.query<{ id: string }>(
    `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, acknowledged_at, resolved_at)
     VALUES ($1, $1, 'test', 2, $2, 'slack', 'U1', $3::timestamptz, $3::timestamptz, $3::timestamptz + make_interval(mins => $4))
     RETURNING id`,
    [cls, minutesToResolve === null ? 'acknowledged' : 'resolved', declared, minutesToResolve],
  );
  return r.rows[0]!.id;
}

async function actionItem(pool: Pool, incidentId: string, number: number, dueOn: string | null, closed = false): Promise<void> {
  await pool.query(
    `INSERT INTO action_items (incident_id, number, text, due_on, created_at, created_by, closed_at, closed_by)
     VALUES ($1, $2, 'follow up', $3, '2026-03-06T12:00:00Z', 'U1', $4, $5)`,
    [incidentId, number, dueOn, closed ? new Date('2026-03-07T12:00:00Z') : null, closed ? 'U1' : null],
  );
}

async function seed(pool: Pool): Promise<void> {
  // Last week: three pdf-404 (30, 40, 50 min) and one workflow-500 still open; all SEV2, so major.
  const pdf = await incident(pool, 'pdf-404', '2026-03-03T10:00:00Z', 30);
  await incident(pool, 'pdf-404', '2026-03-04T10:00:00Z', 40);
  await incident(pool, 'pdf-404', '2026-03-05T10:00:00Z', 50);
  const workflow = await incident(pool, 'workflow-500', '2026-03-06T10:00:00Z', null);
  // The week before: one pdf-404 that took 90 minutes.
  await incident(pool, 'pdf-404', '2026-02-25T10:00:00Z', 90);
  // A cancelled incident: its post-mortem and action item are nobody's work any more.
  const cancelled = (
    await pool.query<{ id: string }>(
      `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, cancelled_at)
       VALUES ('pdf-404', 'pdf-404', 'test', 1, 'cancelled', 'slack', 'U1', '2026-03-07T10:00:00Z', '2026-03-07T10:05:00Z') RETURNING id`,
    )
  ).rows[0]!.id;

  // The first pdf-404 (resolved 10:30 on 3 March) has its post-mortem closed 30 h later; workflow-500's is a draft.
  await pool.query(
    `INSERT INTO postmortems (incident_id, status, due_on, opened_at, opened_by, closed_at) VALUES
       ($1, 'closed', '2026-03-10', '2026-03-03T10:30:00Z', 'U1', '2026-03-04T16:30:00Z'),
       ($2, 'draft', '2026-03-13', '2026-03-06T10:00:00Z', 'U1', NULL),
       ($3, 'draft', '2026-03-14', '2026-03-07T10:05:00Z', 'U1', NULL)`,
    [pdf, workflow, cancelled],
  );
  // Open: five (two due before Mon 9 March, one due that day, one without a date, one later).
  await actionItem(pool, pdf, 1, '2026-03-05');
  await actionItem(pool, pdf, 2, '2026-03-08');
  await actionItem(pool, pdf, 3, '2026-03-09');
  await actionItem(pool, pdf, 4, null);
  await actionItem(pool, workflow, 1, '2026-03-20');
  // Not counted: done, or of a cancelled incident.
  await actionItem(pool, pdf, 5, '2026-03-01', true);
  await actionItem(pool, cancelled, 1, '2026-03-01');
}

const digestMessages = (h: Harness) => h.slack.messagesIn(CHANNEL).filter((m) => m.text.includes('Weekly incident digest'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the weekly digest', () => {
  let base: Harness;

  beforeAll(async () => {
    // A web-only bot owns the fake Slack, schema and prefix the digest bots share.
    base = await startHarness({ role: 'web' });
    base.slack.addChannel(CHANNEL, 'eng-kpis');
    await seed(base.schema.pool);
  }, 30_000);
  afterAll(async () => {
    await base?.stop();
  }, 30_000);

  function digest() {
    const config = loadConfig({
      DATABASE_URL: base.schema.url,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: base.slack.apiUrl,
      DIGEST_SLACK_CHANNEL: CHANNEL,
    });
    const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
    return weeklyDigestFrom(config, { pool: base.schema.pool, catalog, clock, logger: createLogger('silent') })!;
  }

  afterEach(async () => {
    await base.schema.pool.query('DELETE FROM digests');
    for (const key of [...base.slack.messages.keys()]) if (key.startsWith(`${CHANNEL}/`)) base.slack.messages.delete(key);
  });

  it('posts once when two runs race, and says what happened last week against the week before', async () => {
    const outcomes = await Promise.all([digest().run(), digest().run()]);
    expect(outcomes.filter((o) => o.posted)).toHaveLength(1);
    const posted = digestMessages(base);
    expect(posted).toHaveLength(1);
    const text = posted[0]!.text;
    expect(text).toContain('Mon 2 Mar, 09:00 to Mon 9 Mar, 09:00 (UTC)');
    expect(text).toContain('Open now: 1 incident\nPost-mortems open: 1\nAction items: 5 open, 2 overdue\n');
    expect(text).toContain('• Post-mortems: 1 of 4 major incidents closed (25%), closed on average 30 h after resolution\n');
    expect(text).toContain('• Incidents: 4 🔴 ↑ from 1');
    expect(text).toContain('• MTTR: 40 min 🟢 ↓ from 1 h 30 min');
    // Each incident against its own runbook's diagnose_within (0026), no longer a fixed 15 minutes.
    expect(text).toContain("• Diagnosed within its runbook's limit: 0% ⚪ → same as the week before\n");
    expect(text).not.toContain('Diagnosed within 15 min');
    expect(text).toContain('*pdf-404*');
    const row = await base.schema.pool.query('SELECT period_start, posted_at, message_ref FROM digests');
    expect(row.rows).toEqual([{ period_start: PERIOD_START, posted_at: expect.any(Date), message_ref: posted[0]!.ts }]);
    // Later runs for the same period find the row and post nothing.
    expect((await digest().run()).posted).toBe(false);
    expect(digestMessages(base)).toHaveLength(1);
  });

  it("counts action items overdue against the calendar day in the digest's zone", async () => {
    const claims = new DigestClaims(base.schema.pool);
    // 23:30 UTC on Sunday 8 March is already Monday 9 March in Berlin.
    const at = new Date('2026-03-08T23:30:00Z');
    expect(await claims.followUps(at, 'UTC')).toEqual({ actionItemsOpen: 5, actionItemsOverdue: 1, postmortemsOpen: 1 });
    expect(await claims.followUps(at, 'Europe/Berlin')).toEqual({ actionItemsOpen: 5, actionItemsOverdue: 2, postmortemsOpen: 1 });
  });

  it('takes over a claim whose bot died before posting, and does not post twice if the post had gone out', async () => {
    await base.schema.pool.query(`INSERT INTO digests (period_start, channel, claimed_at) VALUES ($1, $2, now() - interval '1 minute')`, [
      PERIOD_START,
      CHANNEL,
    ]);
    expect((await digest().run()).posted).toBe(false); // a fresh claim: its bot may still be posting
    await base.schema.pool.query(`UPDATE digests SET claimed_at = now() - interval '10 minutes'`);
    const [a, b] = await Promise.all([digest().run(), digest().run()]);
    expect([a.posted, b.posted].sort()).toEqual([false, true]);
    expect(digestMessages(base)).toHaveLength(1);
    // The bot that took over dies after Slack took the message: the next takeover finds it.
    await base.schema.pool.query(`UPDATE digests SET posted_at = NULL, message_ref = NULL, claimed_at = now() - interval '10 minutes'`);
    const again = await digest().run();
    expect(again).toEqual(expect.objectContaining({ posted: true, ref: digestMessages(base)[0]!.ts }));
    expect(digestMessages(base)).toHaveLength(1);
  });

  it('posts a period every bot missed once at start, with two bots starting, and nothing when started again', async () => {
    const env = { DIGEST_SLACK_CHANNEL: CHANNEL };
    const first = [await startHarness({ role: 'all', share: base, clock, env }), await startHarness({ role: 'worker', share: base, clock, env })];
    try {
      await base.slack.waitFor(() => digestMessages(base).length > 0, 'the missed digest');
      await sleep(1_000); // a second post, if there were one, would land now
      expect(digestMessages(base)).toHaveLength(1);
      expect(digestMessages(base)[0]!.text).toContain('• Incidents: 4 🔴 ↑ from 1');
      const schedulers = await first[0]!.runtime.queues.queues.schedules.getJobSchedulers();
      // One weekly-digest scheduler however many bots start; other schedules share the queue.
      expect(schedulers.filter((s) => s.key === 'weekly-digest')).toEqual([expect.objectContaining({ pattern: '0 9 * * 1', tz: 'UTC' })]);
    } finally {
      for (const h of first) await h.stop();
    }
    const again = await startHarness({ role: 'all', share: base, clock, env });
    try {
      await sleep(1_500);
      expect(digestMessages(base)).toHaveLength(1);
    } finally {
      await again.stop();
    }
  }, 40_000);
});
