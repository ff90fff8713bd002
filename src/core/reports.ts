/**
 * The KPI report's contract: what each figure means is documented in the README ("Reports") and
 * computed by the store in SQL. Durations are seconds; a figure without data is null.
 */
export interface ReportWindow {
  since: Date;
  until: Date;
}

export interface Figures {
  incidents: number;
  resolved: number;
  mttr_seconds: number | null;
  mttr_p50_seconds: number | null;
  mttr_p90_seconds: number | null;
  /** Declared → a responder's acknowledgement (button, command, the on-call declaring); working the incident is not one. */
  mtta_seconds: number | null;
  /**
   * Incidents no responder acknowledged, out of every incident in the window. PgReports always
   * fills it; optional only so figures built by hand need not invent one.
   */
  unacknowledged_rate?: number | null;
  /**
   * Time to detect: mean of impact start → declared, over the incidents whose impact start is known
   * (an alert's `startsAt`, an import). PgReports always fills it; optional like `unacknowledged_rate`.
   */
  mttd_seconds?: number | null;
  /**
   * Resolved with every quick validation check confirmed, out of the window's resolved incidents
   * that recorded their validation (an admin may resolve without it; incidents resolved before the
   * bot asked, imported ones and runbooks with no checks are left out). Null with none of them.
   * PgReports always fills it; optional like `unacknowledged_rate`.
   */
  validated_rate?: number | null;
  /** Diagnosed within the runbook standard's 15 minutes, out of every incident in the window. */
  diagnosed_within_15m_rate: number | null;
  /** Incidents that recur (same class resolved in the 30 days before), out of every incident. */
  recurrence_rate: number | null;
  /**
   * The clocks of issue 24 (README "Reports"). PgReports always fills them; optional like
   * `unacknowledged_rate`, so figures built by hand need not invent them.
   * MTTR from impact start: `resolved_at − impact_started_at` over the resolved incidents whose impact start is known.
   */
  mttr_from_impact_seconds?: number | null;
  mttr_from_impact_p50_seconds?: number | null;
  mttr_from_impact_p90_seconds?: number | null;
  /** `mitigated_at − declared_at` over the incidents with a mitigation recorded. */
  time_to_mitigate_seconds?: number | null;
  time_to_mitigate_p50_seconds?: number | null;
  time_to_mitigate_p90_seconds?: number | null;
  /** `diagnosed_at − declared_at` over the diagnosed incidents. */
  time_to_diagnose_seconds?: number | null;
  time_to_diagnose_p50_seconds?: number | null;
  time_to_diagnose_p90_seconds?: number | null;
  /**
   * Diagnosed within the incident's own diagnose_within (its runbook's, kept on the incident), out
   * of every incident in the window; undiagnosed ones count as not.
   */
  diagnosed_in_time_rate?: number | null;
  /** Incidents whose post-mortem names a cause category: the denominator of `recurrence_by_cause_rate`. */
  with_cause_category?: number;
  /**
   * Of those, the ones that recur by cause: an earlier incident whose post-mortem names the same
   * category was resolved in the 30 days before the declaration. Null with none.
   */
  recurrence_by_cause_rate?: number | null;
  /**
   * Post-mortems of the window's major incidents. PgReports always fills it; it is optional only so
   * figures built by hand (the README's digest picture) need not invent one. Text forms leave it out
   * when it is absent.
   */
  postmortems?: PostmortemFigures;
  /**
   * Incidents of the window closed as duplicates of another: like cancels, they are in no other
   * figure. PgReports fills it on the overall figures only.
   */
  duplicates?: number;
}

export type ClockFigure =
  | 'mttr_from_impact_seconds'
  | 'mttr_from_impact_p50_seconds'
  | 'mttr_from_impact_p90_seconds'
  | 'time_to_mitigate_seconds'
  | 'time_to_mitigate_p50_seconds'
  | 'time_to_mitigate_p90_seconds'
  | 'time_to_diagnose_seconds'
  | 'time_to_diagnose_p50_seconds'
  | 'time_to_diagnose_p90_seconds'
  | 'diagnosed_in_time_rate'
  | 'with_cause_category'
  | 'recurrence_by_cause_rate';

/** How the window's major incidents are followed up; the README's "Reports" defines each figure. */
export interface PostmortemFigures {
  /** Incidents of the window that are SEV1 or SEV2, or have a post-mortem (one opened by hand). */
  major: number;
  /** Those of them whose post-mortem is closed now. */
  closed: number;
  /** closed ÷ major; null with no major incident. */
  share: number | null;
  /** Mean of the post-mortem's `closed_at − resolved_at` over the closed ones; null with none. */
  mean_seconds_to_close: number | null;
}

export interface ClassFigures extends Figures {
  class: string;
  has_runbook: boolean;
}

export interface SeverityFigures extends Figures {
  severity: number;
}

export interface MttrReport {
  since: string;
  until: string;
  overall: Figures;
  classes: ClassFigures[];
  severities: SeverityFigures[];
  /** Incidents whose class has a runbook, out of all; null with no incidents. */
  runbook_coverage: number | null;
  /** The ten classes with the most incidents that have no runbook. */
  uncovered_top_classes: Array<{ class: string; incidents: number }>;
}

/** Reads the report for a window; `runbookClasses` are the classes the loaded runbooks cover. */
export interface Reports {
  mttr(window: ReportWindow, runbookClasses: string[]): Promise<MttrReport>;
}
