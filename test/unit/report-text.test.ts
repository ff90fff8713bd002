import { reportTable } from '../../src/app/commands/report';
import type { ClassFigures, Figures, MttrReport, PostmortemFigures } from '../../src/core/reports';
import { formatDuration, formatHours, formatRate, mttrText, postmortemsLine } from '../../src/core/render/report-text';
import { plainText } from '../../src/core/text/text';

const figures = (over: Partial<Figures> = {}): Figures => ({
  incidents: 10,
  resolved: 8,
  mttr_seconds: 3725,
  mttr_p50_seconds: 2700,
  mttr_p90_seconds: 11400,
  mtta_seconds: 250,
  diagnosed_within_15m_rate: 0.52,
  recurrence_rate: 0.125,
  ...over,
});

const cls = (name: string, incidents: number, has_runbook = false): ClassFigures => ({ class: name, has_runbook, ...figures({ incidents }) });

function report(over: Partial<MttrReport> = {}): MttrReport {
  return {
    since: '2026-05-02T00:00:00.000Z',
    until: '2026-06-01T00:00:00.000Z',
    overall: figures({ incidents: 120 }),
    classes: [cls('pdf', 40, true), cls('auth', 12)],
    severities: [{ severity: 2, ...figures() }],
    runbook_coverage: 0.6,
    uncovered_top_classes: [{ class: 'auth', incidents: 12 }],
    ...over,
  };
}

describe('mttrText', () => {
  it('says the overall figures, each class and the coverage, with durations and percentages', () => {
    expect(plainText(mttrText(report(), 'last 30 days'))).toBe(
      [
        'Incident KPIs, last 30 days (2026-05-02 to 2026-06-01 UTC)',
        'Overall: 120 incidents · MTTR 1h 02m (p50 45m 00s, p90 3h 10m) · MTTA 4m 10s · diagnosed within 15 min 52.0% · recurring 12.5%',
        '',
        'By class',
        '• pdf: 40 incidents · MTTR 1h 02m (p50 45m 00s, p90 3h 10m) · MTTA 4m 10s · diagnosed within 15 min 52.0% · recurring 12.5%',
        '• auth (no runbook): 12 incidents · MTTR 1h 02m (p50 45m 00s, p90 3h 10m) · MTTA 4m 10s · diagnosed within 15 min 52.0% · recurring 12.5%',
        '',
        'Runbook coverage: 60.0% of incidents have a runbook for their class. Most frequent without one: auth (12).',
      ].join('\n'),
    );
  });

  it('says the time to detect only where an alert gave some incident its impact start', () => {
    const text = plainText(mttrText(report({ overall: figures({ incidents: 120, mttd_seconds: 330 }) }), 'last 30 days'));
    expect(text).toContain('MTTA 4m 10s · time to detect 5m 30s · diagnosed');
    expect(plainText(mttrText(report({ overall: figures({ mttd_seconds: null }) }), 'last 30 days'))).not.toContain('time to detect');
  });

  it('shows a dash for figures without data', () => {
    const none = figures({ incidents: 1, resolved: 0, mttr_seconds: null, mttr_p50_seconds: null, mttr_p90_seconds: null, mtta_seconds: null });
    const text = plainText(
      mttrText(report({ overall: none, classes: [{ class: 'pdf', has_runbook: true, ...none }], uncovered_top_classes: [] }), 'last 7 days'),
    );
    expect(text).toContain('Overall: 1 incident · MTTR — (p50 —, p90 —) · MTTA — ·');
    expect(text).toMatch(/have a runbook for their class\.$/);
  });

  it('lists at most ten classes and says how many there are', () => {
    const classes = Array.from({ length: 14 }, (_, i) => cls(`c${i}`, 20 - i));
    const text = plainText(mttrText(report({ classes }), 'last 90 days'));
    expect(text).toContain('Top 10 of 14 classes');
    expect(text).toContain('• c9 (no runbook):');
    expect(text).not.toContain('• c10 ');
  });

  it('says plainly when the window holds no incident', () => {
    const empty = report({ overall: figures({ incidents: 0, resolved: 0 }), classes: [], severities: [], runbook_coverage: null, uncovered_top_classes: [] });
    expect(plainText(mttrText(empty, 'last 7 days'))).toBe(
      'Incident KPIs, last 7 days (2026-05-02 to 2026-06-01 UTC)\nNo incidents were declared in this window.',
    );
  });

  it('carries no platform markup, even in class names', () => {
    const text = mttrText(report({ classes: [cls('<!channel>', 3)], uncovered_top_classes: [{ class: '<@U1>', incidents: 3 }] }), 'last 30 days');
    // Class names travel only inside code spans, which each surface escapes.
    const plain = text.filter((s): s is string => typeof s === 'string').join('');
    expect(plain).not.toMatch(/<[@#!]|\/incident/);
  });
});

describe('the post-mortem figures', () => {
  const pm = (over: Partial<PostmortemFigures> = {}): PostmortemFigures => ({ major: 3, closed: 2, share: 2 / 3, mean_seconds_to_close: 30 * 3600, ...over });

  it('say in one line how many major incidents have a closed post-mortem, and how long after resolution', () => {
    expect(postmortemsLine(pm())).toBe('2 of 3 major incidents closed (67%), closed on average 30 h after resolution');
    expect(postmortemsLine(pm({ major: 1, closed: 0, share: 0, mean_seconds_to_close: null }))).toBe('0 of 1 major incident closed (0%)');
    expect(postmortemsLine(pm({ major: 0, closed: 0, share: null, mean_seconds_to_close: null }))).toBe('no major incidents');
    expect([0, 1800, 3599, 5400, 30 * 3600, 10 * 86400].map(formatHours)).toEqual(['0 min', '30 min', '1 h', '2 h', '30 h', '240 h']);
  });

  it('follow the overall line of the chat reply, and are left out of a report that has none', () => {
    const withPm = report({ overall: { ...figures({ incidents: 120 }), postmortems: pm() } });
    const lines = plainText(mttrText(withPm, 'last 30 days')).split('\n');
    expect(lines[1]).toMatch(/^Overall: 120 incidents/);
    expect(lines[2]).toBe('Post-mortems: 2 of 3 major incidents closed (67%), closed on average 30 h after resolution');
    expect(plainText(mttrText(report(), 'last 30 days'))).not.toContain('Post-mortems');
  });

  it('stand under the overall table of the CLI report', () => {
    const table = reportTable(
      report({ overall: { ...figures({ incidents: 120 }), postmortems: pm({ major: 2, closed: 2, share: 1, mean_seconds_to_close: 1200 }) } }),
    );
    expect(table).toMatch(/\n {2}overall .*\n\nPost-mortems: 2 of 2 major incidents closed \(100%\), closed on average 20 min after resolution\n\nBy class\n/);
    expect(reportTable(report())).not.toContain('Post-mortems');
  });
});

describe('report formats', () => {
  it('writes durations in two units and rates as percentages', () => {
    expect([0, 45.4, 60, 725, 3599.6, 3725, 86399, 97200, null].map(formatDuration)).toEqual([
      '0s',
      '45s',
      '1m 00s',
      '12m 05s',
      '1h 00m',
      '1h 02m',
      '23h 59m',
      '1d 03h',
      '—',
    ]);
    expect([0, 1 / 3, 1, null].map(formatRate)).toEqual(['0.0%', '33.3%', '100.0%', '—']);
  });
});
