import { decidePagerDutyAcknowledges } from '../../src/core/incident/acknowledge';
import type { Status } from '../../src/core/model';
import { timelineText } from '../../src/core/render/timeline';
import { INCIDENT_ID, makeSnapshot } from '../support/factories';

// A responder acknowledging in PagerDuty, as the core decides it: no room to be in, nothing to refuse.

describe('acknowledging from PagerDuty', () => {
  const AT = new Date('2025-03-07T09:42:00Z');

  it('acknowledges an open incident, via pagerduty, by whoever PagerDuty named, and says so on the timeline', () => {
    const change = decidePagerDutyAcknowledges(makeSnapshot({ status: 'declared' }), 'pagerduty:Earline Greenholt', AT, 'PT4KHLK');
    expect(change.incident).toEqual({ status: 'acknowledged', acknowledgedAt: AT, acknowledgedVia: 'pagerduty' });
    expect(change.events).toEqual([
      {
        kind: 'incident.acknowledged',
        actor: 'pagerduty:Earline Greenholt',
        at: AT,
        data: { via: 'pagerduty', pagerDutyIncident: 'PT4KHLK' },
        key: `${INCIDENT_ID}:acknowledged`,
      },
    ]);
    const [event] = change.events;
    const ctx = { stepTitle: () => null, probeTitle: (id: string) => id, edgeCase: () => null };
    expect(timelineText({ at: AT, actor: event!.actor, kind: event!.kind, data: event!.data ?? {} }, ctx)).toEqual(['Acknowledged (in PagerDuty)']);
  });

  it('keeps a mitigated incident mitigated, and leaves the PagerDuty id out when there is none', () => {
    const change = decidePagerDutyAcknowledges(makeSnapshot({ status: 'mitigated', incident: { acknowledgedAt: null } }), 'pagerduty', AT, null);
    expect(change.incident).toEqual({ acknowledgedAt: AT, acknowledgedVia: 'pagerduty' });
    expect(change.events[0]!.data).toEqual({ via: 'pagerduty' });
  });

  it('changes nothing, and refuses nothing, once acknowledged or ended', () => {
    for (const status of ['acknowledged', 'mitigated', 'resolved', 'cancelled'] as Status[]) {
      expect(decidePagerDutyAcknowledges(makeSnapshot({ status }), 'pagerduty:x', AT, 'PT4KHLK')).toEqual({ events: [] });
    }
    for (const status of ['resolved', 'cancelled'] as Status[]) {
      const neverAcknowledged = makeSnapshot({ status, incident: { acknowledgedAt: null } });
      expect(decidePagerDutyAcknowledges(neverAcknowledged, 'pagerduty:x', AT, 'PT4KHLK')).toEqual({ events: [] });
    }
  });
});
