import type { Pool } from 'pg';
import { loadConfig } from '../../src/config';
import { loadCatalog } from '../../src/core/runbook/loader';
import { plainText } from '../../src/core/render/text';
import { weeklyDigestFrom } from '../../src/digest-wiring';
import { createLogger } from '../../src/logger';
import { BOT_TOKEN, SIGNING_SECRET, startHarness, type Harness } from '../support/harness';
import path from 'node:path';

const CHANNEL = 'C0KPI0001';
// Wednesday: the last complete period is Mon 2 March 09:00 to Mon 9 March 09:00 UTC.
const NOW = new Date('2026-03-11T12:00:00Z');
const clock = { now: () => NOW };
const PERIOD_START = new Date('2026-03-02T09:00:00Z');

async function incident(pool: Pool, cls: string, declared: string, minutesToResolve: number | null): Promise<void> {
  await pool.query(
    `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, acknowledged_at, resolved_at)
     VALUES ($1, $1, 'test', 2, $2, 'slack', 'U1', $3::timestamptz, $3::timestamptz, $3::timestamptz + make_interval(mins => $4))`,
    [cls, minutesToResolve === null ? 'acknowledged' : 'resolved', declared, minutesToResolve],
  );
}

async function seed(pool: Pool): Promise<void> {
  // Last week: three pdf-404 (30, 40, 50 min) and one workflow-500 still open.
  await incident(pool, 'pdf-404', '2026-03-03T10:00:00Z', 30);
  await incident(pool, 'pdf-404', '2026-03-04T10:00:00Z', 40);
  await incident(pool, 'pdf-404', '2026-03-05T10:00:00Z', 50);
  await incident(pool, 'workflow-500', '2026-03-06T10:00:00Z', null);
  // The week before: one pdf-404 that took 90 minutes.
  await incident(pool, 'pdf-404', '2026-02-25T10:00:00Z', 90);
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
    expect(text).toContain('Open now: 1 incident\n');
    expect(text).toContain('• Incidents: 4 🔴 ↑ from 1');
    expect(text).toContain('• MTTR: 40 min 🟢 ↓ from 1 h 30 min');
    expect(text).toContain('*pdf-404*');
    const row = await base.schema.pool.query('SELECT period_start, posted_at, message_ref FROM digests');
    expect(row.rows).toEqual([{ period_start: PERIOD_START, posted_at: expect.any(Date), message_ref: posted[0]!.ts }]);
    // Later runs for the same period find the row and post nothing.
    expect((await digest().run()).posted).toBe(false);
    expect(digestMessages(base)).toHaveLength(1);
  });

  it('takes over a claim whose bot died before posting, and does not post twice if the post had gone out', async () => {
    await base.schema.pool.query(`INSERT INTO digests (period_start, channel, claimed_at) VALUES ($1, $2, now() - interval '1 minute')`, [PERIOD_START, CHANNEL]);
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
      expect(schedulers).toEqual([expect.objectContaining({ key: 'weekly-digest', pattern: '0 9 * * 1', tz: 'UTC' })]);
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
