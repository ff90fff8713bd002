import { ANALYSIS_FIELDS, type AnalysisField } from '../../../core/model';
import type { AnalysisFormView } from '../../../core/render/analysis';
import { encodeAction } from '../../../core/text/actions';
import { html, type SafeHtml } from '../html';
import { csrfField, requestField, ROUTES } from './layout';

/** Marks the form among the posts to /console/click; app.ts reads the parts with it. */
export const ANALYSIS_FORM = 'analysis';

/**
 * The follow-up's Edit analysis on the console: a textarea per part, prefilled, posted like a
 * click (same CSRF token, Origin check and request id). Folded until opened.
 */
export function analysisFormHtml(v: AnalysisFormView, csrf: string): SafeHtml {
  return html`<details class="analysis-form">
<summary class="btn">Edit analysis…</summary>
<form method="post" action="${ROUTES.click}">
${csrfField(csrf)}${requestField()}
<input type="hidden" name="payload" value="${encodeAction({ a: 'analysis', i: v.incidentId })}">
<input type="hidden" name="form" value="${ANALYSIS_FORM}">
<p>${v.intro}</p>
${v.fields.map((f) => {
  const id = `analysis-${f.field}`;
  return html`<p><label for="${id}">${f.label}</label> <span class="hint">${f.hint}</span><br>${
    f.multiline
      ? html`<textarea id="${id}" name="${f.field}" maxlength="${String(f.max)}" rows="3">${f.value ?? ''}</textarea>`
      : html`<input id="${id}" name="${f.field}" maxlength="${String(f.max)}" value="${f.value ?? ''}">`
  }</p>`;
})}
<button type="submit" class="btn btn-primary">${v.submit}</button>
</form>
</details>`;
}

/** The parts of a posted analysis form (an emptied one clears its part); null for any other post. */
export function readAnalysisFormFields(form: Record<string, string>): Partial<Record<AnalysisField, string | null>> | null {
  if (form.form !== ANALYSIS_FORM) return null;
  const out: Partial<Record<AnalysisField, string | null>> = {};
  for (const f of ANALYSIS_FIELDS) if (typeof form[f] === 'string') out[f] = form[f].trim() || null;
  return out;
}
