import { acceptDeclare, acceptKey, declareAccepted } from '../../src/core/incident/accept-declare';
import type { CoreDeps } from '../../src/core/incident/deps';
import { loadCatalog } from '../../src/core/runbook/loader';
import { LocalDeclares } from '../../src/jobs/local-declares';
import { OutboxRelay } from '../../src/jobs/outbox-relay';
import type { JobQueues } from '../../src/jobs/queues';
import { PgIncidentStore } from '../../src/store/incident-store';
import { PgOutbox } from '../../src/store/outbox';
import { createLogger } from '../../src/util/logger';
import { freshSchema, type TestSchema } from '../support/db';
import { freshQueues, type TestQueues } from '../support/queues';
import { until } from '../support/wait';

/**
 * A Slack declare is recorded before the ack and made right after it in the same process. It is
 * exactly as hard to lose as the declare it stands for: its row is done only once the incident is
 * made, a failure goes to the queue, and one whose process died is queued by the overdue sweep.
 */
describe('declares made where they were recorded', () => {
  let schema: TestSchema;
  let redisSide: TestQueues;
  let queues: JobQueues;
  const clock = { now: () => new Date() };
  const logger = createLogger('silent');
  const catalog = loadCatalog('playbooks');
  let seq = 0;

  beforeAll(async () => {
    schema = await freshSchema();
    redisSide = freshQueues();
    queues = redisSide.queues;
  });
  afterAll(async () => {
    await redisSide.drop();
    await schema.drop();
  });

  /** A process whose declares run `attempt` before the real declare (to make it fail). */
  function processWith(attempt: () => Promise<void> = async () => undefined) {
    const relay = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, logger);
    // eslint-disable-next-line prefer-const
    let local: LocalDeclares;
    const store = new PgIncidentStore(
      schema.pool,
      () => undefined,
      schema.pool,
      (job) => local.start(job),
    );
    const deps: CoreDeps = { store, clock, catalog, tz: 'UTC' };
    local = new LocalDeclares({
      declare: async (p) => {
        await attempt();
        await declareAccepted(deps, p);
      },
      enter: async () => () => undefined,
      finished: (key) => relay.markDone(key),
      queue: (job) => queues.add([job]),
      logger,
    });
    relay.runDeclaresHere(local);
    return { relay, local, deps };
  }

  const accept = (deps: CoreDeps, summary: string) => {
    const requestKey = `T1:trigger-${++seq}`;
    const input = { runbook: 'pdf-404', summary, actor: { id: 'U1' }, platform: 'slack', workspace: 'T1', requestKey };
    return { key: acceptKey('slack', requestKey), result: acceptDeclare(deps, input) };
  };
  const recorded = async (key: string) =>
    (await schema.pool.query(`SELECT relayed_at, done_at, payload FROM outbox WHERE dedupe_key = $1`, [key])).rows[0] as {
      relayed_at: Date | null;
      done_at: Date | null;
      payload: { id: string; number: number };
    };
  const incident = async (id: string) => (await schema.pool.query(`SELECT number, title FROM incidents WHERE id = $1`, [id])).rows[0];

  it('makes the incident with the number the ack named, marks the row done, and never puts it in Redis', async () => {
    const { deps } = processWith();
    const { key, result } = accept(deps, 'made here');
    const { accepted, number } = await result;
    expect(accepted).toBe(true);
    const row = await until(
      async () => {
        const r = await recorded(key);
        return r.done_at ? r : null;
      },
      'the row to be done',
      5_000,
    );
    expect(row.payload.number).toBe(number);
    expect(await incident(row.payload.id)).toEqual({ number: String(number), title: 'made here' });
    expect(await queues.state('incident.declare', key)).toBe('unknown');
  });

  it('queues in Redis a declare that failed here; the row stays unfinished until a worker makes it', async () => {
    const { deps } = processWith(async () => {
      throw new Error('connection terminated');
    });
    const { key, result } = accept(deps, 'failed here');
    await result;
    await until(async () => (await queues.state('incident.declare', key)) === 'waiting', 'the declare to wait in its queue', 5_000);
    const row = await recorded(key);
    expect(row.done_at).toBeNull();
    expect(await incident(row.payload.id)).toBeUndefined();
  });

  it('is not taken for lost while it waits here; once its process is gone, the overdue sweep queues it again (after 10 s)', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = processWith(() => held);
    const { key, result } = accept(first.deps, 'process died');
    await result;
    expect(first.local.has(key)).toBe(true);
    // Recorded, due, unfinished and unknown to Redis, but waiting here: the sweep leaves it be.
    expect(await first.relay.sweepOverdue()).toBe(0);
    // Another process's sweep leaves a fresh one to the process that recorded it…
    const other = new OutboxRelay(new PgOutbox(schema.pool), queues, clock, logger);
    expect(await other.sweepOverdue()).toBe(0);
    // …and takes one recorded longer ago than a declare takes for lost, and queues it.
    await schema.pool.query(`UPDATE outbox SET relayed_at = relayed_at - interval '11 seconds' WHERE dedupe_key = $1`, [key]);
    expect(await other.sweepOverdue()).toBe(1);
    await until(async () => (await queues.state('incident.declare', key)) === 'waiting', 'the declare to be queued again', 5_000);
    await other.stop();
    release();
  });

  it('records a replay once: the second gets the first number, and one incident is made', async () => {
    const { deps } = processWith();
    const requestKey = `T1:trigger-${++seq}`;
    const input = { runbook: 'pdf-404', summary: 'replayed', actor: { id: 'U1' }, platform: 'slack', workspace: 'T1', requestKey };
    const first = await acceptDeclare(deps, input);
    const again = await acceptDeclare(deps, input);
    expect(again).toEqual({ accepted: false, number: first.number });
    await until(async () => (await recorded(acceptKey('slack', requestKey))).done_at, 'the row to be done', 5_000);
    const { rows } = await schema.pool.query(`SELECT number FROM incidents WHERE title = 'replayed'`);
    expect(rows).toEqual([{ number: String(first.number) }]);
  });
});
