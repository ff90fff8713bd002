import { encodeAlertChoice } from '../../../core/text/alert-offer';
import { html, httpUrl, type SafeHtml } from '../html';
import { timeHtml } from '../text';
import { csrfField, requestField, ROUTES } from './layout';

/** A firing alert no runbook routed and nobody declared yet. Its title and labels are the sender's: hostile. */
export interface UnroutedAlertView {
  source: 'alertmanager' | 'generic';
  fingerprint: string;
  title: string;
  labels: Record<string, string>;
  url: string | null;
  receivedAt: Date;
}

/**
 * The console's offer of unrouted alerts, as Slack and Teams post theirs: each with a form per
 * runbook, so a person decides. Nothing when there are none: an empty panel would only be noise.
 */
export function unroutedSection(alerts: readonly UnroutedAlertView[], runbooks: ReadonlyArray<{ id: string }>, csrf: string): SafeHtml | '' {
  if (alerts.length === 0) return '';
  return html`<section class="panel" aria-labelledby="unrouted-heading">
<h2 id="unrouted-heading">Unrouted alerts <span class="count">(${alerts.length})</span></h2>
<p class="help">No runbook's <code>alerts:</code> route matches these. Declare each as the runbook that fits; add a route to that runbook so the next one declares itself.</p>
<ul class="unrouted">${alerts.map((a) => alertItem(a, runbooks, csrf))}</ul>
</section>`;
}

function alertItem(a: UnroutedAlertView, runbooks: ReadonlyArray<{ id: string }>, csrf: string): SafeHtml {
  const labels = Object.entries(a.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const link = a.url ? httpUrl(a.url) : null;
  return html`<li>
<p><strong>${a.title}</strong>${labels ? html` <span class="labels">(${labels})</span>` : ''} · from ${a.source} · last fired ${timeHtml(a.receivedAt, true)}${
    link ? html` · <a href="${link}" rel="noopener noreferrer" target="_blank">source</a>` : ''
  }</p>
<div class="actions" role="group" aria-label="Declare this alert as">${runbooks.map((r) => declareForm(a, r.id, csrf))}</div>
</li>`;
}

function declareForm(a: UnroutedAlertView, runbook: string, csrf: string): SafeHtml {
  const choice = encodeAlertChoice({ source: a.source, fingerprint: a.fingerprint, runbook });
  return html`<form class="action" method="post" action="${ROUTES.declareAlert}">${csrfField(csrf)}${requestField()}<input type="hidden" name="choice" value="${choice}"><button type="submit" class="btn">Declare as ${runbook}</button></form>`;
}
