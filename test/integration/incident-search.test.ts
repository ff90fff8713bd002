import { PgImportedIncidents } from '../../src/store/imported-incidents';
import { PgIncidentSearch } from '../../src/store/incident-search';
import { freshSchema, type TestSchema } from '../support/db';
import { seedPastIncident } from '../support/past-incidents';

/**
 * The search index is kept by triggers in the transaction of whatever changed its sources, also
 * the code this feature does not own: the importer's upserts and the post-mortem analysis editing.
 */
describe('incident_search kept current by triggers', () => {
  let schema: TestSchema;
  let search: PgIncidentSearch;
  const scope = { platform: 'slack', workspace: 'T0TEST' };
  const found = async (words: string) => (await search.search(scope, words, 20)).incidents.map((p) => p.incident.id);

  beforeAll(async () => {
    schema = await freshSchema();
    search = new PgIncidentSearch(schema.pool);
  });
  afterAll(async () => {
    await schema.drop();
  });

  it('finds imported history, and follows an edited row of a re-import', async () => {
    const importer = new PgImportedIncidents(schema.pool);
    const row = {
      externalId: 'INC0099001',
      className: 'pdf',
      severity: 2,
      title: 'Renderer crashed on malformed fonts',
      status: 'resolved' as const,
      declaredAt: new Date('2025-01-10T10:00:00Z'),
      acknowledgedAt: null,
      diagnosedAt: null,
      resolvedAt: new Date('2025-01-10T12:00:00Z'),
    };
    await importer.upsert('servicenow', [row]);
    const [id] = await found('malformed fonts');
    expect(id).toBeDefined();
    await importer.upsert('servicenow', [{ ...row, title: 'Renderer crashed on corrupt glyph tables' }]);
    expect(await found('glyph')).toEqual([id]);
    expect(await found('malformed')).toEqual([]);
  });

  it("writes a new incident's document from its own row (0033) exactly as the full refresh would, and a cause in the same statement still reaches it", async () => {
    const docs = async (ids: string[]) =>
      (await schema.pool.query(`SELECT incident_id, doc::text AS doc FROM incident_search WHERE incident_id = ANY($1::uuid[]) ORDER BY incident_id`, [ids]))
        .rows;
    const open = await seedPastIncident(schema.pool, { class: 'doc-fast', title: 'Invoice PDFs return 404 for tenants', daysAgo: 1, status: 'declared' });
    const fixed = await seedPastIncident(schema.pool, { class: 'doc-fast', title: 'Queue stalled', daysAgo: 2, resolution: 'restarted the stuck consumer' });
    // A statement that inserts the incident and its diagnosis together, as an import of history could.
    const { rows } = await schema.pool.query(
      `WITH i AS (INSERT INTO incidents (id, playbook_id, class, title, severity, status, platform, workspace, declared_by, declared_at)
                  VALUES (gen_random_uuid(), 'doc-fast', 'doc-fast', 'Uploads denied', 2, 'acknowledged', 'slack', 'T0TEST', 'U1', now()) RETURNING id),
            e AS (INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
                  SELECT id, now(), 'U1', 'incident.diagnosed', '{"cause": "kerberos ticket expired"}', 'doc-fast-diag' FROM i)
       SELECT id FROM i`,
    );
    const ids = [open.id, fixed.id, rows[0].id as string];
    const written = await docs(ids);
    expect(written).toHaveLength(3);
    expect(written.find((d) => d.incident_id === rows[0].id)!.doc).toContain("'kerbero'");
    expect(written.find((d) => d.incident_id === fixed.id)!.doc).toContain("'consum'");
    await schema.pool.query('SELECT incident_search_refresh($1::uuid[])', [ids]);
    expect(await docs(ids)).toEqual(written);
  });

  it('reads a post-mortem analysis as it is written, in the writing transaction, and nothing of one rolled back', async () => {
    const past = await seedPastIncident(schema.pool, { class: 'queue', title: 'jobs stuck', daysAgo: 2, postmortem: { status: 'draft' } });
    const client = await schema.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(`UPDATE postmortems SET root_cause = 'hyperthreading bug in the scheduler', lessons = 'pin the kernel' WHERE incident_id = $1`, [
        past.id,
      ]);
      const inside = await client.query(`SELECT doc @@ websearch_to_tsquery('english', 'hyperthreading') AS hit FROM incident_search WHERE incident_id = $1`, [
        past.id,
      ]);
      expect(inside.rows).toEqual([{ hit: true }]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await found('hyperthreading')).toEqual([]);
    await schema.pool.query(`UPDATE postmortems SET root_cause = 'hyperthreading bug in the scheduler' WHERE incident_id = $1`, [past.id]);
    const shown = (await search.search(scope, 'hyperthreading', 20)).incidents;
    expect(shown.map((p) => [p.incident.id, p.cause, p.postmortem])).toEqual([[past.id, 'hyperthreading bug in the scheduler', 'draft']]);
  });

  it("runs no search trigger for a click's writes (a version bump and a step event), and one for a changed title", async () => {
    const past = await seedPastIncident(schema.pool, { class: 'pdf', title: 'invoices blank', daysAgo: 1, status: 'declared' });
    const client = await schema.pool.connect();
    // Calls made in this transaction, counted by Postgres itself (superuser-only setting, as the tests connect).
    const calls = async (name: string) =>
      Number(
        (
          await client.query(
            `SELECT COALESCE(sum(pg_stat_get_xact_function_calls(p.oid)), 0) AS n FROM pg_proc p
             WHERE p.pronamespace = current_schema()::regnamespace AND p.proname LIKE $1`,
            [name],
          )
        ).rows[0].n,
      );
    const anySearchFunction = () => calls('incident\\_search%');
    const refreshes = () => calls('incident\\_search\\_refresh');
    try {
      await client.query('BEGIN');
      await client.query(`SET LOCAL track_functions = 'pl'`);
      // What writeChange does for a ticked step.
      await client.query(`UPDATE incidents SET checklist_generation = COALESCE(NULL::int, checklist_generation), version = version + 1 WHERE id = $1`, [
        past.id,
      ]);
      await client.query(
        `INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key) VALUES ($1, now(), 'U1', 'step.completed', '{"step":"s1"}', 'click-1')`,
        [past.id],
      );
      expect(await anySearchFunction()).toBe(0);
      await client.query(`UPDATE incidents SET title = title WHERE id = $1`, [past.id]);
      expect(await anySearchFunction()).toBe(0);
      await client.query(`UPDATE incidents SET title = 'invoices blank after the font upgrade', version = version + 1 WHERE id = $1`, [past.id]);
      expect(await refreshes()).toBe(1);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    expect(await found('font upgrade')).toEqual([past.id]);
  });

  it('drops an incident from search once it is cancelled, and keeps notes added later', async () => {
    const past = await seedPastIncident(schema.pool, { class: 'auth', title: 'tokens rejected', daysAgo: 1, status: 'declared' });
    await schema.pool.query(
      `INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key) VALUES ($1, now(), 'U1', 'note.added', '{"text":"clock skew on the idp"}', 'late-note')`,
      [past.id],
    );
    expect(await found('skew')).toEqual([past.id]);
    await schema.pool.query(`UPDATE incidents SET status = 'cancelled', cancelled_at = now() WHERE id = $1`, [past.id]);
    expect(await found('skew')).toEqual([]);
  });
});
