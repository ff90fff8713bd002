import path from 'node:path';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { checkEscalationDue, escalateNow } from '../../src/core/incident/escalation';
import { setSeverity } from '../../src/core/incident/set-severity';
import { loadCatalog } from '../../src/core/runbook/loader';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';

const ALICE = { id: 'UALICE01', isAdmin: false, inChannel: true };
const T0 = new Date('2026-11-26T03:00:00Z');

describe('escalation levels in Postgres', () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let now = T0;

  beforeAll(async () => {
    schema = await freshSchema();
    deps = { store: new PgIncidentStore(schema.pool), clock: { now: () => now }, catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')), tz: 'UTC' };
  });
  afterAll(async () => {
    await schema.drop();
  });

  const rows = async (incidentId: string) =>
    (await schema.pool.query(`SELECT level, reason, escalated_by FROM escalations WHERE incident_id = $1 ORDER BY level`, [incidentId])).rows;
  const events = async (incidentId: string) =>
    (await schema.pool.query(`SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1 AND kind = 'escalation.fired'`, [incidentId])).rows[0].n;

  it('queues level 1 with the declare, at its time in the ladder (0m: at the declaration, for the SEV2 pdf-404)', async () => {
    now = T0;
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: ALICE, platform: 'slack', workspace: 'T1' });
    const { rows: jobs } = await schema.pool.query(`SELECT payload, run_at FROM outbox WHERE incident_id = $1 AND kind = 'escalation.due'`, [
      snapshot.incident.id,
    ]);
    expect(jobs).toEqual([{ payload: { incidentId: snapshot.incident.id, level: 1 }, run_at: new Date('2026-11-26T03:00:00Z') }]);
  });

  it('pages level 1 at once when a SEV3 is raised to SEV2, recorded as a severity page by who raised it', async () => {
    now = T0;
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: ALICE, platform: 'slack', workspace: 'T1' });
    const id = snapshot.incident.id;
    await setSeverity(deps, id, 3, ALICE);
    expect(await rows(id)).toEqual([]);
    await setSeverity(deps, id, 2, ALICE);
    expect(await rows(id)).toEqual([{ level: 1, reason: 'severity', escalated_by: ALICE.id }]);
    expect(await events(id)).toBe(1);
    // The declare's level-1 job, run afterwards, finds the level fired and fires nothing more.
    await checkEscalationDue(deps, id, 1);
    expect(await events(id)).toBe(1);
  });

  it('fires a level once when many bots run its job at the same moment', async () => {
    now = T0;
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: ALICE, platform: 'slack', workspace: 'T1' });
    now = new Date('2026-11-26T03:05:00Z');
    const results = await Promise.all(Array.from({ length: 8 }, () => checkEscalationDue(deps, snapshot.incident.id, 1)));
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    expect(await rows(snapshot.incident.id)).toEqual([{ level: 1, reason: 'timeout', escalated_by: null }]);
    expect(await events(snapshot.incident.id)).toBe(1);
    // The snapshot carries the level, for the header.
    expect((await deps.store.get(snapshot.incident.id))!.escalations).toEqual([
      { level: 1, targets: ['@oncall-documents'], reason: 'timeout', at: now, by: null, note: null },
    ]);
  });

  it('lets a person step up once per request while a timed level races it', async () => {
    now = T0;
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: ALICE, platform: 'slack', workspace: 'T1' });
    now = new Date('2026-11-26T03:05:00Z');
    await Promise.all([escalateNow(deps, snapshot.incident.id, ALICE, 'need docs'), checkEscalationDue(deps, snapshot.incident.id, 1)]);
    const fired = await rows(snapshot.incident.id);
    // Whichever came first took level 1; the manual one then took level 1 or 2, never both twice.
    expect(new Set(fired.map((r: any) => r.level)).size).toBe(fired.length);
    expect(fired.some((r: any) => r.reason === 'manual' && r.escalated_by === ALICE.id)).toBe(true);
    expect(await events(snapshot.incident.id)).toBe(fired.length);
  });
});
