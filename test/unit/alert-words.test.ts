import { alertResolvedNotice, unroutedAlertText } from '../../src/core/render/notices';
import { timelineContext, timelineText } from '../../src/core/render/timeline';
import { makeRunbook, makeSnapshot } from '../support/factories';

const at = new Date('2026-03-01T03:41:00Z');

describe('alert wording', () => {
  const ctx = timelineContext(makeSnapshot(), makeRunbook());
  const event = (kind: string, data: Record<string, unknown> = {}) => timelineText({ at, actor: 'alert:alertmanager', kind, data }, ctx);

  it('words the alert events of the timeline, with the labels and a link to the source', () => {
    expect(event('alert.received', { source: 'alertmanager', labels: { alertname: 'InvoicePdf404Rate', env: 'prod' }, url: 'https://prom.example/g' })).toEqual(
      ['Alert from alertmanager (alertname=InvoicePdf404Rate, env=prod)', ': ', { link: 'https://prom.example/g', title: 'source' }],
    );
    expect(event('alert.received', { source: 'generic', labels: {}, url: null })).toEqual(['Alert from generic']);
    expect(event('alert.repeated')).toEqual([expect.stringMatching(/^Alert notified again/)]);
    expect(event('alert.resolved')).toEqual([expect.stringMatching(/^Alert resolved \(the incident stays open/)]);
  });

  it('says the alert resolved, to validate then resolve, only while the incident is open', () => {
    const text = alertResolvedNotice(makeSnapshot(), at)!;
    expect(text.slice(0, 3)).toEqual(['The alert resolved at ', { time: at }, '; run the quick validation, then resolve ']);
    expect(text[3]).toMatch(/^INC-\d+$/);
    const resolved = makeSnapshot({ status: 'resolved' });
    expect(alertResolvedNotice(resolved, at)).toBeNull();
  });

  it('offers an unrouted alert with the command for every runbook', () => {
    const text = unroutedAlertText({
      source: 'alertmanager',
      title: 'Disk full',
      labels: { alertname: 'DiskFull' },
      url: null,
      runbooks: ['pdf-404', 'workflow-500'],
    });
    expect(text).toContainEqual({ strong: 'Disk full' });
    expect(text).toContainEqual({ command: 'pdf-404' });
    expect(text).toContainEqual({ command: 'workflow-500' });
  });
});
