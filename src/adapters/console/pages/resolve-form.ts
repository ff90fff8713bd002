import type { ResolveFormView } from '../../../core/render/validation';
import { RESOLUTION_MAX } from '../../../core/render/validation';
import { encodeAction } from '../../../core/text/actions';
import { html, type SafeHtml } from '../html';
import { csrfField, requestField, ROUTES } from './layout';

/** Marks the form among the posts to /console/click; app.ts reads the checks and the resolution with it. */
export const RESOLVE_FORM = 'resolve';
const CHECK_FIELD = /^check-(\d{1,3})$/;

/**
 * The header's Resolve on the console: a checkbox per quick validation check and the resolution,
 * posted like a click. It stays folded until opened, so the header reads as before.
 */
export function resolveFormHtml(v: ResolveFormView, csrf: string): SafeHtml {
  return html`<details class="resolve-form">
<summary class="btn btn-danger">Resolve…</summary>
<form method="post" action="${ROUTES.click}">
${csrfField(csrf)}${requestField()}
<input type="hidden" name="payload" value="${encodeAction({ a: 'resolve', i: v.incidentId })}">
<input type="hidden" name="form" value="${RESOLVE_FORM}">
<p>${v.intro}</p>
${
  v.checks.length > 0
    ? html`<fieldset><legend>Quick validation</legend>${v.checks.map(
        (c) => html`<p><label><input type="checkbox" name="${`check-${c.number}`}" value="true"> ${c.number}. ${c.text}</label></p>`,
      )}</fieldset>`
    : ''
}
${v.rerun ? html`<p class="rerun">${v.rerun}</p>` : ''}
<label for="resolution-text">${v.summaryLabel}</label>
<textarea id="resolution-text" name="resolution" maxlength="${String(RESOLUTION_MAX)}" rows="3" placeholder="${v.summaryHint}"></textarea>
<button type="submit" class="btn btn-danger">${v.submit}</button>
</form>
</details>`;
}

/** The ticked checks and the resolution of a posted resolve form; null for any other post. */
export function readResolveFormFields(form: Record<string, string>): { confirmed: number[]; summary?: string } | null {
  if (form.form !== RESOLVE_FORM) return null;
  const confirmed = Object.entries(form)
    .map(([k, v]) => (v === 'true' ? Number(CHECK_FIELD.exec(k)?.[1] ?? 0) : 0))
    .filter((n) => n > 0)
    .sort((a, b) => a - b);
  const summary = form.resolution?.trim();
  return { confirmed, ...(summary ? { summary } : {}) };
}
