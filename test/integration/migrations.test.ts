import { mkdtempSync, readdirSync, copyFileSync, appendFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/app/config';
import { createLogger } from '../../src/util/logger';
import { startRuntime } from '../../src/app/runtime';
import { MIGRATIONS_DIR, migrate } from '../../src/store/migrate';
import { freshSchema, type TestSchema } from '../support/db';

describe('incident-bot migrate', () => {
  let schema: TestSchema;
  beforeEach(async () => {
    schema = await freshSchema({ migrate: false });
  });
  afterEach(async () => {
    await schema.drop();
  });

  const shipped = () =>
    readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.sql'))
      .sort();

  it('applies every migration once; running it again changes nothing', async () => {
    const first = await migrate(schema.pool);
    expect(first.applied).toEqual(shipped());
    const second = await migrate(schema.pool);
    expect(second).toEqual({ applied: [], skipped: shipped() });
    const { rows } = await schema.pool.query('SELECT filename FROM schema_migrations ORDER BY filename');
    expect(rows.map((r) => r.filename)).toEqual(shipped());
  });

  it('is safe when two migrators run at the same time', async () => {
    const results = await Promise.all([migrate(schema.pool), migrate(schema.pool), migrate(schema.pool)]);
    expect(results.flatMap((r) => r.applied).sort()).toEqual(shipped());
    const { rows } = await schema.pool.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(shipped().length);
  });

  it('refuses a migration that was edited after it was applied, naming the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    try {
      for (const f of shipped()) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      await migrate(schema.pool, dir);
      appendFileSync(path.join(dir, shipped()[0]!), '\n-- edited\n');
      await expect(migrate(schema.pool, dir)).rejects.toThrow(/0001_init\.sql was changed after it was applied.*new migration/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stops `start` on a database that was never migrated, saying to run migrate', async () => {
    const config = loadConfig({
      DATABASE_URL: schema.url,
      SLACK_BOT_TOKEN: 'xoxb-test-unused',
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      PLAYBOOKS_DIR: path.resolve(__dirname, '../../playbooks'),
    });
    await expect(startRuntime({ config, logger: createLogger('silent') })).rejects.toThrow(
      /missing migrations 0001_init\.sql.*Run `incident-bot migrate` first/,
    );
  });

  it('0016 marks how existing incidents were acknowledged, from their timeline, and lets a mitigated one be acknowledged later', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    try {
      for (const f of shipped().filter((f) => f < '0016')) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      await migrate(schema.pool, dir);
      const incident = async (via: string | null, imported = false) => {
        const { rows } = await schema.pool.query(
          `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, acknowledged_at, imported_from, external_id)
           VALUES ('pdf-404', 'pdf', 't', 2, $1, 'slack', 'U1', '2026-01-01T00:00:00Z', $2, $3, $4) RETURNING id`,
          [
            via || imported ? 'acknowledged' : 'declared',
            via || imported ? '2026-01-01T00:01:00Z' : null,
            imported ? 'csv' : null,
            imported ? `EXT-${Math.random()}` : null,
          ],
        );
        const id = rows[0].id as string;
        if (via) {
          await schema.pool.query(
            `INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key) VALUES ($1, '2026-01-01T00:01:00Z', 'U1', 'incident.acknowledged', $2, $3)`,
            [id, { via }, `${id}:acknowledged`],
          );
        }
        return id;
      };
      const ids = [await incident('step'), await incident('button'), await incident(null), await incident(null, true)];
      await migrate(schema.pool);
      const { rows } = await schema.pool.query(`SELECT id, acknowledged_via FROM incidents`);
      const via = Object.fromEntries(rows.map((r) => [r.id, r.acknowledged_via]));
      expect(ids.map((id) => via[id])).toEqual(['step', 'button', null, 'import']);
      // Mitigated first, acknowledged after: allowed now that mitigating is not acknowledging.
      await schema.pool.query(`UPDATE incidents SET status = 'mitigated', mitigated_at = '2026-01-01T00:00:30Z' WHERE id = $1`, [ids[2]]);
      await schema.pool.query(`UPDATE incidents SET acknowledged_at = '2026-01-01T00:02:00Z', acknowledged_via = 'button' WHERE id = $1`, [ids[2]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("0026 keeps each incident's diagnose_within: the limit its diagnosis.overdue event recorded, else the default 15 minutes", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'migrations-'));
    try {
      for (const f of shipped().filter((f) => f < '0026')) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
      await migrate(schema.pool, dir);
      const incident = async (within: string | null) => {
        const { rows } = await schema.pool.query(
          `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at)
           VALUES ('pdf-404', 'pdf', 't', 2, 'declared', 'slack', 'U1', '2026-01-01T00:00:00Z') RETURNING id`,
        );
        const id = rows[0].id as string;
        if (within) {
          await schema.pool.query(
            `INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key) VALUES ($1, '2026-01-01T00:20:00Z', 'incident-bot', 'diagnosis.overdue', $2, $3)`,
            [id, { within }, `${id}:diagnosis.overdue`],
          );
        }
        return id;
      };
      const ids = [await incident('5m'), await incident('2h'), await incident(null), await incident('soon')];
      await migrate(schema.pool);
      const { rows } = await schema.pool.query(`SELECT id, diagnose_within_seconds FROM incidents`);
      const within = Object.fromEntries(rows.map((r) => [r.id, r.diagnose_within_seconds]));
      expect(ids.map((id) => within[id])).toEqual([300, 7200, 900, 900]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps milestones in order and the timeline append-only', async () => {
    await migrate(schema.pool);
    const insert = (declared: string, acknowledged: string) =>
      schema.pool.query(
        `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, acknowledged_at)
         VALUES ('pdf-404', 'pdf', 't', 2, 'acknowledged', 'slack', 'U1', $1, $2) RETURNING id`,
        [declared, acknowledged],
      );
    await expect(insert('2026-01-01T10:00:00Z', '2026-01-01T09:59:00Z')).rejects.toThrow(/milestones_in_order/);
    const { rows } = await insert('2026-01-01T10:00:00Z', '2026-01-01T10:05:00Z');
    await schema.pool.query(`INSERT INTO incident_events (incident_id, at, actor, kind, idempotency_key) VALUES ($1, now(), 'U1', 'incident.declared', 'k1')`, [
      rows[0].id,
    ]);
    await expect(schema.pool.query(`UPDATE incident_events SET actor = 'U2'`)).rejects.toThrow(/append-only/);
    await expect(schema.pool.query(`DELETE FROM incident_events`)).rejects.toThrow(/append-only/);
  });
});
