import path from 'node:path';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { recordProbeResult } from '../../src/core/incident/probes';
import { resolve } from '../../src/core/incident/resolve';
import type { ProbeResult } from '../../src/core/ports';
import { loadCatalog } from '../../src/core/runbook/loader';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';

const USER = { id: 'UOPS0001', isAdmin: false, inChannel: true };
const T0 = new Date('2026-11-26T03:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

function result(runId: string, ms: number, status: ProbeResult['status'] = 'pass'): ProbeResult {
  return {
    runId,
    status,
    reason: `GET /api/v1/me as standard-user: 200 in ${ms} ms`,
    detail: { status: 200 },
    startedAt: at(ms - 5),
    finishedAt: at(ms),
    durationMs: 5,
  };
}

describe('recording probe results', () => {
  let schema: TestSchema;
  let deps: CoreDeps;

  beforeAll(async () => {
    schema = await freshSchema();
    deps = { store: new PgIncidentStore(schema.pool), clock: { now: () => T0 }, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
  });
  afterAll(async () => {
    await schema.drop();
  });

  async function declared() {
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const runs = await schema.pool.query<{ id: string; probe_id: string }>('SELECT id, probe_id FROM probe_runs WHERE incident_id = $1 ORDER BY probe_id', [
      snapshot.incident.id,
    ]);
    return { incident: snapshot.incident, runs: runs.rows };
  }

  const renders = async (incidentId: string) =>
    (await schema.pool.query<{ run_at: Date }>(`SELECT run_at FROM outbox WHERE incident_id = $1 AND kind = 'chat.render' ORDER BY id`, [incidentId])).rows.map(
      (r) => r.run_at.getTime() - T0.getTime(),
    );

  it('records results arriving together, each once with its event, and shows them on the checklist', async () => {
    const { incident, runs } = await declared();
    const written = await Promise.all(runs.map((r, i) => recordProbeResult(deps, incident, r.probe_id, result(r.id, 100 + i))));
    expect(written).toEqual(runs.map(() => true));
    // The same results again, as a job run twice after a crash would send them: nothing is written.
    const again = await Promise.all(runs.map((r, i) => recordProbeResult(deps, incident, r.probe_id, result(r.id, 900 + i, 'fail'))));
    expect(again).toEqual(runs.map(() => false));

    const snap = (await deps.store.get(incident.id))!;
    expect(snap.probes!.map((p) => [p.probeId, p.status])).toEqual(runs.map((r) => [r.probe_id, 'pass']));
    const events = await schema.pool.query(`SELECT data->>'run' AS run FROM incident_events WHERE incident_id = $1 AND kind = 'probe.finished' ORDER BY id`, [
      incident.id,
    ]);
    expect(events.rows.map((e) => e.run).sort()).toEqual(runs.map((r) => r.id).sort());
    // The version moved, so a render started before the results knows to render again.
    expect(snap.incident.version).toBeGreaterThan(incident.version);
  });

  it('renders the first result at once, and a burst at most once a second after that', async () => {
    const { incident, runs } = await declared();
    const [a, b, c, d] = runs;
    // The declare itself queued no render (setup renders), so the first result is shown at once.
    await recordProbeResult(deps, incident, a!.probe_id, result(a!.id, 2_000));
    // 200 ms later: a second after the first render.
    await recordProbeResult(deps, incident, b!.probe_id, result(b!.id, 2_200));
    // Another while that one waits: it joins it.
    await recordProbeResult(deps, incident, c!.probe_id, result(c!.id, 2_500));
    // After a quiet spell: at once again.
    await recordProbeResult(deps, incident, d!.probe_id, result(d!.id, 9_000));
    expect(await renders(incident.id)).toEqual([2_000, 3_000, 3_000, 9_000]);
  });

  it('records a result that arrives after the incident was resolved: it is evidence', async () => {
    const { incident, runs } = await declared();
    await resolve(deps, incident.id, USER, 'fixed', { confirmed: 'all' });
    expect(await recordProbeResult(deps, incident, runs[0]!.probe_id, result(runs[0]!.id, 100, 'fail'))).toBe(true);
    const snap = (await deps.store.get(incident.id))!;
    expect(snap.incident.status).toBe('resolved');
    expect(snap.probes!.find((p) => p.id === runs[0]!.id)?.status).toBe('fail');
  });
});
