/**
 * Regenerates docs/resolve-modal.png, the README's picture of the Resolve button's modal in Slack:
 *
 *   npx tsx docs/tools/resolve-modal-picture.ts
 *
 * The modal is the bot's own Block Kit (resolve-modal.ts, from the core's resolve form view), so
 * the picture changes when the modal does; only the frame around it imitates Slack. Needs
 * Debian's Chromium (`apt-get install -y chromium`); CHROMIUM_PATH points elsewhere.
 */
import path from 'node:path';
import { resolveModal } from '../../src/adapters/slack/resolve-modal';
import { resolveFormView } from '../../src/core/render/validation';
import { loadCatalog } from '../../src/core/runbook/loader';
import { makeSnapshot } from '../../test/support/factories';
import { screenshot } from './screenshot';
import { escapeHtml, mrkdwnHtml } from './slack-preview';

const ROOT = path.resolve(__dirname, '../..');
const OUT = path.join(ROOT, 'docs', 'resolve-modal.png');
/** The checks the responder has ticked so far: the UI download (3) is still being tried. */
const TICKED = new Set(['1', '2', '4']);

const CSS = `
body { margin: 0; background: rgba(29, 28, 29, 0.55); font: 15px/1.46668 "Noto Sans", "Helvetica Neue", Arial, sans-serif; color: #1d1c1d; }
.modal { width: 560px; margin: 24px auto; background: #fff; border-radius: 8px; box-shadow: 0 18px 48px rgba(0,0,0,.35); overflow: hidden; }
.head { display: flex; align-items: center; padding: 18px 24px; border-bottom: 1px solid #e8e8e8; font-size: 20px; font-weight: 900; }
.head .close { margin-left: auto; color: #616061; font-weight: 400; }
.content { padding: 16px 24px 8px; }
.block { margin-bottom: 16px; }
.label { font-weight: 700; margin-bottom: 6px; }
.option { display: flex; gap: 10px; margin: 6px 0; }
.box { flex: none; width: 16px; height: 16px; margin-top: 3px; border: 1px solid #868686; border-radius: 4px; text-align: center; font-size: 12px; line-height: 16px; color: #fff; }
.box.on { background: #1264a3; border-color: #1264a3; }
.desc { color: #616061; font-size: 13px; }
.context { color: #616061; font-size: 13px; }
.input { border: 1px solid #868686; border-radius: 4px; height: 64px; }
.hint { color: #616061; font-size: 13px; margin-top: 4px; }
.foot { display: flex; justify-content: flex-end; gap: 12px; padding: 16px 24px; border-top: 1px solid #e8e8e8; }
.btn { padding: 6px 14px; border-radius: 4px; border: 1px solid #bbb; font-weight: 700; }
.btn.primary { background: #007a5a; border-color: #007a5a; color: #fff; }
`;

function blockHtml(b: any): string {
  const ctx = { now: new Date('2025-03-07T03:30:00Z'), timeZone: 'UTC', users: {}, channels: {} };
  if (b.type === 'section') return `<div class="block" style="white-space: pre-wrap">${mrkdwnHtml(b.text.text, ctx)}</div>`;
  if (b.type === 'context') return `<div class="block context">${b.elements.map((e: any) => escapeHtml(e.text)).join(' ')}</div>`;
  if (b.type !== 'input') return '';
  const label = `<div class="label">${escapeHtml(b.label.text)}${b.optional ? ' <span class="desc">(optional)</span>' : ''}</div>`;
  if (b.element.type === 'checkboxes') {
    const options = b.element.options.map(
      (o: any) =>
        `<div class="option"><span class="box${TICKED.has(o.value) ? ' on' : ''}">${TICKED.has(o.value) ? '✓' : ''}</span><span>${escapeHtml(o.text.text)}${
          o.description ? `<br><span class="desc">${escapeHtml(o.description.text)}</span>` : ''
        }</span></div>`,
    );
    return `<div class="block">${label}${options.join('')}</div>`;
  }
  return `<div class="block">${label}<div class="input"></div>${b.hint ? `<div class="hint">${escapeHtml(b.hint.text)}</div>` : ''}</div>`;
}

export function resolveModalPictureHtml(): string {
  const runbook = loadCatalog(path.join(ROOT, 'playbooks')).find('pdf-404');
  if (!runbook) throw new Error('playbooks/pdf-404.yaml is not in the catalog');
  const snap = makeSnapshot({ runbook, status: 'mitigated', incident: { number: 42, title: 'Invoice PDFs return 404 for some tenants' } });
  const modal = resolveModal(resolveFormView(snap, runbook), 'C0INCIDENT') as any;
  return [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Resolve modal</title>',
    `<style>${CSS}</style></head><body><div class="modal">`,
    `<div class="head">${escapeHtml(modal.title.text)}<span class="close">✕</span></div>`,
    `<div class="content">${modal.blocks.map(blockHtml).join('')}</div>`,
    `<div class="foot"><span class="btn">${escapeHtml(modal.close.text)}</span><span class="btn primary">${escapeHtml(modal.submit.text)}</span></div>`,
    '</div></body></html>',
  ].join('\n');
}

async function main(): Promise<void> {
  const height = await screenshot(resolveModalPictureHtml(), OUT);
  console.log(`wrote ${path.relative(process.cwd(), OUT)} (800x${height})`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
