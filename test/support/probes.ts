import type { Pool } from 'pg';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import type { Actor } from '../../src/core/model';
import type { ProbeDef } from '../../src/core/runbook/schema';

export type HttpDef = Extract<ProbeDef, { kind: 'http' }>;

/** pdf-404's first probe (GET /api/v1/me as the standard user), with `extra` over it. */
export const meProbe = (extra: Partial<HttpDef> = {}): HttpDef => ({
  id: 'me-standard-user',
  title: 'API /me as standard user',
  kind: 'http',
  auto: true,
  path: '/api/v1/me',
  method: 'GET',
  as: 'standard-user',
  expect_status: 200,
  timeout: '2s',
  ...extra,
});

/**
 * Declares a pdf-404 incident and returns the probe job for its /me and PDF runs, and `status()`,
 * which reads each of those runs as `probe id → "status: reason"`.
 */
export async function declaredProbeJob(deps: CoreDeps, pool: Pool, actor: Actor) {
  const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor, platform: 'slack', workspace: 'T1' });
  const runs = (
    await pool.query<{ runId: string; probeId: string }>(
      `SELECT id AS "runId", probe_id AS "probeId" FROM probe_runs WHERE incident_id = $1 AND probe_id IN ('me-standard-user', 'smoke-invoice-pdf')`,
      [snapshot.incident.id],
    )
  ).rows;
  const job = { incidentId: snapshot.incident.id, runbookId: 'pdf-404', platform: 'slack', runs };
  const status = async () =>
    Object.fromEntries(
      (await pool.query(`SELECT probe_id, status, reason FROM probe_runs WHERE id = ANY($1::uuid[])`, [runs.map((r) => r.runId)])).rows.map((r) => [
        r.probe_id,
        `${r.status}: ${r.reason ?? ''}`,
      ]),
    );
  return { snapshot, job, status };
}
