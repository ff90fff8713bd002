import type { CoreDeps } from '../core/incident/deps';
import { recordProbeResult } from '../core/incident/probes';
import type { JobAttempt } from '../core/ports';
import type { ProbeDef } from '../core/runbook/schema';
import type { Logger } from '../util/logger';
import { runHttpProbe, type HttpTarget } from './http-probe';
import { ProbeNetworkError, type ProbeOutcome } from './outcome';
import { QueueProber, type QueueTarget } from './queue-probe';
import { StorageProber, type StorageTarget } from './storage-probe';
import { Limiter } from '../core/commands/limit';
import { requireSnapshot } from '../core/incident/require-snapshot';

/** A probe.runs job: the runs one request queued, and whose incident they are for. */
export interface ProbeJob {
  incidentId: string;
  /** Absent from single-run jobs queued by earlier versions: then looked up. */
  runbookId?: string;
  platform?: string;
  runs: Array<{ runId: string; probeId: string }>;
}

/** How many probes run at once in this process, whatever the jobs they came in. */
export const PROBES_AT_ONCE = 32;

export interface ProbeTargets {
  http: HttpTarget;
  /** Null when BRAIFLOW_QUEUE_REDIS_URL is not set. */
  queue: QueueTarget | null;
  /** Per credential set; null where its variables are not set. */
  storage: { app: StorageTarget | null; standardUser: StorageTarget | null };
}

/**
 * Runs a job's probe runs, at most PROBES_AT_ONCE at a time across jobs, and records each result
 * as it comes. Runs already recorded are skipped, so a job run again after a crash executes only
 * what had not finished. A network error is retried by running the job again (with backoff), and
 * recorded as an `error` on the last attempt; every other outcome is recorded at once.
 */
export class ProbeRunner {
  private queueProber: QueueProber | null = null;
  private readonly storageProbers = new Map<string, StorageProber>();
  private readonly slots = new Limiter(PROBES_AT_ONCE);

  constructor(
    private readonly deps: CoreDeps,
    private readonly targets: ProbeTargets,
    private readonly logger: Logger,
  ) {}

  async run(job: ProbeJob, attempt: JobAttempt): Promise<void> {
    const owner = await this.owner(job);
    const unfinished = new Set(
      await this.deps.store.unfinishedProbeRuns(
        job.incidentId,
        job.runs.map((r) => r.runId),
      ),
    );
    const probes = this.deps.catalog.forIncident(owner.runbookId).probes;
    const retry: ProbeNetworkError[] = [];
    const settled = await Promise.allSettled(
      job.runs
        .filter((r) => unfinished.has(r.runId))
        .map(async (r) => {
          const def = probes.find((p) => p.id === r.probeId);
          const startedAt = this.deps.clock.now();
          let outcome: ProbeOutcome;
          try {
            // Only the probe itself takes a slot: the slots bound the load on BraiFlow, not our writes.
            outcome = def
              ? await this.slots.run(() => this.execute(def))
              : { status: 'error', reason: `probe "${r.probeId}" is no longer in the runbook`, detail: {}, durationMs: 0 };
          } catch (err) {
            if (!(err instanceof ProbeNetworkError)) {
              // A bug or a definition the probe cannot run would throw on every try; on the last one
              // the run ends as an error, or it would stay queued for good.
              if (!attempt.final) throw err;
              outcome = {
                status: 'error',
                reason: `${def?.title ?? r.probeId}: the probe could not run (${(err as Error).name}: ${(err as Error).message})`,
                detail: {},
                durationMs: 0,
              };
            } else if (!attempt.final) {
              return void retry.push(err); // the job runs again, with backoff
            } else {
              outcome = { status: 'error', reason: `${err.message} (after ${attempt.attempt} tries)`, detail: { network: true }, durationMs: err.durationMs };
            }
          }
          const finishedAt = this.deps.clock.now();
          const recorded = await recordProbeResult(this.deps, { id: job.incidentId, platform: owner.platform }, r.probeId, {
            runId: r.runId,
            ...outcome,
            startedAt,
            finishedAt,
          });
          this.logger.info(
            { incidentId: job.incidentId, probe: r.probeId, run: r.runId, status: outcome.status, durationMs: Math.round(outcome.durationMs), recorded },
            'probe finished',
          );
        }),
    );
    // Everything that could be recorded is; now say what was not, so the job runs again.
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    if (retry.length > 0) throw retry[0]!;
  }

  /** The job says which runbook and platform; a job queued before probe.runs is looked up. */
  private async owner(job: ProbeJob): Promise<{ runbookId: string; platform: string }> {
    if (job.runbookId && job.platform) return { runbookId: job.runbookId, platform: job.platform };
    const snap = await requireSnapshot(this.deps.store, job.incidentId);
    return snap.incident;
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
          const vars =
            def.as === 'app'
              ? 'BRAIFLOW_S3_ACCESS_KEY_ID and BRAIFLOW_S3_SECRET_ACCESS_KEY'
              : 'BRAIFLOW_S3_STANDARD_USER_ACCESS_KEY_ID and BRAIFLOW_S3_STANDARD_USER_SECRET_ACCESS_KEY';
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
