import { dashboardPage } from './pages/dashboard';
import { incidentPage } from './pages/incident';
import { errorPage, type PageContext } from './pages/layout';
import { listPage } from './pages/list';
import { loginPage } from './pages/login';
import { runbookListPage, runbookPage } from './pages/runbook';
import { searchPage } from './pages/search';

/** Who is looking, and what every page's forms need. */
export type Viewer = PageContext;

/** The pages the console's routes render; one object, so the routes read as a table of pages. */
export const consolePages = { listPage, incidentPage, dashboardPage, runbookListPage, runbookPage, searchPage, loginPage, errorPage };

export type ConsolePages = typeof consolePages;
