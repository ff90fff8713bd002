/**
 * What a probe run ends with. `reason` is one line a person can act on at 3 a.m., e.g.
 * "GET /api/v1/me as standard-user: 200 in 84 ms, role=agent" or
 * "GET /api/v1/invoices/inv_smoke_0001/pdf: 404 (expected 200)". `detail` is for the record
 * (probe_runs.detail) and never holds a credential.
 */
export interface ProbeOutcome {
  status: 'pass' | 'fail' | 'error';
  reason: string;
  detail: Record<string, unknown>;
  durationMs: number;
}

/**
 * A network error worth another try (connection refused, reset, DNS failure, timeout). The job
 * layer retries it with backoff; on the last attempt it becomes an `error` outcome. A clean
 * answer that does not meet expectations is a `fail`, never this.
 */
export class ProbeNetworkError extends Error {
  constructor(
    message: string,
    readonly durationMs: number,
  ) {
    super(message);
    this.name = 'ProbeNetworkError';
  }
}
