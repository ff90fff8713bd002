import type { AlertRoute, Runbook } from './schema';

export type AlertLabels = Readonly<Record<string, string>>;

/** The runbook an alert's labels route to, and the severity it declares at. */
export interface AlertRouting {
  runbook: Runbook;
  severity: number;
}

const SEVERITY_WORDS: Record<string, number> = { critical: 1, high: 2, warning: 3, info: 4 };

/** True when every `match` label is equal and every `match_re` label matches in full (Alertmanager's anchoring). */
export function routeMatches(route: AlertRoute, labels: AlertLabels): boolean {
  for (const [name, value] of Object.entries(route.match)) if ((labels[name] ?? '') !== value) return false;
  for (const [name, re] of Object.entries(route.match_re)) if (!new RegExp(`^(?:${re})$`, 'u').test(labels[name] ?? '')) return false;
  return true;
}

/**
 * The first runbook (in catalog order) with a route the labels match. Severity: the route's, else the
 * alert's `severity` label (1-4, or critical/high/warning/info), else the runbook's.
 */
export function routeAlert(runbooks: readonly Runbook[], labels: AlertLabels): AlertRouting | null {
  for (const runbook of runbooks) {
    const route = runbook.alerts.find((r) => routeMatches(r, labels));
    if (route) return { runbook, severity: route.severity ?? severityLabel(labels.severity) ?? runbook.severity };
  }
  return null;
}

export function severityLabel(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim().toLowerCase();
  if (/^[1-4]$/.test(v)) return Number(v);
  return SEVERITY_WORDS[v] ?? null;
}

/**
 * Pairs of routes in different runbooks that can match the same label set, judged from their
 * exact `match` sets: equal, or one a subset of the other (the narrower one never wins when the
 * wider runbook comes first). Regexes are not compared.
 */
export function overlappingRoutes(runbooks: readonly Runbook[]): Array<{ a: string; ai: number; b: string; bi: number }> {
  const out: Array<{ a: string; ai: number; b: string; bi: number }> = [];
  runbooks.forEach((ra, x) =>
    runbooks.slice(x + 1).forEach((rb) =>
      ra.alerts.forEach((a, ai) =>
        rb.alerts.forEach((b, bi) => {
          const exact = Object.keys(a.match).length > 0 && Object.keys(b.match).length > 0;
          if (exact && (subset(a.match, b.match) || subset(b.match, a.match))) out.push({ a: ra.id, ai, b: rb.id, bi });
        }),
      ),
    ),
  );
  return out;
}

function subset(small: Record<string, string>, big: Record<string, string>): boolean {
  return Object.entries(small).every(([k, v]) => big[k] === v);
}
