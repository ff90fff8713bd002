import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { PUBLIC_CLOUD } from '../../src/adapters/teams/adapter';
import { newSigningKey, rs256Token, type SigningKey } from './jwt';

/*
 * A stand-in for the Bot Connector service (Teams' https://smba.trafficmanager.net/<region>/<tenant>/)
 * on loopback: the v3 REST routes botbuilder 4.23's ConnectorClient and TeamsConnectorClient call
 * (botframework-connector/lib/connectorApi/operations/conversations.js, lib/teams/operations/teams.js),
 * plus an OpenID metadata document and JWKS so a bot can authenticate incoming activities with its
 * real JWT validation. It records every call and refuses what Teams refuses, in Bot Framework's
 * error shape `{ error: { code, message } }`.
 *
 * How to call botbuilder 4.23 against it (proved by test/unit/fake-connector.test.ts):
 *
 * No auth (outbound calls carry no Authorization header):
 *   const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
 *   // MicrosoftAppId absent or '' disables auth; with an app id set, proactive calls need that id.
 *   await adapter.continueConversationAsync('', reference, async (ctx) => { ... });
 *     - the first argument must be the string '' (or the app id): null/undefined is taken for a
 *       ClaimsIdentity and crashes. No audience argument is needed.
 *     - reference: { channelId: 'msteams', serviceUrl: fake.serviceUrl, conversation: { id, isGroup,
 *       conversationType, tenantId }, bot: { id: '28:…', name }, user?, activityId? }.
 *     - the continuation activity gets a random uuid as its id, and ctx.sendActivity() uses the
 *       turn activity's id as replyToId (NOT reference.activityId): every send of a proactive turn
 *       is a POST to /v3/conversations/{id}/activities/{that uuid} (the reply route). In a
 *       createConversationAsync turn the replyToId is the new conversation id. Teams (and this
 *       fake) thread by conversation id (`<channel>;messageid=<root>`) and accept such replyToIds;
 *       RecordedMessage.replyToId is what was sent, use threadId to know the thread.
 *     - ctx.updateActivity({ ...activity, id, conversation: { id } }) PUTs to
 *       /v3/conversations/{conversation.id}/activities/{id}; it needs `id` and `conversation`.
 *   await adapter.createConversationAsync('', 'msteams', fake.serviceUrl, '', params, async (ctx) => { ... });
 *     - audience '' (or null) is fine without auth.
 *     - CreateConversation returns `{ id: '<channel>;messageid=<n>', activityId: '<n>' }`, but
 *       botbuilder drops activityId: in the logic, ctx.activity.conversation.id is the new thread id
 *       and ctx.activity.id is ALSO the conversation id (not the message id). Read the root
 *       message id from the `;messageid=` suffix. (TeamsInfo.sendMessageToTeamsChannel with a
 *       botAppId returns that same conversation id as "the activity id".)
 *     - ctx.activity.channelData is the params' channelData; ctx.activity.conversation.tenantId is
 *       params.tenantId.
 *   TeamsInfo.getPagedMembers(ctx, pageSize, token) inside a turn asks for the roster of
 *   channelData.team.id when the activity has one, otherwise of ctx.activity.conversation.id
 *   (a continuation activity has no channelData: it asks with the thread id, which this fake
 *   maps to the channel's team).
 *
 * Authenticated incoming activities (ConfigurationBotFrameworkAuthentication keys, botbuilder-core
 * configurationBotFrameworkAuthentication.js): `ToBotFromChannelOpenIdMetadataUrl` (or its alias
 * `BotOpenIdMetadata`). Setting ANY of ToChannelFromBotLoginUrl, ToChannelFromBotOAuthScope,
 * ToBotFromChannelTokenIssuer, OAuthUrl / OAuthApiEndpoint, ToBotFromChannelOpenIdMetadataUrl,
 * ToBotFromEmulatorOpenIdMetadataUrl or CallerId switches botbuilder from the public-cloud defaults
 * to "all parameters given": the others become undefined. With only the metadata URL set, the
 * token issuer is undefined and every valid token is refused with 401. Pass them all:
 *   { MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType: 'MultiTenant',
 *     ToBotFromChannelOpenIdMetadataUrl: fake.openIdMetadataUrl,
 *     ...FakeConnector.publicCloudAuthSettings }
 * A token then authenticates when: header kid is a key in the JWKS (endorsed for 'msteams'),
 * signed RS256; iss === 'https://api.botframework.com'; aud === MicrosoftAppId; serviceurl ===
 * activity.serviceUrl (exactly); exp/nbf within 5 minutes of clock tolerance (exp is not required).
 * botbuilder caches the metadata and keys per metadata URL for 24 hours, process-wide (per jest
 * test file): the key pair here is generated once per module instance, so every fake in a test
 * file serves the same key and a reused port never meets a stale cache.
 * Failures:
 *   - header without a kid in the JWKS (an attacker's own key): 401 'Signing Key could not be retrieved.'
 *   - a kid from the JWKS but another key's signature: 500 'invalid signature' (botbuilder 4.23's
 *     CloudAdapter.process maps only AuthenticationError to 401; jsonwebtoken's error becomes 500)
 *   - expired (beyond 5 min): 401; wrong aud: 401; serviceurl mismatch: 401; no header: 401;
 *     key not endorsed for the activity's channelId: 401.
 * Outbound calls of an authenticated bot need a token from login.microsoftonline.com (MSAL): there
 * is no network for that, and MSAL refuses an http:// authority, so this fake cannot issue one.
 * Give such a bot FakeOutboundCredentialsFactory (below) as the 2nd constructor argument of
 * ConfigurationBotFrameworkAuthentication: incoming tokens are still validated for the app id, and
 * outbound calls carry `Authorization: Bearer fake-outbound:<appId>` (see requireAuthorization).
 *
 * Errors and retries: a non-2xx answer makes the botbuilder call reject with a RestError whose
 * `statusCode` is the HTTP status and `code` the body's error.code ('ActivityNotFound', ...).
 * botbuilder's pipeline (@azure/core-rest-pipeline) retries on its own, up to 3 times (4 attempts):
 * 408, 429, 500, 502, 503, 504 are retried (with Retry-After when given, else exponential backoff of
 * about 1, 2, 4 s); 501/505 and other 4xx fail at once. To make a send fail for the bot with a
 * 5xx or 429, use failNext(match, status, 4) and allow for ~5 s of backoff (429/503 with
 * `Retry-After: 0` fail fast).
 */

