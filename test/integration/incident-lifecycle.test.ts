import path from 'node:path';
import { acknowledge } from '../../src/core/incident/acknowledge';
import { mitigate } from '../../src/core/incident/mitigate';
import { setSeverity } from '../../src/core/incident/set-severity';
import { declareIncident } from '../../src/core/incident/declare-incident';
import { forRequest } from '../../src/core/commands/request-deps';
import type { CoreDeps } from '../../src/core/incident/deps';
import { resolve } from '../../src/core/incident/resolve';
import { setStep } from '../../src/core/incident/set-step';
import { loadCatalog } from '../../src/core/runbook/loader';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { ManualClock } from '../support/manual-clock';
import { until } from '../support/wait';

const USER = { id: 'UOPS0001', isAdmin: false, inChannel: true };

describe('an incident timeline in Postgres', () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let clock: ManualClock;

  beforeAll(async () => {
    schema = await freshSchema();
    clock = new ManualClock(new Date('2026-11-26T03:00:00Z'));
    deps = { store: new PgIncidentStore(schema.pool), clock, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('records each milestone at the injected clock time, with one event each', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'invoice-404', summary: 'PDF links 404', actor: USER, platform: 'slack', workspace: 'T1' });
    expect(incident.runbookId).toBe('pdf-404');
    clock.set('2026-11-26T03:02:00Z');
    await acknowledge(deps, incident.id, USER, 'command');
    const diagnosing = deps.catalog.find('pdf-404')!.steps.find((s) => s.marks === 'diagnosed')!;
    clock.set('2026-11-26T03:09:30Z');
    await setStep(deps, { incidentId: incident.id, stepId: diagnosing.id, to: 'done', actor: USER });
    clock.set('2026-11-26T03:41:00Z');
    await resolve(deps, incident.id, USER, 'stale CDN path fixed', { confirmed: 'all' });

    const { rows } = await schema.pool.query('SELECT * FROM incidents WHERE id = $1', [incident.id]);
    expect(rows[0]).toEqual(
      expect.objectContaining({
        status: 'resolved',
        declared_at: new Date('2026-11-26T03:00:00Z'),
        acknowledged_at: new Date('2026-11-26T03:02:00Z'),
        diagnosed_at: new Date('2026-11-26T03:09:30Z'),
        resolved_at: new Date('2026-11-26T03:41:00Z'),
        resolution: 'stale CDN path fixed',
      }),
    );
    const events = await schema.pool.query(`SELECT kind, at FROM incident_events WHERE incident_id = $1 AND kind NOT LIKE 'postmortem.%' ORDER BY id`, [
      incident.id,
    ]);
    expect(events.rows).toEqual([
      { kind: 'incident.declared', at: new Date('2026-11-26T03:00:00Z') },
      // The runbook's checks are asked for with the declare, in the same transaction.
      { kind: 'probe.requested', at: new Date('2026-11-26T03:00:00Z') },
      { kind: 'incident.acknowledged', at: new Date('2026-11-26T03:02:00Z') },
      { kind: 'step.completed', at: new Date('2026-11-26T03:09:30Z') },
      { kind: 'incident.diagnosed', at: new Date('2026-11-26T03:09:30Z') },
      { kind: 'incident.resolved', at: new Date('2026-11-26T03:41:00Z') },
      // Resolving runs the probes its quick validation names again.
      { kind: 'probe.requested', at: new Date('2026-11-26T03:41:00Z') },
    ]);
    // Every change queued the jobs that follow from it, in the same transaction.
    const jobs = await schema.pool.query('SELECT kind FROM outbox WHERE incident_id = $1 ORDER BY id', [incident.id]);
    // The resolve of this SEV2 also opened its post-mortem: the draft to post, the owner's home to refresh.
    expect(jobs.rows.map((r) => r.kind)).toEqual([
      'chat.provision',
      'probe.runs',
      // Earlier incidents like this one, said under the checklist once it is posted.
      'chat.notice',
      'incident.diagnosis_due',
      'escalation.due',
      'chat.render',
      'chat.render',
      'chat.postmortem',
      'chat.home',
      'probe.runs',
      'chat.render',
    ]);
  });

  it('never records a milestone before the one it follows, even when a clock lags', async () => {
    clock.set('2026-11-26T04:00:00Z');
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'queue-failure', actor: USER, platform: 'slack', workspace: 'T1' });
    clock.set('2026-11-26T03:59:59.990Z'); // another instance, 10 ms behind
    const r = await acknowledge(deps, incident.id, USER, 'command');
    expect(r.changed).toBe(true);
    expect(r.snapshot.incident.acknowledgedAt).toEqual(new Date('2026-11-26T04:00:00Z'));
  });

  it('has the database refuse milestones out of order, whatever writes them', async () => {
    const { rows } = await schema.pool.query(`SELECT id FROM incidents LIMIT 1`);
    await expect(schema.pool.query(`UPDATE incidents SET acknowledged_at = declared_at - interval '1 minute' WHERE id = $1`, [rows[0].id])).rejects.toThrow(
      /milestones_in_order/,
    );
  });

  it('refuses to declare from an unknown runbook and writes nothing', async () => {
    const before = await schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    await expect(declareIncident(deps, { runbook: 'pdf-4O4', actor: USER, platform: 'slack', workspace: 'T1' })).rejects.toMatchObject({
      problem: { code: 'unknown_runbook', input: 'pdf-4O4', suggestions: ['pdf-404'] },
    });
    const after = await schema.pool.query('SELECT count(*)::int AS n FROM incidents');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });

  it('does not count working the incident as its acknowledgement; a responder may still acknowledge a mitigated one', async () => {
    clock.set('2026-11-26T05:00:00Z');
    const a = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const step = deps.catalog.find('pdf-404')!.steps[0]!.id;
    clock.set('2026-11-26T05:02:00Z');
    await setStep(deps, { incidentId: a.snapshot.incident.id, stepId: step, to: 'done', actor: USER });
    await setSeverity(deps, a.snapshot.incident.id, 1, USER);
    clock.set('2026-11-26T05:04:00Z');
    await mitigate(deps, a.snapshot.incident.id, USER);
    expect((await deps.store.get(a.snapshot.incident.id))!.incident).toMatchObject({ status: 'mitigated', acknowledgedAt: null });
    clock.set('2026-11-26T05:06:00Z');
    const r = await acknowledge(deps, a.snapshot.incident.id, USER, 'button');
    expect(r.snapshot.incident).toMatchObject({ status: 'mitigated', acknowledgedAt: new Date('2026-11-26T05:06:00Z') });
    const { rows } = await schema.pool.query(
      `SELECT i.acknowledged_via, e.data->>'via' AS via FROM incidents i
       JOIN incident_events e ON e.incident_id = i.id AND e.kind = 'incident.acknowledged' WHERE i.id = $1`,
      [a.snapshot.incident.id],
    );
    expect(rows).toEqual([{ acknowledged_via: 'button', via: 'button' }]);
  });

  it('records a button acknowledgement as via button, not command', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    await acknowledge(deps, incident.id, USER, 'button');
    const { rows } = await schema.pool.query(`SELECT data FROM incident_events WHERE incident_id = $1 AND kind = 'incident.acknowledged'`, [incident.id]);
    expect(rows).toEqual([{ data: { via: 'button' } }]);
  });

  it('returns, from every change, the same snapshot a fresh read gives', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', summary: 'x', actor: USER, platform: 'slack', workspace: 'T1' });
    expect(await deps.store.get(incident.id)).toEqual((await deps.store.get(incident.id))!);
    const step = deps.catalog.find('pdf-404')!.steps[0]!.id;
    const results = [
      await setStep(deps, { incidentId: incident.id, stepId: step, to: 'done', actor: USER }),
      await setSeverity(deps, incident.id, 1, USER),
      await mitigate(deps, incident.id, USER),
      await setStep(deps, { incidentId: incident.id, stepId: step, to: 'open', actor: USER }),
      // The resolve runs the validation probes again: later than the declare's runs, so "latest run" is one.
      await (async () => {
        clock.set(new Date(clock.now().getTime() + 60_000).toISOString());
        return resolve(deps, incident.id, USER, 'done', { confirmed: 'all' });
      })(),
    ];
    for (const r of results) expect(r.changed).toBe(true);
    expect(results[results.length - 1]!.snapshot).toEqual(await deps.store.get(incident.id));
  });

  it('decides a change that waited for the lock on what the holder committed, not on what was there before', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const step = deps.catalog.find('pdf-404')!.steps[2]!.id;
    const holder = await schema.pool.connect();
    try {
      // Someone else ticks the step and bumps the version, holding the incident's lock meanwhile.
      await holder.query('BEGIN');
      await holder.query('SELECT 1 FROM incidents WHERE id = $1 FOR UPDATE', [incident.id]);
      await holder.query(`UPDATE checklist_steps SET state = 'done', changed_by = 'UOTHER01', changed_at = now() WHERE incident_id = $1 AND step_id = $2`, [
        incident.id,
        step,
      ]);
      await holder.query('UPDATE incidents SET version = version + 1 WHERE id = $1', [incident.id]);
      // The click read the incident before the holder committed: its write waits for the lock.
      const waiting = setStep(deps, { incidentId: incident.id, stepId: step, to: 'done', actor: USER, requestId: '1732600009.001' });
      await until(
        async () => {
          const { rows } = await schema.pool.query(`SELECT 1 FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'WITH inc AS%'`);
          return rows.length > 0;
        },
        'the click to wait for the lock',
        5_000,
      );
      await holder.query('COMMIT');
      const r = await waiting;
      // The step was done by the time it held the lock: nothing to record, and it says so.
      expect(r.changed).toBe(false);
      expect(r.snapshot.steps[2]).toMatchObject({ state: 'done', changedBy: 'UOTHER01' });
    } finally {
      holder.release();
    }
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'step.completed'`, [
      incident.id,
    ]);
    expect(rows[0].n).toBe(0);
  });

  it('decides a click again on the incident as it is, when it changed after the click read it', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const step = deps.catalog.find('pdf-404')!.steps[3]!.id;
    // The click's request reads the incident (to check where it came from and who clicked) ...
    const request = forRequest(deps, 'slack', '1732600010.001');
    expect((await request.store.get(incident.id))!.steps[3]!.state).toBe('open');
    // ... and before it writes, a colleague ticks the same step.
    const other = await setStep(deps, { incidentId: incident.id, stepId: step, to: 'done', actor: { ...USER, id: 'UOTHER01' } });
    expect(other.changed).toBe(true);
    const r = await setStep(request, { incidentId: incident.id, stepId: step, to: 'done', actor: USER, requestId: '1732600010.001' });
    expect(r.changed).toBe(false);
    expect(r.snapshot.steps[3]).toMatchObject({ state: 'done', changedBy: 'UOTHER01' });
    const { rows } = await schema.pool.query(`SELECT actor FROM incident_events WHERE incident_id = $1 AND kind = 'step.completed'`, [incident.id]);
    expect(rows.map((x) => x.actor)).toEqual(['UOTHER01']);
  });

  it('records a replayed click once', async () => {
    const {
      snapshot: { incident },
    } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const step = deps.catalog.find('pdf-404')!.steps[1]!.id;
    const click = { incidentId: incident.id, stepId: step, to: 'done' as const, actor: USER, requestId: '1732600000.123' };
    const first = await setStep(deps, click);
    await setStep(deps, { ...click, to: 'open', requestId: '1732600001.456' });
    const replay = await setStep(deps, click);
    expect(first.changed).toBe(true);
    expect(replay.changed).toBe(false);
    const { rows } = await schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'step.completed'`, [
      incident.id,
    ]);
    expect(rows[0].n).toBe(1);
    expect((await deps.store.get(incident.id))!.steps[1]!.state).toBe('open');
  });
});
