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
  mtta_seconds: number | null;
  /** Diagnosed within the runbook standard's 15 minutes, out of every incident in the window. */
  diagnosed_within_15m_rate: number | null;
  /** Incidents that recur (same class resolved in the 30 days before), out of every incident. */
  recurrence_rate: number | null;
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
