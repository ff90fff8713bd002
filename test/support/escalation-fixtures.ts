import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { FakeSlack } from './fake-slack';
import type { Harness } from './harness';
import { until } from './wait';

const SHIPPED = path.resolve(__dirname, '../../playbooks/pdf-404.yaml');

/** The ladder the escalation tests climb: seconds instead of minutes, every kind of target. */
export const QUICK_LADDER = [
  { after: '2s', notify: ['@oncall-documents', 'webhook:pager'] },
  { after: '4s', notify: ['@documents-lead', '#eng-incidents', '@nobody-here'] },
];

/** The shipped pdf-404 runbook with only its escalation ladder changed. */
export function quickLadderDir(ladder = QUICK_LADDER): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'escalation-'));
  const doc = parseDocument(readFileSync(SHIPPED, 'utf8'));
  doc.set('escalation', doc.createNode(ladder));
  writeFileSync(path.join(dir, 'pdf-404.yaml'), doc.toString());
  return dir;
}

export const ONCALL = { id: 'S0ONCALL1', handle: 'oncall-documents', members: ['UONCALL01', 'UONCALL02'] };
export const LEAD = { id: 'ULEAD0001', name: 'documents-lead' };
export const ENG_INCIDENTS = 'CENGINC01';

/** The workspace the ladder pages: a rotation (user group), a lead (user) and a channel the bot is in. */
export function seedWorkspace(slack: FakeSlack): void {
  slack.addUsergroup(ONCALL.id, ONCALL.handle, ONCALL.members);
  slack.users.push({ id: LEAD.id, name: LEAD.name, display_name: 'Dana (documents lead)' });
  for (const id of ONCALL.members) slack.users.push({ id, name: id.toLowerCase() });
  slack.channels.set(ENG_INCIDENTS, { id: ENG_INCIDENTS, name: 'eng-incidents', topic: '', members: new Set(['UBOT']), creator: 'UHUMAN01' });
}

export interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A webhook receiver on loopback that answers 200 and keeps what it got. */
export async function webhookReceiver(): Promise<{ url: string; received: Received[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const WEBHOOK_SECRET = 'test-webhook-secret-not-real-0123';

/** The bot's settings for the `pager` webhook the quick ladder names. */
export function pagerEnv(url: string): Record<string, string> {
  return { ESCALATION_WEBHOOKS: 'pager', ESCALATION_WEBHOOK_PAGER_URL: url, ESCALATION_WEBHOOK_PAGER_SECRET: WEBHOOK_SECRET };
}

/** Declares `pdf-404 <summary>` as `user` and waits for the channel setup opens for it. */
export async function declareWithChannel(h: Harness, summary: string, user: string) {
  const res = await h.command(`pdf-404 ${summary}`, user);
  const number = Number(/^INC-(\d+) declared/.exec(res.body.text)?.[1]);
  const row = await until(
    async () => (await h.schema.pool.query('SELECT id, channel_id, declared_at FROM incidents WHERE number = $1 AND channel_id IS NOT NULL', [number])).rows[0],
    `INC-${number}'s channel`,
    10_000,
  );
  return { number, id: row.id as string, channel: row.channel_id as string, declaredAt: row.declared_at as Date };
}
