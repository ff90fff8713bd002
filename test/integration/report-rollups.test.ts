import type { Figures, MttrReport, ReportWindow } from '../../src/core/reports';
import { PgReports } from '../../src/store/reports';
import { freshSchema, type TestSchema } from '../support/db';

// What migration 0029 stores for the report: recurrence per incident, kept by triggers, and the
// month rollups the long-window path reads. Each case works in its own year and its own classes.

const MIN = 60_000;
const HOUR = 60 * MIN;
const at = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

interface Seed {
  class: string;
  severity?: number;
  declared: Date;
  resolved?: Date;
  cancelled?: Date;
  ack?: Date;
  diag?: Date;
  mitigated?: Date;
  impact?: Date;
}

const PCT = [
  'mttr_p50_seconds',
  'mttr_p90_seconds',
  'mttr_from_impact_p50_seconds',
  'mttr_from_impact_p90_seconds',
  'time_to_mitigate_p50_seconds',
  'time_to_mitigate_p90_seconds',
  'time_to_diagnose_p50_seconds',
  'time_to_diagnose_p90_seconds',
] as const;

/** Every figure equal (to float rounding), the percentiles within the buckets' 1 %. */
function expectSameFigures(rollup: MttrReport, exact: MttrReport): void {
  const same = (a: Figures, b: Figures, what: string) => {
    for (const k of Object.keys(b) as Array<keyof Figures>) {
      const x = a[k];
      const y = b[k];
      if (typeof y === 'number' && typeof x === 'number') {
        const tol = (PCT as readonly string[]).includes(k) ? Math.max(0.01 * Math.abs(y), 1) : 1e-9 * Math.max(1, Math.abs(y));
        if (Math.abs(x - y) > tol) throw new Error(`${what} ${k}: rollup ${x}, exact ${y}`);
      } else {
        expect({ what, k, v: x }).toEqual({ what, k, v: y });
      }
    }
  };
  same(rollup.overall, exact.overall, 'overall');
  expect(rollup.classes.map((c) => c.class)).toEqual(exact.classes.map((c) => c.class));
  rollup.classes.forEach((c, i) => same(c, exact.classes[i]!, `class ${c.class}`));
  expect(rollup.severities.map((s) => s.severity)).toEqual(exact.severities.map((s) => s.severity));
  rollup.severities.forEach((s, i) => same(s, exact.severities[i]!, `SEV${s.severity}`));
  expect(rollup.runbook_coverage).toBeCloseTo(exact.runbook_coverage ?? NaN, 12);
  expect(rollup.uncovered_top_classes).toEqual(exact.uncovered_top_classes);
}

