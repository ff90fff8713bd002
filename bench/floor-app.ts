import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type BlockButtonAction } from '@slack/bolt';
import { Pool } from 'pg';
import { BOT_TOKEN, SIGNING_SECRET } from './protocol';

type Block = Record<string, any>;

/**
 * The floor: a bare Bolt app, configured like the bot's HTTP receiver, that does the least a
 * Slack app can. A command is only acked; a click is acked and its message updated at once,
 * so the click floor is one Bolt dispatch plus one Web API round trip to the fake Slack.
 */
export async function startFloor(
  apiUrl: string,
  /** The durable floor: each command commits one row to this Postgres before it is acked. */
  databaseUrl?: string,
): Promise<{ eventsUrl: string; seed(messages: number): Promise<string>; stop(): Promise<void> }> {
  const receiver = new HTTPReceiver({ signingSecret: SIGNING_SECRET, endpoints: '/slack/events', processBeforeResponse: false, logLevel: LogLevel.ERROR });
  const app = new App({ token: BOT_TOKEN, receiver, logLevel: LogLevel.ERROR, clientOptions: { slackApiUrl: apiUrl } });
  const messages = new Map<string, { channel: string; blocks: Block[] }>();

  // One INSERT in autocommit is one committed transaction. Idle connections are kept: between
  // bursts the floor would otherwise reconnect a score of them, and measure connecting, not recording.
  const pool = databaseUrl ? new Pool({ connectionString: databaseUrl, max: 20, idleTimeoutMillis: 0 }) : null;
  await pool?.query('CREATE TABLE IF NOT EXISTS bench_floor_commands (id bigserial PRIMARY KEY, text text NOT NULL, at timestamptz NOT NULL DEFAULT now())');
  app.command('/incident', async ({ ack, command }) => {
    if (pool) await pool.query('INSERT INTO bench_floor_commands (text) VALUES ($1)', [command.text]);
    await ack({ response_type: 'ephemeral', text: 'Declaring an incident…' });
  });
  app.action<BlockButtonAction>(/^step\./, async ({ ack, body, action, client }) => {
    await ack();
    const message = messages.get(body.container.message_ts);
    if (!message) return;
    const step = message.blocks.find((b) => b.accessory?.action_id === action.action_id);
    // Like the bot, the click carries the state it asks for.
    if (step) setButton(step, JSON.parse(action.value ?? '{}').to === 'done');
    await client.chat.update({ channel: message.channel, ts: body.container.message_ts, text: 'Checklist', blocks: message.blocks as never });
  });

  const server = (await app.start(0)) as unknown as { address(): AddressInfo };
  return {
    eventsUrl: `http://127.0.0.1:${server.address().port}/slack/events`,
    /** Posts `count` ten-step checklists shaped like the bot's into a channel of its own. */
    async seed(count) {
      const created = await app.client.conversations.create({ name: `floor-${randomUUID().slice(0, 8)}` });
      const channel = created.channel!.id!;
      for (let m = 0; m < count; m++) {
        const incident = randomUUID();
        const blocks: Block[] = [{ type: 'section', text: { type: 'mrkdwn', text: `*FLOOR-${m} checklist*` } }, { type: 'divider' }];
        for (let s = 0; s < 10; s++) {
          const step: Block = {
            type: 'section',
            block_id: `step-s${s}`,
            text: { type: 'mrkdwn', text: '' },
            accessory: { type: 'button', action_id: `step.s${s}` },
          };
          step.accessory.value = JSON.stringify({ i: incident, s: `s${s}`, to: 'done' });
          setButton(step, false);
          blocks.push(step);
        }
        const posted = await app.client.chat.postMessage({ channel, text: 'Checklist', blocks: blocks as never });
        messages.set(posted.ts!, { channel, blocks });
      }
      return channel;
    },
    stop: async () => {
      await app.stop();
      await pool?.end();
    },
  };
}

function setButton(step: Block, done: boolean): void {
  const value = JSON.parse(step.accessory.value);
  step.text.text = `${done ? ':white_check_mark:' : ':white_large_square:'} *${value.s}*`;
  step.accessory.text = { type: 'plain_text', text: done ? 'Reopen' : 'Done' };
  step.accessory.value = JSON.stringify({ ...value, to: done ? 'open' : 'done' });
  if (done) delete step.accessory.style;
  else step.accessory.style = 'primary';
}
