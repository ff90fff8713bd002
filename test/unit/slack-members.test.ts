import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebClient } from '@slack/web-api';
import { SlackMembers } from '../../src/adapters/slack/members';
import { createLogger } from '../../src/util/logger';

// SlackMembers decides whether a click may tick a step. It is tested against a real WebClient
// talking to a tiny local server that stands in for the Slack Web API, so the SDK's own request
// and error handling is part of what is checked.

type Answer = { ok: true; members: string[]; response_metadata?: { next_cursor: string } } | { ok: false; error: string };

/** What the fake Slack answers, per channel and cursor ('' for the first page). */
let answers: Map<string, Answer>;
/** Every conversations.members call Slack received, in order. */
let calls: Array<{ channel: string | null; cursor: string | null; token: string | undefined }>;

let server: http.Server;
let apiUrl: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => (raw += chunk.toString('utf8')));
    req.on('end', () => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/api/conversations.members') return send(404, { ok: false, error: 'unknown_method' });
      const args = (req.headers['content-type'] ?? '').includes('application/json')
        ? new URLSearchParams(Object.entries(JSON.parse(raw || '{}') as Record<string, string>))
        : new URLSearchParams(raw);
      const channel = args.get('channel');
      const cursor = args.get('cursor');
      calls.push({ channel, cursor, token: req.headers.authorization });
      send(200, answers.get(`${channel}|${cursor ?? ''}`) ?? { ok: false, error: 'channel_not_found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
});

afterAll(async () => {
  // The SDK keeps connections alive; close them so the server (and jest) can stop.
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  answers = new Map();
  calls = [];
});

function members(): SlackMembers {
  const client = new WebClient('xoxb-test-members', { slackApiUrl: apiUrl, retryConfig: { retries: 0 } });
  return new SlackMembers(client, createLogger('silent'));
}

const page = (members: string[], next = ''): Answer => ({ ok: true, members, response_metadata: { next_cursor: next } });

describe('SlackMembers.isMember', () => {
  it('allows someone in the incident channel', async () => {
    answers.set('C1|', page(['UALICE001', 'UBOB00002']));
    await expect(members().isMember('C1', 'UBOB00002')).resolves.toBe(true);
    expect(calls).toEqual([{ channel: 'C1', cursor: null, token: 'Bearer xoxb-test-members' }]);
  });

  it('refuses someone who is not in the incident channel', async () => {
    answers.set('C1|', page(['UALICE001']));
    await expect(members().isMember('C1', 'UMALLORY1')).resolves.toBe(false);
  });

  it('asks about the right channel: a member of another channel is not a member of this one', async () => {
    answers.set('C1|', page(['UALICE001']));
    answers.set('C2|', page(['UBOB00002']));
    const m = members();
    await expect(m.isMember('C2', 'UALICE001')).resolves.toBe(false);
    await expect(m.isMember('C1', 'UALICE001')).resolves.toBe(true);
  });

  it('follows next_cursor through every page, so people in big channels are found', async () => {
    answers.set('C1|', page(['U0000001', 'U0000002'], 'dXNlcjpVMDAwMDAwMw=='));
    answers.set('C1|dXNlcjpVMDAwMDAwMw==', page(['U0000003'], 'cGFnZTM='));
    answers.set('C1|cGFnZTM=', page(['ULASTPAGE']));
    await expect(members().isMember('C1', 'ULASTPAGE')).resolves.toBe(true);
    expect(calls.map((c) => c.cursor)).toEqual([null, 'dXNlcjpVMDAwMDAwMw==', 'cGFnZTM=']);
  });

  it('answers a repeated click by a member from its cache, without asking Slack again', async () => {
    answers.set('C1|', page(['UALICE001', 'UBOB00002']));
    const m = members();
    await expect(m.isMember('C1', 'UALICE001')).resolves.toBe(true);
    await expect(m.isMember('C1', 'UALICE001')).resolves.toBe(true);
    // Another member of the same channel is found in the same cached list.
    await expect(m.isMember('C1', 'UBOB00002')).resolves.toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('asks Slack again for someone not in the cached list, so a person who just joined is let in at once', async () => {
    answers.set('C1|', page(['UALICE001']));
    const m = members();
    await expect(m.isMember('C1', 'UBOB00002')).resolves.toBe(false);
    answers.set('C1|', page(['UALICE001', 'UBOB00002']));
    await expect(m.isMember('C1', 'UBOB00002')).resolves.toBe(true);
    expect(calls).toHaveLength(2);
  });

  it('lets responders act when Slack refuses to list members (missing_scope): nobody is locked out at 3 a.m.', async () => {
    answers.set('C1|', { ok: false, error: 'missing_scope' });
    await expect(members().isMember('C1', 'UALICE001')).resolves.toBe(true);
    expect(calls).toHaveLength(1);
  });

  it('fails open when a later page is refused too', async () => {
    answers.set('C1|', page(['UALICE001'], 'next'));
    answers.set('C1|next', { ok: false, error: 'missing_scope' });
    await expect(members().isMember('C1', 'UNOTLISTED')).resolves.toBe(true);
  });

  it('does not cache a refusal: once the scope is granted, non-members are refused again', async () => {
    answers.set('C1|', { ok: false, error: 'missing_scope' });
    const m = members();
    await expect(m.isMember('C1', 'UMALLORY1')).resolves.toBe(true);
    answers.set('C1|', page(['UALICE001']));
    await expect(m.isMember('C1', 'UMALLORY1')).resolves.toBe(false);
  });
});
