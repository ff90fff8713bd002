import { execFile } from 'node:child_process';
import path from 'node:path';
import { runCli } from '../../src/app/commands/program';
import { mttrWindow, parseReportDate, reportTable } from '../../src/app/commands/report';
import { mttrText } from '../../src/core/render/report-text';
import { plainText } from '../../src/core/text/text';
import { PgReports } from '../../src/store/reports';
import { freshSchema, type TestSchema } from '../support/db';

// Each case works in its own year and its own classes, so the cases cannot feed each other's
// recurrence or windows.

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (iso: string, plusMs = 0) => new Date(new Date(iso).getTime() + plusMs);

interface Seed {
  class: string;
  severity?: number;
  declared: Date;
  ack?: Date;
  diag?: Date;
  resolved?: Date;
  cancelled?: Date;
  imported?: boolean;
  /** How it was acknowledged (0016's acknowledged_via); a responder's button when omitted. */
  ackVia?: string;
  /** When impact began (an alert's startsAt). */
  impact?: Date;
  /** Whether every quick validation check was confirmed at resolve (0023); not recorded when omitted. */
  validated?: boolean;
  mitigated?: Date;
  /** The runbook's diagnose_within kept on the incident (0026), in seconds; 15 minutes when omitted. */
  within?: number;
}

interface SeedPostmortem {
  status: 'draft' | 'in_review' | 'published' | 'closed';
  opened: Date;
  closed?: Date;
  /** The post-mortem's cause category (0024); another branch edits it, here it is written as SQL would. */
  cause?: string;
}

