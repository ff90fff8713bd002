/**
 * Activities as Teams sends them to a bot, shaped after test/fixtures/teams/*.json (captured from
 * Teams): channelId 'msteams', a serviceUrl with a trailing slash, channelData with the team,
 * channel and tenant, `29:` people, the `28:` bot, mention entities with `<at>…</at>` text.
 */
import { randomUUID } from 'node:crypto';

export interface Person {
  /** `29:…` */
  id: string;
  aadObjectId: string;
  name: string;
  email: string;
  userPrincipalName: string;
}

export interface Channel {
  id: string;
  name?: string;
}

export const TENANT_ID = '7d1b1e9c-3f2a-4c8e-9b5d-2a6f0e4c8b13';
export const BOT_APP_ID = '0b6fe6d1-fece-44f7-9a48-56465e2d5ab8';
export const BOT = { id: `28:${BOT_APP_ID}`, name: 'Incident' } as const;

/** In Teams the team id is also the id of its General channel. */
export const TEAM = {
  id: '19:Qm3ZkYb1pVvR8sNc4T0eXw2aLhJuG6dF9iKoPyEtMn1@thread.tacv2',
  name: 'Platform',
  aadGroupId: '3c9a7f2e-1b4d-4e6a-8f0c-5d2b9e7a1c46',
} as const;
export const GENERAL_CHANNEL: Channel = { id: TEAM.id, name: 'General' };
export const INCIDENTS_CHANNEL: Channel = { id: '19:8a4c2e6f0b1d4f3a9c7e5b2d1f0a8c6e@thread.tacv2', name: 'incidents' };

const person = (key: string, name: string, id: string, aadObjectId: string): Person => ({
  id,
  aadObjectId,
  name,
  email: `${key}@braiflow.example`,
  userPrincipalName: `${key}@braiflow.example`,
});
export const alice = person(
  'alice',
  'Alice Martin',
  '29:1aLiCe7Xw-XgTwaHW5JxZ4KMNDxn1kcL8fwX1NwbUvCasIPKfQIXHvNzcPjD86f',
  'a11ce000-0ad3-4172-9210-7beb711d3f70',
);
export const bob = person('bob', 'Bob Okafor', '29:1b0B9qRt-YhUvWxZ2aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789abcdefGhIj', 'b0b00000-2a6c-4f1e-8d3b-9c5e7a1f2d48');
export const carol = person(
  'carol',
  'Carol Nguyen',
  '29:1cArOl4Mn-PqRsTuVwXyZaBcDeFgHiJkLmNoPqRsTuVwXyZ9876543210zyxwVu',
  'ca201000-5e8f-4b2a-9c1d-3f6a8e0b4d72',
);
export const PEOPLE: readonly Person[] = [alice, bob, carol];

let lastId = 1760000000000;
/** A message id as Teams makes them: milliseconds since the epoch, as a string, increasing. */
export function teamsMessageId(): string {
  lastId = Math.max(lastId + 1, Date.now());
  return String(lastId);
}

const clientInfo = { locale: 'en-US', country: 'US', platform: 'Web', timezone: 'America/Los_Angeles', type: 'clientInfo' };

function times() {
  const now = new Date();
  return {
    timestamp: now.toISOString(),
    localTimestamp: new Date(now.getTime() - 7 * 3600_000).toISOString().replace('Z', '-07:00'),
    locale: 'en-US',
    localTimezone: 'America/Los_Angeles',
  };
}

const from = (p: Person) => ({ id: p.id, name: p.name, aadObjectId: p.aadObjectId });

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * The text/html attachment Teams adds to a channel message: mentions become spans with an
 * itemid counting from 0.
 */
function htmlOf(text: string): string {
  let n = 0;
  const parts = text.split(/(<at>[^<]*<\/at>)/);
  const html = parts
    .map((part) => {
      const m = /^<at>([^<]*)<\/at>$/.exec(part);
      return m
        ? `<span itemtype="http://schema.skype.com/Mention" itemscope="" itemid="${n++}">${escapeHtml(m[1]!)}</span>`
        : escapeHtml(part).replace(/^ /, '&nbsp;');
    })
    .join('');
  return `<p>${html}</p>`;
}

/** Mention entities for the bot and for `people`, each of whom must appear as `<at>Name</at>` in `text`. */
function mentionEntities(text: string, people: Array<{ id: string; name: string }>) {
  return people.map((p) => {
    const at = `<at>${p.name}</at>`;
    if (!text.includes(at)) throw new Error(`text must mention ${p.name} as ${at}: ${text}`);
    return { mentioned: { id: p.id, name: p.name }, text: at, type: 'mention' };
  });
}

