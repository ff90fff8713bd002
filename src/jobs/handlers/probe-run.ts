import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** One run per job, as versions before probe.runs queued them; still run if found in a queue. */
export const probeRun =
  ({ probes }: HandlerDeps): Handler<'probe.run'> =>
  (p, attempt) =>
    probes.run({ incidentId: p.incidentId, runs: [{ runId: p.runId, probeId: p.probeId }] }, attempt);