export interface TeamsMember {
  /** The Teams user id, `29:…`. */
  id: string;
  aadObjectId: string;
  name: string;
  email?: string;
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
  tenantId?: string;
  /** 'user' unless set: 'guest' for guests, 'anonymous' for anonymous meeting users. */
  userRole?: string;
}

export interface TeamsChannelInfo {
  id: string;
  /** Teams gives the General channel no name. */
  name?: string;
}

export interface ConnectorCall {
  method: string;
  /** The path as received, URL-encoded, with the query. */
  path: string;
  /** Decoded. */
  conversationId?: string;
  activityId?: string;
  memberId?: string;
  teamId?: string;
  query: Record<string, string>;
  body: any;
  /** The status the fake answered with. */
  status: number;
  /** The Authorization header, if any: absent when the bot runs without auth. */
  authorization?: string;
}

export interface Mention {
  id: string;
  name?: string;
  text?: string;
}

export interface RecordedMessage {
  /** The conversation id the bot posted to (decoded): a channel, a thread (`…;messageid=N`) or a chat. */
  conversationId: string;
  /** The id Teams gave the activity (numeric string). */
  id: string;
  /** The thread the message is in, for channel messages: `<channel>;messageid=<root id>`. */
  threadId?: string;
  replyToId?: string;
  /** The latest version. */
  activity: any;
  /** 1 when posted, +1 per update. */
  versions: number;
  /** Every version, oldest first (history[versions - 1] === activity). */
  history: any[];
  deleted: boolean;
  /** Who the latest version mentions: `activity.entities` of type mention, and `msteams.entities` of its adaptive cards. */
  mentions: Mention[];
}