describe('PgReports.mttr', () => {
  let schema: TestSchema;
  let reports: PgReports;

  beforeAll(async () => {
    schema = await freshSchema();
    reports = new PgReports(schema.pool);
  });
  afterAll(async () => {
    await schema.drop();
  });

  /** Inserts the incidents in order and returns their ids. */
  async function seed(...incidents: Seed[]): Promise<string[]> {
    const ids: string[] = [];
    for (const [n, i] of incidents.entries()) {
      const status = i.resolved ? 'resolved' : i.cancelled ? 'cancelled' : i.ack ? 'acknowledged' : 'declared';
      const r = await schema.pool.query<{ id: string }>(
        `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by,
                                declared_at, acknowledged_at, diagnosed_at, resolved_at, cancelled_at, imported_from, external_id, acknowledged_via,
                                impact_started_at, validation_confirmed, mitigated_at, diagnose_within_seconds)
         VALUES ($1, $1, 'test', $2, $3, 'slack', 'UTEST', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
         RETURNING id`,
        [
          i.class,
          i.severity ?? 3,
          status,
          i.declared,
          i.ack ?? null,
          i.diag ?? null,
          i.resolved ?? null,
          i.cancelled ?? null,
          i.imported ? 'csv' : null,
          i.imported ? `EXT-${i.declared.getTime()}-${n}` : null,
          i.ack ? (i.ackVia ?? 'button') : null,
          i.impact ?? null,
          i.validated ?? null,
          i.mitigated ?? null,
          i.within ?? 900,
        ],
      );
      ids.push(r.rows[0]!.id);
    }
    return ids;
  }

  async function postmortem(incidentId: string, p: SeedPostmortem): Promise<void> {
    await schema.pool.query(
      `INSERT INTO postmortems (incident_id, status, due_on, opened_at, opened_by, closed_at, cause_category)
       VALUES ($1, $2, ($3::timestamptz + interval '5 days')::date, $3, 'UTEST', $4, $5)`,
      [incidentId, p.status, p.opened, p.closed ?? null, p.cause ?? null],
    );
  }

  const noPostmortems = { major: 0, closed: 0, share: null, mean_seconds_to_close: null };
  /** The figures of 0026 where nothing in the window gives them. */
  const noClocks = {
    mttr_from_impact_seconds: null,
    mttr_from_impact_p50_seconds: null,
    mttr_from_impact_p90_seconds: null,
    time_to_mitigate_seconds: null,
    time_to_mitigate_p50_seconds: null,
    time_to_mitigate_p90_seconds: null,
    time_to_diagnose_seconds: null,
    time_to_diagnose_p50_seconds: null,
    time_to_diagnose_p90_seconds: null,
    diagnosed_in_time_rate: null,
    with_cause_category: 0,
    recurrence_by_cause_rate: null,
  };

  const window = (since: string, until: string) => ({ since: new Date(since), until: new Date(until) });

  it('counts a declaration exactly at since, and not one exactly at until', async () => {
    await seed(
      { class: 'edge', declared: at('2001-01-01T00:00:00Z') },
      { class: 'edge', declared: at('2001-01-01T00:00:00Z', -1) },
      { class: 'edge', declared: at('2001-02-01T00:00:00Z') },
      { class: 'edge', declared: at('2001-02-01T00:00:00Z', -1) },
    );
    const r = await reports.mttr(window('2001-01-01T00:00:00Z', '2001-02-01T00:00:00Z'), []);
    expect(r.overall.incidents).toBe(2);
    expect(r.since).toBe('2001-01-01T00:00:00.000Z');
    expect(r.until).toBe('2001-02-01T00:00:00.000Z');
  });

  it('computes MTTR, p50, p90, MTTA and the diagnosed-within-15-min share; unresolved count only as incidents', async () => {
    const d = at('2002-03-01T00:00:00Z');
    await seed(
      {
        class: 'calc',
        severity: 2,
        declared: d,
        resolved: at('2002-03-01T00:00:00Z', 60 * SEC),
        ack: at('2002-03-01T00:00:00Z', 30 * SEC),
        diag: at('2002-03-01T00:00:00Z', 15 * MIN),
      },
      {
        class: 'calc',
        severity: 2,
        declared: d,
        resolved: at('2002-03-01T00:00:00Z', 120 * SEC),
        ack: at('2002-03-01T00:00:00Z', 90 * SEC),
        diag: at('2002-03-01T00:00:00Z', 15 * MIN + SEC),
      },
      { class: 'calc', severity: 3, declared: d, resolved: at('2002-03-01T00:00:00Z', 180 * SEC), diag: at('2002-03-01T00:00:00Z', 5 * MIN) },
      { class: 'calc', severity: 3, declared: d, resolved: at('2002-03-01T00:00:00Z', 240 * SEC) },
      { class: 'calc', severity: 3, declared: d, resolved: at('2002-03-01T00:00:00Z', 600.5 * SEC) },
      { class: 'calc', severity: 4, declared: d },
    );
    const r = await reports.mttr(window('2002-01-01T00:00:00Z', '2003-01-01T00:00:00Z'), []);
    expect(r.overall).toEqual({
      incidents: 6,
      resolved: 5,
      mttr_seconds: 240.1,
      mttr_p50_seconds: 180,
      // percentile_cont(0.9) of 60, 120, 180, 240, 600.5: 240 + 0.6 × 360.5
      mttr_p90_seconds: expect.closeTo(456.3, 9),
      mtta_seconds: 60,
      // Four of the six were acknowledged by nobody.
      unacknowledged_rate: 4 / 6,
      mttd_seconds: null,
      validated_rate: null,
      diagnosed_within_15m_rate: 2 / 6,
      recurrence_rate: 0,
      ...noClocks,
      // 15 min, 15 min 1 s and 5 min: each against its own (default) 15 minutes.
      time_to_diagnose_seconds: expect.closeTo(2101 / 3, 9),
      time_to_diagnose_p50_seconds: 900,
      time_to_diagnose_p90_seconds: expect.closeTo(900.8, 9),
      diagnosed_in_time_rate: 2 / 6,
      // The two SEV2s are major; nobody opened a post-mortem.
      postmortems: { major: 2, closed: 0, share: 0, mean_seconds_to_close: null },
      duplicates: 0,
    });
    expect(r.severities.map((s) => [s.severity, s.incidents, s.resolved, s.mttr_seconds, s.mtta_seconds, s.diagnosed_within_15m_rate])).toEqual([
      [2, 2, 2, 90, 60, 0.5],
      [3, 3, 3, expect.closeTo(340.1667, 3), null, 1 / 3],
      [4, 1, 0, null, null, 0],
    ]);
    expect(r.severities[2]).toMatchObject({ mttr_p50_seconds: null, mttr_p90_seconds: null });
    expect(r.classes).toHaveLength(1);
    expect(r.classes[0]).toMatchObject({ class: 'calc', has_runbook: false, incidents: 6, mttr_seconds: 240.1 });
  });

  it('counts a recurrence at exactly 30 days, not at 30 days and 1 s, and from an earlier incident outside the window', async () => {
    const resolved = at('2003-05-20T12:00:00Z');
    await seed(
      // Declared and resolved before the window: still the earlier incident.
      { class: 'rec-in', declared: at('2003-05-20T10:00:00Z'), resolved },
      { class: 'rec-in', declared: at('2003-05-20T12:00:00Z', 30 * DAY) },
      { class: 'rec-out', declared: at('2003-05-20T10:00:00Z'), resolved },
      { class: 'rec-out', declared: at('2003-05-20T12:00:00Z', 30 * DAY + SEC) },
      // A resolution at the very instant of the declaration is not before it.
      { class: 'rec-same', declared: at('2003-05-20T10:00:00Z'), resolved: at('2003-06-25T00:00:00Z') },
      { class: 'rec-same', declared: at('2003-06-25T00:00:00Z') },
      // Another class's resolution does not count.
      { class: 'rec-other', declared: at('2003-06-25T00:00:00Z') },
    );
    const r = await reports.mttr(window('2003-06-01T00:00:00Z', '2003-07-01T00:00:00Z'), []);
    const rate = Object.fromEntries(r.classes.map((c) => [c.class, c.recurrence_rate]));
    expect(rate).toEqual({ 'rec-in': 1, 'rec-out': 0, 'rec-same': 0, 'rec-other': 0 });
    expect(r.overall.recurrence_rate).toBe(0.25);
    expect(r.severities).toEqual([expect.objectContaining({ severity: 3, incidents: 4, recurrence_rate: 0.25 })]);
  });

  it('counts the window incidents themselves as earlier incidents for later ones', async () => {
    await seed(
      { class: 'chain', declared: at('2004-01-02T00:00:00Z'), resolved: at('2004-01-02T01:00:00Z') },
      { class: 'chain', declared: at('2004-01-10T00:00:00Z') },
    );
    const r = await reports.mttr(window('2004-01-01T00:00:00Z', '2004-02-01T00:00:00Z'), []);
    expect(r.overall).toMatchObject({ incidents: 2, resolved: 1, recurrence_rate: 0.5 });
  });

  it('leaves cancelled incidents out everywhere, also as the earlier incident', async () => {
    await seed(
      {
        class: 'gone',
        declared: at('2005-01-05T00:00:00Z'),
        cancelled: at('2005-01-05T00:10:00Z'),
        ack: at('2005-01-05T00:01:00Z'),
        diag: at('2005-01-05T00:02:00Z'),
      },
      { class: 'kept', declared: at('2005-01-04T00:00:00Z'), cancelled: at('2005-01-04T00:10:00Z') },
      { class: 'kept', severity: 1, declared: at('2005-01-06T00:00:00Z'), resolved: at('2005-01-06T00:10:00Z') },
    );
    const r = await reports.mttr(window('2005-01-01T00:00:00Z', '2005-02-01T00:00:00Z'), ['gone']);
    expect(r.overall).toEqual({
      incidents: 1,
      resolved: 1,
      mttr_seconds: 600,
      mttr_p50_seconds: 600,
      mttr_p90_seconds: 600,
      mtta_seconds: null,
      unacknowledged_rate: 1,
      mttd_seconds: null,
      validated_rate: null,
      diagnosed_within_15m_rate: 0,
      recurrence_rate: 0,
      ...noClocks,
      diagnosed_in_time_rate: 0,
      postmortems: { major: 1, closed: 0, share: 0, mean_seconds_to_close: null },
      duplicates: 0,
    });
    expect(r.classes.map((c) => c.class)).toEqual(['kept']);
    expect(r.severities.map((s) => s.severity)).toEqual([1]);
    expect(r.runbook_coverage).toBe(0);
  });

  it('leaves acknowledgements by working the incident (a step tick, before 0016) out of MTTA, and counts them as acknowledged by nobody', async () => {
    const d = at('2011-03-01T00:00:00Z');
    await seed(
      { class: 'worked', declared: d, ack: at('2011-03-01T00:00:00Z', 10 * SEC), ackVia: 'step' },
      { class: 'worked', declared: d, ack: at('2011-03-01T00:00:00Z', 20 * SEC), ackVia: 'mitigate' },
      { class: 'worked', declared: d, ack: at('2011-03-01T00:00:00Z', 5 * MIN), ackVia: 'button' },
      { class: 'worked', declared: d, ack: at('2011-03-01T00:00:00Z', 7 * MIN), ackVia: 'command' },
    );
    const r = await reports.mttr(window('2011-01-01T00:00:00Z', '2012-01-01T00:00:00Z'), []);
    expect(r.overall.mtta_seconds).toBe(6 * 60);
    expect(r.overall.unacknowledged_rate).toBe(0.5);
  });

  it('reports time to detect over the incidents whose impact start an alert gave, and only those', async () => {
    const d = at('2012-03-01T00:00:00Z');
    await seed(
      { class: 'detect', declared: d, impact: at('2012-03-01T00:00:00Z', -4 * MIN) },
      { class: 'detect', declared: d, impact: at('2012-03-01T00:00:00Z', -2 * MIN) },
      { class: 'detect', declared: d },
    );
    const r = await reports.mttr(window('2012-01-01T00:00:00Z', '2013-01-01T00:00:00Z'), []);
    expect(r.overall.mttd_seconds).toBe(3 * 60);
    expect(r.classes[0]!.mttd_seconds).toBe(3 * 60);
  });

  it('reports the share of resolves with every quick validation check confirmed, over the resolves that recorded it', async () => {
    const d = at('2013-03-01T00:00:00Z');
    const done = at('2013-03-01T00:30:00Z');
    await seed(
      { class: 'validate', declared: d, resolved: done, validated: true },
      { class: 'validate', declared: d, resolved: done, validated: true },
      { class: 'validate', declared: d, resolved: done, validated: false }, // an admin resolved without it
      { class: 'validate', declared: d, resolved: done }, // resolved before the bot asked: left out
      { class: 'validate', declared: d }, // still open: left out
    );
    const r = await reports.mttr(window('2013-01-01T00:00:00Z', '2014-01-01T00:00:00Z'), []);
    expect(r.overall.validated_rate).toBe(2 / 3);
    expect(r.classes[0]!.validated_rate).toBe(2 / 3);
    // The JSON keeps every earlier field and adds this one; the text forms say it.
    expect(JSON.parse(JSON.stringify(r)).overall).toMatchObject({ resolved: 4, validated_rate: 2 / 3 });
    expect(reportTable(r)).toContain('\nValidated before resolving: 66.7% of the resolves that recorded their quick validation.\n');
    expect(plainText(mttrText(r, 'the last year'))).toContain(' · validated before resolving 66.7% · ');
  });

  it('gives null figures and empty lists for a window without incidents', async () => {
    const r = await reports.mttr(window('1990-01-01T00:00:00Z', '1990-02-01T00:00:00Z'), ['pdf']);
    expect(r).toEqual({
      since: '1990-01-01T00:00:00.000Z',
      until: '1990-02-01T00:00:00.000Z',
      overall: {
        incidents: 0,
        resolved: 0,
        mttr_seconds: null,
        mttr_p50_seconds: null,
        mttr_p90_seconds: null,
        mtta_seconds: null,
        unacknowledged_rate: null,
        mttd_seconds: null,
        validated_rate: null,
        diagnosed_within_15m_rate: null,
        recurrence_rate: null,
        ...noClocks,
        postmortems: noPostmortems,
        duplicates: 0,
      },
      classes: [],
      severities: [],
      runbook_coverage: null,
      uncovered_top_classes: [],
    });
  });

  it('reports runbook coverage and the ten largest classes without a runbook, by count then name', async () => {
    const d = (n: number) => at('2006-03-01T00:00:00Z', n * MIN);
    const counts: Record<string, number> = { pdf: 4, queue: 1, zeta: 3, alpha: 3, b1: 2, b2: 2, b3: 1, b4: 1, b5: 1, b6: 1, b7: 1, b8: 1 };
    let n = 0;
    for (const [cls, k] of Object.entries(counts)) for (let i = 0; i < k; i++) await seed({ class: cls, declared: d(n++) });
    const r = await reports.mttr(window('2006-01-01T00:00:00Z', '2007-01-01T00:00:00Z'), ['pdf', 'queue', 'workflow']);
    expect(r.runbook_coverage).toBe(5 / 21);
    expect(r.classes.map((c) => [c.class, c.incidents, c.has_runbook])).toEqual([
      ['pdf', 4, true],
      ['alpha', 3, false],
      ['zeta', 3, false],
      ['b1', 2, false],
      ['b2', 2, false],
      ['b3', 1, false],
      ['b4', 1, false],
      ['b5', 1, false],
      ['b6', 1, false],
      ['b7', 1, false],
      ['b8', 1, false],
      ['queue', 1, true],
    ]);
    expect(r.uncovered_top_classes).toEqual([
      { class: 'alpha', incidents: 3 },
      { class: 'zeta', incidents: 3 },
      { class: 'b1', incidents: 2 },
      { class: 'b2', incidents: 2 },
      { class: 'b3', incidents: 1 },
      { class: 'b4', incidents: 1 },
      { class: 'b5', incidents: 1 },
      { class: 'b6', incidents: 1 },
      { class: 'b7', incidents: 1 },
      { class: 'b8', incidents: 1 },
    ]);
    // Unresolved, unacknowledged classes: nothing to average, but rates over their incidents exist.
    expect(r.classes[1]).toMatchObject({ mttr_seconds: null, mtta_seconds: null, diagnosed_within_15m_rate: 0, recurrence_rate: 0 });
  });

  it('counts post-mortems of major incidents (SEV1, SEV2, or one opened by hand) and the mean time to close them', async () => {
    const resolved = at('2008-02-01T12:00:00Z');
    const [sev2Closed, sev1Draft, sev4Closed, , , cancelled] = await seed(
      { class: 'pm-api', severity: 2, declared: at('2008-02-01T10:00:00Z'), resolved },
      { class: 'pm-api', severity: 1, declared: at('2008-02-02T10:00:00Z'), resolved: at('2008-02-02T11:00:00Z') },
      { class: 'pm-db', severity: 4, declared: at('2008-02-03T10:00:00Z'), resolved: at('2008-02-03T12:00:00Z') },
      // A SEV2 without a post-mortem yet, and a SEV3 nobody asked one for.
      { class: 'pm-db', severity: 2, declared: at('2008-02-04T10:00:00Z') },
      { class: 'pm-db', severity: 3, declared: at('2008-02-05T10:00:00Z'), resolved: at('2008-02-05T11:00:00Z') },
      // Cancelled: left out, post-mortem and all.
      { class: 'pm-db', severity: 1, declared: at('2008-02-06T10:00:00Z'), cancelled: at('2008-02-06T10:05:00Z') },
    );
    // Closed 30 h and 18 h after their incident was resolved; the SEV4's was opened by hand.
    await postmortem(sev2Closed!, { status: 'closed', opened: resolved, closed: at('2008-02-01T12:00:00Z', 30 * HOUR) });
    await postmortem(sev1Draft!, { status: 'draft', opened: at('2008-02-02T11:00:00Z') });
    await postmortem(sev4Closed!, { status: 'closed', opened: at('2008-02-03T12:00:00Z'), closed: at('2008-02-03T12:00:00Z', 18 * HOUR) });
    await postmortem(cancelled!, { status: 'closed', opened: at('2008-02-06T10:05:00Z'), closed: at('2008-02-06T11:00:00Z') });

    const r = await reports.mttr(window('2008-01-01T00:00:00Z', '2009-01-01T00:00:00Z'), []);
    expect(r.overall.incidents).toBe(5);
    expect(r.overall.postmortems).toEqual({ major: 4, closed: 2, share: 0.5, mean_seconds_to_close: 24 * 3600 });
    const bySeverity = Object.fromEntries(r.severities.map((s) => [s.severity, s.postmortems]));
    expect(bySeverity).toEqual({
      1: { major: 1, closed: 0, share: 0, mean_seconds_to_close: null },
      2: { major: 2, closed: 1, share: 0.5, mean_seconds_to_close: 30 * 3600 },
      3: noPostmortems,
      4: { major: 1, closed: 1, share: 1, mean_seconds_to_close: 18 * 3600 },
    });
    const byClass = Object.fromEntries(r.classes.map((c) => [c.class, c.postmortems]));
    expect(byClass).toEqual({
      'pm-api': { major: 2, closed: 1, share: 0.5, mean_seconds_to_close: 30 * 3600 },
      'pm-db': { major: 2, closed: 1, share: 0.5, mean_seconds_to_close: 18 * 3600 },
    });
    // A window holding only the SEV3: no major incident, so no share and no mean.
    const quiet = await reports.mttr(window('2008-02-05T00:00:00Z', '2008-02-06T00:00:00Z'), []);
    expect(quiet.overall.postmortems).toEqual(noPostmortems);
  });

  it("does not count imported history as major: it never had the bot's post-mortems", async () => {
    await seed({ class: 'pm-imported', severity: 1, declared: at('2009-03-01T00:00:00Z'), resolved: at('2009-03-01T01:00:00Z'), imported: true });
    const r = await reports.mttr(window('2009-01-01T00:00:00Z', '2010-01-01T00:00:00Z'), []);
    expect(r.overall.postmortems).toEqual({ major: 0, closed: 0, share: null, mean_seconds_to_close: null });
  });

  describe('clocks (0026)', () => {
    it('counts MTTR from impact start only where the impact start is known, next to MTTR from declare', async () => {
      const d = at('2014-03-01T00:00:00Z');
      await seed(
        // Impact 20 min before the declaration, resolved 40 min after it: 40 min from declare, 1 h from impact.
        { class: 'impact', declared: d, impact: at('2014-03-01T00:00:00Z', -20 * MIN), resolved: at('2014-03-01T00:00:00Z', 40 * MIN) },
        { class: 'impact', declared: d, impact: at('2014-03-01T00:00:00Z', -10 * MIN), resolved: at('2014-03-01T00:00:00Z', 110 * MIN) },
        // No impact start: in MTTR from declare only.
        { class: 'impact', declared: d, resolved: at('2014-03-01T00:00:00Z', 10 * MIN) },
        // Impact known, not resolved: in time to detect, not in either MTTR.
        { class: 'impact', declared: d, impact: at('2014-03-01T00:00:00Z', -30 * MIN) },
      );
      const r = await reports.mttr(window('2014-01-01T00:00:00Z', '2015-01-01T00:00:00Z'), []);
      expect(r.overall).toMatchObject({
        mttr_seconds: ((40 + 110 + 10) * 60) / 3,
        mttr_from_impact_seconds: 90 * 60,
        mttr_from_impact_p50_seconds: 90 * 60,
        // percentile_cont(0.9) of 60 min and 120 min
        mttr_from_impact_p90_seconds: 114 * 60,
        mttd_seconds: 20 * 60,
      });
      await seed({ class: 'no-impact', declared: at('2014-06-01T00:00:00Z'), resolved: at('2014-06-01T01:00:00Z') });
      const r2 = await reports.mttr(window('2014-06-01T00:00:00Z', '2014-06-02T00:00:00Z'), []);
      expect(r2.overall).toMatchObject({ mttr_seconds: 3600, mttr_from_impact_seconds: null, mttr_from_impact_p50_seconds: null, mttd_seconds: null });
      expect(plainText(mttrText(r, 'the year'))).toContain(
        'MTTR 53m 20s (p50 40m 00s, p90 1h 36m) · MTTR from impact start 1h 30m (p50 1h 30m, p90 1h 54m) · ',
      );
      expect(plainText(mttrText(r2, 'the day'))).not.toContain('impact start');
    });

    it('counts an incident by its declaration: one declared just inside the window whose impact began before it counts whole, one declared just before does not', async () => {
      const since = '2019-03-01T00:00:00Z';
      await seed(
        // Declared 5 min into the window, impact 25 min before the window: 30 min to detect, MTTR from impact 1 h.
        { class: 'edge-in', declared: at(since, 5 * MIN), impact: at(since, -25 * MIN), resolved: at(since, 35 * MIN) },
        // Declared 1 min before the window: in neither figure, however much of it falls inside.
        { class: 'edge-out', declared: at(since, -1 * MIN), impact: at(since, -2 * MIN), resolved: at(since, 120 * MIN) },
      );
      const r = await reports.mttr(window(since, '2019-03-02T00:00:00Z'), []);
      expect(r.overall).toMatchObject({ incidents: 1, mttr_seconds: 30 * 60, mttr_from_impact_seconds: 60 * 60, mttd_seconds: 30 * 60 });
      expect(r.classes.map((c) => c.class)).toEqual(['edge-in']);
    });

    it("counts diagnosis in time against each incident's own diagnose_within: 7 min is late on a 5m runbook, on time on a 15m one", async () => {
      const d = at('2015-03-01T00:00:00Z');
      await seed(
        { class: 'strict', declared: d, diag: at('2015-03-01T00:00:00Z', 7 * MIN), within: 5 * 60 },
        { class: 'strict', declared: d, diag: at('2015-03-01T00:00:00Z', 4 * MIN), within: 5 * 60 },
        { class: 'lenient', declared: d, diag: at('2015-03-01T00:00:00Z', 7 * MIN), within: 15 * 60 },
        // Exactly at the limit counts; undiagnosed counts as not.
        { class: 'lenient', declared: d, diag: at('2015-03-01T00:00:00Z', 15 * MIN), within: 15 * 60 },
        { class: 'lenient', declared: d, within: 15 * 60 },
      );
      const r = await reports.mttr(window('2015-01-01T00:00:00Z', '2016-01-01T00:00:00Z'), []);
      const byClass = Object.fromEntries(r.classes.map((c) => [c.class, [c.diagnosed_in_time_rate, c.diagnosed_within_15m_rate]]));
      // The JSON's diagnosed_within_15m_rate keeps its meaning (a fixed 15 minutes).
      expect(byClass).toEqual({ strict: [0.5, 1], lenient: [2 / 3, 2 / 3] });
      expect(r.overall.diagnosed_in_time_rate).toBe(3 / 5);
      expect(plainText(mttrText(r, 'the year'))).toContain(" · diagnosed within its runbook's limit 60.0% · ");
    });

    it('gives mean, p50 and p90 of time to mitigate and time to diagnose over the incidents that recorded each', async () => {
      const d = at('2016-03-01T00:00:00Z');
      const plus = (m: number) => at('2016-03-01T00:00:00Z', m * MIN);
      await seed(
        { class: 'spread', declared: d, mitigated: plus(10), diag: plus(2) },
        { class: 'spread', declared: d, mitigated: plus(20), diag: plus(4) },
        { class: 'spread', declared: d, mitigated: plus(30), diag: plus(6) },
        { class: 'spread', declared: d, mitigated: plus(40), diag: plus(8) },
        { class: 'spread', declared: d, mitigated: plus(100) },
        { class: 'spread', declared: d },
      );
      const r = await reports.mttr(window('2016-01-01T00:00:00Z', '2017-01-01T00:00:00Z'), []);
      expect(r.overall).toMatchObject({
        incidents: 6,
        time_to_mitigate_seconds: 40 * 60,
        time_to_mitigate_p50_seconds: 30 * 60,
        // 0.9 × 4 = 3.6: 40 min + 0.6 × 60 min
        time_to_mitigate_p90_seconds: expect.closeTo(76 * 60, 9),
        time_to_diagnose_seconds: 5 * 60,
        time_to_diagnose_p50_seconds: 5 * 60,
        // 0.9 × 3 = 2.7: 6 min + 0.7 × 2 min
        time_to_diagnose_p90_seconds: expect.closeTo(7.4 * 60, 9),
      });
      const text = plainText(mttrText(r, 'the year'));
      expect(text).toContain(' · time to mitigate 40m 00s (p50 30m 00s, p90 1h 16m) · time to diagnose 5m 00s (p50 5m 00s, p90 7m 24s) · ');
      expect(reportTable(r)).toMatch(/\n {2}overall +6 +0 +— +— +— +— +66\.7% +0\.0% +40m 00s +30m 00s +1h 16m +5m 00s +5m 00s +7m 24s +66\.7% +— +—\n/);
    });

    it('counts recurrence by cause category apart from recurrence by class: two PDF incidents with different causes recur by class only', async () => {
      const [keysA, certsB, keysC, pdfNoCause, queueKeys] = await seed(
        { class: 'pdf-c', severity: 2, declared: at('2017-03-01T00:00:00Z'), resolved: at('2017-03-01T02:00:00Z') },
        { class: 'pdf-c', severity: 2, declared: at('2017-03-10T00:00:00Z'), resolved: at('2017-03-10T01:00:00Z') },
        // Same cause as the first, nine days after it was resolved, and a third PDF incident of the class.
        { class: 'pdf-c', severity: 2, declared: at('2017-03-20T00:00:00Z'), resolved: at('2017-03-20T01:00:00Z') },
        // No post-mortem category: recurs by class, and is in no cause figure.
        { class: 'pdf-c', severity: 3, declared: at('2017-03-25T00:00:00Z') },
        // Another class with the same cause as the PDF ones: recurs by cause, not by class.
        { class: 'queue-c', severity: 2, declared: at('2017-03-26T00:00:00Z') },
      );
      await postmortem(keysA!, { status: 'draft', opened: at('2017-03-01T03:00:00Z'), cause: 'storage-keys-rotated' });
      await postmortem(certsB!, { status: 'draft', opened: at('2017-03-10T03:00:00Z'), cause: 'expired-certificate' });
      await postmortem(keysC!, { status: 'draft', opened: at('2017-03-20T03:00:00Z'), cause: 'storage-keys-rotated' });
      await postmortem(queueKeys!, { status: 'draft', opened: at('2017-03-26T03:00:00Z'), cause: 'storage-keys-rotated' });
      expect(pdfNoCause).toBeDefined();
      const r = await reports.mttr(window('2017-03-05T00:00:00Z', '2017-04-01T00:00:00Z'), []);
      const pdf = r.classes.find((c) => c.class === 'pdf-c')!;
      // In the window: certsB, keysC and pdfNoCause of the class, all three recur by class.
      expect(pdf).toMatchObject({ incidents: 3, recurrence_rate: 1, with_cause_category: 2, recurrence_by_cause_rate: 0.5 });
      expect(r.classes.find((c) => c.class === 'queue-c')).toMatchObject({
        incidents: 1,
        recurrence_rate: 0,
        with_cause_category: 1,
        recurrence_by_cause_rate: 1,
      });
      expect(r.overall).toMatchObject({ incidents: 4, recurrence_rate: 0.75, with_cause_category: 3, recurrence_by_cause_rate: 2 / 3 });
      // certsB: its category was never resolved before; a window with it alone has no recurrence by cause.
      const first = await reports.mttr(window('2017-03-10T00:00:00Z', '2017-03-11T00:00:00Z'), []);
      expect(first.overall).toMatchObject({ incidents: 1, recurrence_rate: 1, with_cause_category: 1, recurrence_by_cause_rate: 0 });
      // Without any category in the window, the rate is null, not 0.
      const none = await reports.mttr(window('2017-03-25T00:00:00Z', '2017-03-26T00:00:00Z'), []);
      expect(none.overall).toMatchObject({ incidents: 1, with_cause_category: 0, recurrence_by_cause_rate: null });
      expect(plainText(mttrText(r, 'the month'))).toContain(' · recurring 75.0% · recurring by cause 66.7% (of 3 with a cause category)');
      expect(plainText(mttrText(none, 'the day'))).not.toContain('by cause');
    });

    it('counts the new figures for a declaration exactly at since, and not one exactly at until', async () => {
      const since = at('2018-01-01T00:00:00Z');
      const until = at('2018-02-01T00:00:00Z');
      const [atSince, atUntil] = await seed(
        { class: 'edge-c', declared: since, mitigated: at('2018-01-01T00:00:00Z', 10 * MIN), diag: at('2018-01-01T00:00:00Z', 3 * MIN), within: 300 },
        { class: 'edge-c', declared: until, mitigated: at('2018-02-01T00:00:00Z', 99 * MIN), diag: at('2018-02-01T00:00:00Z', 9 * MIN), within: 300 },
      );
      await postmortem(atSince!, { status: 'draft', opened: since, cause: 'edge-cause' });
      await postmortem(atUntil!, { status: 'draft', opened: until, cause: 'edge-cause' });
      const r = await reports.mttr({ since, until }, []);
      expect(r.overall).toMatchObject({
        incidents: 1,
        time_to_mitigate_seconds: 600,
        time_to_diagnose_seconds: 180,
        diagnosed_in_time_rate: 1,
        with_cause_category: 1,
        recurrence_by_cause_rate: 0,
      });
    });
  });

  describe('incident-bot report mttr', () => {
    const ROOT = path.resolve(__dirname, '../..');
    const cli = (...args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'src/app/cli.ts', 'report', ...args],
          { cwd: ROOT, env: { ...process.env, DATABASE_URL: schema.url, PLAYBOOKS_DIR: path.join(ROOT, 'playbooks') } },
          (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
        );
      });

    beforeAll(async () => {
      await seed(
        { class: 'pdf', severity: 2, declared: at('2007-04-02T00:00:00Z'), ack: at('2007-04-02T00:02:00Z'), resolved: at('2007-04-02T01:02:00Z') },
        { class: 'pdf', severity: 2, declared: at('2007-04-10T00:00:00Z') },
        { class: 'mystery', severity: 1, declared: at('2007-04-11T00:00:00Z'), diag: at('2007-04-11T00:05:00Z') },
      );
    });

    it('prints the report as JSON, with the shipped runbooks as coverage', async () => {
      const { code, stdout } = await cli('mttr', '--since', '2007-04-01', '--until', '2007-05-01T00:00:00Z', '--json');
      expect(code).toBe(0);
      const report = JSON.parse(stdout);
      expect(report).toMatchObject({
        since: '2007-04-01T00:00:00.000Z',
        until: '2007-05-01T00:00:00.000Z',
        overall: {
          incidents: 3,
          resolved: 1,
          mttr_seconds: 3720,
          mtta_seconds: 120,
          diagnosed_within_15m_rate: 1 / 3,
          recurrence_rate: 1 / 3,
          validated_rate: null,
          // Added by 0026; every field above keeps its name and meaning.
          diagnosed_in_time_rate: 1 / 3,
          time_to_diagnose_seconds: 300,
          time_to_mitigate_seconds: null,
          mttr_from_impact_seconds: null,
          with_cause_category: 0,
          recurrence_by_cause_rate: null,
          postmortems: { major: 3, closed: 0, share: 0, mean_seconds_to_close: null },
        },
        runbook_coverage: 2 / 3,
        uncovered_top_classes: [{ class: 'mystery', incidents: 1 }],
      });
      expect(report.classes.map((c: { class: string; has_runbook: boolean }) => [c.class, c.has_runbook])).toEqual([
        ['pdf', true],
        ['mystery', false],
      ]);
    });

    it('prints an aligned table by default', async () => {
      const { code, stdout } = await cli('mttr', '--since', '2007-04-01', '--until', '2007-05-01');
      expect(code).toBe(0);
      expect(stdout).toContain('Incident KPIs from 2007-04-01T00:00:00.000Z to 2007-05-01T00:00:00.000Z');
      expect(stdout).toMatch(/\n {2}overall +3 +1 +1h 02m +1h 02m +1h 02m +2m 00s +33\.3% +33\.3% +— +— +— +5m 00s +5m 00s +5m 00s +33\.3% +— +—\n/);
      expect(stdout).toMatch(/\n {2}pdf +yes +2 +1 +1h 02m .* 0\.0% +50\.0% +— +— +— +— +— +— +0\.0% +— +—\n/);
      expect(stdout).toMatch(/\n {2}mystery +no +1 +0 +— +— +— +— +100\.0% +0\.0% +— +— +— +5m 00s +5m 00s +5m 00s +100\.0% +— +—\n/);
      expect(stdout).toMatch(/\n {2}SEV1 /);
      expect(stdout).toContain('\nPost-mortems: 0 of 3 major incidents closed (0%)\n');
      expect(stdout).toContain('Runbook coverage: 66.7% of incidents have a runbook for their class.');
      expect(stdout).toContain('Most frequent classes without a runbook: mystery (1).');
    });

    it('refuses bad input with exit code 2 and says why', async () => {
      const bad = await cli('mttr', '--since', '2007-02-30');
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain(`option '--since <date>' argument '2007-02-30' is invalid. "2007-02-30" is not a date`);
      const now = new Date('2007-05-01T12:00:00Z');
      expect(mttrWindow({ since: parseReportDate('2007-05-01'), until: parseReportDate('2007-04-01') }, now)).toMatch('must be before --until');
      expect(() => parseReportDate('yesterday')).toThrow('"yesterday" is not a date');
      const said: string[] = [];
      const output = { writeOut: (t: string) => said.push(t), writeErr: (t: string) => said.push(t) };
      expect(await runCli(['report', 'mtbf'], output)).toBe(2);
      expect(said.join('')).toContain("unknown command 'mtbf'");
      expect(await runCli(['report', 'mttr', '--since'], output)).toBe(2);
      expect(said.join('')).toContain("option '--since <date>' argument missing");
      expect(await runCli(['report', 'mttr', '--csv'], output)).toBe(2);
      expect(said.join('')).toContain("unknown option '--csv'");
    });

    it('reads dates as UTC and defaults to the 30 days before now', () => {
      const now = new Date('2007-05-01T12:00:00Z');
      expect(mttrWindow({}, now)).toEqual({ since: new Date('2007-04-01T12:00:00Z'), until: now, json: false });
      expect(mttrWindow({ until: parseReportDate('2007-05-01T08:30'), json: true }, now)).toEqual({
        since: new Date('2007-04-01T08:30:00Z'),
        until: new Date('2007-05-01T08:30:00Z'),
        json: true,
      });
      expect(parseReportDate('2007-04-01T02:00:00+02:00')).toEqual(new Date('2007-04-01T00:00:00Z'));
    });
  });
});
