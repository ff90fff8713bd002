import type { WebhookConfig } from './variables';
import { PermanentError } from '../core/errors';
import { answerError, readRefusal, refusalText, type Answer } from './answer';
import type { WebhookEvent } from './event';
import { genericRequest } from './generic';
import { pagerDutyRequest } from './pagerduty';
import { webhookVariable } from './variables';

export type { WebhookEvent } from './event';
export { verifyWebhookSignature } from './signature';

const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Calls the escalation webhooks of the configuration. Errors name the webhook and its host only:
 * the path or query of a URL may carry a token, and the secret never leaves this class.
 */
export class WebhookSender {
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(
    private readonly webhooks: Record<string, WebhookConfig>,
    opts: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetch = opts.fetch ?? fetch;
  }

  /**
   * Throws PermanentError for an unknown/unconfigured name or a 4xx other than 408/429; a plain
   * Error for network errors, timeouts and 5xx so the job retries; RetryLaterError(afterMs) for a
   * 429 with Retry-After.
   */
  async send(name: string, event: WebhookEvent): Promise<void> {
    const webhook = this.webhook(name);
    const what = `webhook ${name} (${new URL(webhook.url).host})`;
    const request = webhook.preset === 'pagerduty' ? pagerDutyRequest(webhook.secret, event) : genericRequest(webhook.secret, event, new Date());
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.timeoutMs);
    let answer: Answer;
    try {
      // identity: fetch inflates whatever it is sent, and a receiver's error page is not worth that risk.
      const headers = { ...request.headers, 'accept-encoding': 'identity' };
      const res = await this.fetch(webhook.url, { method: 'POST', headers, body: request.body, redirect: 'manual', signal: controller.signal });
      answer = { status: res.status, retryAfter: res.headers.get('retry-after'), text: '' };
      // A success's body says nothing we use; cancelling it frees the connection at once.
      if (res.ok) await res.body?.cancel();
      else answer.text = refusalText(await readRefusal(res), webhook.secret);
    } catch (err) {
      throw new Error(controller.signal.aborted ? `${what} did not answer within ${this.timeoutMs} ms` : `${what} could not be reached: ${networkCode(err)}`, {
        cause: err,
      });
    } finally {
      clearTimeout(timer);
    }
    const fix = `check ${webhookVariable(name, 'URL')} and ${webhookVariable(name, 'SECRET')}`;
    const problem = answerError(what, answer, fix);
    if (problem) throw problem;
  }

  private webhook(name: string): WebhookConfig {
    // Own properties only: a runbook naming webhook:constructor must not find Object's.
    const webhook = Object.hasOwn(this.webhooks, name) ? this.webhooks[name] : undefined;
    if (webhook) return webhook;
    throw new PermanentError(
      `webhook ${name} is not configured: add ${name} to ESCALATION_WEBHOOKS and set ${webhookVariable(name, 'URL')} and ${webhookVariable(name, 'SECRET')} ` +
        `(for PagerDuty, ${webhookVariable(name, 'PRESET')}=pagerduty and the integration key in ${webhookVariable(name, 'SECRET')})`,
    );
  }
}

/** fetch's own message is "fetch failed", and a malformed URL's would quote it: the cause's code says what happened. */
function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : (err as Error).name;
}
