/** Where an imported incident came from; also the value of `incidents.imported_from`. */
export type ImportSource = 'servicenow' | 'csv';

/** One past incident as a reader understood it, before the class map and the milestone checks. */
export interface PastIncident {
  externalId: string;
  /** The outside tool's category; the class map may turn it into a runbook class. */
  category: string;
  severity: number;
  title: string;
  declaredAt: Date;
  acknowledgedAt: Date | null;
  diagnosedAt: Date | null;
  resolvedAt: Date | null;
}

/** What a reader yields for each incident (or line) it gave up on, with the line to look at. */
export type ReadItem = { line: number; incident: PastIncident } | { line: number; skip: string };

export interface ReaderOptions {
  /** Called for every CSV record parsed, so progress shows while a reader is still gathering. */
  onRecord?: (line: number) => void;
}

/** The file is not what the command expects (no header, missing columns): nothing can be imported. */
export class ImportFileError extends Error {}