/**
 * A message in a team channel that @mentions the bot, as Teams sends it. `text` is what follows
 * the mention (`incident pdf-404 invoices return 404`); the builder prepends `<at>Incident</at> `
 * unless `text` already starts with `<at>` or `mentionBot` is false. `mentions` adds mention
 * entities for people named as `<at>Name</at>` in the text.
 * The conversation defaults to a new thread started by this message (`<channel>;messageid=<id>`,
 * as Teams sends a root post); pass `conversationId` for a reply in an existing thread.
 */
export function channelMessage(opts: {
  serviceUrl: string;
  text: string;
  from?: Person;
  team?: { id: string };
  channel?: Channel;
  conversationId?: string;
  id?: string;
  tenantId?: string;
  mentionBot?: boolean;
  mentions?: Person[];
}) {
  const id = opts.id ?? teamsMessageId();
  const team = opts.team ?? TEAM;
  const channel = opts.channel ?? INCIDENTS_CHANNEL;
  const tenantId = opts.tenantId ?? TENANT_ID;
  const mentionBot = opts.mentionBot ?? true;
  const text = mentionBot && !opts.text.startsWith('<at>') ? `<at>${BOT.name}</at> ${opts.text}` : opts.text;
  return {
    type: 'message',
    channelId: 'msteams',
    text,
    id,
    serviceUrl: opts.serviceUrl,
    channelData: {
      teamsChannelId: channel.id,
      teamsTeamId: team.id,
      channel: { id: channel.id },
      team: { id: team.id },
      tenant: { id: tenantId },
    },
    from: from(opts.from ?? alice),
    recipient: { id: BOT.id, name: BOT.name },
    conversation: { id: opts.conversationId ?? `${channel.id};messageid=${id}`, isGroup: true, conversationType: 'channel', tenantId },
    entities: [...mentionEntities(text, [...(mentionBot ? [BOT] : []), ...(opts.mentions ?? [])]), clientInfo],
    textFormat: 'plain',
    attachments: [{ contentType: 'text/html', content: htmlOf(text) }],
    ...times(),
  };
}

/** A message in the 1:1 chat between a person and the bot (no mention needed there). */
export function personalMessage(opts: { serviceUrl: string; text: string; from?: Person; conversationId?: string; tenantId?: string; id?: string }) {
  const who = opts.from ?? alice;
  const tenantId = opts.tenantId ?? TENANT_ID;
  return {
    type: 'message',
    channelId: 'msteams',
    text: opts.text,
    id: opts.id ?? teamsMessageId(),
    serviceUrl: opts.serviceUrl,
    channelData: { tenant: { id: tenantId } },
    from: from(who),
    recipient: { id: BOT.id, name: BOT.name },
    // The fake Bot Connector names 1:1 chats the same way, so a chat it created and one a person started match.
    conversation: { id: opts.conversationId ?? `a:personal-${who.id}`, conversationType: 'personal', tenantId },
    entities: [clientInfo],
    textFormat: 'plain',
    ...times(),
  };
}

interface ActionOpts {
  serviceUrl: string;
  from?: Person;
  /** Where the card is: `a:…` for a 1:1 chat, a channel thread `19:…;messageid=…` for a channel. */
  conversationId: string;
  /** The id of the message holding the card. */
  replyToId: string;
  id?: string;
  tenantId?: string;
  /** For a card in a channel: channelData then names the team and channel. */
  team?: { id: string };
  channel?: Channel;
}

function actionBase(opts: ActionOpts) {
  const tenantId = opts.tenantId ?? TENANT_ID;
  const inChannel = opts.conversationId.startsWith('19:') && opts.conversationId.includes('@thread.tacv2');
  const channelId = opts.channel?.id ?? opts.conversationId.replace(/;messageid=.*$/, '');
  const team = opts.team ?? (inChannel ? TEAM : undefined);
  return {
    channelId: 'msteams',
    serviceUrl: opts.serviceUrl,
    channelData: {
      ...(inChannel && team ? { teamsChannelId: channelId, teamsTeamId: team.id, channel: { id: channelId }, team: { id: team.id } } : {}),
      tenant: { id: tenantId },
      source: { name: 'message' },
      legacy: { replyToId: `1:${opts.replyToId}` },
    },
    from: from(opts.from ?? alice),
    recipient: { id: BOT.id, name: BOT.name },
    conversation: inChannel
      ? { id: opts.conversationId, isGroup: true, conversationType: 'channel', tenantId }
      : opts.conversationId.startsWith('19:')
        ? { id: opts.conversationId, isGroup: true, conversationType: 'groupChat', tenantId }
        : { id: opts.conversationId, conversationType: 'personal', tenantId },
    entities: [clientInfo],
    replyToId: opts.replyToId,
    ...times(),
  };
}

