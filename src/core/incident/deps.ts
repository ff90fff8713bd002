import type { RunbookCatalog } from '../runbook/catalog';
import type { Clock, IncidentStore } from '../ports';
import type { Reports } from '../reports';
import type { IncidentSearch } from '../search';

export interface CoreDeps {
  store: IncidentStore;
  clock: Clock;
  catalog: RunbookCatalog;
  /** The team's time zone (IANA, TEAM_TZ): the day "today", "due" and "overdue" are counted in. */
  tz: string;
  /** The KPI reports; absent where no surface asks for them (unit tests of decisions). */
  reports?: Reports;
  /** Past incidents by class and words; absent where nothing asks (unit tests of decisions). */
  search?: IncidentSearch;
}
