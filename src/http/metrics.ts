import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Pool } from 'pg';
import type { JobQueues } from '../jobs/queues';
import { QUEUE_NAMES } from '../jobs/kinds';
import { openIncidentsByPlatform, outboxLagSeconds } from '../store/operations';
import { withTimeout } from '../util/timeout';

/**
 * What an operator graphs: requests and jobs (counts and durations), queue depth, how far the
 * outbox lags behind, open incidents, and the process itself (memory, event-loop lag, GC). One
 * registry per runtime, so two in one process (tests) do not share counters. Gauges are read from
 * Postgres and Redis at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<'route' | 'method' | 'status'>;
  private readonly jobs: Histogram<'queue' | 'kind' | 'outcome'>;

  constructor(pool: Pool, queues: JobQueues | null) {
    const registers = [this.registry];
    // prom-client registers these on the registry it is given, not the global one, so each runtime
    // in a process gets its own set without an "already registered" clash.
    collectDefaultMetrics({ register: this.registry, prefix: 'incident_bot_' });
    this.requests = new Histogram({
      name: 'incident_bot_http_request_duration_seconds',
      help: 'HTTP requests served, by route, method and status',
      labelNames: ['route', 'method', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.jobs = new Histogram({
      name: 'incident_bot_job_duration_seconds',
      // Its _count is the number of jobs run: no separate counter to drift from it.
      help: 'Jobs run, by queue, kind and outcome (completed, retry, failed)',
      labelNames: ['queue', 'kind', 'outcome'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    const scrape = <T>(p: Promise<T>) => withTimeout(p, 2_000, 'no answer within 2000 ms');
    new Gauge({
      name: 'incident_bot_queue_jobs',
      help: 'Jobs in each queue by state (waiting, prioritized, active, delayed, failed); prioritized ones wait too, behind renders',
      labelNames: ['queue', 'state'],
      registers,
      async collect() {
        if (!queues) return;
        const counts = await scrape(queues.counts()).catch(() => null);
        for (const q of QUEUE_NAMES) for (const [state, n] of Object.entries(counts?.[q] ?? {})) this.set({ queue: q, state }, n);
      },
    });
    new Gauge({
      name: 'incident_bot_outbox_lag_seconds',
      help: 'Age of the oldest outbox row not yet handed to the queues (0 when none)',
      registers,
      async collect() {
        const lag = await scrape(outboxLagSeconds(pool)).catch(() => null);
        if (lag !== null) this.set(lag);
      },
    });
    new Gauge({
      name: 'incident_bot_open_incidents',
      help: 'Incidents neither resolved nor cancelled, by platform',
      labelNames: ['platform'],
      registers,
      async collect() {
        const open = await scrape(openIncidentsByPlatform(pool)).catch(() => null);
        if (!open) return;
        this.reset();
        for (const row of open) this.set({ platform: row.platform }, row.n);
      },
    });
  }

  observeRequest(route: string, method: string, status: number, seconds: number): void {
    this.requests.observe({ route, method, status: String(status) }, seconds);
  }

  observeJob(queue: string, kind: string, outcome: string, seconds: number): void {
    this.jobs.observe({ queue, kind, outcome }, seconds);
  }
}
