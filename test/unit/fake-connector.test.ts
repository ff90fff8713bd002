import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  MessageFactory,
  TeamsInfo,
  type ConversationParameters,
  type ConversationReference,
  type TurnContext,
} from 'botbuilder';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeConnector, FakeOutboundCredentialsFactory, fakeOutboundAuthorization } from '../support/fake-connector';
import { channelClaims, forgedTokens } from '../support/jwt';
import {
  alice,
  bob,
  BOT,
  BOT_APP_ID,
  carol,
  channelMessage,
  GENERAL_CHANNEL,
  INCIDENTS_CHANNEL,
  invokeAction,
  personalMessage,
  submitAction,
  TEAM,
  TENANT_ID,
} from '../support/teams-activities';

// The end-to-end tests trust the fake Bot Connector to answer botbuilder as Teams does; these drive
// it with botbuilder 4.23's own CloudAdapter and ConnectorClient and prove it records what was sent.

const card = (text: string, mention?: { id: string; name: string }) => ({
  contentType: 'application/vnd.microsoft.card.adaptive',
  content: {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'TextBlock', text: mention ? `${text} <at>${mention.name}</at>` : text, wrap: true }],
    ...(mention ? { msteams: { entities: [{ type: 'mention', text: `<at>${mention.name}</at>`, mentioned: { id: mention.id, name: mention.name } }] } } : {}),
  },
});

/** The minimal req/res CloudAdapter.process needs, as restify or express would give it. */
async function deliver(adapter: CloudAdapter, activity: object, authorization?: string, logic: (ctx: TurnContext) => Promise<void> = async () => {}) {
  let status = 0;
  let body: unknown;
  const res = {
    socket: null,
    status: (s: number) => void (status = s),
    send: (b: unknown) => void (body = b),
    end: () => undefined,
    header: () => undefined,
  };
  const req = { method: 'POST', headers: authorization ? { authorization } : {}, body: JSON.parse(JSON.stringify(activity)) };
  await adapter.process(req, res, logic);
  return { status, body };
}

