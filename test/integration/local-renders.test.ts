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

  /** A relay whose renders run `render` here, with `budget` at once. */
  function relayWith(render: (incidentId: string) => Promise<void>, budget = 4) {
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

  it('queues in Redis what is past its budget, and what failed here (after the wait Slack asked for)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { relay } = relayWith(async (id) => {
      if (id === failing) throw new RetryLaterError(30_000, 'rate limited');
      await held;
    }, 2);
    const [failing, a, b, c] = await writeRenders(4);
    expect(await relay.relayOnce()).toBe(4);
    // Two ran here (the failing one and the next); the two past the budget went to the chat queue.
    const states = async () => Promise.all([failing!, a!, b!, c!].map((id) => queues.state('chat.render', `${id}:render:v2`)));
    await until(async () => (await states())[0] === 'delayed', 'the failed render to wait in the chat queue', 5_000);
    expect(await states()).toEqual(['delayed', 'unknown', 'waiting', 'waiting']);
    expect((await queues.queues.chat.getJob(`${failing}.render.v2`))?.opts.delay).toBe(30_000);
    // Still unfinished: the chat queue's job marks it done once it ran.
    expect((await row(failing!)).done_at).toBeNull();
    release();
    await until(async () => (await row(a!)).done_at, 'the held render to finish', 5_000);
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
