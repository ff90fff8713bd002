/**
 * Writes docs/postmortem-example.md: the export of a worked pdf-404 incident, made by the bot's own
 * use cases and renderer on a throwaway schema. Run: npx tsx docs/tools/postmortem-example.ts
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { acknowledge } from '../../src/core/incident/acknowledge';
import { addActionItem, closeActionItem } from '../../src/core/incident/action-items';
import { editAnalysis } from '../../src/core/incident/analysis';
import { setImpactStart } from '../../src/core/incident/impact-start';
import { declareIncident } from '../../src/core/incident/declare-incident';
import type { CoreDeps } from '../../src/core/incident/deps';
import { markDiagnosed } from '../../src/core/incident/diagnose';
import { recordEdgeCase } from '../../src/core/incident/edge-case';
import { resolve } from '../../src/core/incident/resolve';
import { setStep } from '../../src/core/incident/set-step';
import { postmortemMarkdown } from '../../src/core/render/postmortem';
import { loadCatalog } from '../../src/core/runbook/loader';
import { PgIncidentStore } from '../../src/store/incident-store';
import { freshSchema } from '../../test/support/db';

const ROOT = path.resolve(__dirname, '../..');
const NAMES: Record<string, string> = { UALICE01: 'Alice (support)', UBOB0002: 'Bob (documents team)' };

async function main(): Promise<void> {
  const schema = await freshSchema();
  let t = new Date('2026-11-26T03:00:00Z');
  const at = (minutes: number) => (t = new Date(Date.parse('2026-11-26T03:00:00Z') + minutes * 60_000));
  try {
    const deps: CoreDeps = { store: new PgIncidentStore(schema.pool), clock: { now: () => t }, catalog: loadCatalog(path.join(ROOT, 'playbooks')), tz: 'UTC' };
    const alice = { id: 'UALICE01', isAdmin: false, inChannel: true };
    const bob = { id: 'UBOB0002', isAdmin: false, inChannel: true };
    const { snapshot } = await declareIncident(deps, {
      runbook: 'pdf-404',
      summary: 'invoice PDFs return 404 for several tenants',
      actor: alice,
      platform: 'slack',
      workspace: 'T0BRAIFLOW',
    });
    const id = snapshot.incident.id;
    at(3);
    await acknowledge(deps, id, bob, 'button');
    // The key rotation at 02:50 is when members started getting 404s: time to detect is 10 minutes.
    await setImpactStart(deps, id, { kind: 'local', date: null, hour: 2, minute: 50 }, bob);
    const steps = snapshot.steps.map((s) => s.stepId);
    for (const [i, step] of steps.slice(0, 4).entries()) {
      at(5 + i * 2);
      await setStep(deps, { incidentId: id, stepId: step, to: 'done', actor: bob });
    }
    at(12);
    await markDiagnosed(deps, id, bob, 'command', 'storage keys rotated without re-rendering cached PDFs');
    await recordEdgeCase(deps, id, bob, { step: null, n: 3 }, 'two invoices changed since they were sent');
    at(31);
    await resolve(deps, id, alice, 'restored the previous object versions; cache purged', { confirmed: 'all' });
    at(40);
    await addActionItem(deps, id, alice, { text: 'Re-render PDFs when storage keys rotate', owner: 'UBOB0002', dueOn: '2026-12-04' }, 'example-1');
    await addActionItem(deps, id, alice, { text: 'Alert on the PDF 404 rate per tenant', owner: 'UALICE01', dueOn: '2026-12-10' }, 'example-2');
    at(60 * 24);
    await closeActionItem(deps, id, alice, 2);
    await editAnalysis(
      deps,
      id,
      alice,
      {
        impactSummary:
          'From 02:50 to 03:31 UTC (41 minutes), members of 40 tenants got a 404 when they opened an invoice PDF, in the app and from emailed links. Admins were not affected. No data was lost.',
        rootCause:
          'The storage access keys were rotated at 02:50 without re-rendering cached PDFs: their signed URLs still named the old key, so storage refused them.',
        causeCategory: 'storage-keys-rotated',
        contributingFactors: 'The key rotation runbook does not mention the PDF cache.\nNo alert on the PDF 404 rate: support heard it from customers first.',
        wentWell: 'The pdf-404 runbook named the cause in 12 minutes; its checks showed admins could download while members could not.',
        wentBadly: 'Two invoices had changed since they were sent, so restoring the old versions needed a manual check.',
        lessons: 'Rotating a key is a change to everything signed with it: the renderer has to be part of the rotation.',
      },
      'example-analysis',
    );
    const snap = (await deps.store.get(id))!;
    const md = postmortemMarkdown({
      snapshot: snap,
      runbook: deps.catalog.forIncident('pdf-404'),
      timeline: await deps.store.timeline(id),
      names: (u) => NAMES[u] ?? null,
      now: t,
    });
    writeFileSync(path.join(ROOT, 'docs', 'postmortem-example.md'), md);
    process.stdout.write(md);
  } finally {
    await schema.drop();
  }
}

void main();
