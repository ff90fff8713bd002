import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackPlatform } from '../../src/adapters/slack/platform';
import { RetryLaterError } from '../../src/core/errors';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import type { Incident } from '../../src/core/model';
import { systemClock, type ChatPlatform, type EscalationNotice } from '../../src/core/ports';
import { loadCatalog } from '../../src/core/runbook/loader';
import { createLogger } from '../../src/util/logger';
import { ChatRefStore } from '../../src/store/chat-refs';
import { ChatRoomStore } from '../../src/store/chat-rooms';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';

const ATTEMPT = { attempt: 1, final: false };
const FIX_AT = 'playbooks/pdf-404.yaml, escalation.1.notify';

/** A fired level reaching Slack: the room, the people, their direct messages, other channels. */
describe('SlackPlatform.escalate', () => {
  let schema: TestSchema;
  let slack: FakeSlack;
  let deps: CoreDeps;
  // Typed as the job layer sees it, which hands every escalate the job's attempt.
  let platform: ChatPlatform;

  function newPlatform(): ChatPlatform {
    // Rate limits come back as errors, as the worker's client has them (src/adapters/slack/client.ts).
    const client = new WebClient('xoxb-test-escalation', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const stores = { refs: new ChatRefStore(schema.pool, 'slack'), rooms: new ChatRoomStore(schema.pool, 'slack') };
    return new SlackPlatform(client, deps, stores, { users: [], groups: [] }, createLogger('silent'));
  }

  beforeAll(async () => {
    schema = await freshSchema();
    slack = await new FakeSlack().start();
    deps = { store: new PgIncidentStore(schema.pool), clock: systemClock, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
    platform = newPlatform();
    slack.addUsergroup('SDOCS001', 'oncall-documents', ['UDANA001', 'UERIK002', 'UBOT']);
    // Enough people before the ones named here that finding them takes a second page of users.list.
    slack.users.push(...Array.from({ length: 200 }, (_, i) => ({ id: `UFILL${String(i).padStart(4, '0')}`, name: `filler${i}` })));
    slack.users.push(
      { id: 'UDANA001', name: 'dana', display_name: 'Dana' },
      { id: 'UERIK002', name: 'erik', display_name: 'Erik' },
      { id: 'UJANE003', name: 'jane.doe', display_name: 'documents-lead' },
      { id: 'UOLD0004', name: 'olga', display_name: 'Olga', deleted: true },
      { id: 'UKIM00005', name: 'kim.a', display_name: 'kim' },
      { id: 'UKIM00006', name: 'kim.b', display_name: 'kim' },
    );
    slack.channels.set('CENGINC1', { id: 'CENGINC1', name: 'eng-incidents', topic: '', members: new Set(['UBOT']), creator: 'UHUMAN01' });
    slack.channels.set('CSUPESC1', { id: 'CSUPESC1', name: 'support-escalations', topic: '', members: new Set(['UHUMAN01']), creator: 'UHUMAN01' });
  });
  afterAll(async () => {
    await slack.stop();
    await schema.drop();
  });

  async function provisioned(summary: string): Promise<Incident> {
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', summary, actor: { id: 'UALICE01' }, platform: 'slack', workspace: 'T1' });
    await platform.provision(snapshot.incident.id, null, { attempt: 1, final: true });
    return (await deps.store.get(snapshot.incident.id))!.incident;
  }

  function notice(incident: Incident, targets: string[]): EscalationNotice {
    return {
      incidentId: incident.id,
      level: 2,
      targets,
      text: [`INC-${incident.number} is escalated to level 2: `, { strong: 'nobody acknowledged it' }, ' <!here>'],
      fixAt: FIX_AT,
      actions: [{ label: 'Acknowledge', style: 'primary', payload: { a: 'ack', i: incident.id } }],
    };
  }

  /** The values of a message's buttons, decoded. */
  const buttons = (m: { blocks: any[] }) =>
    m.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : [])).map((e: any) => ({ label: e.text.text, value: JSON.parse(e.value) }));

  /** Messages posted with an escalation key, oldest first. */
  function keyed(channel: string, key = 'escalation:2') {
    return slack.messagesIn(channel).filter((m) => m.metadata?.event_payload.key === key);
  }

  it('names a user group in the incident channel and brings its members in', async () => {
    const incident = await provisioned('group target');
    const room = incident.channelId!;
    const dms = slack.callsOf('conversations.open').length;
    await platform.escalate(notice(incident, ['@oncall-documents']), ATTEMPT);

    expect(keyed(room).map((m) => m.text)).toEqual([
      `INC-${incident.number} is escalated to level 2: *nobody acknowledged it* &lt;!here&gt;\n<!subteam^SDOCS001>`,
    ]);
    expect(slack.channels.get(room)!.members).toEqual(new Set(['UBOT', 'UALICE01', 'UDANA001', 'UERIK002']));
    // Members of a group are called in the room, not each by direct message.
    expect(slack.callsOf('conversations.open')).toHaveLength(dms);
    expect(keyed(room, 'escalation:2:unreachable')).toEqual([]);
  });

  it('mentions a user target, invites them, and tells them privately where to go', async () => {
    const incident = await provisioned('user target');
    const room = incident.channelId!;
    await platform.escalate(notice(incident, ['@documents-lead']), ATTEMPT);

    expect(keyed(room).map((m) => m.text.split('\n')[1])).toEqual(['<@UJANE003>']);
    expect(slack.channels.get(room)!.members.has('UJANE003')).toBe(true);
    expect(keyed('DJANE003').map((m) => m.text)).toEqual([
      `INC-${incident.number} is escalated to level 2: *nobody acknowledged it* &lt;!here&gt;\nYou are called in at escalation level 2: work it in <#${room}>.`,
    ]);
    // The page carries its Acknowledge button, in the direct message and in the room's callout.
    expect(buttons(keyed('DJANE003')[0]!)).toEqual([{ label: 'Acknowledge', value: { a: 'ack', i: incident.id } }]);
    expect(buttons(keyed(room)[0]!)).toEqual([{ label: 'Acknowledge', value: { a: 'ack', i: incident.id } }]);
  });

  it('posts a notice in a channel target, and says how to fix one the bot is not in', async () => {
    const incident = await provisioned('channel target');
    const room = incident.channelId!;
    await platform.escalate(notice(incident, ['#eng-incidents', '#support-escalations']), ATTEMPT);

    expect(keyed(room).map((m) => m.text.split('\n')[1])).toEqual(['<#CENGINC1> <#CSUPESC1>']);
    expect(keyed('CENGINC1').map((m) => m.text.split('\n')[1])).toEqual([`Follow it in <#${room}>.`]);
    expect(keyed(room, 'escalation:2:unreachable').map((m) => m.text)).toEqual([
      'Could not reach #support-escalations at level 2: the bot is not in that channel. Invite the bot to #support-escalations.',
    ]);
  });

  it('reaches the targets it can, and names the others once with where to fix them', async () => {
    const incident = await provisioned('unknown target');
    const room = incident.channelId!;
    slack.uninvitable.add('UERIK002');
    try {
      await platform.escalate(notice(incident, ['@nobody', '@oncall-documents', '@olga', '@kim', '#no-such-channel', 'S0GONE00', 'UOLD0004']), ATTEMPT);
    } finally {
      slack.uninvitable.delete('UERIK002');
    }

    expect(keyed(room).map((m) => m.text.split('\n')[1])).toEqual(['<!subteam^SDOCS001> <@UOLD0004>']);
    expect(slack.channels.get(room)!.members.has('UDANA001')).toBe(true);
    expect(keyed(room, 'escalation:2:unreachable').map((m) => m.text.split('\n'))).toEqual([
      [
        `Could not reach @nobody at level 2: no user group or user is called that. Fix it in ${FIX_AT}.`,
        `Could not reach @olga at level 2: that account is deactivated. Fix it in ${FIX_AT}.`,
        `Could not reach @kim at level 2: more than one person has that display name. Fix it in ${FIX_AT}: write their username or user id.`,
        `Could not reach #no-such-channel at level 2: no channel the bot can see is called that. Fix it in ${FIX_AT}.`,
        `Could not reach S0GONE00 at level 2: no user group has that id. Fix it in ${FIX_AT}.`,
        'Could not reach <@UERIK002> at level 2: Slack would not invite them (`cant_invite`). Invite them by hand.',
        `Could not reach <@UOLD0004> at level 2: Slack would not send them a direct message (\`user_disabled\`). Fix it in ${FIX_AT}.`,
      ],
    ]);
  });

  it('pins a refusal without per-person answers on the right person by inviting one at a time', async () => {
    const incident = await provisioned('invite without answers');
    const room = incident.channelId!;
    slack.failNext.set('conversations.invite', 'user_not_found');
    await platform.escalate(notice(incident, ['@oncall-documents']), ATTEMPT);

    const invites = slack.calls.filter((c) => c.method === 'conversations.invite' && c.args.channel === room);
    expect(invites.map((c) => c.args.users)).toEqual(['UALICE01', 'UDANA001,UERIK002,UBOT', 'UDANA001', 'UERIK002', 'UBOT']);
    expect(slack.channels.get(room)!.members).toEqual(new Set(['UBOT', 'UALICE01', 'UDANA001', 'UERIK002']));
    expect(keyed(room, 'escalation:2:unreachable')).toEqual([]);
  });

  it('says which targets a lookup Slack refused for good left out, and what the app needs', async () => {
    const incident = await provisioned('missing scope');
    const room = incident.channelId!;
    slack.failNext.set('users.list', 'missing_scope');
    await newPlatform().escalate(notice(incident, ['@documents-lead', '@oncall-documents']), ATTEMPT);

    expect(keyed(room).map((m) => m.text.split('\n')[1])).toEqual(['<!subteam^SDOCS001>']);
    expect(keyed(room, 'escalation:2:unreachable').map((m) => m.text)).toEqual([
      'Could not reach @documents-lead at level 2: Slack would not look it up (`missing_scope`). ' +
        'The Slack app is not installed with the scopes in slack/manifest.*.json, or its token is no longer valid: reinstall it and update SLACK_BOT_TOKEN.',
    ]);
  });

  it('uses raw ids as they are, without listing the workspace', async () => {
    const incident = await provisioned('raw ids');
    const room = incident.channelId!;
    const fresh = newPlatform();
    const listings = () => ['usergroups.list', 'users.list', 'conversations.list'].map((m) => slack.callsOf(m).length);
    const before = listings();
    await fresh.escalate(notice(incident, ['UDANA001', 'CENGINC1']), ATTEMPT);

    expect(listings()).toEqual(before);
    expect(keyed(room).map((m) => m.text.split('\n')[1])).toEqual(['<@UDANA001> <#CENGINC1>']);
    expect(slack.channels.get(room)!.members.has('UDANA001')).toBe(true);
    expect(keyed('DDANA001')).toHaveLength(1);
  });

  it('says and sends nothing twice when the job runs again', async () => {
    const incident = await provisioned('run twice');
    const room = incident.channelId!;
    const level = notice(incident, ['@oncall-documents', '@documents-lead', '#eng-incidents', '@nobody']);
    await platform.escalate(level, ATTEMPT);
    const posts = slack.callsOf('chat.postMessage').length;
    await platform.escalate(level, { attempt: 2, final: false });

    expect(slack.callsOf('chat.postMessage').length).toBe(posts);
    expect(keyed(room)).toHaveLength(1);
    expect(keyed(room, 'escalation:2:unreachable')).toHaveLength(1);
    expect(keyed('DJANE003').filter((m) => m.metadata?.event_payload.incident_id === incident.id)).toHaveLength(1);
    expect(keyed('CENGINC1').filter((m) => m.metadata?.event_payload.incident_id === incident.id)).toHaveLength(1);
  });

  it('throws a rate limit for the job to wait out, and the next try finishes what the first began', async () => {
    const incident = await provisioned('rate limited');
    const room = incident.channelId!;
    const level = notice(incident, ['@documents-lead']);
    slack.rateLimitNext.set('conversations.open', 7);
    await expect(platform.escalate(level, ATTEMPT)).rejects.toEqual(expect.any(RetryLaterError));
    expect(keyed(room)).toHaveLength(1);
    expect(keyed('DJANE003').filter((m) => m.metadata?.event_payload.incident_id === incident.id)).toHaveLength(0);

    await platform.escalate(level, { attempt: 2, final: false });
    expect(keyed(room)).toHaveLength(1);
    expect(keyed('DJANE003').filter((m) => m.metadata?.event_payload.incident_id === incident.id)).toHaveLength(1);
  });

  it('lists user groups, users and channels once for many escalations', async () => {
    const fresh = newPlatform();
    const first = await provisioned('cache one');
    const second = await provisioned('cache two');
    const counts = () => ['usergroups.list', 'users.list', 'conversations.list'].map((m) => slack.callsOf(m).length);
    const before = counts();
    await fresh.escalate(notice(first, ['@oncall-documents', '@documents-lead', '#eng-incidents']), ATTEMPT);
    await fresh.escalate(notice(second, ['@oncall-documents', '@documents-lead', '#eng-incidents']), ATTEMPT);

    // One listing each; users.list answers in two pages.
    expect(counts().map((n, i) => n - before[i]!)).toEqual([1, 2, 1]);
    expect(keyed(second.channelId!)).toHaveLength(1);
  });
});
