import { chatNotice } from '../../src/jobs/handlers/chat-notice';
import type { HandlerDeps } from '../../src/jobs/handlers/deps';
import { startHarness, type Harness } from '../support/harness';
import { seedPastIncident } from '../support/past-incidents';
import { until } from '../support/wait';

const ALICE = 'UALICE01';

type Seeded = { id: string; number: number };

describe('memory of past incidents in Slack: similar incidents at declare, and /incident search', () => {
  let h: Harness;
  const past: Record<string, Seeded> = {};

  beforeAll(async () => {
    h = await startHarness();
    const pool = h.schema.pool;
    past.acme = await seedPastIncident(pool, {
      class: 'pdf',
      runbook: 'pdf-404',
      title: 'invoices return 404 for tenant acme',
      daysAgo: 3,
      minutes: 42,
      cause: 'storage key rotated without re-rendering the PDFs',
      resolution: 'restored the old key and re-rendered',
      channelId: 'CPAST0001',
      postmortem: { status: 'published' },
    });
    past.links = await seedPastIncident(pool, { class: 'pdf', title: 'PDF links broken after deploy', daysAgo: 10, resolution: 'rolled back' });
    past.thumbs = await seedPastIncident(pool, { class: 'pdf', title: 'PDF thumbnails missing', daysAgo: 20 });
    past.oldest = await seedPastIncident(pool, { class: 'pdf', title: 'PDF render slow', daysAgo: 40 });
    past.queue = await seedPastIncident(pool, { class: 'queue', title: 'render jobs piling up', daysAgo: 5, cause: 'worker pool scaled to zero' });
    past.auth = await seedPastIncident(pool, {
      class: 'auth',
      title: 'login fails for SSO users',
      daysAgo: 8,
      notes: ['kerberos ticket expired on the render hosts'],
    });
    past.otherWorkspace = await seedPastIncident(pool, { class: 'queue', workspace: 'TOTHER', title: 'kerberos ticket expired, jobs stuck', daysAgo: 1 });
    past.cancelled = await seedPastIncident(pool, { class: 'queue', status: 'cancelled', title: 'kerberos ticket expired (duplicate)', daysAgo: 2 });
    past.open = await seedPastIncident(pool, { class: 'queue', status: 'declared', title: 'kerberos ticket expired, still open', daysAgo: 1 });
    past.byAlert = await seedPastIncident(pool, {
      class: 'storage',
      workspace: null,
      title: 'bucket access denied',
      daysAgo: 15,
      cause: 'kerberos keytab missing on the storage gateway',
    });
    past.imported = await seedPastIncident(pool, {
      class: 'sso',
      title: 'Kerberos realm outage',
      daysAgo: 100,
      imported: { from: 'servicenow', externalId: 'INC0012345' },
    });
  }, 30_000);
  afterAll(async () => {
    await h.stop();
  });

  async function declare(text: string) {
    const res = await h.command(text, ALICE);
    const channel = await h.slack.declaredChannel(res.responseUrl);
    const incident = (await h.runtime.deps.store.findByChannel('slack', channel))!.incident;
    return { channel, incident };
  }
  const notice = (channel: string) =>
    h.slack.messagesIn(channel).filter((m) => m.metadata?.event_type === 'braiflow_incident_notice' && m.text.includes('Seen before'));
  const inc = (s: Seeded) => `*INC-${s.number}*`;
  /** The similar-incidents job has finished (posted or not): its outbox row is done. */
  const similarDone = (incidentId: string) =>
    until(
      async () =>
        (await h.schema.pool.query(`SELECT 1 FROM outbox WHERE dedupe_key = $1 AND done_at IS NOT NULL`, [`${incidentId}:notice:similar_incidents`])).rowCount,
      'the similar-incidents job to finish',
      15_000,
    );

  it('names the three best earlier incidents of the same class under the checklist, with cause, fix, MTTR and post-mortem, once', async () => {
    const { channel, incident } = await declare('pdf-404 invoices return 404 for tenant acme');
    const [msg] = await h.slack.waitFor(() => notice(channel).length > 0 && notice(channel), 'the similar-incidents notice');
    const text = msg!.text;
    // Same class first; the one sharing the title's words ranks first, then the newest; at most three.
    const order = [past.acme, past.links, past.thumbs].map((s) => text.indexOf(inc(s!)));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(text).not.toContain(inc(past.oldest!));
    expect(text).toContain('resolved in 42m 00s');
    expect(text).toContain('Cause: storage key rotated without re-rendering the PDFs');
    expect(text).toContain('Fix: restored the old key and re-rendered');
    expect(text).toContain('post-mortem (published): <#CPAST0001>');
    expect(text).toContain('Cause: not recorded · Fix: not written down');
    expect(text).not.toContain(`INC-${incident.number}*`);

    // Under the checklist, not before it.
    const messages = h.slack.messagesIn(channel);
    const checklist = messages.findIndex((m) => m.metadata?.event_type === 'braiflow_incident_message' && m.metadata.event_payload.kind === 'checklist');
    expect(checklist).toBeGreaterThanOrEqual(0);
    expect(messages.indexOf(msg!)).toBeGreaterThan(checklist);

    // The job run again (a retry, a second worker) finds its message and posts nothing more.
    await similarDone(incident.id);
    const run = chatNotice({ deps: h.runtime.deps, platformOf: (n: string) => h.runtime.platforms.get(n)! } as unknown as HandlerDeps);
    await run({ incidentId: incident.id, platform: 'slack', notice: 'similar_incidents' }, { attempt: 2, final: false });
    await run({ incidentId: incident.id, platform: 'slack', notice: 'similar_incidents' }, { attempt: 3, final: true });
    expect(notice(channel)).toHaveLength(1);
  });

  it('finds a text match in another class, and never one of another workspace, a cancelled or an open one', async () => {
    const { channel } = await declare('queue-failure render jobs stuck, kerberos ticket expired');
    const [msg] = await h.slack.waitFor(() => notice(channel).length > 0 && notice(channel), 'the similar-incidents notice');
    const text = msg!.text;
    expect(text.indexOf(inc(past.queue!))).toBeGreaterThanOrEqual(0);
    expect(text.indexOf(inc(past.auth!))).toBeGreaterThan(text.indexOf(inc(past.queue!)));
    expect(text).toContain('(same class)');
    expect(text).toContain('(shared words)');
    for (const left of [past.otherWorkspace, past.cancelled, past.open, past.byAlert, past.imported]) expect(text).not.toContain(inc(left!));
  });

  it('says nothing when no earlier incident is like the new one', async () => {
    const { channel, incident } = await declare('workflow-500 zebra quantum teleporter');
    await similarDone(incident.id);
    expect(notice(channel)).toEqual([]);
  });

  it('/incident search finds an incident by a word of its cause, from any channel', async () => {
    const { channel, incident } = await declare('storage-permissions attachments broken');
    await h.command('diagnosed bucket policy lost its read grant after a terraform apply', ALICE, channel);
    await h.command('resolve --validated reverted the bucket policy', ALICE, channel);
    const found = (await h.command('search terraform', ALICE, 'CGENERAL')).body.text as string;
    expect(found).toContain(`*INC-${incident.number}*`);
    expect(found).toContain('Cause: bucket policy lost its read grant after a terraform apply');
    expect(found).toContain('Fix: reverted the bucket policy');
    // Stemmed: "granted" finds "grant".
    expect((await h.command('search granted', ALICE, 'CGENERAL')).body.text).toContain(`*INC-${incident.number}*`);
  });

  it('/incident search reads notes, alert-declared and imported history, within the workspace, without cancelled incidents', async () => {
    const text = (await h.command('search kerberos', ALICE, 'CGENERAL')).body.text as string;
    for (const seen of [past.auth, past.byAlert, past.imported, past.open]) expect(text).toContain(inc(seen!));
    for (const hidden of [past.otherWorkspace, past.cancelled]) expect(text).not.toContain(inc(hidden!));
    expect(text).toContain('imported from servicenow (INC0012345)');
    // Where the word was found, when it is not the title.
    expect(text).toContain('Matched: «kerberos» ticket expired on the render hosts');
  });

  it('answers hostile, empty, too long and stop-word searches with a sentence', async () => {
    const hostile = await h.command(`search "unclosed & | ! :* <script>alert(1)</script> ' OR 1=1 --`, ALICE, 'CGENERAL');
    expect(hostile.status).toBe(200);
    expect(hostile.body.text).toMatch(/^No past incident matches "/);
    expect(hostile.body.text).not.toContain('<script>');
    expect((await h.command('search', ALICE, 'CGENERAL')).body.text).toMatch(/^Say what to look for/);
    expect((await h.command(`search ${'kerberos '.repeat(30)}`, ALICE, 'CGENERAL')).body.text).toMatch(/^That search is 269 characters; keep it to 200/);
    expect((await h.command('search the and of', ALICE, 'CGENERAL')).body.text).toMatch(/has no word to search for/);
  });
});
