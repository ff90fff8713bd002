import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackPlatform } from '../../src/adapters/slack/platform';
import { PermanentError } from '../../src/core/errors';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { systemClock } from '../../src/core/ports';
import { loadCatalog } from '../../src/core/runbook/loader';
import { createLogger } from '../../src/util/logger';
import { ChatRefStore } from '../../src/store/chat-refs';
import { ChatRoomStore } from '../../src/store/chat-rooms';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';

/** Slack behind the one platform interface the core and the jobs talk to. */
describe('SlackPlatform', () => {
  let schema: TestSchema;
  let slack: FakeSlack;
  let deps: CoreDeps;
  let platform: SlackPlatform;

  beforeAll(async () => {
    schema = await freshSchema();
    slack = await new FakeSlack().start();
    deps = { store: new PgIncidentStore(schema.pool), clock: systemClock, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
    const client = new WebClient('xoxb-test-platform', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const stores = { refs: new ChatRefStore(schema.pool, 'slack'), rooms: new ChatRoomStore(schema.pool, 'slack') };
    platform = new SlackPlatform(client, deps, stores, { users: ['UADMIN01'], groups: [] }, createLogger('silent'));
  });
  afterAll(async () => {
    await slack.stop();
    await schema.drop();
  });

  async function provisioned(summary: string) {
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', summary, actor: { id: 'UALICE01' }, platform: 'slack', workspace: 'T1' });
    await platform.provision(snapshot.incident.id, null, { attempt: 1, final: true });
    return (await deps.store.get(snapshot.incident.id))!.incident;
  }

  it('posts in the incident channel, as text that cannot ping anyone', async () => {
    const incident = await provisioned('post test');
    await platform.post(incident.id, ['Probe failed: ', { user: 'UBOB0002' }, ' look at <!channel>']);
    const last = slack.messagesIn(incident.channelId!).at(-1)!;
    expect(last.text).toBe('Probe failed: <@UBOB0002> look at &lt;!channel&gt;');
  });

  it('refuses for good to post for an incident that does not exist', async () => {
    await expect(platform.post('00000000-0000-4000-8000-000000000000', ['x'])).rejects.toBeInstanceOf(PermanentError);
  });

  it('tells one person privately, through a response_url or by direct message', async () => {
    const url = slack.responseUrl('notify');
    await platform.notify({ responseUrl: url }, ['Only you see this']);
    expect(slack.replies.find((r) => url.endsWith(r.path))!.body).toEqual(expect.objectContaining({ response_type: 'ephemeral', text: 'Only you see this' }));
    await platform.notify({ user: 'UCAROL03' }, ['You are on call for ', { code: 'pdf-404' }]);
    expect(slack.messagesIn('UCAROL03').map((m) => m.text)).toEqual(['You are on call for `pdf-404`']);
    await expect(platform.notify({}, ['nowhere'])).rejects.toBeInstanceOf(PermanentError);
  });

  it('knows who may act: typing in the channel proves membership, a click asks Slack, admins come from config', async () => {
    const incident = await provisioned('actor test');
    const channel = incident.channelId!;
    const before = slack.callsOf('conversations.members').length;
    expect(await platform.resolveActor('UNEW0001', incident, { room: channel, via: 'command' })).toEqual({ id: 'UNEW0001', isAdmin: false, inChannel: true });
    expect(slack.callsOf('conversations.members').length).toBe(before);
    expect(await platform.resolveActor('UNEW0001', incident, { room: channel, via: 'click' })).toEqual({ id: 'UNEW0001', isAdmin: false, inChannel: false });
    expect(await platform.resolveActor('UALICE01', incident, { room: channel, via: 'click' })).toEqual({ id: 'UALICE01', isAdmin: false, inChannel: true });
    expect(await platform.resolveActor('UADMIN01', incident, { room: 'CGENERAL', via: 'command' })).toEqual({
      id: 'UADMIN01',
      isAdmin: true,
      inChannel: false,
    });
  });
});
