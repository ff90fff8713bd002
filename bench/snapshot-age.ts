/**
 * The snapshot section of `npm run bench`: what reading an incident costs once it has a long
 * history. A click reads its incident twice (under its change's lock, and for its render) and adds
 * an event to it, so a read that grew with the history would make every click on a long incident
 * dearer than the one before.
 *
 *  - fresh (the floor): an incident just declared, read with `PgIncidentStore.get`.
 *  - aged: an incident of the same runbook after SNAPSHOT_CLICKS clicks through the real use case
 *    (`setStep`, a step ticked and unticked), each adding a timeline event; read the same way.
 *
 * SNAPSHOT_ROUNDS rounds alternate fresh/aged, SNAPSHOT_READS reads each, after one unmeasured
 * round. Goal: the aged incident's p50 within 1.25× the fresh one's.
 *
 *   SNAPSHOT_CLICKS=1000 SNAPSHOT_ROUNDS=6 SNAPSHOT_READS=300
 *   Alone: BENCH_ONLY=snapshot npx tsx bench/run.ts
 */
import path from 'node:path';
import { declareIncident } from '../src/core/incident/declare-incident';
import { setStep } from '../src/core/incident/set-step';
import type { CoreDeps } from '../src/core/incident/deps';
import { loadCatalog } from '../src/core/runbook/loader';
import { systemClock } from '../src/core/ports';
import { PgIncidentStore } from '../src/store/incident-store';
import { freshSchema } from '../test/support/db';
import { setting } from './deployment';
import { summarize } from './stats';

const GOAL_RATIO = 1.25;
const ACTOR = { id: 'UBENCH1', isAdmin: false, inChannel: true };

export async function snapshotAge(): Promise<{ ok: boolean; text: string }> {
  const CLICKS = setting('SNAPSHOT_CLICKS', 1_000);
  const ROUNDS = setting('SNAPSHOT_ROUNDS', 6);
  const READS = setting('SNAPSHOT_READS', 300);
  const schema = await freshSchema();
  try {
    const store = new PgIncidentStore(schema.pool);
    const deps: CoreDeps = { store, clock: systemClock, catalog: loadCatalog(path.resolve(__dirname, '../playbooks')), tz: 'UTC' };
    const declare = async (key: string) =>
      (await declareIncident(deps, { runbook: 'pdf-404', summary: 'bench', actor: ACTOR, platform: 'slack', workspace: 'TBENCH', requestKey: key })).snapshot;
    const fresh = await declare('fresh');
    const aged = await declare('aged');
    const step = aged.steps[0]!.stepId;
    for (let i = 0; i < CLICKS; i++) {
      await setStep(deps, { incidentId: aged.incident.id, stepId: step, to: i % 2 === 0 ? 'done' : 'open', actor: ACTOR, requestId: `bench-${i}` });
    }
    const { rows } = await schema.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [aged.incident.id]);

    const times: Record<'fresh' | 'aged', number[]> = { fresh: [], aged: [] };
    const read = async (id: string, into: number[] | null) => {
      for (let i = 0; i < READS; i++) {
        const t = performance.now();
        await store.get(id);
        into?.push(performance.now() - t);
      }
    };
    await read(fresh.incident.id, null);
    await read(aged.incident.id, null);
    for (let r = 0; r < ROUNDS; r++) {
      await read(fresh.incident.id, times.fresh);
      await read(aged.incident.id, times.aged);
    }
    const f = summarize(times.fresh);
    const a = summarize(times.aged);
    const ratio = a.p50 / f.p50;
    const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
    return {
      ok: true,
      text: [
        `\nSnapshot: reading an incident (PgIncidentStore.get, what a click's change and its render each read) fresh, and after ${CLICKS} clicks (${rows[0]!.n} timeline events).`,
        `   ${ROUNDS} rounds × ${READS} reads each, alternating.`,
        `   fresh (floor)   p50 ${us(f.p50)}   p99 ${us(f.p99)}`,
        `   aged            p50 ${us(a.p50)}   p99 ${us(a.p99)}   ratio p50 ${ratio.toFixed(2)}x`,
        `   Goal p50 within ${GOAL_RATIO}x of the fresh incident's: ${ratio <= GOAL_RATIO ? 'yes' : 'no'}`,
      ].join('\n'),
    };
  } finally {
    await schema.drop();
  }
}

if (require.main === module) {
  void snapshotAge().then(({ ok, text }) => {
    console.log(text);
    process.exit(ok ? 0 : 1);
  });
}
