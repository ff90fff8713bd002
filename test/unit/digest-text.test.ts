import { digestText, duration, line } from '../../src/core/render/digest-text';
import { plainText } from '../../src/core/text/text';
import type { ClassFigures, Figures, MttrReport } from '../../src/core/reports';

function figures(f: Partial<Figures>): Figures {
  return {
    incidents: 0,
    resolved: 0,
    mttr_seconds: null,
    mttr_p50_seconds: null,
    mttr_p90_seconds: null,
    mtta_seconds: null,
    diagnosed_within_15m_rate: null,
    recurrence_rate: null,
    ...f,
  };
}

function report(overall: Partial<Figures>, classes: Array<Partial<ClassFigures> & { class: string }>, coverage: number | null): MttrReport {
  return {
    since: '',
    until: '',
    overall: figures(overall),
    classes: classes.map((c) => ({ has_runbook: true, ...figures(c), ...c })),
    severities: [],
    runbook_coverage: coverage,
    uncovered_top_classes: [],
  };
}

const period = { start: new Date('2026-03-02T09:00:00Z'), end: new Date('2026-03-09T09:00:00Z') };

describe('the digest text', () => {
  const current = report(
    { incidents: 5, resolved: 4, mttr_seconds: 2520, mtta_seconds: 180, recurrence_rate: 0.2, diagnosed_within_15m_rate: 0.6 },
    [
      { class: 'pdf-404', incidents: 3, mttr_seconds: 1800, mtta_seconds: 120 },
      { class: 'mystery', incidents: 2, has_runbook: false, mttr_seconds: 3600 },
    ],
    0.6,
  );
  const previous = report(
    { incidents: 3, resolved: 3, mttr_seconds: 4200, mtta_seconds: 120, recurrence_rate: 0.2, diagnosed_within_15m_rate: 0.4 },
    [{ class: 'pdf-404', incidents: 3, mttr_seconds: 2400, mtta_seconds: 120 }],
    1,
  );
  const text = plainText(digestText({ current, previous, period, tz: 'UTC', openNow: 2 }));

  it('compares each figure with the week before, saying whether the move is good', () => {
    expect(text).toContain('Mon 2 Mar, 09:00 to Mon 9 Mar, 09:00 (UTC)');
    expect(text).toContain('Open now: 2 incidents');
    expect(text).toContain('Runbook coverage: 60% 🔴 ↓ from 100%');
    expect(text).toContain('• Incidents: 5 🔴 ↑ from 3');
    expect(text).toContain('• MTTR: 42 min 🟢 ↓ from 1 h 10 min');
    expect(text).toContain('• MTTA: 3 min 🔴 ↑ from 2 min');
    expect(text).toContain('• Recurrence: 20% ⚪ → same as the week before');
    expect(text).toContain('• Diagnosed within 15 min: 60% 🟢 ↑ from 40%');
    expect(text).toContain('Lower is better for incidents, MTTR, MTTA and recurrence');
  });

  it("says the clocks of a week that recorded them, diagnosis against each runbook's limit and recurrence by cause with its denominator", () => {
    const clocks = (f: Partial<Figures>) =>
      report({ incidents: 4, diagnosed_within_15m_rate: 1, diagnosed_in_time_rate: 0.5, with_cause_category: 0, ...f }, [], 1);
    const said = plainText(
      digestText({
        current: clocks({
          mttr_from_impact_seconds: 3600,
          time_to_mitigate_seconds: 1200,
          time_to_diagnose_seconds: 420,
          with_cause_category: 3,
          recurrence_by_cause_rate: 1 / 3,
        }),
        previous: clocks({
          mttr_from_impact_seconds: 4800,
          time_to_mitigate_seconds: 900,
          diagnosed_in_time_rate: 0.75,
          with_cause_category: 2,
          recurrence_by_cause_rate: 0,
        }),
        period,
        tz: 'UTC',
        openNow: 0,
      }),
    );
    expect(said).toContain('• MTTR from impact start: 1 h 🟢 ↓ from 1 h 20 min\n');
    expect(said).toContain('• Time to mitigate (declared → mitigated): 20 min 🔴 ↑ from 15 min\n');
    expect(said).toContain('• Time to diagnose (declared → cause identified): 7 min (no figure the week before)\n');
    expect(said).toContain('• Recurrence by cause: 33% 🔴 ↑ from 0% (of 3 with a cause category)\n');
    expect(said).toContain("• Diagnosed within its runbook's limit: 50% 🔴 ↓ from 75%\n");
    expect(said).not.toContain('Diagnosed within 15 min');
    // A week where no post-mortem names a category says nothing of recurrence by cause.
    const quiet = plainText(digestText({ current: clocks({}), previous: clocks({}), period, tz: 'UTC', openNow: 0 }));
    expect(quiet).not.toContain('by cause');
    expect(quiet).not.toContain('Time to mitigate');
  });

  it('gives the p50 and p90 of this week next to each mean, so one long incident does not hide behind the average', () => {
    const week = report(
      {
        incidents: 6,
        mttr_seconds: 3000,
        mttr_p50_seconds: 1200,
        mttr_p90_seconds: 9000,
        mttr_from_impact_seconds: 3600,
        mttr_from_impact_p50_seconds: 1500,
        mttr_from_impact_p90_seconds: 9600,
        time_to_mitigate_seconds: 1200,
        time_to_mitigate_p50_seconds: 600,
        time_to_mitigate_p90_seconds: 3000,
        time_to_diagnose_seconds: 420,
        time_to_diagnose_p50_seconds: 300,
        time_to_diagnose_p90_seconds: 900,
      },
      [],
      1,
    );
    const said = plainText(digestText({ current: week, previous: report({}, [], 1), period, tz: 'UTC', openNow: 0 }));
    expect(said).toContain('• MTTR: 50 min (no figure the week before) · p50 20 min, p90 2 h 30 min\n');
    expect(said).toContain('• MTTR from impact start: 1 h (no figure the week before) · p50 25 min, p90 2 h 40 min\n');
    expect(said).toContain('• Time to mitigate (declared → mitigated): 20 min (no figure the week before) · p50 10 min, p90 50 min\n');
    expect(said).toContain('• Time to diagnose (declared → cause identified): 7 min (no figure the week before) · p50 5 min, p90 15 min\n');
  });

  it('says the time to detect only in a week where an alert gave some incident its impact start', () => {
    expect(text).not.toContain('Time to detect');
    const alerted = report({ incidents: 2, mttd_seconds: 240 }, [], 1);
    const said = plainText(digestText({ current: alerted, previous: report({ incidents: 1, mttd_seconds: 600 }, [], 1), period, tz: 'UTC', openNow: 0 }));
    expect(said).toContain('• Time to detect (impact start → declared): 4 min 🟢 ↓ from 10 min');
  });

  it('lists classes by incidents, marking those without a runbook and those new this week', () => {
    expect(text.indexOf('pdf-404')).toBeLessThan(text.indexOf('mystery'));
    expect(text).toContain('  • MTTR: 30 min 🟢 ↓ from 40 min');
    expect(text).toContain('mystery (no runbook)');
    expect(text).toContain('  • Incidents: 2 🔴 ↑ from 0');
    expect(text).toContain('  • MTTR: 1 h (no figure the week before)');
  });

  it('shows at most ten classes', () => {
    const many = report(
      { incidents: 12 },
      Array.from({ length: 12 }, (_, i) => ({ class: `c${String(i).padStart(2, '0')}`, incidents: 12 - i })),
      1,
    );
    const t = plainText(digestText({ current: many, previous: report({}, [], null), period, tz: 'UTC', openNow: 0 }));
    expect(t).toContain('c09');
    expect(t).not.toContain('c10');
    expect(t).toContain('Open now: 0 incidents');
  });

  it("says what is left to do after incidents, and how the period's post-mortems went, in one line each", () => {
    const withPm = { ...current, overall: { ...current.overall, postmortems: { major: 3, closed: 2, share: 2 / 3, mean_seconds_to_close: 30 * 3600 } } };
    const t = plainText(
      digestText({ current: withPm, previous, period, tz: 'UTC', openNow: 2, followUps: { actionItemsOpen: 7, actionItemsOverdue: 3, postmortemsOpen: 4 } }),
    );
    expect(t).toContain('Open now: 2 incidents\nPost-mortems open: 4\nAction items: 7 open, 3 overdue\nRunbook coverage:');
    expect(t).toContain('• Post-mortems: 2 of 3 major incidents closed (67%), closed on average 30 h after resolution\n');
    // Only for all incidents, not repeated per class.
    expect(t.match(/Post-mortems: /g)).toHaveLength(1);
    const none = plainText(
      digestText({
        current: { ...current, overall: { ...current.overall, postmortems: { major: 0, closed: 0, share: null, mean_seconds_to_close: null } } },
        previous,
        period,
        tz: 'UTC',
        openNow: 0,
        followUps: { actionItemsOpen: 0, actionItemsOverdue: 0, postmortemsOpen: 0 },
      }),
    );
    expect(none).toContain('• Post-mortems: no major incidents\n');
    expect(none).toContain('Post-mortems open: 0\nAction items: 0 open, 0 overdue\n');
  });

  it('leaves the follow-up lines out when it is not given them', () => {
    expect(text).not.toContain('Post-mortems');
    expect(text).not.toContain('Action items');
  });

  it('says "no data" rather than inventing a figure', () => {
    expect(line(null, null, duration, 'lower')).toBe('no data');
    expect(line(null, 60, duration, 'lower')).toBe('no data (was 1 min)');
  });

  it('writes durations a reader takes in at a glance', () => {
    expect([duration(45), duration(2520), duration(4200), duration(7200), duration(90000)]).toEqual(['45 s', '42 min', '1 h 10 min', '2 h', '1 d 1 h']);
  });

  it('contains no Slack markup', () => {
    expect(JSON.stringify(digestText({ current, previous, period, tz: 'UTC', openNow: 2 }))).not.toMatch(/<@|<#|<!|\/incident/);
  });
});
