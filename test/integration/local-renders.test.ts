import { randomUUID } from 'node:crypto';
import { RetryLaterError } from '../../src/core/errors';
import { LocalRenders } from '../../src/jobs/local-renders';
import { OutboxRelay } from '../../src/jobs/outbox-relay';
import type { JobQueues } from '../../src/jobs/queues';
import { PgOutbox } from '../../src/store/outbox';
import { createLogger } from '../../src/util/logger';
import { freshSchema, type TestSchema } from '../support/db';
import { freshQueues, type TestQueues } from '../support/queues';
import { until } from '../support/wait';

/**
 * A click's render runs in the process that relayed it, not through Redis, and is exactly as hard
 * to lose: its row is done only when it finished, a failure goes to the chat queue, and a render
 * whose process died is queued again by the overdue sweep.
 */
describe('renders run where they were relayed', () => {
  let schema: TestSchema;
  let redisSide: TestQueues;
  let queues: JobQueues;
  const clock = { now: () => new Date() };
  const logger = createLogger('silent');

  beforeAll(async () => {
    schema = await freshSchema();
    redisSide = freshQueues();
    queues = redisSide.queues;
  });
  afterAll(async () => {
    await redisSide.drop();
    await schema.drop();
  });

  /** A relay whose renders run `render` here, with `budget` at once and `line` more waiting. */
  function relayWith(render: (incidentId: string) => Promise<void>, budget = 4, line = 0) {
    const relay = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, logger);
    const local = new LocalRenders(
      {
        handler: (payload) => render(payload.incidentId),
        enter: async () => () => undefined,
        finished: (key) => relay.markDone(key),
        queue: (job) => queues.add([job]),
        logger,
      },
      budget,
      line,
    );
    relay.runRendersHere(local);
    return { relay, local };
  }

  async function writeRenders(n: number): Promise<string[]> {
    const ids = Array.from({ length: n }, () => randomUUID());
    await schema.pool.query(
      `INSERT INTO outbox (kind, payload, dedupe_key, run_at)
       SELECT 'chat.render', jsonb_build_object('incidentId', id, 'platform', 'slack'), id || ':render:v2', now() - interval '1 second'
       FROM unnest($1::uuid[]) AS id`,
      [ids],
    );
    return ids;
  }

  const row = async (incidentId: string) =>
    (await schema.pool.query(`SELECT relayed_at, done_at FROM outbox WHERE dedupe_key = $1`, [`${incidentId}:render:v2`])).rows[0] as {
      relayed_at: Date | null;
      done_at: Date | null;
    };

  it('runs a due render here, marks its row done, and never puts it in Redis', async () => {
    const rendered: string[] = [];
    const { relay } = relayWith(async (id) => void rendered.push(id));
    const [id] = await writeRenders(1);
    expect(await relay.relayOnce()).toBe(1);
    await until(async () => (await row(id!)).done_at, 'the row to be done', 5_000);
    expect(rendered).toEqual([id]);
    expect(await queues.state('chat.render', `${id}:render:v2`)).toBe('unknown');
  });

  it('queues in Redis what is past its budget and its line, and what failed here (after the wait Slack asked for)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { relay } = relayWith(
      async (id) => {
        if (id === failing) throw new RetryLaterError(30_000, 'rate limited');
        await held;
      },
      2,
      1,
    );
    const [failing, a, b, c] = await writeRenders(4);
    expect(await relay.relayOnce()).toBe(4);
    // Two ran here (the failing one and the next), one waited for the failing one's slot and ran
    // here too; the one past the budget and the line went to the chat queue.
    const states = async () => Promise.all([failing!, a!, b!, c!].map((id) => queues.state('chat.render', `${id}:render:v2`)));
    await until(async () => (await states())[0] === 'delayed', 'the failed render to wait in the chat queue', 5_000);
    expect(await states()).toEqual(['delayed', 'unknown', 'unknown', 'waiting']);
    expect((await queues.queues.chat.getJob(`${failing}.render.v2`))?.opts.delay).toBe(30_000);
    // Still unfinished: the chat queue's job marks it done once it ran.
    expect((await row(failing!)).done_at).toBeNull();
    release();
    await until(async () => (await row(a!)).done_at && (await row(b!)).done_at, 'the held renders to finish', 5_000);
  });

  it('runs the renders past its budget here as slots free, oldest first, none through Redis', async () => {
    const order: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { relay, local } = relayWith(
      async (id) => {
        order.push(id);
        if (order.length === 1) await held;
      },
      1,
      4,
    );
    const ids = await writeRenders(3);
    expect(await relay.relayOnce()).toBe(3);
    // One runs; the other two wait here, known to this process, so its sweep leaves them be.
    expect(order).toHaveLength(1);
    for (const id of ids) expect(local.has(`${id}:render:v2`)).toBe(true);
    expect(await relay.sweepOverdue()).toBe(0);
    release();
    await until(async () => (await Promise.all(ids.map(row))).every((r) => r.done_at), 'every render to be done', 5_000);
    expect(order).toEqual(ids); // written (and so relayed) in this order
    expect(await Promise.all(ids.map((id) => queues.state('chat.render', `${id}:render:v2`)))).toEqual(['unknown', 'unknown', 'unknown']);
  });

  it('hands the renders waiting here to the chat queue when it stops', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { relay, local } = relayWith(() => held, 1, 4);
    const [running, waiting] = await writeRenders(2);
    expect(await relay.relayOnce()).toBe(2);
    await local.stop(100);
    expect(await queues.state('chat.render', `${waiting}:render:v2`)).toBe('waiting');
    // The one running was let be: it finishes and marks its row done.
    release();
    await until(async () => (await row(running!)).done_at, 'the running render to finish', 5_000);
    expect(await queues.state('chat.render', `${running}:render:v2`)).toBe('unknown');
  });

  it('is not taken for lost while it runs; once its process is gone, the overdue sweep queues it again (after 10 s)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = relayWith(() => held);
    const [id] = await writeRenders(1);
    expect(await first.relay.relayOnce()).toBe(1);
    expect(first.local.has(`${id}:render:v2`)).toBe(true);
    // Relayed, due, unfinished and unknown to Redis, but running here: the sweep leaves it be.
    expect(await first.relay.sweepOverdue()).toBe(0);
    expect((await row(id!)).relayed_at).not.toBeNull();

    // Another process's sweep cannot know whether it runs: it leaves a fresh render to its relayer…
    const other = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, logger);
    expect(await other.sweepOverdue()).toBe(0);
    // …and takes one relayed longer ago than any render lasts for lost, and queues it.
    await schema.pool.query(`UPDATE outbox SET relayed_at = relayed_at - interval '11 seconds' WHERE dedupe_key = $1`, [`${id}:render:v2`]);
    expect(await other.sweepOverdue()).toBe(1);
    // The sweep nudges its relay, which moves the row to the chat queue at once.
    await until(async () => (await queues.state('chat.render', `${id}:render:v2`)) === 'waiting', 'the render to be queued again', 5_000);
    await other.stop();
    release();
  });

  it('runs nothing here once stopped', async () => {
    const rendered: string[] = [];
    const { relay, local } = relayWith(async (id) => void rendered.push(id));
    await local.stop(100);
    const [id] = await writeRenders(1);
    expect(await relay.relayOnce()).toBe(1);
    expect(rendered).toEqual([]);
    expect(await queues.state('chat.render', `${id}:render:v2`)).toBe('waiting');
  });
});
