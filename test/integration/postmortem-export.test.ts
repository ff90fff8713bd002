import path from 'node:path';
import { runCli } from '../../src/app/commands/program';
import { acknowledge } from '../../src/core/incident/acknowledge';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { resolve } from '../../src/core/incident/resolve';
import { editAnalysis } from '../../src/core/incident/analysis';
import { setStep } from '../../src/core/incident/set-step';
import { loadCatalog } from '../../src/core/runbook/loader';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema, type TestSchema } from '../support/db';
import { ManualClock } from '../support/manual-clock';

const USER = { id: 'UOPS0001', isAdmin: false, inChannel: true };
const SHIPPED = path.resolve(__dirname, '../../playbooks');

/** What the export says for each kind a declare, a step, an acknowledgement and a resolve record: the start of its "What" cell. */
const WORDING: Record<string, string | string[]> = {
  'incident.declared': 'Declared as SEV2 with runbook pdf-404: PDF links 404 for \\<some\\> tenants',
  'probe.requested': [
    'Checks started with the declaration: API /me as standard user, Smoke invoice PDF, pdf-render queue depth, braiflow-documents list as app',
    // The resolve runs the checks its quick validation names again.
    'Checks run again to validate the resolve: API /me as standard user, Smoke invoice PDF, pdf-render queue depth',
  ],
  'incident.acknowledged': 'Acknowledged',
  'step.completed': 'Step 1 done: Check the API works for a standard (non-admin) user',
  'incident.resolved': 'Resolved (quick validation confirmed: checks 1, 2, 3, 4): stale CDN \\| path fixed',
  // A resolve at the runbook's post-mortem severity opens one.
  'postmortem.opened': 'Post-mortem opened (owner ',
};

