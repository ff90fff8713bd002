import { label, type Incident } from '../../../core/model';
import { duration } from '../../../core/render/digest-text';
import { statusWord } from '../../../core/render/views';
import { html, type SafeHtml } from '../html';
import { COMMAND_PREFIX, personHtml, timeHtml, type Names, type TextLinks } from '../text';
import { commandForm, flashHtml, layout, ROUTES, type Flash, type PageContext } from './layout';
import { unroutedSection, type UnroutedAlertView } from './unrouted';

export interface ListPageInput extends PageContext {
  /** Open incidents, in any order: shown most severe first. */
  open: Incident[];
  /** Incidents that ended lately, in any order: shown latest ended first. */
  recent: Incident[];
  flash?: Flash | null;
  /** Firing alerts no runbook routed, waiting for someone to choose their runbook. */
  unrouted?: readonly UnroutedAlertView[];
  /** The runbooks a declaration can name. */
  runbooks: Array<{ id: string; title: string }>;
  /** Display names, for people a flash message names. */
  names?: Names;
  links?: TextLinks;
}

/** The console's front page: the command box, unrouted alerts to declare, the open incidents, the ones that ended lately. */
export function listPage(input: ListPageInput): string {
  const open = [...input.open].sort(bySeverity);
  const recent = [...input.recent].sort((a, b) => endedAt(b) - endedAt(a) || b.number - a.number);
  const names: Names = input.names ?? (() => null);
  const body = html`<h1>Incidents</h1>
${flashHtml(input.flash, input.names, input.links)}
<section class="panel" aria-labelledby="declare-heading">
<h2 id="declare-heading">Declare or ask</h2>
${commandForm({ csrf: input.csrf, autofocus: true, help: runbookHelp(input.runbooks) })}
</section>
${unroutedSection(input.unrouted ?? [], input.runbooks, input.csrf)}
<section class="panel" aria-labelledby="open-heading">
<h2 id="open-heading">Open incidents <span class="count">(${open.length})</span></h2>
${open.length === 0 ? html`<p class="empty">No open incidents. All quiet.</p>` : openTable(open, names)}
</section>
<section class="panel" aria-labelledby="recent-heading">
<h2 id="recent-heading">Ended lately</h2>
${recent.length === 0 ? html`<p class="empty">Nothing ended lately.</p>` : recentTable(recent, names)}
</section>`;
  return layout({ ...input, title: 'Incidents', nav: 'incidents', body });
}

function runbookHelp(runbooks: Array<{ id: string; title: string }>): SafeHtml {
  const list = [...runbooks].sort((a, b) => a.id.localeCompare(b.id));
  return html`Declare with <code>${COMMAND_PREFIX} &lt;runbook&gt; &lt;what is wrong&gt;</code>; <code>${COMMAND_PREFIX} help</code> lists every command.${
    list.length > 0
      ? html` Runbooks: ${list.map((r, i) => html`${i > 0 ? ', ' : ''}<a href="${ROUTES.runbook(r.id)}"><code>${r.id}</code></a> (${r.title})`)}.`
      : html` No runbooks are loaded.`
  }`;
}

function sev(i: Incident): SafeHtml {
  const n = Number.isInteger(i.severity) && i.severity >= 1 && i.severity <= 4 ? i.severity : 0;
  return html`<span class="sev sev-${n}">SEV${i.severity}</span>`;
}

function status(i: Incident): SafeHtml {
  return html`<span class="status status-${i.status}">${statusWord(i.status)}</span>`;
}

function incidentLink(i: Incident): SafeHtml {
  return html`<a href="${ROUTES.incident(i.number)}">${label(i)}</a>`;
}

/** The same facts the announce channel shows for an incident: severity, status, commander, the way in. */
function commander(i: Incident, names: Names): SafeHtml {
  return i.commander ? personHtml(i.commander, names) : html`<span class="empty">nobody yet</span>`;
}

function openTable(open: Incident[], names: Names): SafeHtml {
  return html`<div class="table-wrap"><table class="incidents">
<thead><tr><th scope="col">Incident</th><th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Status</th><th scope="col">Commander</th><th scope="col">Declared</th></tr></thead>
<tbody>${open.map(
    (i) =>
      html`<tr><th scope="row">${incidentLink(i)}</th><td>${i.title}</td><td>${sev(i)}</td><td>${status(i)}</td><td>${commander(i, names)}</td><td>${timeHtml(i.declaredAt, true)}</td></tr>`,
  )}</tbody>
</table></div>`;
}

function recentTable(recent: Incident[], names: Names): SafeHtml {
  return html`<div class="table-wrap"><table class="incidents">
<thead><tr><th scope="col">Incident</th><th scope="col">Title</th><th scope="col">Severity</th><th scope="col">Outcome</th><th scope="col">Commander</th><th scope="col">Ended</th><th scope="col">Lasted</th></tr></thead>
<tbody>${recent.map((i) => {
    const end = i.resolvedAt ?? i.cancelledAt;
    const lasted = end ? duration(Math.max(0, end.getTime() - i.declaredAt.getTime()) / 1000) : '—';
    return html`<tr><th scope="row">${incidentLink(i)}</th><td>${i.title}</td><td>${sev(i)}</td><td>${status(i)}</td><td>${commander(i, names)}</td><td>${timeHtml(end, true)}</td><td>${lasted}</td></tr>`;
  })}</tbody>
</table></div>`;
}

/** SEV1 first; among equals the newest first (as the App Home orders them). */
function bySeverity(a: Incident, b: Incident): number {
  return a.severity - b.severity || b.declaredAt.getTime() - a.declaredAt.getTime() || b.number - a.number;
}

function endedAt(i: Incident): number {
  return (i.resolvedAt ?? i.cancelledAt ?? i.declaredAt).getTime();
}
