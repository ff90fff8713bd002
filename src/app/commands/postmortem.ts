import { InvalidArgumentError } from 'commander';
import { loadDatabaseUrl, loadTeamTz } from '../config';
import { postmortemMarkdown } from '../../core/render/postmortem';
import { loadCatalog } from '../../core/runbook/loader';
import { createPool } from '../../store/db';
import { PgIncidentStore } from '../../store/incident-store';
import { incidentsNumbered } from '../../store/incident-numbers';

// Every platform an incident row can name, so each choice the ambiguity hint lists is accepted.
export const PLATFORMS = ['slack', 'teams', 'web', 'import'] as const;

export interface PostmortemOptions {
  platform?: string;
  workspace?: string;
}

interface PostmortemArgs {
  number: number;
  platform: string | null;
  workspace: string | null;
}

/** `incident-bot postmortem INC-<n>`: 0 written, 1 no such incident, 2 bad input or more than one match (said on stderr). */
export async function postmortemCommand(number: number, opts: PostmortemOptions): Promise<number> {
  const parsed: PostmortemArgs = { number, platform: opts.platform ?? null, workspace: opts.workspace ?? null };
  // Only the database is needed: the export works on a machine without chat tokens.
  const databaseUrl = loadDatabaseUrl();
  const tz = loadTeamTz();
  const catalog = loadCatalog(process.env.PLAYBOOKS_DIR ?? './playbooks');
  const pool = createPool(databaseUrl, 2);
  try {
    const rows = await incidentsNumbered(pool, parsed.number, parsed.platform, parsed.workspace);
    const ref = `INC-${parsed.number}`;
    if (rows.length === 0) {
      process.stderr.write(`No incident ${ref}${narrowing(parsed)} in the database.\n`);
      return 1;
    }
    if (rows.length > 1) {
      const choices = rows.map((r) => `  --platform ${r.platform}${r.workspace === null ? '' : ` --workspace ${r.workspace}`}`);
      process.stderr.write(`${ref} exists on more than one platform or workspace; pick one:\n${choices.join('\n')}\n`);
      return 2;
    }
    const store = new PgIncidentStore(pool);
    const id = rows[0]!.id;
    const [snapshot, timeline] = await Promise.all([store.get(id), store.timeline(id)]);
    if (!snapshot) {
      process.stderr.write(`No incident ${ref}${narrowing(parsed)} in the database.\n`);
      return 1;
    }
    const runbook = catalog.forIncident(snapshot.incident.runbookId);
    process.stdout.write(postmortemMarkdown({ snapshot, runbook, timeline, now: new Date(), tz }));
    return 0;
  } finally {
    await pool.end();
  }
}

function narrowing(a: PostmortemArgs): string {
  const parts = [a.platform ? `on ${a.platform}` : null, a.workspace ? `in workspace ${a.workspace}` : null].filter((p) => p !== null);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/** INC-42 or 42; the parser's error names what it wanted. */
export function parseIncidentNumber(text: string): number {
  const m = /^(?:INC-)?(\d{1,15})$/i.exec(text);
  if (!m) throw new InvalidArgumentError(`"${text}" is not an incident number: write INC-<n>, e.g. INC-42.`);
  return Number(m[1]);
}
