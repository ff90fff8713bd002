import { chatAnnounce } from '../../src/jobs/handlers/chat-announce';
import type { HandlerDeps } from '../../src/jobs/handlers/deps';
import { startHarness, type Harness } from '../support/harness';

const ALICE = 'UALICE01'; // declares, so may change the severity and resolve
const ANNOUNCE = 'CANNOUNCE1';

type Message = { ts: string; text: string; blocks: any[]; metadata?: { event_type?: string; event_payload?: Record<string, unknown> } };

async function declare(h: Harness, text: string): Promise<{ channel: string; incidentId: string }> {
  const res = await h.command(text, ALICE);
  expect(res.status).toBe(200);
  const channel = await h.slack.declaredChannel(res.responseUrl);
  await h.slack.waitFor(() => (h.slack.messagesIn(channel).length >= 2 ? true : null), 'header and checklist');
  const { rows } = await h.schema.pool.query('SELECT id FROM incidents WHERE channel_id = $1', [channel]);
  return { channel, incidentId: rows[0].id };
}

/** The announce channel's messages about one incident: its announcement, and its short posts. */
function about(h: Harness, incidentId: string): { announcements: Message[]; posts: Message[] } {
  const mine = (h.slack.messagesIn(ANNOUNCE) as Message[]).filter((m) => m.metadata?.event_payload?.incident_id === incidentId);
  return {
    announcements: mine.filter((m) => m.metadata?.event_type === 'braiflow_incident_message'),
    posts: mine.filter((m) => m.metadata?.event_type === 'braiflow_incident_notice'),
  };
}

const shown = (m: Message) => JSON.stringify(m.blocks);

describe('announcing incidents in INCIDENT_ANNOUNCE_CHANNEL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness({ env: { INCIDENT_ANNOUNCE_CHANNEL: ANNOUNCE } });
    h.slack.addChannel(ANNOUNCE, 'incidents');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('posts one announcement on declare, updates it in place on every change, and says a rise to SEV1 once', async () => {
    const { channel, incidentId } = await declare(h, 'pdf-404 invoices return 404');

    const first = await h.slack.waitFor(() => about(h, incidentId).announcements[0] ?? null, 'the announcement');
    expect(shown(first)).toContain('invoices return 404');
    expect(shown(first)).toContain('SEV2');
    expect(shown(first)).toContain('Declared');
    expect(shown(first)).toContain(`<@${ALICE}>`); // the commander
    expect(shown(first)).toContain(`https://slack.com/app_redirect?channel=${channel}`); // the way in

    // A rise to SEV1, sent twice as a replayed request: one change, one short post.
    const sev = h.commandBody('sev 1', ALICE, channel);
    expect((await h.send(sev.body)).status).toBe(200);
    await h.slack.waitFor(() => (shown(about(h, incidentId).announcements[0]!).includes('SEV1') ? true : null), 'the announcement at SEV1');
    const raised = await h.slack.waitFor(() => about(h, incidentId).posts[0] ?? null, 'the SEV1 post');
    expect(raised.text).toMatch(/raised to SEV1/);
    expect(raised.text).toContain(channel);
    expect((await h.send(sev.body)).status).toBe(200);

    // The job run again (a retry after a lost answer) finds its post and says nothing more.
    const { rows } = await h.schema.pool.query(`SELECT payload FROM outbox WHERE kind = 'chat.announce' AND payload->>'incidentId' = $1`, [incidentId]);
    expect(rows).toHaveLength(1);
    const handler = chatAnnounce({ deps: h.runtime.deps, platformOf: (name: string) => h.runtime.platforms.get(name)! } as unknown as HandlerDeps);
    await handler(rows[0].payload, { attempt: 2, final: false } as never);
    await new Promise((r) => setTimeout(r, 500));
    expect(about(h, incidentId).posts).toHaveLength(1);

    // Resolving updates the same message.
    expect((await h.command('resolve --validated bad deploy rolled back', ALICE, channel)).status).toBe(200);
    const resolved = await h.slack.waitFor(() => {
      const a = about(h, incidentId).announcements;
      return a.length === 1 && shown(a[0]!).includes('Resolved') ? a[0]! : null;
    }, 'the announcement resolved');
    expect(resolved.ts).toBe(first.ts);
    expect(h.slack.callsOf('chat.update').some((c) => c.args.channel === ANNOUNCE && c.args.ts === first.ts)).toBe(true);
    expect(about(h, incidentId).announcements).toHaveLength(1);
    expect(about(h, incidentId).posts).toHaveLength(1);
  });

  it('says nothing more for a lowered severity, and one post per rise', async () => {
    const { channel, incidentId } = await declare(h, 'pdf-404 some PDFs slow');
    await h.slack.waitFor(() => about(h, incidentId).announcements[0] ?? null, 'the announcement');
    expect((await h.command('sev 3', ALICE, channel)).status).toBe(200);
    await h.slack.waitFor(() => (shown(about(h, incidentId).announcements[0]!).includes('SEV3') ? true : null), 'the announcement at SEV3');
    expect(about(h, incidentId).posts).toHaveLength(0);
    expect((await h.command('sev 2', ALICE, channel)).status).toBe(200);
    const raised = await h.slack.waitFor(() => about(h, incidentId).posts[0] ?? null, 'the SEV2 post');
    expect(raised.text).toMatch(/raised to SEV2/);
    expect(about(h, incidentId).announcements).toHaveLength(1);
  });
});

describe('without INCIDENT_ANNOUNCE_CHANNEL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await startHarness();
    h.slack.addChannel(ANNOUNCE, 'incidents');
  });
  afterAll(async () => {
    await h.stop();
  });

  it('posts nothing outside the incident channel', async () => {
    const { channel } = await declare(h, 'pdf-404 invoices return 404');
    expect((await h.command('sev 1', ALICE, channel)).status).toBe(200);
    await h.slack.waitFor(() => (JSON.stringify(h.slack.messagesIn(channel)[0]!.blocks).includes('SEV1') ? true : null), 'the header at SEV1');
    await new Promise((r) => setTimeout(r, 500));
    expect(h.slack.messagesIn(ANNOUNCE)).toHaveLength(0);
    const elsewhere = [...h.slack.messages.values()].filter((m: any) => m.channel !== channel && m.user === 'UBOT' && !m.channel.startsWith('U'));
    expect(elsewhere).toHaveLength(0);
  });
});
