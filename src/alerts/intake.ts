import { declareIncident } from '../core/incident/declare-incident';
import { recordAlertRepeated, recordAlertResolved } from '../core/incident/alert-notices';
import type { CoreDeps } from '../core/incident/deps';
import { ALERT_ACTOR_PREFIX, label } from '../core/model';
import { unroutedAlertText } from '../core/render/notices';
import { routeAlert, severityLabel } from '../core/runbook/alert-routes';
import { UserError } from '../core/errors';
import type { Snapshot } from '../core/model';
import type { Text } from '../core/text/text';
import type { AlertStore } from '../store/alerts';
import type { Logger } from '../util/logger';
import type { IncomingAlert } from './payload';

export type AlertOutcome = 'declared' | 'repeated' | 'resolved' | 'resolved_nothing_open' | 'unrouted';

/**
 * Posts the offer of an unrouted alert once, with a way to declare it as each of `runbooks`: `key`
 * finds it again after a crash mid-post.
 */
export type UnroutedOffer = (key: string, text: Text, alert: Pick<IncomingAlert, 'source' | 'fingerprint'>, runbooks: string[]) => Promise<void>;

/**
 * What an alert does. Firing and routed: declares on the target platform (one open incident per source and
 * fingerprint: the declare's request key carries the fingerprint's generation, so retries and a
 * second bot find the same incident); firing again: counted; resolved: said once in the room, never
 * resolved by itself; routed nowhere: stored, logged, and offered once where `offer` posts.
 */
export class AlertIntake {
  constructor(
    private readonly deps: CoreDeps,
    private readonly alerts: AlertStore,
    /**
     * The chat platform alerts declare on (Slack, else Teams, else the console) and the workspace its
     * incidents carry there (the console's; null where it is only known from a request); null: none can.
     */
    private readonly target: { platform: string; workspace: string | null } | null,
    private readonly offer: UnroutedOffer | null,
    private readonly logger: Logger,
  ) {}

  async receive(a: IncomingAlert): Promise<{ outcome: AlertOutcome; incident?: string }> {
    const log = this.logger.child({ alertSource: a.source, fingerprint: a.fingerprint });
    const row = await this.alerts.get(a.source, a.fingerprint);
    const open = row?.incidentOpen && row.incidentId ? row.incidentId : null;
    if (a.status === 'resolved') {
      if (!open) {
        if (row) await this.alerts.setStatus(a.source, a.fingerprint, 'resolved');
        return { outcome: 'resolved_nothing_open' };
      }
      await this.alerts.setStatus(a.source, a.fingerprint, 'resolved');
      await recordAlertResolved(this.deps, open, { source: a.source, fingerprint: a.fingerprint, endsAt: a.endsAt });
      return { outcome: 'resolved', incident: open };
    }
    if (open) {
      await this.alerts.repeated(a.source, a.fingerprint);
      await recordAlertRepeated(this.deps, open, a.source);
      return { outcome: 'repeated', incident: open };
    }
    const routing = routeAlert(this.deps.catalog.all, a.labels);
    if (!routing || !this.target) {
      await this.unrouted(a, log, routing ? 'no chat platform to declare on' : 'no runbook routes it');
      return { outcome: 'unrouted' };
    }
    const generation = (row?.generation ?? 0) + 1;
    const { snapshot, created } = await declareIncident(this.deps, {
      runbook: routing.runbook.id,
      summary: a.title,
      actor: { id: `${ALERT_ACTOR_PREFIX}${a.source}` },
      platform: this.target.platform,
      workspace: this.target.workspace,
      requestKey: `alert:${a.source}:${a.fingerprint}:${generation}`,
      alert: { source: a.source, fingerprint: a.fingerprint, labels: a.labels, url: a.url, startsAt: a.startsAt, severity: routing.severity },
    });
    await this.alerts.opened(a.source, a.fingerprint, generation, snapshot.incident.id, facts(a));
    if (created) log.info({ incidentId: snapshot.incident.id, runbook: routing.runbook.id }, `alert declared ${label(snapshot.incident)}`);
    return { outcome: created ? 'declared' : 'repeated', incident: snapshot.incident.id };
  }

  /**
   * Someone chose the runbook of an unrouted alert (its offer's button): declared by them, on
   * `platform` (in `workspace`, where the click came from, so the incident's own buttons work there),
   * with the alert's facts. The fingerprint's request key makes a second click, or a second person's,
   * find the same incident; an alert whose incident is open already answers with it.
   */
  async declareAs(
    source: IncomingAlert['source'],
    fingerprint: string,
    runbook: string,
    actor: string,
    platform: string,
    replyTo?: Record<string, unknown>,
    workspace: string | null = null,
  ): Promise<{ incident: Snapshot['incident']; created: boolean }> {
    const row = await this.alerts.get(source, fingerprint);
    if (!row) throw new UserError({ code: 'stale_button' });
    if (row.incidentOpen && row.incidentId) {
      const open = await this.deps.store.get(row.incidentId);
      if (open) return { incident: open.incident, created: false };
    }
    const generation = row.generation + 1;
    const f = row.facts;
    const { snapshot, created } = await declareIncident(this.deps, {
      runbook,
      summary: f.title,
      actor: { id: actor },
      platform,
      workspace,
      replyTo,
      requestKey: `alert:${source}:${fingerprint}:${generation}`,
      alert: { source, fingerprint, labels: f.labels, url: f.url, startsAt: f.startsAt, severity: severityLabel(f.labels.severity) },
    });
    await this.alerts.opened(source, fingerprint, generation, snapshot.incident.id, f);
    return { incident: snapshot.incident, created };
  }

  private async unrouted(a: IncomingAlert, log: Logger, why: string): Promise<void> {
    const row = await this.alerts.unrouted(a.source, a.fingerprint, facts(a));
    if (row.unroutedPostedAt) return;
    log.warn({ labels: a.labels, title: a.title }, `alert not declared: ${why}`);
    if (!this.offer || !(await this.alerts.claimOffer(a.source, a.fingerprint))) return;
    const runbooks = this.deps.catalog.all.map((r) => r.id);
    const text = unroutedAlertText({ source: a.source, title: a.title, labels: a.labels, url: a.url, runbooks });
    try {
      // The generation tells a fresh offer (its incident ended) from the one posted before it.
      await this.offer(`alert:${a.source}:${a.fingerprint}:${row.generation}`, text, a, runbooks);
    } catch (err) {
      // Alertmanager sends it again: the next notification offers it then.
      await this.alerts.releaseOffer(a.source, a.fingerprint).catch(() => undefined);
      log.warn({ err }, 'could not offer the unrouted alert in chat');
    }
  }
}

function facts(a: IncomingAlert) {
  return { title: a.title, labels: a.labels, url: a.url, startsAt: a.startsAt, status: a.status };
}
