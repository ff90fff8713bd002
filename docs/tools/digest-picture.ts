/**
 * Regenerates docs/digest.png, the README's picture of a weekly digest in Slack:
 *
 *   npx tsx docs/tools/digest-picture.ts
 *
 * The words come from the bot's own digest text and Slack formatting, for two made-up weeks of
 * BraiFlow incidents; only the page around them (docs/tools/slack-preview.ts) imitates Slack.
 */
import path from 'node:path';
import { mrkdwn } from '../../src/adapters/slack/format';
import type { ClassFigures, Figures, MttrReport } from '../../src/core/reports';
import { digestText } from '../../src/core/render/digest-text';
import { screenshot } from './screenshot';
import { slackPreviewHtml } from './slack-preview';

const OUT = path.resolve(__dirname, '../digest.png');
const MIN = 60;

function figures(incidents: number, resolved: number, mttrMin: number | null, mttaMin: number | null, diagnosed: number, recurrence: number): Figures {
  return {
    incidents,
    resolved,
    mttr_seconds: mttrMin === null ? null : mttrMin * MIN,
    mttr_p50_seconds: mttrMin === null ? null : mttrMin * 0.8 * MIN,
    mttr_p90_seconds: mttrMin === null ? null : mttrMin * 1.9 * MIN,
    mtta_seconds: mttaMin === null ? null : mttaMin * MIN,
    diagnosed_within_15m_rate: diagnosed,
    diagnosed_in_time_rate: diagnosed,
    recurrence_rate: recurrence,
    // The clocks the digest shows beside MTTR, made up in proportion to it.
    mttd_seconds: mttrMin === null ? null : Math.round(mttrMin * 0.12) * MIN,
    mttr_from_impact_seconds: mttrMin === null ? null : mttrMin * 1.15 * MIN,
    mttr_from_impact_p50_seconds: mttrMin === null ? null : mttrMin * 0.95 * MIN,
    mttr_from_impact_p90_seconds: mttrMin === null ? null : mttrMin * 2.1 * MIN,
    time_to_mitigate_seconds: mttrMin === null ? null : mttrMin * 0.45 * MIN,
    time_to_mitigate_p50_seconds: mttrMin === null ? null : mttrMin * 0.4 * MIN,
    time_to_mitigate_p90_seconds: mttrMin === null ? null : mttrMin * 0.9 * MIN,
    time_to_diagnose_seconds: mttrMin === null ? null : mttrMin * 0.25 * MIN,
    time_to_diagnose_p50_seconds: mttrMin === null ? null : mttrMin * 0.2 * MIN,
    time_to_diagnose_p90_seconds: mttrMin === null ? null : mttrMin * 0.5 * MIN,
    with_cause_category: Math.floor(resolved / 2),
    recurrence_by_cause_rate: resolved >= 2 ? recurrence / 2 : null,
  };
}

function report(since: string, until: string, overall: Figures, classes: Array<[string, boolean, Figures]>, coverage: number): MttrReport {
  const byClass: ClassFigures[] = classes.map(([cls, hasRunbook, f]) => ({ class: cls, has_runbook: hasRunbook, ...f }));
  return {
    since,
    until,
    overall,
    classes: byClass,
    severities: [],
    runbook_coverage: coverage,
    uncovered_top_classes: byClass.filter((c) => !c.has_runbook).map((c) => ({ class: c.class, incidents: c.incidents })),
  };
}

const lastWeek = report(
  '2026-11-23T09:00:00Z',
  '2026-11-30T09:00:00Z',
  figures(9, 8, 42, 4, 0.67, 0.22),
  [
    ['pdf', true, figures(4, 4, 31, 3, 0.75, 0.25)],
    ['queue', true, figures(2, 2, 55, 6, 0.5, 0.5)],
    ['storage', true, figures(1, 1, 24, 2, 1, 0)],
    ['billing', false, figures(2, 1, 95, 9, 0.5, 0)],
  ],
  0.78,
);
const weekBefore = report(
  '2026-11-16T09:00:00Z',
  '2026-11-23T09:00:00Z',
  figures(12, 12, 58, 7, 0.5, 0.33),
  [
    ['pdf', true, figures(5, 5, 47, 6, 0.6, 0.4)],
    ['queue', true, figures(4, 4, 61, 8, 0.5, 0.25)],
    ['workflow', true, figures(1, 1, 33, 4, 1, 0)],
    ['billing', false, figures(2, 2, 80, 10, 0, 0.5)],
  ],
  0.83,
);

export function digestPictureHtml(): string {
  const text = digestText({
    current: lastWeek,
    previous: weekBefore,
    period: { start: new Date(lastWeek.since), end: new Date(lastWeek.until) },
    tz: 'UTC',
    openNow: 1,
  });
  // The digest is posted as mrkdwn text; a section block with the same text renders alike.
  const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(text) } }];
  return slackPreviewHtml([{ author: 'Incident bot', time: '09:00', blocks }], {
    channel: 'eng-incidents',
    now: new Date(lastWeek.until),
    timeZone: 'UTC',
    avatars: { 'Incident bot': '🚨' },
    width: 720,
  });
}

if (require.main === module) {
  screenshot(digestPictureHtml(), OUT).then(
    (height) => console.log(`wrote ${path.relative(process.cwd(), OUT)} (800x${height})`),
    (err: unknown) => {
      console.error(err instanceof Error ? err.message : err);
      process.exitCode = 1;
    },
  );
}
