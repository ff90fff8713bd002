import type { RunbookCatalog } from '../runbook/catalog';
import type { Clock, IncidentStore } from '../ports';
import type { Reports } from '../reports';

export interface CoreDeps {
  store: IncidentStore;
  clock: Clock;
  catalog: RunbookCatalog;
  /** The KPI reports; absent where no surface asks for them (unit tests of decisions). */
  reports?: Reports;
}
