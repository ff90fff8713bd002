import { ANALYSIS_FIELDS, label, type AnalysisField, type Snapshot } from '../model';
import { ANALYSIS_WORDS, EMPTY_ANALYSIS, MAX_CATEGORY, missingAnalysis } from '../incident/analysis';
import { MAX_ANALYSIS_TEXT } from '../incident/text-limits';
import type { Text } from '../text/text';

/** How each part is named to people: in forms, refusals, the follow-up message and the export. */
export const ANALYSIS_LABELS: Record<AnalysisField, string> = {
  impactSummary: 'Impact',
  rootCause: 'Root cause',
  causeCategory: 'Cause category',
  contributingFactors: 'Contributing factors',
  wentWell: 'What went well',
  wentBadly: 'What went badly',
  lessons: 'Lessons',
};

/** The words `analysis <part> <text>` takes, for help and refusals. */
export const ANALYSIS_PARTS = ANALYSIS_FIELDS.map((f) => ANALYSIS_WORDS[f]).join(', ');

const HINTS: Record<AnalysisField, string> = {
  impactSummary: 'Who was affected, how, and for how long.',
  rootCause: 'What caused it, found by asking why until the answer is something you can change.',
  causeCategory: 'A short slug to count recurrence by, e.g. storage-keys-rotated; n/a when none fits. Leave empty when no cause was found.',
  contributingFactors: 'What made it worse or slower to fix.',
  wentWell: 'What helped: keep doing it.',
  wentBadly: 'What hurt: the action items should answer it.',
  lessons: 'What the team takes from it.',
};

export interface AnalysisFieldView {
  field: AnalysisField;
  label: string;
  hint: string;
  /** What is written now, to prefill the input; null when empty. */
  value: string | null;
  multiline: boolean;
  max: number;
}

/** The Edit analysis form: one input per part, prefilled, on every surface. */
export interface AnalysisFormView {
  incidentId: string;
  /** "INC-7 analysis": short, for a modal's title. */
  title: string;
  intro: string;
  fields: AnalysisFieldView[];
  submit: string;
}

export function analysisFormView(s: Snapshot): AnalysisFormView {
  const a = { ...EMPTY_ANALYSIS, ...s.postmortem?.analysis };
  return {
    incidentId: s.incident.id,
    title: `${label(s.incident)} analysis`,
    intro: `The post-mortem of ${label(s.incident)}: ${s.incident.title}. Write n/a in a part that does not apply; publishing needs every part.`,
    fields: ANALYSIS_FIELDS.map((f) => ({
      field: f,
      label: ANALYSIS_LABELS[f],
      hint: HINTS[f],
      value: a[f],
      multiline: f !== 'causeCategory',
      max: f === 'causeCategory' ? MAX_CATEGORY : MAX_ANALYSIS_TEXT,
    })),
    submit: 'Save',
  };
}

/** "Analysis missing: Root cause, Lessons", or that it is complete: under the post-mortem's line. */
export function analysisMissingLine(s: Snapshot): Text {
  const missing = missingAnalysis(s.postmortem?.analysis);
  if (missing.length === 0) return ['Analysis: every part written.'];
  return [`Analysis missing: ${missing.map((f) => ANALYSIS_LABELS[f]).join(', ')}.`];
}

/** What `analysis` answers: what is written, what is missing, and how to write the rest. */
export function analysisStatusText(s: Snapshot, changed?: boolean): Text {
  const name = label(s.incident);
  const pm = s.postmortem;
  if (!pm) return [`${name} has no post-mortem yet. Open one with `, { command: 'postmortem' }, '.'];
  const missing = missingAnalysis(pm.analysis);
  const head = changed === undefined ? '' : changed ? `Saved ${name}'s analysis. ` : `${name}'s analysis already said that. `;
  const out: Text = [head];
  if (missing.length === 0) out.push(`Every part of ${name}'s analysis is written.`);
  else
    out.push(
      `${name}'s analysis is missing: ${missing.map((f) => ANALYSIS_LABELS[f]).join(', ')}. Write a part with `,
      { command: 'analysis <part> <text>' },
      ` (parts: ${ANALYSIS_PARTS}), or n/a where it does not apply.`,
    );
  return out;
}
