import type { Handler } from '../workers';
import type { HandlerDeps } from './deps';

/** Runs an incident's probes and records each result. */
export const probeRuns =
  ({ probes }: HandlerDeps): Handler<'probe.runs'> =>
  (p, attempt) =>
    probes.run(p, attempt);
