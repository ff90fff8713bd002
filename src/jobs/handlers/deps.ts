import type { CoreDeps } from '../../core/incident/deps';
import type { ChatPlatform } from '../../core/ports';
import type { ProbeRunner } from '../../probes/runner';
import type { WebhookSender } from '../../webhooks/sender';

/** What the job handlers run on, made once by the runtime: each handler takes what it needs. */
export interface HandlerDeps {
  deps: CoreDeps;
  /** The chat platform of that name; throws a PermanentError when this process does not serve it. */
  platformOf: (name: string) => ChatPlatform;
  webhooks: WebhookSender;
  /** Runs a job now that waits out a retry backoff (JobQueues.promote). */
  promote: (kind: string, dedupeKey: string) => Promise<void>;
  probes: ProbeRunner;
  /** The daily reminder (actions-remind.ts); named by what it does, so the handler files need not import each other. */
  reminders: { run(): Promise<unknown> };
  /** One per configured digest channel (digest-weekly.ts); none leaves `digest.weekly` without a handler. */
  digests: Array<{ run(): Promise<unknown> }>;
}
