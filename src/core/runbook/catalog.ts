import type { Runbook } from './schema';

/**
 * The runbook for anything the specific ones do not cover (`/incident declare`). Its class is a
 * placeholder, not coverage: reports count it as a class without a runbook.
 */
export const GENERAL_RUNBOOK_ID = 'general';

/** Runbooks by id and alias, with "did you mean" suggestions for typos such as pdf-4O4. */
export class RunbookCatalog {
  private readonly byName = new Map<string, Runbook>();

  constructor(readonly all: readonly Runbook[]) {
    for (const runbook of all) {
      this.byName.set(runbook.id, runbook);
      for (const alias of runbook.aliases) this.byName.set(alias, runbook);
    }
  }

  find(name: string): Runbook | undefined {
    return this.byName.get(name.toLowerCase());
  }

  /**
   * The runbook an incident was declared with. If it was renamed or removed since, a bare stand-in
   * keeps the incident workable (its checklist lives in the database) instead of failing every render.
   */
  forIncident(id: string): Runbook {
    return (
      this.byName.get(id) ?? {
        id,
        title: `${id} (runbook no longer loaded)`,
        class: id,
        severity: 3,
        aliases: [],
        alerts: [],
        diagnose_within: '15m',
        postmortem_at_severity: 2,
        postmortem_due_days: 5,
        page_at_severity: 2,
        summary: '',
        owner: '',
        links: [],
        steps: [],
        probes: [],
        escalation: [],
        quick_validation: [],
        edge_cases: [],
      }
    );
  }

  /**
   * The classes a runbook of their own covers, for the report's coverage: the general runbook's
   * takes anything, so it covers nothing.
   */
  coveredClasses(): string[] {
    return [...new Set(this.all.filter((r) => r.id !== GENERAL_RUNBOOK_ID).map((r) => r.class))];
  }

  /** Whether `/incident declare` has a runbook to declare with. */
  hasGeneral(): boolean {
    return this.all.some((r) => r.id === GENERAL_RUNBOOK_ID);
  }

  ids(): string[] {
    return this.all.map((p) => p.id);
  }

  /** Runbook ids whose id or alias is close to `input`, closest first. */
  suggest(input: string, max = 3): string[] {
    const needle = input.toLowerCase();
    const best = new Map<string, number>();
    for (const [name, runbook] of this.byName) {
      const d = distance(needle, name);
      const limit = Math.max(2, Math.floor(name.length / 3));
      if (d <= limit && d < (best.get(runbook.id) ?? Infinity)) best.set(runbook.id, d);
    }
    return [...best.entries()]
      .sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))
      .slice(0, max)
      .map(([id]) => id);
  }
}

/** Levenshtein distance, with a look-alike swap (O/0, l/1) costing nothing. */
function distance(a: string, b: string): number {
  const same = (x: string, y: string) => x === y || LOOKALIKE[x] === y || LOOKALIKE[y] === x;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = same(a[i - 1]!, b[j - 1]!) ? 0 : 1;
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
    }
    prev = cur;
  }
  return prev[b.length]!;
}

const LOOKALIKE: Record<string, string> = { o: '0', l: '1', i: '1' };