interface FailRule {
  method?: string;
  path?: RegExp;
  status: number;
  remaining: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Team {
  id: string;
  name?: string;
  aadGroupId: string;
  tenantId?: string;
  channels: TeamsChannelInfo[];
  members: TeamsMember[];
}

interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Route {
  name: string;
  conversationId?: string;
  activityId?: string;
  memberId?: string;
  teamId?: string;
}

export const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';

// One trusted key per module instance (= per jest test file), see the note above on botbuilder's cache.
let moduleKey: (SigningKey & { publicKey: import('node:crypto').KeyObject }) | undefined;
const trustedKey = () => (moduleKey ??= newSigningKey());

const fail = (status: number, code: string, message: string): Reply => ({ status, body: { error: { code, message } } });

/** `19:x@thread.tacv2;messageid=5` → `19:x@thread.tacv2`. */
export function baseConversationId(id: string): string {
  return id.replace(/;messageid=.*$/, '');
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  readonly teams = new Map<string, Team>();
  /** Rosters set with setRoster, by conversation (or team) id. */
  readonly rosters = new Map<string, TeamsMember[]>();
  /** Conversations made with CreateConversation, by id. */
  readonly created = new Map<string, { id: string; params: any }>();
  /** Largest serialized activity Teams accepts (about 28 KB); beyond it, 413 MessageSizeTooBig. */
  maxMessageBytes = 28 * 1024;
  /**
   * When true, Bot Connector calls without a `Bearer` Authorization header get 401, as the real
   * service answers (a no-auth bot sends none; see FakeOutboundCredentialsFactory).
   */
  requireAuthorization = false;
  /** Told of every call after it is answered. */
  onCall: ((call: ConnectorCall) => void) | null = null;
  /**
   * Runs when a call arrives, before the fake acts on it: a test can kill the bot here, and
   * `holdMs` then keeps the answer back that long, so the bot dies before it hears it.
   */
  onArrive: ((method: string, path: string) => void) | null = null;
  holdMs = 0;
  url = '';
  private readonly all: RecordedMessage[] = [];
  private readonly faults: FailRule[] = [];
  private readonly endorsements: string[];
  private server: Server | null = null;
  private seq = 0;
  private waiters: Array<() => void> = [];

  /**
   * Public-cloud values for the ConfigurationBotFrameworkAuthentication settings that must be given
   * alongside ToBotFromChannelOpenIdMetadataUrl (see the note at the top of this file).
   */
  static readonly publicCloudAuthSettings = PUBLIC_CLOUD;

  constructor(opts: { endorsements?: string[] } = {}) {
    this.endorsements = opts.endorsements ?? ['msteams'];
  }

  async start(): Promise<this> {
    trustedKey();
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }

  /** The serviceUrl to put on activities: with a trailing slash, as Teams sends it. */
  get serviceUrl(): string {
    return `${this.url}/`;
  }

  get openIdMetadataUrl(): string {
    return `${this.url}/openid/.well-known/openidconfiguration`;
  }

  /** The trusted key (its kid is in the JWKS), for forgedTokens(). */
  get signingKey(): SigningKey {
    const { privateKey, kid } = trustedKey();
    return { privateKey, kid };
  }

  get kid(): string {
    return trustedKey().kid;
  }

  /** An RS256 JWT signed with the trusted key; see channelClaims() in jwt.ts for valid claims. */
  signToken(claims: Record<string, unknown>): string {
    return rs256Token(claims, trustedKey().privateKey, trustedKey().kid);
  }

  /**
   * A team the bot is installed in: its channels (a channel id or a thread in it resolves to this
   * team) and its members (the roster of the team, of each channel and of each thread).
   * In Teams the General channel's id is the team id.
   */
  setTeam(teamId: string, team: { name?: string; aadGroupId?: string; tenantId?: string; channels?: TeamsChannelInfo[]; members?: TeamsMember[] }): void {
    this.teams.set(teamId, {
      id: teamId,
      name: team.name,
      aadGroupId: team.aadGroupId ?? '00000000-0000-4000-8000-' + String(this.teams.size + 1).padStart(12, '0'),
      tenantId: team.tenantId,
      channels: team.channels ?? [{ id: teamId }],
      members: team.members ?? [],
    });
  }

  /** The members of a conversation (a group chat, a 1:1 chat) or of a team set with setTeam. */
  setRoster(conversationOrTeamId: string, members: TeamsMember[]): void {
    const team = this.teams.get(conversationOrTeamId);
    if (team) team.members = members;
    else this.rosters.set(conversationOrTeamId, members);
  }

  /**
   * Makes the next `times` calls matching `match` fail with `status`. The body defaults to a Bot
   * Framework error; a 429 gets `Retry-After: 1` unless `headers` say otherwise.
   */
  failNext(match: { method?: string; path?: RegExp }, status: number, times = 1, body?: unknown, headers?: Record<string, string>): void {
    this.faults.push({ ...match, status, remaining: times, body, headers });
  }

  /** The current version of the bot's messages, in the order they were posted, without deleted ones. */
  messages(conversationId?: string): RecordedMessage[] {
    return this.all.filter((m) => !m.deleted && (conversationId === undefined || this.inConversation(m, conversationId)));
  }

  /** Every message, deleted ones included. */
  allMessages(): RecordedMessage[] {
    return [...this.all];
  }

  message(id: string): RecordedMessage | undefined {
    return this.all.find((m) => m.id === id);
  }

  /** Adaptive card contents of the current messages, in order. */
  cards(conversationId?: string): any[] {
    return this.messages(conversationId).flatMap((m) => cardsOf(m.activity));
  }

  callsTo(method: string, path: RegExp): ConnectorCall[] {
    return this.calls.filter((c) => c.method === method && path.test(decodeURIComponent(c.path)));
  }

  /** Waits until `check` holds after some call, or fails after `timeoutMs`. */
  async waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 5000, what = 'a condition on the fake Bot Connector'): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = check();
      if (v) return v;
      if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((r) => {
        const t = setTimeout(done, 50);
        function done() {
          clearTimeout(t);
          r();
        }
        this.waiters.push(done);
      });
    }
  }

  private inConversation(m: RecordedMessage, id: string): boolean {
    // A channel id also selects the messages of the threads in it.
    if (m.conversationId === id || m.threadId === id) return true;
    return !id.includes(';messageid=') && baseConversationId(m.conversationId) === id;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.onArrive) {
      this.onArrive(req.method ?? '', req.url ?? '');
      if (this.holdMs > 0) await new Promise((r) => setTimeout(r, this.holdMs));
    }
    const raw = await new Promise<string>((r) => {
      let data = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (data += c));
      req.on('end', () => r(data));
    });
    const path = req.url ?? '/';
    const url = new URL(path, 'http://fake');
    const method = (req.method ?? 'GET').toUpperCase();
    let body: any;
    let reply: Reply;
    let route: Route = { name: 'unknown' };
    try {
      body = raw ? JSON.parse(raw) : undefined;
      route = parseRoute(method, url.pathname);
      const unauthorized = this.requireAuthorization && !path.startsWith('/openid/') && !/^Bearer \S+/.test(req.headers.authorization ?? '');
      reply = unauthorized
        ? fail(401, 'Unauthorized', 'Authorization has been denied for this request.')
        : (this.injected(method, path) ?? this.dispatch(method, route, url.searchParams, body));
    } catch (err) {
      reply = fail(400, 'BadSyntax', (err as Error).message);
    }
    const authorization = req.headers.authorization;
    const call: ConnectorCall = {
      method,
      path,
      ...(route.conversationId !== undefined ? { conversationId: route.conversationId } : {}),
      ...(route.activityId !== undefined ? { activityId: route.activityId } : {}),
      ...(route.memberId !== undefined ? { memberId: route.memberId } : {}),
      ...(route.teamId !== undefined ? { teamId: route.teamId } : {}),
      query: Object.fromEntries(url.searchParams),
      body,
      status: reply.status,
      ...(authorization ? { authorization } : {}),
    };
    if (!path.startsWith('/openid/')) this.calls.push(call);
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8', ...reply.headers });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
    this.onCall?.(call);
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  private injected(method: string, path: string): Reply | null {
    const decoded = safeDecode(path);
    const rule = this.faults.find(
      (f) => f.remaining > 0 && (!f.method || f.method.toUpperCase() === method) && (!f.path || f.path.test(path) || f.path.test(decoded)),
    );
    if (!rule) return null;
    rule.remaining -= 1;
    const code =
      {
        400: 'BadArgument',
        403: 'Forbidden',
        404: 'NotFound',
        412: 'PreconditionFailed',
        413: 'MessageSizeTooBig',
        429: 'Throttled',
        502: 'ServiceError',
        503: 'ServiceUnavailable',
      }[rule.status] ?? 'ServiceError';
    const headers = { ...(rule.status === 429 ? { 'retry-after': '1' } : {}), ...rule.headers };
    return { status: rule.status, body: rule.body ?? { error: { code, message: `injected ${rule.status}` } }, headers };
  }

  private dispatch(method: string, route: Route, query: URLSearchParams, body: any): Reply {
    switch (route.name) {
      case 'openid':
        return {
          status: 200,
          body: {
            issuer: 'https://api.botframework.com',
            authorization_endpoint: 'https://invalid.botframework.com',
            jwks_uri: `${this.url}/openid/keys`,
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['private_key_jwt'],
          },
        };
      case 'keys': {
        const { publicKey, kid } = trustedKey();
        const jwk = publicKey.export({ format: 'jwk' });
        return { status: 200, body: { keys: [{ kty: 'RSA', use: 'sig', kid, n: jwk.n, e: jwk.e, endorsements: this.endorsements }] } };
      }
      case 'createConversation':
        return this.createConversation(body);
      case 'send':
      case 'reply':
        return this.post(route.conversationId!, body, route.name === 'reply' ? route.activityId : undefined);
      case 'history':
        return { status: 200, body: { id: '' } };
      case 'update':
        return this.update(route.conversationId!, route.activityId!, body);
      case 'delete': {
        const m = this.find(route.conversationId!, route.activityId!);
        if (!m) return fail(404, 'ActivityNotFound', `Activity ${route.activityId} not found in ${route.conversationId}`);
        m.deleted = true;
        return { status: 200 };
      }
      case 'members': {
        const roster = this.rosterFor(route.conversationId!);
        if (!roster) return notInRoster(route.conversationId!);
        // The legacy route answers with objectId, as botbuilder's TeamsInfo.getMembers expects.
        return { status: 200, body: roster.map((m) => legacyMember(this.withTenant(m, route.conversationId!))) };
      }
      case 'pagedMembers': {
        const roster = this.rosterFor(route.conversationId!);
        if (!roster) return notInRoster(route.conversationId!);
        const pageSize = query.has('pageSize') ? Number(query.get('pageSize')) : 100;
        if (!Number.isInteger(pageSize) || pageSize < 1) return fail(400, 'BadArgument', `invalid pageSize ${query.get('pageSize')}`);
        const token = query.get('continuationToken');
        const start = token ? decodeToken(token) : 0;
        if (start === null) return fail(400, 'BadArgument', 'invalid continuationToken');
        const page = roster.slice(start, start + pageSize).map((m) => pagedMember(this.withTenant(m, route.conversationId!)));
        const next = start + pageSize < roster.length ? encodeToken(start + pageSize) : undefined;
        return { status: 200, body: { ...(next ? { continuationToken: next } : {}), members: page } };
      }
      case 'member': {
        const roster = this.rosterFor(route.conversationId!);
        if (!roster) return notInRoster(route.conversationId!);
        const m = roster.find((x) => x.id === route.memberId || x.aadObjectId === route.memberId);
        if (!m) return fail(404, 'MemberNotFoundInConversation', `Member ${route.memberId} not found in ${route.conversationId}`);
        return { status: 200, body: pagedMember(this.withTenant(m, route.conversationId!)) };
      }
      case 'teamChannels': {
        const team = this.teams.get(route.teamId!);
        if (!team) return notInRoster(route.teamId!);
        return { status: 200, body: { conversations: team.channels.map((c) => ({ id: c.id, ...(c.name !== undefined ? { name: c.name } : {}) })) } };
      }
      case 'teamDetails': {
        const team = this.teams.get(route.teamId!);
        if (!team) return notInRoster(route.teamId!);
        return {
          status: 200,
          body: {
            id: team.id,
            ...(team.name !== undefined ? { name: team.name } : {}),
            aadGroupId: team.aadGroupId,
            channelCount: team.channels.length,
            memberCount: team.members.length,
            type: 'standard',
          },
        };
      }
      default:
        return fail(404, 'NotFound', `no route ${method} ${route.name}`);
    }
  }

  private nextId(): string {
    return String(1760000000000 + ++this.seq);
  }

  private teamOf(conversationId: string): Team | undefined {
    const base = baseConversationId(conversationId);
    return this.teams.get(base) ?? [...this.teams.values()].find((t) => t.channels.some((c) => c.id === base));
  }

  private rosterFor(conversationId: string): TeamsMember[] | undefined {
    const direct = this.rosters.get(conversationId) ?? this.rosters.get(baseConversationId(conversationId));
    if (direct) return direct;
    const team = this.teamOf(conversationId);
    if (team) return team.members;
    const created = this.created.get(conversationId);
    if (created) {
      const everyone = [...this.teams.values()].flatMap((t) => t.members).concat([...this.rosters.values()].flat());
      return (created.params.members ?? []).map(
        (p: any) => everyone.find((m) => m.id === p.id) ?? { id: p.id, name: p.name ?? '', aadObjectId: p.aadObjectId ?? '' },
      );
    }
    return undefined;
  }

  private withTenant(m: TeamsMember, conversationId: string): TeamsMember {
    return m.tenantId ? m : { ...m, ...(this.teamOf(conversationId)?.tenantId ? { tenantId: this.teamOf(conversationId)!.tenantId } : {}) };
  }

  /** A channel (`19:…@thread.tacv2` or `@thread.skype`) the bot is not in is refused, as Teams does. */
  private unknownChannel(conversationId: string): boolean {
    const base = baseConversationId(conversationId);
    return /^19:.*@thread\.(tacv2|skype)$/.test(base) && !this.teamOf(base) && !this.rosters.has(base);
  }

  private problem(activity: any): Reply | null {
    if (!activity || typeof activity !== 'object') return fail(400, 'BadArgument', 'activity is required');
    if (!activity.type) return fail(400, 'BadArgument', 'activity.type is required');
    if (activity.type === 'message' && !activity.text && !(activity.attachments?.length > 0)) {
      return fail(400, 'BadArgument', 'a message needs text or attachments');
    }
    const size = Buffer.byteLength(JSON.stringify(activity));
    if (size > this.maxMessageBytes) return fail(413, 'MessageSizeTooBig', `activity is ${size} bytes, more than ${this.maxMessageBytes}`);
    return null;
  }

  private record(conversationId: string, activity: any, replyToId?: string, id = this.nextId()): RecordedMessage {
    const base = baseConversationId(conversationId);
    const isChannel = /^19:.*@thread\.(tacv2|skype)$/.test(base);
    const threadId = conversationId.includes(';messageid=') ? conversationId : isChannel ? `${base};messageid=${id}` : undefined;
    const stored = { ...activity, id, conversation: { ...activity.conversation, id: conversationId } };
    const m: RecordedMessage = {
      conversationId,
      id,
      ...(threadId ? { threadId } : {}),
      ...(replyToId ? { replyToId } : {}),
      activity: stored,
      versions: 1,
      history: [stored],
      deleted: false,
      mentions: mentionsOf(stored),
    };
    this.all.push(m);
    return m;
  }

  private createConversation(params: any): Reply {
    if (!params || typeof params !== 'object') return fail(400, 'BadSyntax', 'ConversationParameters required');
    const channelId: string | undefined = params.channelData?.channel?.id;
    if (channelId) {
      if (this.unknownChannel(channelId)) return notInRoster(channelId);
      if (params.activity) {
        const problem = this.problem(params.activity);
        if (problem) return problem;
      }
      const activityId = this.nextId();
      const id = `${channelId};messageid=${activityId}`;
      this.created.set(id, { id, params });
      if (params.activity) this.record(id, params.activity, undefined, activityId);
      return { status: 201, body: { id, activityId } };
    }
    const members: any[] = params.members ?? [];
    if (members.length !== 1 || !members[0]?.id) return fail(400, 'BadArgument', 'a 1:1 conversation needs exactly one member with an id');
    const tenantId = params.tenantId ?? params.channelData?.tenant?.id;
    if (!tenantId) return fail(400, 'BadArgument', 'tenantId (or channelData.tenant.id) is required to create a conversation');
    const everyone = [...this.teams.values()].flatMap((t) => t.members).concat([...this.rosters.values()].flat());
    const memberId = everyone.find((m) => m.aadObjectId === members[0].id)?.id ?? members[0].id;
    const id = `a:personal-${memberId}`;
    if (params.activity) {
      const problem = this.problem(params.activity);
      if (problem) return problem;
    }
    this.created.set(id, { id, params: { ...params, members: [{ ...members[0], id: memberId }] } });
    if (params.activity) {
      const m = this.record(id, params.activity);
      return { status: 201, body: { id, activityId: m.id } };
    }
    return { status: 201, body: { id } };
  }

  private post(conversationId: string, activity: any, replyToId?: string): Reply {
    if (this.unknownChannel(conversationId)) return notInRoster(conversationId);
    if (activity?.type === 'typing') return { status: 200, body: {} };
    const problem = this.problem(activity);
    if (problem) return problem;
    const m = this.record(conversationId, activity, replyToId ?? activity.replyToId);
    return { status: 201, body: { id: m.id } };
  }

  private find(conversationId: string, activityId: string): RecordedMessage | undefined {
    const base = baseConversationId(conversationId);
    return this.all.find((m) => m.id === activityId && !m.deleted && baseConversationId(m.conversationId) === base);
  }

  private update(conversationId: string, activityId: string, activity: any): Reply {
    const m = this.find(conversationId, activityId);
    if (!m) return fail(404, 'ActivityNotFound', `Activity ${activityId} not found in ${conversationId}`);
    const problem = this.problem(activity);
    if (problem) return problem;
    const stored = { ...activity, id: activityId, conversation: { ...activity.conversation, id: m.conversationId } };
    m.activity = stored;
    m.history.push(stored);
    m.versions += 1;
    m.mentions = mentionsOf(stored);
    return { status: 200, body: { id: activityId } };
  }
}

