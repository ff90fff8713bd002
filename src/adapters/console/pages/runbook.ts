import { markupOf } from '../../../core/runbook/markup';
import { validationChecks, type Runbook } from '../../../core/runbook/schema';
import type { ChecklistView } from '../../../core/render/views';
import { html, type SafeHtml } from '../html';
import { COMMAND_PREFIX, linkHtml, markupHtml } from '../text';
import { checklistHtml } from './incident';
import { layout, ROUTES, type PageContext } from './layout';

export interface RunbookListPageInput extends PageContext {
  /** The loaded runbooks; `problems` is how many `runbooks check` reports for one, where known. */
  runbooks: Array<{ id: string; title: string; problems?: number }>;
}

export interface RunbookPageInput extends PageContext {
  id: string;
  /** Null when it failed to load: the page then shows its problems alone. */
  runbook: Runbook | null;
  /** What `runbooks check` says about it, one line each. */
  problems: string[];
  /** Its checklist at declaration (a preview incident's checklistView), or null. */
  checklist: ChecklistView | null;
}

export function runbookListPage(input: RunbookListPageInput): string {
  const list = [...input.runbooks].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const body = html`<h1>Runbooks</h1>
<p class="lead">Each runbook becomes an incident's checklist. Declare with <code>${COMMAND_PREFIX} &lt;runbook&gt; &lt;what is wrong&gt;</code>.</p>
${
  list.length === 0
    ? html`<p class="empty">No runbooks are loaded.</p>`
    : html`<div class="table-wrap"><table class="runbooks">
<thead><tr><th scope="col">Runbook</th><th scope="col">Title</th>${list.some((r) => r.problems !== undefined) ? html`<th scope="col">Check</th>` : ''}</tr></thead>
<tbody>${list.map(
        (r) =>
          html`<tr><th scope="row"><a href="${ROUTES.runbook(r.id)}"><code>${r.id}</code></a></th><td>${r.title}</td>${
            r.problems === undefined ? '' : html`<td>${problemCount(r.problems)}</td>`
          }</tr>`,
      )}</tbody>
</table></div>`
}`;
  return layout({ ...input, title: 'Runbooks', nav: 'runbooks', body });
}

function problemCount(n: number): SafeHtml {
  return n === 0 ? html`<span class="ok-text">No problems</span>` : html`<span class="problem-text">${n} problem${n === 1 ? '' : 's'}</span>`;
}

/**
 * A runbook as its incidents will see it: the problems `runbooks check` finds first, in an alert
 * box, then what it is and its checklist as declared (buttons shown, not acting), its checks, the
 * on-call ladder, how to validate the fix and its edge cases.
 */
export function runbookPage(input: RunbookPageInput): string {
  const runbook = input.runbook;
  const title = runbook ? `Runbook ${runbook.id}` : `Runbook ${input.id}`;
  const body = html`<p class="breadcrumb"><a href="${ROUTES.runbooks}">Runbooks</a> › <code>${input.id}</code></p>
<h1>${runbook ? html`${runbook.title} <span class="id">(<code>${runbook.id}</code>)</span>` : html`Runbook <code>${input.id}</code>`}</h1>
${problemsHtml(input.problems, runbook === null)}
${runbook ? runbookHtml(runbook, input.checklist) : ''}`;
  return layout({ ...input, title, nav: 'runbooks', body });
}

function problemsHtml(problems: string[], failed: boolean): SafeHtml | '' {
  if (problems.length === 0) {
    return failed
      ? html`<div class="alert" role="alert"><h2>This runbook did not load</h2><p>No problem was reported for it; check the file name and its <code>id</code>.</p></div>`
      : '';
  }
  return html`<div class="alert" role="alert">
<h2>${failed ? 'This runbook did not load' : html`<code>runbooks check</code> finds ${problems.length} problem${problems.length === 1 ? '' : 's'}`}</h2>
<ul class="problems">${problems.map((p) => html`<li>${p}</li>`)}</ul>
</div>`;
}

function runbookHtml(runbook: Runbook, checklist: ChecklistView | null): SafeHtml {
  return html`<section class="panel" aria-labelledby="about-heading">
<h2 id="about-heading">About</h2>
<div class="summary">${markupHtml(markupOf(runbook.summary))}</div>
<dl class="fields">
<div class="field"><dt>Class</dt><dd><code>${runbook.class}</code></dd></div>
<div class="field"><dt>Severity</dt><dd>SEV${runbook.severity} when declared</dd></div>
<div class="field"><dt>Owner</dt><dd>${runbook.owner}</dd></div>
${runbook.aliases.length > 0 ? html`<div class="field"><dt>Also called</dt><dd>${runbook.aliases.map((a, i) => html`${i > 0 ? ', ' : ''}<code>${a}</code>`)}</dd></div>` : ''}
<div class="field"><dt>Diagnose within</dt><dd>${runbook.diagnose_within}</dd></div>
<div class="field"><dt>Paging</dt><dd>SEV${runbook.page_at_severity} or worse pages level 1; less severe incidents start at level 2</dd></div>
<div class="field"><dt>Post-mortem</dt><dd>at SEV${runbook.postmortem_at_severity} or worse, due ${runbook.postmortem_due_days} business days after resolution</dd></div>
</dl>
${runbook.links.length > 0 ? html`<ul class="links" aria-label="Links">${runbook.links.map((l) => html`<li>${linkHtml(l.url, l.title)}</li>`)}</ul>` : ''}
</section>
${checklist ? html`<div class="preview"><p class="help">The checklist as an incident declared now shows it; its buttons act on incidents only.</p>${checklistHtml(checklist, () => null, { csrf: null })}</div>` : ''}
${
  runbook.probes.length > 0
    ? html`<section class="panel" aria-labelledby="probes-heading"><h2 id="probes-heading">Checks</h2><ul class="checks">${runbook.probes.map(
        (p) => html`<li><span class="probe-title">${p.title}</span> <code>${p.id}</code> · ${p.kind}${p.auto ? ', runs at declaration' : ', on request'}</li>`,
      )}</ul></section>`
    : ''
}
<section class="panel" aria-labelledby="ladder-heading"><h2 id="ladder-heading">On-call ladder</h2>${
    runbook.escalation.length === 0
      ? html`<p class="empty">No levels.</p>`
      : html`<ol class="ladder">${runbook.escalation.map((l) => html`<li>After ${l.after} without acknowledgement: ${l.notify.map((t, i) => html`${i > 0 ? ', ' : ''}<code>${t}</code>`)}</li>`)}</ol>`
  }</section>
${runbook.quick_validation.length > 0 ? html`<section class="panel" aria-labelledby="validation-heading"><h2 id="validation-heading">Quick validation</h2><p>Asked for when the incident is resolved.</p><ol>${validationChecks(runbook).map((c) => html`<li>${c.text}${c.probes.length > 0 ? html` <span class="check-probes">(runs ${c.probes.join(', ')} again)</span>` : ''}</li>`)}</ol></section>` : ''}
${
  runbook.edge_cases.length > 0
    ? html`<section class="panel" aria-labelledby="edge-heading"><h2 id="edge-heading">Edge cases</h2><ol class="edge-cases">${runbook.edge_cases.map(
        (c) =>
          html`<li><div class="edge-case">${markupHtml(markupOf(c.case))}</div><div class="fallback"><strong>Fallback:</strong> ${markupHtml(markupOf(c.fallback))}</div></li>`,
      )}</ol></section>`
    : ''
}`;
}
