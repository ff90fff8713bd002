import type { CoreDeps } from '../core/incident/deps';
import { recordProbeResult } from '../core/incident/probes';
import { PermanentError } from '../core/errors';
import type { JobAttempt } from '../core/ports';
import type { ProbeDef } from '../core/runbook/schema';
import type { Logger } from '../logger';
import { runHttpProbe, type HttpTarget } from './http-probe';
import { ProbeNetworkError, type ProbeOutcome } from './outcome';
import { QueueProber, type QueueTarget } from './queue-probe';
import { StorageProber, type StorageTarget } from './storage-probe';

export interface ProbeTargets {
  http: HttpTarget;
  /** Null when BRAIFLOW_QUEUE_REDIS_URL is not set. */
  queue: QueueTarget | null;
  /** Per credential set; null where its variables are not set. */
  storage: { app: StorageTarget | null; standardUser: StorageTarget | null };
}

/**
 * Runs one probe run and records its result. A network error is thrown for the job layer to
 * retry, and recorded as an `error` on the last attempt; every other outcome is recorded at once.
 */
export class ProbeRunner {
  private queueProber: QueueProber | null = null;
  private readonly storageProbers = new Map<string, StorageProber>();

  constructor(
    private readonly deps: CoreDeps,
    private readonly targets: ProbeTargets,
    private readonly logger: Logger,
  ) {}

  async run(incidentId: string, runId: string, probeId: string, attempt: JobAttempt): Promise<void> {
    const snap = await this.deps.store.get(incidentId);
    if (!snap) throw new PermanentError(`incident ${incidentId} does not exist`);
    const def = this.deps.catalog.forIncident(snap.incident.runbookId).probes.find((p) => p.id === probeId);
    const startedAt = this.deps.clock.now();
    let outcome: ProbeOutcome;
    try {
      outcome = def ? await this.execute(def) : { status: 'error', reason: `probe "${probeId}" is no longer in the runbook`, detail: {}, durationMs: 0 };
    } catch (err) {
      if (!(err instanceof ProbeNetworkError)) throw err;
      if (!attempt.final) throw err; // the job layer tries again with backoff
      outcome = { status: 'error', reason: `${err.message} (after ${attempt.attempt} tries)`, detail: { network: true }, durationMs: err.durationMs };
    }
    const finishedAt = this.deps.clock.now();
    await recordProbeResult(this.deps, incidentId, probeId, { runId, ...outcome, startedAt, finishedAt });
    this.logger.info({ incidentId, probe: probeId, run: runId, status: outcome.status, durationMs: Math.round(outcome.durationMs) }, 'probe finished');
  }

  private async execute(def: ProbeDef): Promise<ProbeOutcome> {
    switch (def.kind) {
      case 'http':
        return runHttpProbe(def, this.targets.http);
      case 'queue': {
        if (!this.targets.queue) return notSet(def.title, 'BRAIFLOW_QUEUE_REDIS_URL is not set: set it to the Redis of the BraiFlow queues');
        this.queueProber ??= new QueueProber(this.targets.queue);
        return this.queueProber.run(def);
      }
      case 'storage': {
        const creds = def.as === 'app' ? this.targets.storage.app : this.targets.storage.standardUser;
        if (!creds) {
          const vars = def.as === 'app' ? 'BRAIFLOW_S3_ACCESS_KEY_ID and BRAIFLOW_S3_SECRET_ACCESS_KEY' : 'BRAIFLOW_S3_STANDARD_USER_ACCESS_KEY_ID and BRAIFLOW_S3_STANDARD_USER_SECRET_ACCESS_KEY';
          return notSet(def.title, `${vars} are not set`);
        }
        let prober = this.storageProbers.get(def.as);
        if (!prober) this.storageProbers.set(def.as, (prober = new StorageProber(creds)));
        return prober.run(def);
      }
    }
  }

  async close(): Promise<void> {
    await this.queueProber?.close();
    for (const p of this.storageProbers.values()) p.close();
  }
}

function notSet(title: string, why: string): ProbeOutcome {
  return { status: 'error', reason: `${title}: ${why}`, detail: { misconfigured: true }, durationMs: 0 };
}
