import { loadDatabaseUrl } from '../config';
import { postmortemMarkdown } from '../core/render/postmortem';
import { loadCatalog } from '../core/runbook/loader';
import { createPool } from '../store/db';
import { PgIncidentStore } from '../store/incident-store';

const USAGE = 'Usage: incident-bot postmortem INC-<n> [--platform slack|teams] [--workspace ID]\n' +
  '  Writes the post-mortem of the incident as Markdown to stdout. --platform and --workspace pick one\n' +
  '  when the number exists on more than one platform or workspace.';

const PLATFORMS = ['slack', 'teams'];

class UsageError extends Error {}

export interface PostmortemArgs {
  number: number;
  platform: string | null;
  workspace: string | null;
}

/** `incident-bot postmortem INC-<n>`: 0 written, 1 no such incident, 2 bad input or more than one match (said on stderr). */
export async function postmortemCommand(args: string[]): Promise<number> {
  let parsed: PostmortemArgs;
  try {
    parsed = parsePostmortemArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    return 2;
  }
  // Only the database is needed: the export works on a machine without chat tokens.
  const databaseUrl = loadDatabaseUrl();
  const catalog = loadCatalog(process.env.PLAYBOOKS_DIR ?? './playbooks');
  const pool = createPool(databaseUrl, 2);
  try {
    const { rows } = await pool.query<{ id: string; platform: string; workspace: string | null }>(
      `SELECT id, platform, workspace FROM incidents
       WHERE number = $1 AND ($2::text IS NULL OR platform = $2) AND ($3::text IS NULL OR workspace = $3)
       ORDER BY platform, workspace NULLS FIRST`,
      [parsed.number, parsed.platform, parsed.workspace],
    );
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
    process.stdout.write(postmortemMarkdown({ snapshot, runbook, timeline, now: new Date() }));
    return 0;
  } finally {
    await pool.end();
  }
}

function narrowing(a: PostmortemArgs): string {
  const parts = [a.platform ? `on ${a.platform}` : null, a.workspace ? `in workspace ${a.workspace}` : null].filter((p) => p !== null);
  return parts.length ? ` ${parts.join(' ')}` : '';
}

export function parsePostmortemArgs(args: string[]): PostmortemArgs {
  let number: number | null = null;
  let platform: string | null = null;
  let workspace: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--platform' || a === '--workspace') {
      const v = args[++i];
      if (v === undefined || v.startsWith('--') || v.trim() === '') throw new UsageError(`${a} needs a value, e.g. ${a === '--platform' ? '--platform slack' : '--workspace T0123ABCD'}.`);
      if (a === '--platform') {
        if (!PLATFORMS.includes(v)) throw new UsageError(`--platform must be slack or teams (got "${v}").`);
        platform = v;
      } else workspace = v;
    } else if (a.startsWith('--')) {
      throw new UsageError(`Unknown option "${a}".`);
    } else {
      const m = /^(?:INC-)?(\d{1,15})$/i.exec(a);
      if (!m) throw new UsageError(`"${a}" is not an incident number: write INC-<n>, e.g. INC-42.`);
      if (number !== null) throw new UsageError('Give one incident number.');
      number = Number(m[1]);
    }
  }
  if (number === null) throw new UsageError('Which incident? Give its number, e.g. INC-42.');
  return { number, platform, workspace };
}
