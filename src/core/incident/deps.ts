import type { PlaybookCatalog } from '../playbook/catalog';
import type { Clock, IncidentStore } from '../ports';

export interface CoreDeps {
  store: IncidentStore;
  clock: Clock;
  catalog: PlaybookCatalog;
}