describe('report rollups (0029)', () => {
  let schema: TestSchema;
  let exact: PgReports;
  let rollup: PgReports;

  beforeAll(async () => {
    schema = await freshSchema();
    exact = new PgReports(schema.pool, { exactUpTo: 2 ** 31 - 2 });
    rollup = new PgReports(schema.pool, { exactUpTo: 0 });
  });
  afterAll(async () => {
    await schema.drop();
  });

  const values = (i: Seed) => [
    i.class,
    i.severity ?? 3,
    i.resolved ? 'resolved' : i.cancelled ? 'cancelled' : 'declared',
    i.declared,
    i.resolved ?? null,
    i.cancelled ?? null,
    i.ack ?? null,
    i.diag ?? null,
    i.mitigated ?? null,
    i.impact ?? null,
  ];
  const COLUMNS = `playbook_id, class, title, severity, status, platform, declared_by, declared_at, resolved_at, cancelled_at,
                   acknowledged_at, acknowledged_via, diagnosed_at, mitigated_at, impact_started_at`;

  /** One INSERT statement for all of them, as the importer writes a batch. */
  async function seed(...incidents: Seed[]): Promise<string[]> {
    const params: unknown[] = [];
    const rows = incidents.map((i) => {
      const v = values(i);
      const p = (x: unknown) => `$${params.push(x)}`;
      return `(${p(v[0])}, ${p(v[0])}, 't', ${p(v[1])}, ${p(v[2])}, 'slack', 'UTEST', ${p(v[3])}, ${p(v[4])}, ${p(v[5])}, ${p(v[6])},
               CASE WHEN ${p(v[6])}::timestamptz IS NOT NULL THEN 'button' END, ${p(v[7])}, ${p(v[8])}, ${p(v[9])})`;
    });
    const r = await schema.pool.query<{ id: string }>(`INSERT INTO incidents (${COLUMNS}) VALUES ${rows.join(', ')} RETURNING id`, params);
    return r.rows.map((x) => x.id);
  }

  const recurs = async (...ids: string[]) =>
    (await schema.pool.query<{ id: string; recurs: boolean }>(`SELECT id, recurs FROM incidents WHERE id = ANY($1::uuid[])`, [ids])).rows
      .sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id))
      .map((r) => r.recurs);

  /** Every trigger function and helper of 0029 that a write can run. */
  const MINE = [
    'incident_recurs_refresh',
    'incidents_recurs_inserted',
    'incidents_recurs_updated',
    'incidents_recurs_deleted',
    'report_mark_rows',
    'report_mark_row',
    'report_mark_postmortems',
    'report_mark_postmortem',
  ];

  describe('recurrence flags', () => {
    it('flips a later declaration when an earlier resolution is imported afterwards, and within one batch', async () => {
      const [later] = await seed({ class: 'ooo', declared: at('2031-03-10T00:00:00Z') });
      expect(await recurs(later!)).toEqual([false]);
      await seed({ class: 'ooo', declared: at('2031-03-01T00:00:00Z'), resolved: at('2031-03-02T00:00:00Z') });
      expect(await recurs(later!)).toEqual([true]);
      // In one statement: the batch's own resolution reaches the batch's own later declaration.
      const ids = await seed(
        { class: 'ooo-batch', declared: at('2031-05-20T00:00:00Z') },
        { class: 'ooo-batch', declared: at('2031-05-01T00:00:00Z'), resolved: at('2031-05-01T01:00:00Z') },
        { class: 'ooo-batch', declared: at('2031-07-01T00:00:00Z') },
      );
      expect(await recurs(...ids)).toEqual([true, false, false]);
    });

    it('follows a resolution set, moved and cleared, at exactly 30 days and a second more', async () => {
      const [a, b] = await seed({ class: 'res', declared: at('2032-01-01T00:00:00Z') }, { class: 'res', declared: at('2032-02-01T00:00:00Z') });
      const resolve = (r: Date | null) =>
        schema.pool.query(`UPDATE incidents SET resolved_at = $2, status = $3 WHERE id = $1`, [a, r, r ? 'resolved' : 'acknowledged']);
      await resolve(at('2032-01-02T00:00:00Z')); // exactly 30 days before b
      expect(await recurs(a!, b!)).toEqual([false, true]);
      await resolve(at('2032-01-02T00:00:00Z', -1000)); // 30 days and a second
      expect(await recurs(b!)).toEqual([false]);
      await resolve(at('2032-01-20T00:00:00Z'));
      expect(await recurs(b!)).toEqual([true]);
      await resolve(null);
      expect(await recurs(b!)).toEqual([false]);
    });

    it('follows a class change of the earlier incident and of the later one', async () => {
      const [a, b] = await seed(
        { class: 'cls-a', declared: at('2033-01-01T00:00:00Z'), resolved: at('2033-01-01T01:00:00Z') },
        { class: 'cls-b', declared: at('2033-01-05T00:00:00Z') },
      );
      expect(await recurs(b!)).toEqual([false]);
      await schema.pool.query(`UPDATE incidents SET class = 'cls-b' WHERE id = $1`, [a]);
      expect(await recurs(b!)).toEqual([true]);
      await schema.pool.query(`UPDATE incidents SET class = 'cls-c' WHERE id = $1`, [b]);
      expect(await recurs(b!)).toEqual([false]);
      await schema.pool.query(`UPDATE incidents SET declared_at = $2, class = 'cls-b' WHERE id = $1`, [b, at('2033-03-01T00:00:00Z')]);
      expect(await recurs(b!)).toEqual([false]);
    });

    it("decides a new open incident's flag as 0029's full refresh does, at the 30-day edge and the declaration's instant (0033's fast path)", async () => {
      const [r] = await seed({ class: 'fast', declared: at('2034-01-01T00:00:00Z'), resolved: at('2034-01-02T00:00:00Z') });
      // Open declarations, one per statement as declares are: at exactly 30 days (in), a second more (out),
      // the resolution's own instant (out: [d − 30 d, d)), a second after it (in), and another class (out).
      const open = [
        await seed({ class: 'fast', declared: at('2034-02-01T00:00:00Z') }),
        await seed({ class: 'fast', declared: at('2034-02-01T00:00:01Z') }),
        await seed({ class: 'fast', declared: at('2034-01-02T00:00:00Z') }),
        await seed({ class: 'fast', declared: at('2034-01-02T00:00:01Z') }),
        await seed({ class: 'fast-other', declared: at('2034-01-10T00:00:00Z') }),
      ].map(([id]) => id!);
      const fast = await recurs(...open);
      expect(fast).toEqual([true, false, false, true, false]);
      // The full refresh over the same rows changes nothing.
      await schema.pool.query(`SELECT incident_recurs_refresh($1::uuid[], '{}', '{}', '{}')`, [[r, ...open]]);
      expect(await recurs(...open)).toEqual(fast);
    });

    it('runs nothing for a click: a version bump fires no function and writes no mark', async () => {
      const [id] = await seed({ class: 'click', declared: at('2034-01-01T00:00:00Z') });
      const client = await schema.pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL track_functions = 'all'`);
        const marks = async () => (await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM report_dirty`)).rows[0]!.n;
        const before = await marks();
        // The click's statement (incident-store.ts): an INSERT INTO postmortems that inserts nothing,
        // the version bump, and the event.
        await client.query(
          `WITH pm_open AS (
             INSERT INTO postmortems (incident_id, owner, due_on, opened_at, opened_by)
             SELECT $1, NULL, '2034-01-10', NULL::timestamptz, 'UTEST' WHERE NULL::timestamptz IS NOT NULL
             ON CONFLICT (incident_id) DO NOTHING
           ), inc AS (
             UPDATE incidents SET checklist_generation = COALESCE(NULL::int, checklist_generation), version = version + 1 WHERE id = $1
           )
           INSERT INTO incident_events (incident_id, at, actor, kind, data, idempotency_key)
           VALUES ($1, now(), 'UTEST', 'step.checked', '{}', gen_random_uuid()::text)`,
          [id],
        );
        const calls = await client.query<{ name: string; calls: string | null }>(
          `SELECT p.proname AS name, pg_stat_get_xact_function_calls(p.oid) AS calls FROM pg_proc p
           WHERE p.pronamespace = current_schema()::regnamespace AND p.proname = ANY($1::text[])`,
          [MINE],
        );
        expect(calls.rows.map((r) => [r.name, Number(r.calls ?? 0)]).sort()).toEqual([...MINE].sort().map((n) => [n, 0]));
        expect(await marks()).toBe(before);
        // The same session's real change does run them: the check above can see a call.
        await client.query(`UPDATE incidents SET acknowledged_at = declared_at + interval '1 minute', version = version + 1 WHERE id = $1`, [id]);
        const after = await client.query<{ calls: string | null }>(`SELECT pg_stat_get_xact_function_calls('report_mark_row'::regproc) AS calls`);
        expect(Number(after.rows[0]!.calls)).toBe(1);
        expect(await marks()).toBe(before + 1);
      } finally {
        await client.query('ROLLBACK');
        client.release();
      }
    });
  });

  describe('rollups against the incidents', () => {
    const windows: ReportWindow[] = [
      { since: at('2040-01-01T00:00:00Z'), until: at('2041-01-01T00:00:00Z') },
      { since: at('2040-01-15T12:00:00Z'), until: at('2040-06-03T06:00:00Z') },
      { since: at('2040-01-31T23:59:59Z'), until: at('2040-04-01T00:00:01Z') },
      { since: at('2000-01-01T00:00:00Z'), until: at('2060-01-01T00:00:00Z') },
    ];

    async function compareAll(): Promise<void> {
      for (const w of windows) {
        const r = await rollup.mttr(w, ['edge-a']);
        const e = await exact.mttr(w, ['edge-a']);
        expect(r.overall.incidents).toBeGreaterThan(0);
        expectSameFigures(r, e);
      }
    }

    let ids: string[] = [];
    it('gives the figures of the incidents themselves, with declarations and resolutions at month edges', async () => {
      const edges = ['2040-01-01T00:00:00Z', '2040-02-01T00:00:00Z', '2040-03-01T00:00:00Z', '2040-04-01T00:00:00Z', '2040-06-03T06:00:00Z'];
      const seeds: Seed[] = [];
      edges.forEach((e, n) => {
        for (const [k, off] of [-1, 0, 1, 7 * HOUR].entries()) {
          const d = at(e, off);
          seeds.push({
            class: k % 2 ? 'edge-a' : 'edge-b',
            severity: 1 + ((n + k) % 4),
            declared: d,
            ack: at(e, off + (k + 1) * MIN),
            diag: k === 2 ? undefined : at(e, off + (5 + 3 * k) * MIN),
            mitigated: k === 1 ? at(e, off + 40 * MIN) : undefined,
            impact: k === 0 ? at(e, off - 20 * MIN) : undefined,
            resolved: k === 3 ? undefined : at(e, off + (n + 1) * (k + 1) * HOUR),
          });
        }
      });
      seeds.push({ class: 'edge-b', declared: at('2040-02-10T00:00:00Z'), cancelled: at('2040-02-10T01:00:00Z') });
      ids = await seed(...seeds);
      // Post-mortems, two with one cause: recurrence by cause across a month edge.
      await schema.pool.query(
        `INSERT INTO postmortems (incident_id, status, due_on, opened_at, opened_by, closed_at, cause_category)
         VALUES ($1, 'closed', '2040-02-01', '2040-01-02', 'UTEST', '2040-01-05', 'cfg'), ($2, 'draft', '2040-02-10', '2040-02-03', 'UTEST', NULL, 'cfg'),
                ($3, 'draft', '2040-03-10', '2040-03-03', 'UTEST', NULL, NULL)`,
        [ids[1], ids[5], ids[9]],
      );
      await compareAll();
    });

    it('follows changes to months already rolled up: a severity, a resolution, a cancel, a cause and a late import', async () => {
      await schema.pool.query(`UPDATE incidents SET severity = 1 WHERE id = $1`, [ids[6]]);
      await schema.pool.query(`UPDATE incidents SET resolved_at = declared_at + interval '3 days', status = 'resolved' WHERE id = $1`, [ids[3]]);
      await schema.pool.query(`UPDATE incidents SET status = 'cancelled', cancelled_at = declared_at + interval '1 hour', resolved_at = NULL WHERE id = $1`, [
        ids[10],
      ]);
      await schema.pool.query(`UPDATE postmortems SET cause_category = 'cfg' WHERE incident_id = $1`, [ids[9]]);
      await seed({
        class: 'edge-a',
        severity: 2,
        declared: at('2040-01-20T00:00:00Z'),
        resolved: at('2040-02-15T00:00:00Z'),
        diag: at('2040-01-20T00:10:00Z'),
      });
      await compareAll();
      // Every mark before the windows' last whole month was taken by the reports above.
      const left = await schema.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM report_dirty WHERE month < '2041-01-01'`);
      expect(left.rows[0]!.n).toBe(0);
    });

    it('keeps exact percentiles for a window without a whole month, whatever its size', async () => {
      const w = { since: at('2040-01-15T00:00:00Z'), until: at('2040-02-10T00:00:00Z') };
      expect(await rollup.mttr(w, [])).toEqual(await exact.mttr(w, []));
    });
  });
});
