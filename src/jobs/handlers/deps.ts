import type { CoreDeps } from '../../core/incident/deps';
import type { ChatPlatform } from '../../core/ports';
import type { ProbeRunner } from '../../probes/runner';
import type { WebhookSender } from '../../webhooks/sender';
import type { OverdueReminders } from './actions-remind';
import type { WeeklyDigest } from './digest-weekly';

/** What the job handlers run on, made once by the runtime: each handler takes what it needs. */
export interface HandlerDeps {
  deps: CoreDeps;
  /** The chat platform of that name; throws a PermanentError when this process does not serve it. */
  platformOf: (name: string) => ChatPlatform;
  webhooks: WebhookSender;
  probes: ProbeRunner;
  reminders: OverdueReminders;
  /** One per configured digest channel; none leaves `digest.weekly` without a handler. */
  digests: WeeklyDigest[];
}
