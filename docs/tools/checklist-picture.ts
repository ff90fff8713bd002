/**
 * Regenerates docs/checklist.png, the README's picture of an incident checklist in Slack:
 *
 *   npx tsx docs/tools/checklist-picture.ts
 *
 * The messages come from the bot's own view and Block Kit functions, so the picture changes when
 * the rendering does; only the page around them (docs/tools/slack-preview.ts) imitates Slack.
 * Needs Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH points elsewhere.
 */
import path from 'node:path';
import { checklistMessages, headerMessage } from '../../src/adapters/slack/blocks';
import { channelName } from '../../src/adapters/slack/channel-name';
import type { ProbeRun, Snapshot } from '../../src/core/model';
import { checklistView, headerView } from '../../src/core/render/views';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { makeSnapshot } from '../../test/support/factories';
import { screenshot } from './screenshot';
import { slackPreviewHtml, type PreviewMessage } from './slack-preview';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'docs', 'checklist.png');

const ALICE = 'UALICE01';
const BOB = 'UBOB0002';
const USERS = { [ALICE]: 'alice', [BOB]: 'bob' };

const DAY = '2025-03-07';
const at = (hhmmss: string) => new Date(`${DAY}T${hhmmss}Z`);
/** The moment the picture is taken: every relative time in it ("7 minutes ago") is from here. */
const NOW = at('03:07:00');

function probe(probeId: string, status: ProbeRun['status'], reason: string, queued: string, durationMs: number): ProbeRun {
  const queuedAt = at(queued);
  return { id: `run-${probeId}`, probeId, status, reason, queuedAt, finishedAt: new Date(queuedAt.getTime() + durationMs + 400), durationMs };
}

/**
 * pdf-404 half-way through: declared by Alice (support) at 03:00, which paged level 1 at once; Bob
 * (on call) acknowledged the page at 03:01 and ticked the first three steps between 03:02 and
 * 03:06, the fourth is in focus; the smoke invoice still 404s.
 */
function halfWayIncident(runbook: Runbook): Snapshot {
  const doneTimes = ['03:02:10', '03:04:05', '03:06:20'];
  const done = runbook.steps.slice(0, doneTimes.length).map((s) => s.id);
  const snap = makeSnapshot({
    runbook,
    status: 'acknowledged',
    done,
    doneBy: BOB,
    incident: {
      number: 42,
      title: 'Invoice PDFs return 404 for some tenants',
      severity: runbook.severity,
      class: runbook.class,
      declaredBy: ALICE,
      commander: ALICE,
      declaredAt: at('03:00:00'),
      acknowledgedAt: at('03:01:10'),
      version: 7,
    },
  });
  const level1 = runbook.escalation[0];
  snap.escalations = level1 ? [{ level: 1, targets: level1.notify, reason: 'timeout', at: at('03:00:04'), by: null, note: null }] : [];
  // The factory ticks every step at one moment; a real checklist is ticked one step at a time.
  snap.steps.forEach((step, i) => {
    const time = doneTimes[i];
    if (step.state === 'done' && time) step.changedAt = at(time);
  });
  snap.probes = [
    probe('me-standard-user', 'pass', 'GET /api/v1/me as standard-user: 200 in 84 ms, role=agent', '03:00:02', 84),
    probe('smoke-invoice-pdf', 'fail', 'GET /api/v1/invoices/inv_smoke_0001/pdf as standard-user: 404 (expected 200)', '03:03:30', 131),
    probe('pdf-render-queue', 'pass', 'pdf-render: 3 waiting, 0 failed, 4 workers, oldest 2 s', '03:00:02', 38),
    probe('documents-bucket-list', 'pass', 'list braiflow-documents: 200 in 142 ms, bucket has objects', '03:00:02', 142),
  ];
  return snap;
}

export function checklistPictureHtml(): string {
  const catalog = loadCatalog(path.join(ROOT, 'playbooks'));
  const runbook = catalog.find('pdf-404');
  if (!runbook) throw new Error('playbooks/pdf-404.yaml is not in the catalog');
  const snap = halfWayIncident(runbook);
  const messages: PreviewMessage[] = [
    { author: 'Incident bot', time: '03:00', pinned: true, blocks: headerMessage(headerView(snap, runbook)).blocks },
    ...checklistMessages(checklistView(snap, runbook)).map((m) => ({ author: 'Incident bot', time: '03:00', blocks: m.blocks })),
  ];
  return slackPreviewHtml(messages, {
    channel: channelName(snap.incident),
    now: NOW,
    timeZone: 'UTC',
    users: USERS,
    avatars: { 'Incident bot': '🚨' },
    width: 720,
  });
}

async function main(): Promise<void> {
  const height = await screenshot(checklistPictureHtml(), OUT);
  console.log(`wrote ${path.relative(process.cwd(), OUT)} (800x${height})`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
