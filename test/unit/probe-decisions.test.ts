import { autoProbes, decideProbeResult, decideRunProbes, queueProbes } from '../../src/core/incident/probes';
import { UserError } from '../../src/core/errors';
import type { Runbook } from '../../src/core/runbook/schema';
import { makeRunbook, makeSnapshot } from '../support/factories';

const AT = new Date('2025-03-07T09:30:00Z');
const runbook: Runbook = makeRunbook({
  probes: [
    { id: 'me', kind: 'http', title: 'API /me', auto: true, path: '/api/v1/me', method: 'GET', as: 'standard-user', expect_status: 200, timeout: '10s' },
    { id: 'queue', kind: 'queue', title: 'pdf queue', auto: false, queue: 'pdf-render', max_waiting: 10, max_failed: 0 },
  ],
});
const inChannel = { id: 'UBOB00002', isAdmin: false, inChannel: true };

describe('asking for probes', () => {
  it('runs on declare every probe not marked auto: false', () => {
    expect(autoProbes(runbook)).toEqual(['me']);
  });

  it('queues one run per probe, each with its own id, and one job and one event for the request', () => {
    const change = queueProbes({ id: 'inc-1', platform: 'slack', runbookId: 'pdf-404' }, ['me', 'queue'], 'UBOB00002', AT, 'all', 'inc-1:probes:req-1');
    expect(change.probeRuns!.map((r) => r.probeId)).toEqual(['me', 'queue']);
    expect(new Set(change.probeRuns!.map((r) => r.id)).size).toBe(2);
    // The worker runs and reports the probes without reading the incident first.
    expect(change.jobs).toEqual([
      {
        kind: 'probe.runs',
        payload: { incidentId: 'inc-1', runbookId: 'pdf-404', platform: 'slack', runs: change.probeRuns!.map((r) => ({ runId: r.id, probeId: r.probeId })) },
        dedupeKey: 'inc-1:probes:req-1:run',
        runAt: AT,
      },
    ]);
    expect(change.events).toEqual([
      { kind: 'probe.requested', actor: 'UBOB00002', at: AT, data: { probes: ['me', 'queue'], via: 'all' }, key: 'inc-1:probes:req-1' },
    ]);
  });

  it('lets someone in the channel run one check or all, and names the checks for a typo', () => {
    const s = makeSnapshot({ status: 'acknowledged', runbook });
    expect(decideRunProbes(s, runbook, 'all', inChannel, AT, 'r1').probeRuns!.map((r) => r.probeId)).toEqual(['me', 'queue']);
    expect(decideRunProbes(s, runbook, 'queue', inChannel, AT, 'r2').probeRuns!.map((r) => r.probeId)).toEqual(['queue']);
    expect(() => decideRunProbes(s, runbook, 'mee', inChannel, AT, 'r3')).toThrow(UserError);
    try {
      decideRunProbes(s, runbook, 'mee', inChannel, AT, 'r3');
    } catch (err) {
      expect((err as UserError).problem).toEqual({ code: 'unknown_probe', incident: 'INC-42', probe: 'mee', probes: ['me', 'queue'] });
    }
  });

  it('refuses someone outside the channel, and an incident that has ended', () => {
    expect(() => decideRunProbes(makeSnapshot({ status: 'acknowledged', runbook }), runbook, 'all', { ...inChannel, inChannel: false }, AT, 'r')).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ code: 'not_participant', action: 'run_probes' }) }),
    );
    expect(() => decideRunProbes(makeSnapshot({ status: 'resolved', runbook }), runbook, 'all', inChannel, AT, 'r')).toThrow(
      expect.objectContaining({ problem: expect.objectContaining({ code: 'ended' }) }),
    );
  });
});

describe('recording a probe result', () => {
  it('writes the result with one probe.finished event and one render, both keyed by the run', () => {
    const result = {
      runId: 'run-1',
      status: 'fail' as const,
      reason: 'GET /pdf: 404 (expected 200)',
      detail: { status: 404 },
      startedAt: AT,
      finishedAt: AT,
      durationMs: 84.4,
    };
    const change = decideProbeResult({ id: 'inc-1', platform: 'slack' }, result, 'me');
    expect(change.probeResult).toBe(result);
    expect(change.events).toEqual([
      {
        kind: 'probe.finished',
        actor: 'incident-bot',
        at: AT,
        data: { probe: 'me', run: 'run-1', status: 'fail', reason: 'GET /pdf: 404 (expected 200)', duration_ms: 84 },
        key: 'run-1:finished',
      },
    ]);
    expect(change.jobs).toEqual([
      { kind: 'chat.render', payload: { incidentId: 'inc-1', platform: 'slack' }, dedupeKey: 'inc-1:render:run-1:finished', runAt: AT, paceMs: 1000 },
    ]);
  });
});
