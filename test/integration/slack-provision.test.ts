import path from 'node:path';
import { WebClient } from '@slack/web-api';
import { SlackMessageSync } from '../../src/adapters/slack/message-sync';
import { SlackProvisioner } from '../../src/adapters/slack/provision';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { loadCatalog } from '../../src/core/runbook/loader';
import { systemClock } from '../../src/core/ports';
import { createLogger } from '../../src/util/logger';
import { ChatRefStore } from '../../src/store/chat-refs';
import { ChatRoomStore } from '../../src/store/chat-rooms';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { FakeSlack } from '../support/fake-slack';

// The last of the attempts, as the worker hands it to the platform.
const lastAttempt = { attempt: 6, final: true };

describe('opening the incident channel when Slack keeps refusing', () => {
  let schema: TestSchema;
  let slack: FakeSlack;
  let deps: CoreDeps;
  let provisioner: SlackProvisioner;

  beforeAll(async () => {
    schema = await freshSchema();
    slack = await new FakeSlack().start();
    deps = { store: new PgIncidentStore(schema.pool), clock: systemClock, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
    const client = new WebClient('xoxb-test-provision', { slackApiUrl: slack.apiUrl, retryConfig: { retries: 0 } });
    const logger = createLogger('silent');
    provisioner = new SlackProvisioner(
      client,
      deps,
      new SlackMessageSync(client, deps, new ChatRefStore(schema.pool, 'slack'), logger),
      new ChatRoomStore(schema.pool, 'slack'),
      logger,
    );
  });
  afterAll(async () => {
    await slack.stop();
    await schema.drop();
  });

  it('tells the declarer on the last attempt what failed, how to fix it, and to work the runbook by hand', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', actor: { id: 'UALICE01' }, platform: 'slack', workspace: 'T1' });
    slack.failNext.set('conversations.create', 'missing_scope');
    const responseUrl = slack.responseUrl('final');
    await expect(provisioner.provision(incident.id, { responseUrl }, lastAttempt)).rejects.toThrow();
    const reply = slack.replies.find((r) => responseUrl.endsWith(r.path))!;
    expect(reply.body).toEqual(
      expect.objectContaining({
        response_type: 'ephemeral',
        text:
          `INC-${incident.number} is recorded, but I could not open its channel (missing_scope). I have stopped trying. ` +
          'The Slack app is not installed with the scopes in slack/manifest.*.json, or its token is no longer valid: reinstall it and update SLACK_BOT_TOKEN. ' +
          `Then run \`/incident retry INC-${incident.number}\`. Meanwhile, work the \`pdf-404\` runbook by hand.`,
      }),
    );
  });

  it('names the step that failed when the channel opened but the checklist could not be posted', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'queue-failure', actor: { id: 'UALICE01' }, platform: 'slack', workspace: 'T1' });
    slack.failNext.set('chat.postMessage', 'rate_limited');
    const responseUrl = slack.responseUrl('post-failed');
    await expect(provisioner.provision(incident.id, { responseUrl }, lastAttempt)).rejects.toThrow();
    const text = slack.replies.find((r) => responseUrl.endsWith(r.path))!.body.text as string;
    expect(text).toMatch(new RegExp(`^INC-${incident.number} is recorded, but I could not post the header and checklist in <#C\\w+> \\(rate_limited\\)\\.`));
    expect(text).toContain(`Ask whoever runs the bot to check its logs for INC-${incident.number}.`);

    // Run again (BullMQ would, on a later attempt): the same channel is reused and the messages appear.
    const channelsBefore = slack.callsOf('conversations.create').length;
    await provisioner.provision(incident.id, null);
    expect(slack.callsOf('conversations.create').length).toBe(channelsBefore);
    const { rows } = await schema.pool.query('SELECT channel_id FROM incidents WHERE id = $1', [incident.id]);
    expect(slack.messagesIn(rows[0].channel_id)).toHaveLength(2);
  });
});