describe('the fake Bot Connector used by the Teams end-to-end tests', () => {
  let fake: FakeConnector;
  const noAuth = () => new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const threadReference = (threadId: string): Partial<ConversationReference> => ({
    channelId: 'msteams',
    serviceUrl: fake.serviceUrl,
    conversation: { id: threadId, isGroup: true, conversationType: 'channel', tenantId: TENANT_ID, name: '' },
    bot: BOT,
  });
  let errorLog: jest.SpyInstance;

  beforeEach(async () => {
    fake = await new FakeConnector().start();
    fake.setTeam(TEAM.id, {
      name: TEAM.name,
      aadGroupId: TEAM.aadGroupId,
      tenantId: TENANT_ID,
      channels: [GENERAL_CHANNEL, INCIDENTS_CHANNEL],
      members: [alice, bob, carol],
    });
    // botbuilder console.errors every refused request; keep the output readable.
    errorLog = jest.spyOn(console, 'error').mockImplementation(() => {});
  });

  afterEach(async () => {
    errorLog.mockRestore();
    await fake.stop();
  });

  it('starts a channel thread with createConversationAsync, as TeamsInfo.sendMessageToTeamsChannel does', async () => {
    const adapter = noAuth();
    const params = {
      isGroup: true,
      bot: BOT,
      tenantId: TENANT_ID,
      channelData: { channel: { id: INCIDENTS_CHANNEL.id } },
      activity: MessageFactory.attachment(card('pdf-404: invoices return 404', bob)),
    } as ConversationParameters;
    let seen: { conversationId?: string; activityId?: string } = {};
    await adapter.createConversationAsync('', 'msteams', fake.serviceUrl, '', params, async (ctx) => {
      seen = { conversationId: ctx.activity.conversation.id, activityId: ctx.activity.id };
      await ctx.sendActivity('Alice declared the incident.');
    });

    const [root, reply] = fake.messages(INCIDENTS_CHANNEL.id);
    const rootId = root!.id;
    const threadId = `${INCIDENTS_CHANNEL.id};messageid=${rootId}`;
    expect(fake.calls[0]).toMatchObject({ method: 'POST', path: '/v3/conversations', status: 201 });
    expect(fake.calls[0]!.body).toMatchObject({ isGroup: true, channelData: { channel: { id: INCIDENTS_CHANNEL.id } } });
    // botbuilder drops CreateConversation's activityId: the turn's activity id is the conversation id.
    expect(seen).toEqual({ conversationId: threadId, activityId: threadId });
    expect(root).toMatchObject({ conversationId: threadId, threadId, versions: 1, mentions: [{ id: bob.id, name: bob.name }] });
    expect(fake.cards(threadId)[0]).toMatchObject({ type: 'AdaptiveCard', version: '1.5' });
    // The reply goes to the thread, on the reply route with the conversation id as replyToId.
    expect(reply).toMatchObject({
      conversationId: threadId,
      threadId,
      replyToId: threadId,
      activity: { type: 'message', text: 'Alice declared the incident.' },
    });
    expect(fake.calls[1]).toMatchObject({ method: 'POST', conversationId: threadId, activityId: threadId, status: 201 });
    expect(fake.calls[1]!.path).toContain('%3Bmessageid%3D'); // ids arrive URL-encoded
    expect(Number(reply!.id)).toBeGreaterThan(Number(rootId));
    expect(fake.calls.every((c) => c.authorization === undefined)).toBe(true);
  });

  it('sends and updates in a thread with continueConversationAsync, keeping every version', async () => {
    const adapter = noAuth();
    await adapter.createConversationAsync(
      '',
      'msteams',
      fake.serviceUrl,
      '',
      { isGroup: true, channelData: { channel: { id: INCIDENTS_CHANNEL.id } }, activity: MessageFactory.text('root') } as ConversationParameters,
      async () => {},
    );
    const threadId = fake.messages()[0]!.threadId!;

    let sentId = '';
    await adapter.continueConversationAsync('', threadReference(threadId), async (ctx) => {
      const sent = await ctx.sendActivity(MessageFactory.attachment(card('Status: investigating')));
      sentId = sent!.id;
      await ctx.updateActivity({ ...MessageFactory.attachment(card('Status: mitigated')), id: sentId, conversation: ctx.activity.conversation });
      const missing = ctx.updateActivity({ ...MessageFactory.text('x'), id: '999', conversation: ctx.activity.conversation });
      await expect(missing).rejects.toMatchObject({ statusCode: 404, code: 'ActivityNotFound' });
    });

    const m = fake.message(sentId)!;
    expect(m).toMatchObject({ conversationId: threadId, threadId, versions: 2 });
    expect(m.history.map((a) => a.attachments[0].content.body[0].text)).toEqual(['Status: investigating', 'Status: mitigated']);
    expect(fake.cards(threadId).map((c) => c.body[0].text)).toEqual(['Status: mitigated']);
    expect(fake.callsTo('PUT', /\/activities\//).map((c) => [c.conversationId, c.activityId, c.status])).toEqual([
      [threadId, sentId, 200],
      [threadId, '999', 404],
    ]);
    // A continuation activity's id is a random uuid, and sendActivity uses it as replyToId.
    expect(m.replyToId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('opens the same 1:1 chat for the same person, and refuses one without a tenant', async () => {
    const adapter = noAuth();
    const ids: string[] = [];
    for (const member of [{ id: carol.id }, { id: carol.aadObjectId }]) {
      await adapter.createConversationAsync(
        '',
        'msteams',
        fake.serviceUrl,
        '',
        { isGroup: false, bot: BOT, members: [member], tenantId: TENANT_ID } as ConversationParameters,
        async (ctx) => {
          ids.push(ctx.activity.conversation.id);
          await ctx.sendActivity('You are the incident commander for pdf-404.');
        },
      );
    }
    expect(ids).toEqual([`a:personal-${carol.id}`, `a:personal-${carol.id}`]);
    expect(fake.messages(`a:personal-${carol.id}`)).toHaveLength(2);
    // The chat a person starts (the builder's default id) is the one the bot opens.
    expect(personalMessage({ serviceUrl: fake.serviceUrl, text: 'hi', from: carol }).conversation.id).toBe(ids[0]);

    const noTenant = adapter.createConversationAsync(
      '',
      'msteams',
      fake.serviceUrl,
      '',
      { isGroup: false, bot: BOT, members: [{ id: carol.id }] } as unknown as ConversationParameters,
      async () => {},
    );
    await expect(noTenant).rejects.toMatchObject({ statusCode: 400, code: 'BadArgument' });
  });

  it('pages the team roster for TeamsInfo, from an incoming channel message and from a proactive turn', async () => {
    const adapter = noAuth();
    const pages: string[][] = [];
    let member: unknown;
    let missing: unknown;
    let details: unknown;
    let channels: unknown;
    const incoming = channelMessage({ serviceUrl: fake.serviceUrl, text: 'incident pdf-404 invoices return 404' });
    const { status } = await deliver(adapter, incoming, undefined, async (ctx) => {
      let token: string | undefined;
      do {
        const page = await TeamsInfo.getPagedMembers(ctx, 2, token);
        pages.push(page.members.map((m) => m.email!));
        token = page.continuationToken;
      } while (token);
      member = await TeamsInfo.getMember(ctx, bob.aadObjectId);
      missing = await TeamsInfo.getMember(ctx, '29:nobody').catch((e: { statusCode: number; code: string }) => [e.statusCode, e.code]);
      details = await TeamsInfo.getTeamDetails(ctx);
      channels = await TeamsInfo.getTeamChannels(ctx);
    });
    expect(status).toBe(200);
    expect(pages).toEqual([['alice@braiflow.example', 'bob@braiflow.example'], ['carol@braiflow.example']]);
    expect(member).toMatchObject({
      id: bob.id,
      aadObjectId: bob.aadObjectId,
      name: bob.name,
      email: bob.email,
      userPrincipalName: bob.userPrincipalName,
      tenantId: TENANT_ID,
    });
    expect(missing).toEqual([404, 'MemberNotFoundInConversation']);
    expect(details).toMatchObject({ id: TEAM.id, name: TEAM.name, aadGroupId: TEAM.aadGroupId });
    expect(channels).toEqual([
      { id: GENERAL_CHANNEL.id, name: 'General' },
      { id: INCIDENTS_CHANNEL.id, name: 'incidents' },
    ]);
    // With channelData.team, TeamsInfo asks for the team's roster.
    expect(fake.callsTo('GET', /pagedmembers/).map((c) => [c.conversationId, c.query])).toEqual([
      [TEAM.id, { pageSize: '2' }],
      [TEAM.id, { pageSize: '2', continuationToken: expect.any(String) }],
    ]);

    // A proactive turn has no channelData: TeamsInfo asks with the thread id, which maps to the team.
    const threadId = `${INCIDENTS_CHANNEL.id};messageid=1760000000001`;
    let all: unknown[] = [];
    await adapter.continueConversationAsync('', threadReference(threadId), async (ctx) => {
      all = (await TeamsInfo.getPagedMembers(ctx)).members;
      expect((await TeamsInfo.getMembers(ctx)).map((m) => m.aadObjectId)).toEqual([alice, bob, carol].map((p) => p.aadObjectId));
    });
    expect(all).toHaveLength(3);
    expect(fake.calls.at(-2)).toMatchObject({ method: 'GET', conversationId: threadId, status: 200 });
  });

  it('injects faults: 4xx fail at once; botbuilder retries 429 and 5xx itself, up to 3 times', async () => {
    const adapter = noAuth();
    await adapter.continueConversationAsync(
      '',
      {
        ...threadReference('a:personal-x'),
        conversation: { id: `a:personal-${alice.id}`, conversationType: 'personal', tenantId: TENANT_ID, isGroup: false, name: '' },
      },
      async (ctx) => {
        fake.failNext({ method: 'POST', path: /\/activities/ }, 403, 1, {
          error: { code: 'ConversationBlockedByUser', message: 'User blocked the conversation with the bot.' },
        });
        await expect(ctx.sendActivity('a')).rejects.toMatchObject({ statusCode: 403, code: 'ConversationBlockedByUser' });

        fake.failNext({ method: 'POST' }, 429, 1, undefined, { 'retry-after': '0' });
        await ctx.sendActivity('b');
        fake.failNext({ method: 'POST' }, 429, 4, undefined, { 'retry-after': '0' });
        await expect(ctx.sendActivity('c')).rejects.toMatchObject({ statusCode: 429, code: 'Throttled' });
        fake.failNext({ method: 'POST' }, 500, 1);
        await ctx.sendActivity('d');
      },
    );
    expect(fake.calls.map((c) => c.status)).toEqual([403, 429, 201, 429, 429, 429, 429, 500, 201]);
    expect(fake.messages().map((m) => m.activity.text)).toEqual(['b', 'd']);
  });

  it("refuses channels of teams the bot is not in, and messages over Teams' size limit", async () => {
    const adapter = noAuth();
    const other = `19:0ther0000000000000000000000000000@thread.tacv2;messageid=1`;
    await adapter.continueConversationAsync('', threadReference(other), async (ctx) => {
      await expect(ctx.sendActivity('hello')).rejects.toMatchObject({ statusCode: 403, code: 'BotNotInConversationRoster' });
    });
    await adapter.continueConversationAsync('', threadReference(`${INCIDENTS_CHANNEL.id};messageid=1`), async (ctx) => {
      await expect(ctx.sendActivity('x'.repeat(30_000))).rejects.toMatchObject({ statusCode: 413, code: 'MessageSizeTooBig' });
    });
    expect(fake.messages()).toEqual([]);
  });

  it('serves OpenID metadata and keys botbuilder authenticates incoming activities with', async () => {
    const settings = {
      MicrosoftAppId: BOT_APP_ID,
      MicrosoftAppPassword: 'x',
      MicrosoftAppType: 'MultiTenant',
      ToBotFromChannelOpenIdMetadataUrl: fake.openIdMetadataUrl,
    };
    const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({ ...settings, ...FakeConnector.publicCloudAuthSettings }));
    const activity = channelMessage({ serviceUrl: fake.serviceUrl, text: 'incident pdf-404' });
    const claims = channelClaims({ appId: BOT_APP_ID, serviceUrl: fake.serviceUrl });
    const valid = `Bearer ${fake.signToken(claims)}`;
    let turns = 0;
    const count = async () => void turns++;

    expect(await deliver(adapter, activity, valid, count)).toEqual({ status: 200, body: undefined });
    expect(turns).toBe(1);

    const forged = forgedTokens(fake.signingKey, { appId: BOT_APP_ID, serviceUrl: fake.serviceUrl });
    for (const token of [forged.foreignKey, forged.expired, forged.wrongAudience, forged.wrongServiceUrl]) {
      expect((await deliver(adapter, activity, `Bearer ${token}`, count)).status).toBe(401);
    }
    expect((await deliver(adapter, activity, undefined, count)).status).toBe(401);
    // The serviceurl claim must match the activity's exactly, trailing slash included.
    expect((await deliver(adapter, activity, `Bearer ${fake.signToken({ ...claims, serviceurl: fake.url })}`, count)).status).toBe(401);
    // The key is endorsed for msteams only.
    expect((await deliver(adapter, { ...activity, channelId: 'webchat' }, valid, count)).status).toBe(401);
    // A bad signature under the trusted kid is refused too, but botbuilder 4.23 answers 500 for it.
    expect((await deliver(adapter, activity, `Bearer ${forged.foreignKeyTrustedKid}`, count)).status).toBe(500);
    expect(turns).toBe(1);

    // Only the metadata URL set: botbuilder then has no token issuer and refuses every token.
    const partial = new CloudAdapter(new ConfigurationBotFrameworkAuthentication(settings));
    expect((await deliver(partial, activity, valid, count)).status).toBe(401);
    expect(turns).toBe(1);
    expect(fake.calls).toEqual([]); // the OpenID routes are not recorded as Bot Connector calls
  });

  it('lets an authenticated bot call the fake with FakeOutboundCredentialsFactory', async () => {
    fake.requireAuthorization = true;
    const adapter = new CloudAdapter(
      new ConfigurationBotFrameworkAuthentication(
        { MicrosoftAppId: BOT_APP_ID, ToBotFromChannelOpenIdMetadataUrl: fake.openIdMetadataUrl, ...FakeConnector.publicCloudAuthSettings },
        new FakeOutboundCredentialsFactory(BOT_APP_ID),
      ),
    );
    const activity = invokeAction({
      serviceUrl: fake.serviceUrl,
      conversationId: `a:personal-${alice.id}`,
      replyToId: '1760000000001',
      verb: 'incident.ack',
      data: { incident: 'pdf-404' },
    });
    const token = `Bearer ${fake.signToken(channelClaims({ appId: BOT_APP_ID, serviceUrl: fake.serviceUrl }))}`;
    const res = await deliver(adapter, activity, token, async (ctx) => {
      await ctx.sendActivity('Acknowledged.');
      await ctx.sendActivity({
        type: 'invokeResponse',
        value: { status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' } },
      });
    });
    expect(res).toEqual({ status: 200, body: { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: 'ok' } });
    expect(fake.calls).toEqual([expect.objectContaining({ method: 'POST', status: 201, authorization: fakeOutboundAuthorization(BOT_APP_ID) })]);

    // Without it, the no-auth adapter sends no Authorization header, which the real service refuses.
    await noAuth().continueConversationAsync(
      '',
      { ...threadReference('x'), conversation: { id: `a:personal-${alice.id}`, isGroup: false, conversationType: 'personal', name: '' } },
      async (ctx) => {
        await expect(ctx.sendActivity('x')).rejects.toMatchObject({ statusCode: 401 });
      },
    );
  });

  it('builds activities shaped like the captured Teams fixtures', () => {
    const fixture = JSON.parse(readFileSync(join(__dirname, '../fixtures/teams/channel-message-with-mention.json'), 'utf8'));
    const built = channelMessage({ serviceUrl: 'https://smba.trafficmanager.net/amer/x/', text: 'incident pdf-404', mentions: [] });
    const keys = (o: object) => Object.keys(o).sort();
    expect(keys(built)).toEqual(keys(fixture));
    expect(keys(built.channelData)).toEqual(keys(fixture.channelData));
    expect(keys(built.conversation)).toEqual(keys(fixture.conversation));
    expect(built.entities[0]).toEqual({ mentioned: { id: BOT.id, name: 'Incident' }, text: '<at>Incident</at>', type: 'mention' });
    expect(built.text).toBe('<at>Incident</at> incident pdf-404');
    expect(() => channelMessage({ serviceUrl: 'x', text: 'ping', mentions: [bob] })).toThrow(/<at>Bob Okafor<\/at>/);

    const invoke = JSON.parse(readFileSync(join(__dirname, '../fixtures/teams/invoke.adaptive-card-action.json'), 'utf8'));
    const action = invokeAction({ serviceUrl: 'https://x/', conversationId: 'a:1', replyToId: '1767765488332', verb: 'ack', title: 'Ack' });
    expect(keys(action)).toEqual(keys(invoke));
    expect(keys(action.channelData)).toEqual(keys(invoke.channelData));
    expect(action.value).toEqual({ action: { type: 'Action.Execute', title: 'Ack', verb: 'ack', data: {} }, trigger: 'manual' });
    const submit = submitAction({ serviceUrl: 'https://x/', conversationId: `${INCIDENTS_CHANNEL.id};messageid=1`, replyToId: '1', value: { action: 'ack' } });
    expect(submit).toMatchObject({
      type: 'message',
      value: { action: 'ack' },
      replyToId: '1',
      conversation: { conversationType: 'channel' },
      channelData: { team: { id: TEAM.id } },
    });
    expect(submit).not.toHaveProperty('text');
  });
});