describe('incident-bot postmortem INC-<n>', () => {
  let schema: TestSchema;
  let deps: CoreDeps;
  let clock: ManualClock;
  let out: string[];
  let err: string[];
  const env = { DATABASE_URL: process.env.DATABASE_URL, PLAYBOOKS_DIR: process.env.PLAYBOOKS_DIR };

  beforeAll(async () => {
    schema = await freshSchema();
    clock = new ManualClock(new Date('2026-11-26T03:00:00Z'));
    deps = { store: new PgIncidentStore(schema.pool), clock, catalog: loadCatalog(SHIPPED), tz: 'UTC' };
  });
  afterAll(async () => {
    await schema.drop();
  });
  beforeEach(() => {
    out = [];
    err = [];
    process.env.DATABASE_URL = schema.url;
    process.env.PLAYBOOKS_DIR = SHIPPED;
    jest.spyOn(process.stdout, 'write').mockImplementation((t) => (out.push(String(t)), true));
    jest.spyOn(process.stderr, 'write').mockImplementation((t) => (err.push(String(t)), true));
  });
  afterEach(() => {
    jest.restoreAllMocks();
    for (const [k, v] of Object.entries(env)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  /** The rows of the export's Timeline table, without its header. */
  function timelineRows(md: string): string[] {
    const lines = md.split('\n');
    const start = lines.indexOf('## Timeline');
    const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
    return lines
      .slice(start + 1, end)
      .filter((l) => l.startsWith('|'))
      .slice(2);
  }

  let number: number;
  let incidentId: string;

  it('exports a worked, resolved incident with its resolution and one timeline row per stored event', async () => {
    const { snapshot } = await declareIncident(deps, {
      runbook: 'pdf-404',
      summary: 'PDF links 404 for <some> tenants',
      actor: USER,
      platform: 'slack',
      workspace: 'T1',
    });
    number = snapshot.incident.number;
    incidentId = snapshot.incident.id;
    const first = deps.catalog.find('pdf-404')!.steps[0]!;
    clock.set('2026-11-26T03:04:00Z');
    await setStep(deps, { incidentId, stepId: first.id, to: 'done', actor: USER });
    clock.set('2026-11-26T03:05:00Z');
    await acknowledge(deps, incidentId, USER, 'command');
    clock.set('2026-11-26T03:41:00Z');
    await resolve(deps, incidentId, USER, 'stale CDN | path fixed', { confirmed: 'all' });

    const code = await runCli(['postmortem', `INC-${number}`]);
    expect({ code, err: err.join('') }).toEqual({ code: 0, err: '' });
    const md = out.join('');

    expect(md.startsWith(`# Post-mortem: INC-${number} · PDF links 404 for \\<some\\> tenants\n`)).toBe(true);
    const pm = await schema.pool.query('SELECT status FROM postmortems WHERE incident_id = $1', [incidentId]);
    expect(md).toContain(pm.rows[0] ? '| Status | Draft |' : '| Status | not opened |');
    expect(md).toContain('| Runbook | Generated PDFs (invoices, quotes) return 404 (pdf-404) |');
    expect(md).toContain('## Resolution\n\nstale CDN \\| path fixed\n');
    // Which quick validation checks were confirmed at resolve, each escaped like any runbook text.
    expect(md).toContain('**Quick validation.** Confirmed: all 4 checks were ticked at resolve.\n\n- [x] 1. /api/v1/me as standard-user returns 200\n');
    expect(md).toContain('- [x] 4. pdf-render queue waiting \\<= 200 and failed \\<= 20');
    expect(md).toContain('From 2026-11-26 03:00 UTC (declared) to 2026-11-26 03:41 UTC (resolved): 41 min.');
    // Ticking the step at 4 min was not the acknowledgement; the responder's command at 5 min was.
    expect(md).toContain('| MTTA (declared → acknowledged) | 5 min |');
    expect(md).toContain('| MTTR (declared → resolved) | 41 min |');
    expect(md).toContain('## Edge cases hit\n\nNone recorded.');
    expect(md).toContain('## Action items\n\nNone yet.');

    const { rows } = await schema.pool.query('SELECT kind, actor, at FROM incident_events WHERE incident_id = $1 ORDER BY at, id', [incidentId]);
    expect(rows.map((r) => r.kind)).toEqual(
      expect.arrayContaining(['incident.declared', 'probe.requested', 'incident.acknowledged', 'step.completed', 'incident.resolved']),
    );
    const timeline = timelineRows(md);
    expect(timeline).toHaveLength(rows.length);
    rows.forEach((r, i) => {
      const when = (r.at as Date).toISOString().slice(0, 16).replace('T', ' ');
      expect(WORDING).toHaveProperty([r.kind]);
      const words = [WORDING[r.kind]!].flat();
      expect(words.some((w) => timeline[i]!.startsWith(`| ${when} | ${r.actor} | ${w}`))).toBe(true);
    });
  });

  it('shows the post-mortem, its action items and the edge cases hit once they are recorded', async () => {
    clock.set('2026-11-26T03:50:00Z');
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1' });
    const id = snapshot.incident.id;
    const at = new Date('2026-11-26T04:00:00Z');
    await deps.store.mutate(id, () => ({
      postmortem: { open: { owner: 'UOWN0001', dueOn: '2026-12-03', openedAt: at, openedBy: USER.id } },
      events: [{ kind: 'postmortem.opened', actor: USER.id, at, data: { owner: 'UOWN0001', due: '2026-12-03', via: 'command' }, key: `${id}:pm:open` }],
    }));
    await deps.store.mutate(id, () => ({
      actionItem: { add: { number: 1, text: 'Alert on | CDN 404s', owner: 'UOPS0001', dueOn: '2026-11-30', createdAt: at, createdBy: 'UOWN0001' } },
      events: [
        {
          kind: 'action_item.added',
          actor: 'UOWN0001',
          at,
          data: { number: 1, text: 'Alert on | CDN 404s', owner: 'UOPS0001', due: '2026-11-30' },
          key: `${id}:ai:1`,
        },
        { kind: 'edge_case.hit', actor: 'UOPS0001', at, data: { case: 2, note: 'only # tenant 7' }, key: `${id}:edge:2` },
      ],
    }));

    expect(await runCli(['postmortem', `INC-${snapshot.incident.number}`, '--platform', 'slack', '--workspace', 'T1'])).toBe(0);
    const md = out.join('');
    expect(md).toContain('| Status | Draft |');
    expect(md).toContain('| Owner | UOWN0001 |');
    expect(md).toContain('| Due | 2026-12-03 |');
    // Measured against the time of the export, the day after the due day is long past.
    expect(md).toContain('| 1 | Alert on \\| CDN 404s | UOPS0001 | 2026-11-30 | Overdue |');
    expect(md).toContain('- Edge case 2, hit 2026-11-26 04:00 UTC by UOPS0001: Admins can download the PDF but members get 404 (reason=not\\_visible).');
    expect(md).toContain('  - Note: only \\# tenant 7');
    expect(md).toContain(`| 2026-11-26 04:00 | UOWN0001 | Action item 1 added: Alert on \\| CDN 404s (owner UOPS0001, due 2026-11-30) |`);
    const { rows } = await schema.pool.query('SELECT count(*)::int AS n FROM incident_events WHERE incident_id = $1', [id]);
    expect(timelineRows(md)).toHaveLength(rows[0].n);
  });

  it('holds the analysis the owner wrote, each section escaped, "n/a" and empty parts said in words', async () => {
    clock.set('2026-11-26T05:00:00Z');
    const { snapshot } = await declareIncident(deps, { runbook: 'pdf-404', actor: USER, platform: 'slack', workspace: 'T1', summary: 'analysis export' });
    const id = snapshot.incident.id;
    clock.set('2026-11-26T05:20:00Z');
    await resolve(deps, id, USER, 'restored the object versions', { confirmed: 'all' });
    const edited = await editAnalysis(
      deps,
      id,
      USER,
      {
        impactSummary: '40 tenants | could not download <invoices>',
        rootCause: 'Storage keys rotated\n# without re-rendering cached PDFs',
        causeCategory: 'Storage-Keys-Rotated',
        contributingFactors: 'No alert on the *404 rate*',
        wentWell: 'The runbook named the cause in 12 minutes',
        wentBadly: 'N/A',
      },
      'export-1',
    );
    // What the change returns is what a fresh read finds.
    expect(edited.snapshot).toEqual(await deps.store.get(id));
    expect(edited.snapshot.postmortem?.analysis?.causeCategory).toBe('storage-keys-rotated');

    expect(await runCli(['postmortem', `INC-${snapshot.incident.number}`, '--platform', 'slack', '--workspace', 'T1'])).toBe(0);
    const md = out.join('');
    expect(md).toContain('## Impact\n\n40 tenants \\| could not download \\<invoices\\>\n\n## Impact window');
    expect(md).toContain('## Root cause\n\nStorage keys rotated\\\n\\# without re-rendering cached PDFs\n\nCause category: storage-keys-rotated\n');
    expect(md).toContain('## Contributing factors\n\nNo alert on the \\*404 rate\\*\n');
    expect(md).toContain('## What went well\n\nThe runbook named the cause in 12 minutes\n');
    expect(md).toContain('## What went badly\n\nNot applicable.\n');
    expect(md).toContain('## Lessons\n\nNot written yet.\n');
    // The timeline says which parts were written, not their text.
    expect(md).toContain(
      `| 2026-11-26 05:20 | ${USER.id} | Post-mortem analysis edited: impact, root cause, cause category, contributing factors, what went well, what went badly |`,
    );
  });

  it('says so, on one line, when there is no such incident', async () => {
    expect(await runCli(['postmortem', 'INC-999999'])).toBe(1);
    expect(out).toEqual([]);
    expect(err.join('')).toBe('No incident INC-999999 in the database.\n');

    expect(await runCli(['postmortem', `INC-${number}`, '--platform', 'teams'])).toBe(1);
    expect(err.at(-1)).toBe(`No incident INC-${number} on teams in the database.\n`);
  });

  it.each([[[]], [['INC-x']], [['INC-1', 'INC-2']], [['INC-1', '--platform']], [['INC-1', '--platform', 'discord']], [['INC-1', '--json']]])(
    'prints the usage and exits 2 for %j',
    async (args) => {
      expect(await runCli(['postmortem', ...args])).toBe(2);
      expect(err.join('')).toContain('Usage: incident-bot postmortem INC-<n>');
      expect(out).toEqual([]);
    },
  );

  // The numbers come from one sequence today; the command still refuses to guess if that changes.
  it('lists the choices and exits 2 when the number exists on more than one platform or workspace', async () => {
    const { rows: constraints } = await schema.pool.query(
      `SELECT conname FROM pg_constraint WHERE conrelid = 'incidents'::regclass AND contype = 'u'
         AND conkey = ARRAY[(SELECT attnum FROM pg_attribute WHERE attrelid = 'incidents'::regclass AND attname = 'number')]`,
    );
    for (const c of constraints) await schema.pool.query(`ALTER TABLE incidents DROP CONSTRAINT ${c.conname}`);
    await schema.pool.query(
      `INSERT INTO incidents (number, playbook_id, class, title, severity, status, platform, workspace, declared_by, declared_at)
       OVERRIDING SYSTEM VALUE VALUES ($1, 'pdf-404', 'pdf', 'The Teams one', 3, 'declared', 'teams', 'tenant-1', 'U1', now()),
                                      ($1, 'pdf-404', 'pdf', 'The console one', 3, 'declared', 'web', NULL, 'U1', now())`,
      [number],
    );

    expect(await runCli(['postmortem', `INC-${number}`])).toBe(2);
    expect(err.join('')).toBe(
      `INC-${number} exists on more than one platform or workspace; pick one:\n  --platform slack --workspace T1\n  --platform teams --workspace tenant-1\n  --platform web\n`,
    );
    expect(out).toEqual([]);

    expect(await runCli(['postmortem', `INC-${number}`, '--platform', 'teams'])).toBe(0);
    expect(out.join('')).toContain(`# Post-mortem: INC-${number} · The Teams one\n`);
    // Each choice the hint lists is one the parser takes.
    expect(await runCli(['postmortem', `INC-${number}`, '--platform', 'web'])).toBe(0);
    expect(out.join('')).toContain(`# Post-mortem: INC-${number} · The console one\n`);
  });
});