function parseRoute(method: string, pathname: string): Route {
  const seg = pathname.split('/').filter(Boolean).map(safeDecode);
  const [v, kind, id, sub, subId, extra] = seg;
  if (v === 'openid') {
    if (kind === '.well-known' && id === 'openidconfiguration' && method === 'GET') return { name: 'openid' };
    if (kind === 'keys' && method === 'GET') return { name: 'keys' };
    return { name: 'unknown' };
  }
  if (v !== 'v3' || extra !== undefined) return { name: 'unknown' };
  if (kind === 'teams' && id && method === 'GET') {
    if (sub === undefined) return { name: 'teamDetails', teamId: id };
    if (sub === 'conversations' && subId === undefined) return { name: 'teamChannels', teamId: id };
    return { name: 'unknown', teamId: id };
  }
  if (kind !== 'conversations') return { name: 'unknown' };
  if (id === undefined) return { name: method === 'POST' ? 'createConversation' : 'unknown' };
  const conversationId = id;
  if (sub === 'activities') {
    if (subId === undefined) return { name: method === 'POST' ? 'send' : 'unknown', conversationId };
    if (subId === 'history' && method === 'POST') return { name: 'history', conversationId };
    const name = { POST: 'reply', PUT: 'update', DELETE: 'delete' }[method] ?? 'unknown';
    return { name, conversationId, activityId: subId };
  }
  if (sub === 'members' && method === 'GET')
    return subId === undefined ? { name: 'members', conversationId } : { name: 'member', conversationId, memberId: subId };
  if (sub === 'pagedmembers' && method === 'GET' && subId === undefined) return { name: 'pagedMembers', conversationId };
  return { name: 'unknown', conversationId };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function notInRoster(id: string): Reply {
  return fail(403, 'BotNotInConversationRoster', `The bot is not part of the conversation roster of ${id}`);
}

function encodeToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeToken(token: string): number | null {
  try {
    const o = JSON.parse(Buffer.from(token, 'base64url').toString()).o;
    return Number.isInteger(o) && o >= 0 ? o : null;
  } catch {
    return null;
  }
}

function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** A member as pagedmembers and members/{id} return it. */
function pagedMember(m: TeamsMember): Record<string, unknown> {
  return compact({
    id: m.id,
    name: m.name,
    aadObjectId: m.aadObjectId,
    givenName: m.givenName,
    surname: m.surname,
    email: m.email,
    userPrincipalName: m.userPrincipalName ?? m.email,
    tenantId: m.tenantId,
    userRole: m.userRole ?? 'user',
  });
}

/** A member as the legacy members route returns it: objectId, not aadObjectId. */
function legacyMember(m: TeamsMember): Record<string, unknown> {
  const { aadObjectId, ...rest } = pagedMember(m);
  return { ...rest, objectId: aadObjectId };
}

function cardsOf(activity: any): any[] {
  return (activity?.attachments ?? []).filter((a: any) => a?.contentType === ADAPTIVE_CARD).map((a: any) => a.content);
}

function mentionsOf(activity: any): Mention[] {
  const fromEntities = (entities: any[] | undefined): Mention[] =>
    (entities ?? [])
      .filter((e) => e?.type === 'mention' && e.mentioned?.id)
      .map((e) => compact({ id: String(e.mentioned.id), name: e.mentioned.name, text: e.text }));
  return [...fromEntities(activity?.entities), ...cardsOf(activity).flatMap((c) => fromEntities(c?.msteams?.entities))];
}

type Credentials = Awaited<ReturnType<ConfigurationServiceClientCredentialFactory['createCredentials']>>;

/** The Authorization header FakeOutboundCredentialsFactory puts on outbound calls. */
export const fakeOutboundAuthorization = (appId: string) => `Bearer fake-outbound:${appId}`;

/**
 * Credentials for a bot that authenticates incoming activities (MicrosoftAppId set) but must not
 * ask login.microsoftonline.com for outbound tokens: pass it as the 2nd argument of
 * `new ConfigurationBotFrameworkAuthentication(settings, new FakeOutboundCredentialsFactory(appId))`.
 * isValidAppId / isAuthenticationDisabled behave as for the real app; outbound requests are
 * signed with `fakeOutboundAuthorization(appId)`.
 */
export class FakeOutboundCredentialsFactory extends ConfigurationServiceClientCredentialFactory {
  constructor(appId: string, password = 'fake-password') {
    super({ MicrosoftAppId: appId, MicrosoftAppPassword: password, MicrosoftAppType: 'MultiTenant' });
  }

  override async createCredentials(appId: string): Promise<Credentials> {
    if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
    const credentials = {
      signRequest: async <T extends { headers: { set(name: string, value: string): void } }>(request: T): Promise<T> => {
        request.headers.set('authorization', fakeOutboundAuthorization(appId));
        return request;
      },
    };
    return credentials;
  }
}
