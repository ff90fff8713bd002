import { wallNow, type Child } from './ipc';
import type { ApiArrival, ReplyArrival } from './protocol';

/**
 * The parent's view of what reached the fake Slack: how many incidents finished provisioning
 * (their "declared" reply is the provisioner's last step), what Slack refused, and when the
 * last request of any kind arrived, so a round starts only once the previous one has settled.
 */
export class SlackTraffic {
  declared = 0;
  lastDeclaredAt = 0;
  readonly declaredChannels: string[] = [];
  readonly refusals = new Map<string, number>();
  /** While set, chat.update arrivals with step buttons go here (to the load client). */
  relay: ((a: ApiArrival) => void) | null = null;
  /** While set, chat.postMessage arrivals that name an incident go here (to the load client). */
  posts: ((a: ApiArrival) => void) | null = null;
  private lastAt = wallNow();

  constructor(fake: Child) {
    fake.on('api', (a: ApiArrival) => {
      this.lastAt = Math.max(this.lastAt, a.at);
      if (!a.ok) {
        const key = `${a.method}: ${a.error}`;
        this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
      }
      if (this.relay && a.method === 'chat.update' && a.steps) this.relay(a);
      if (this.posts && a.method === 'chat.postMessage' && a.incident) this.posts(a);
    });
    fake.on('reply', (r: ReplyArrival) => {
      this.lastAt = Math.max(this.lastAt, r.at);
      if (!r.declared) return;
      this.declared++;
      this.lastDeclaredAt = r.at;
      if (r.channel) this.declaredChannels.push(r.channel);
    });
  }

  /** Waits until `check` holds and the fake Slack has heard nothing for `quietMs`. */
  async settle(check: () => boolean, what: string, timeoutMs: number, quietMs = 300): Promise<void> {
    const deadline = wallNow() + timeoutMs;
    while (!(check() && wallNow() - this.lastAt >= quietMs)) {
      if (wallNow() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
