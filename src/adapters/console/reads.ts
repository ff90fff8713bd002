import path from 'node:path';
import type { CoreDeps } from '../../core/incident/deps';
import type { Incident, Snapshot } from '../../core/model';
import type { MttrReport } from '../../core/reports';
import { followUpView } from '../../core/render/follow-up';
import { checklistView, checklistViews, headerView } from '../../core/render/views';
import { RunbookFileCache } from '../../core/runbook/file-cache';
import { checkRunbooks, formatProblem } from '../../core/runbook/loader';
import type { Runbook } from '../../core/runbook/schema';
import type { UndeclaredAlert } from '../../store/alerts';
import type { ConsoleIncidentReads } from '../../store/console-reads';
import type { ConsoleMessages } from '../../store/console-messages';
import { CONSOLE_PLATFORM, CONSOLE_WORKSPACE } from './platform';
import { UserError } from '../../core/errors';
import { problemText } from '../../core/render/replies';
import { searchResultsText } from '../../core/render/past-incidents';
import { SEARCH_RESULTS_MAX, searchQuery } from '../../core/search';
import type { Text } from '../../core/text/text';
import { timelineEntries } from './pages/incident';

/** Weeks of history the dashboard charts: a quarter, one report per week. */
const WEEKS = 12;
const WEEK_MS = 7 * 86_400_000;

/** The stored state each console page shows, read fresh for every request. */
export function consoleReads(
  store: ConsoleIncidentReads,
  deps: CoreDeps,
  messages: ConsoleMessages,
  runbooksDir: string,
  names: (id: string) => string | null,
) {
  const classes = () => deps.catalog.coveredClasses();
  const runbookFiles = new RunbookFileCache();
  return {
    async list() {
      const [incidents, unrouted]: [Incident[], UndeclaredAlert[]] = await Promise.all([store.listed(CONSOLE_PLATFORM), store.undeclaredAlerts()]);
      return {
        open: incidents.filter((i) => i.status !== 'resolved' && i.status !== 'cancelled'),
        recent: incidents.filter((i) => i.status === 'resolved' || i.status === 'cancelled'),
        unrouted,
        runbooks: deps.catalog.all.map((r) => ({ id: r.id, title: r.title })),
        names,
      };
    },

    async incident(number: number) {
      const snapshot: Snapshot | null = await deps.store.findByNumber(CONSOLE_PLATFORM, CONSOLE_WORKSPACE, number);
      if (!snapshot) return null;
      const runbook = deps.catalog.forIncident(snapshot.incident.runbookId);
      const now = deps.clock.now();
      const [events, said] = await Promise.all([deps.store.timeline(snapshot.incident.id), messages.of(snapshot.incident.id)]);
      return {
        snapshot,
        header: headerView(snapshot, runbook, deps.catalog),
        checklist: checklistView(snapshot, runbook),
        // Checklists a switch of runbook replaced, newest first, read-only under the current one.
        replacedChecklists: checklistViews(snapshot, deps.catalog)
          .slice(0, -1)
          .map((c) => c.view)
          .reverse(),
        followUp: followUpView(snapshot, runbook, now, deps.tz),
        timeline: timelineEntries(snapshot, runbook, events),
        messages: said,
        names,
      };
    },

    /** A console incident's number by its id, for links to past incidents; null for another platform's. */
    async numberOf(incidentId: string): Promise<number | null> {
      const snap = await deps.store.get(incidentId);
      return snap && snap.incident.platform === CONSOLE_PLATFORM ? snap.incident.number : null;
    },

    /** The search page's answer: null before anything was asked; hostile or empty words get a sentence, never an error. */
    async search(q: string | null): Promise<{ query: string; answer: Text | null; names: typeof names }> {
      if (q === null) return { query: '', answer: null, names };
      if (!deps.search) throw new Error('search is not wired in this process');
      try {
        const query = searchQuery(q);
        const answer = await deps.search.search({ platform: CONSOLE_PLATFORM, workspace: CONSOLE_WORKSPACE }, query, SEARCH_RESULTS_MAX);
        return { query: q, answer: searchResultsText(query, answer, CONSOLE_PLATFORM, SEARCH_RESULTS_MAX), names };
      } catch (err) {
        if (err instanceof UserError) return { query: q, answer: problemText(err.problem), names };
        throw err;
      }
    },

    async version(incidentId: string): Promise<number | null> {
      return (await deps.store.get(incidentId))?.incident.version ?? null;
    },

    /** Every figure from the report code: the last 30 days, and each of the last weeks for the charts. */
    async dashboard(): Promise<{
      weeks: Array<{ start: Date; report: MttrReport }>;
      last30: MttrReport;
      followUps: { postmortemsOpen: number; itemsOpen: number; itemsOverdue: number };
    }> {
      if (!deps.reports) throw new Error('reports are not wired in this process');
      const reports = deps.reports;
      const now = deps.clock.now();
      const starts = Array.from({ length: WEEKS }, (_, i) => new Date(now.getTime() - (WEEKS - i) * WEEK_MS));
      const [weeks, last30, follow] = await Promise.all([
        Promise.all(
          starts.map(async (start) => ({ start, report: await reports.mttr({ since: start, until: new Date(start.getTime() + WEEK_MS) }, classes()) })),
        ),
        reports.mttr({ since: new Date(now.getTime() - 30 * 86_400_000), until: now }, classes()),
        store.followUps(now, deps.tz),
      ]);
      return {
        weeks,
        last30,
        followUps: { postmortemsOpen: follow.postmortemsOpen, itemsOpen: follow.actionItemsOpen, itemsOverdue: follow.actionItemsOverdue },
      };
    },

    runbooks() {
      return { runbooks: deps.catalog.all.map((r) => ({ id: r.id, title: r.title })) };
    },

    /** A runbook as its checklist will look, as it is on disk now (a file is parsed again once it changes), with `runbooks check`'s problems. */
    runbook(id: string) {
      const checked = checkRunbooks(runbooksDir, runbookFiles);
      const runbook: Runbook | null = checked.runbooks.find((r) => r.id === id) ?? null;
      // Files are named by runbook id (pdf-404.yaml): its problems are those of its file.
      const problems = checked.problems.filter((p) => path.basename(p.file).replace(/\.ya?ml$/, '') === id).map(formatProblem);
      const checklist = runbook ? { ...checklistView(previewSnapshot(runbook, deps.clock.now()), runbook), heading: `Preview: ${runbook.title}` } : null;
      return { id, runbook, problems, checklist };
    },
  };
}

/** A fresh incident of the runbook, nothing done yet: what the checklist looks like at declaration. */
function previewSnapshot(runbook: Runbook, now: Date): Snapshot {
  return {
    incident: {
      id: '00000000-0000-4000-8000-000000000000',
      number: 0,
      runbookId: runbook.id,
      class: runbook.class,
      title: `${runbook.title} (preview)`,
      severity: runbook.severity,
      status: 'declared',
      platform: CONSOLE_PLATFORM,
      workspace: CONSOLE_WORKSPACE,
      channelId: null,
      declaredBy: 'preview',
      commander: 'preview',
      summary: null,
      resolution: null,
      declaredAt: now,
      acknowledgedAt: null,
      diagnosedAt: null,
      mitigatedAt: null,
      resolvedAt: null,
      cancelledAt: null,
      version: 1,
    },
    steps: runbook.steps.map((s, i) => ({ stepId: s.id, position: i, title: s.title, state: 'open', changedBy: null, changedAt: null })),
  };
}