/** A press of an Action.Execute button (Universal Actions): an invoke the bot must answer in the HTTP response. */
export function invokeAction(opts: ActionOpts & { verb: string; data?: Record<string, unknown>; title?: string }) {
  return {
    type: 'invoke',
    id: opts.id ?? `f:${randomUUID()}`,
    ...actionBase(opts),
    name: 'adaptiveCard/action',
    value: {
      action: { type: 'Action.Execute', ...(opts.title ? { title: opts.title } : {}), verb: opts.verb, data: opts.data ?? {} },
      trigger: 'manual',
    },
  };
}

/** A press of an Action.Submit button: a message with the action's data as `value` and no text. */
export function submitAction(opts: ActionOpts & { value: Record<string, unknown> }) {
  return {
    type: 'message',
    id: opts.id ?? teamsMessageId(),
    ...actionBase(opts),
    value: opts.value,
  };
}

/** POSTs an activity to the bot's messaging endpoint, as the Bot Connector service does. */
export async function postActivity(url: string, activity: object, authorization?: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json; charset=utf-8', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
  const text = await res.text();
  let body: any = text || undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}

/** The message a message action was picked on, as `value.messagePayload` carries it. */
export interface ActedOnMessage {
  id: string;
  /** The thread's first message when this one is a reply; null for the first message itself. */
  replyToId?: string | null;
  /** As Teams sends it: HTML, with what the author typed HTML-encoded. */
  html: string;
  author: Person;
  /** The channel the thread is in, for the message's link. */
  channel?: Channel;
}

/**
 * A message action picked on a message ("⋯ → More actions → Add to incident timeline"), after the
 * command's dialog is submitted: a `composeExtension/submitAction` invoke, shaped after a captured
 * one (conversation `<channel>;messageid=<root>`, `messagePayload` in Microsoft Graph's chatMessage
 * form, the author as an Entra user). `data` holds the dialog's parameters.
 */
export function messageActionInvoke(opts: {
  serviceUrl: string;
  from?: Person;
  conversationId: string;
  message: ActedOnMessage;
  commandId?: string;
  data?: Record<string, unknown>;
  id?: string;
  tenantId?: string;
}) {
  const tenantId = opts.tenantId ?? TENANT_ID;
  const channelId = opts.message.channel?.id ?? opts.conversationId.replace(/;messageid=.*$/, '');
  const m = opts.message;
  return {
    type: 'invoke',
    id: opts.id ?? `f:${randomUUID()}`,
    channelId: 'msteams',
    serviceUrl: opts.serviceUrl,
    from: from(opts.from ?? alice),
    recipient: { id: BOT.id, name: BOT.name },
    conversation: { isGroup: true, conversationType: 'channel', id: opts.conversationId, tenantId },
    channelData: { channel: { id: channelId }, team: { id: TEAM.id }, tenant: { id: tenantId }, source: { name: 'compose' } },
    entities: [clientInfo],
    name: 'composeExtension/submitAction',
    value: {
      commandId: opts.commandId ?? 'addToIncidentTimeline',
      commandContext: 'message',
      requestId: randomUUID().replace(/-/g, ''),
      context: { theme: 'default' },
      data: opts.data ?? { add: 'true' },
      messagePayload: {
        linkToMessage: `https://teams.microsoft.com/l/message/${channelId}/${m.id}`,
        id: m.id,
        replyToId: m.replyToId ?? null,
        createdDateTime: new Date().toISOString(),
        lastModifiedDateTime: null,
        deleted: false,
        subject: null,
        summary: null,
        importance: 'normal',
        locale: 'en-us',
        body: { contentType: 'html', content: m.html },
        from: {
          device: null,
          conversation: null,
          user: { userIdentityType: 'aadUser', id: m.author.aadObjectId, displayName: m.author.name },
          application: null,
        },
        reactions: [],
        mentions: [],
      },
    },
    ...times(),
  };
}
