import type { RunbookCatalog } from '../runbook/catalog';
import type { Clock, IncidentStore } from '../ports';

export interface CoreDeps {
  store: IncidentStore;
  clock: Clock;
  catalog: RunbookCatalog;
}
