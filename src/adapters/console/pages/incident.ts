import type { Snapshot } from '../../../core/model';
import type { TimelineEvent } from '../../../core/ports';
import type { ActionView } from '../../../core/text/actions';
import type { FollowUpView } from '../../../core/render/follow-up';
import { plainText, type Text } from '../../../core/text/text';
import { timelineContext, timelineText } from '../../../core/render/timeline';
import { markupPlainText } from '../../../core/runbook/markup';
import type { Runbook } from '../../../core/runbook/schema';
import type { ChecklistItemView, ChecklistView, EdgeCaseView, HeaderView, ProbeView } from '../../../core/render/views';
import { html, type SafeHtml } from '../html';
import { consoleRoom } from '../platform';
import { linkHtml, markupHtml, personHtml, textHtml, timeHtml, type Names, type TextLinks } from '../text';
import { resolveFormHtml } from './resolve-form';
import { analysisFormHtml } from './analysis-form';
import {
  actionsHtml,
  choiceForm,
  commandForm,
  consoleRoomLink,
  flashHtml,
  inertActionsHtml,
  layout,
  noteForm,
  ROUTES,
  type Flash,
  type PageContext,
} from './layout';

export interface IncidentPageInput extends PageContext {
  snapshot: Snapshot;
  header: HeaderView;
  checklist: ChecklistView;
  /** Checklists a switch of runbook replaced, newest first: read-only. */
  replacedChecklists?: ChecklistView[];
  followUp: FollowUpView | null;
  /** The stored events, oldest first, worded (timelineText). */
  timeline: Array<{ at: Date; actor: string; text: Text }>;
  /** What the bot said in the incident's room, oldest first. */
  messages: Array<{ at: Date; text: Text; actions: ActionView[] }>;
  names: Names;
  flash?: Flash | null;
  /** Where a {channel} span links; by default this incident's room links to this page, another console room to its own. */
  links?: TextLinks;
  /**
   * The room the command box acts in: the incident's channel, or before its room is recorded
   * (a page served right after the declare) the console room it will get.
   */
  room?: string | null;
}

/**
 * An incident as its room shows it: the header, the checklist, the follow-up, the bot's messages
 * and the timeline, then a command box that acts on this incident. Everything shown comes from
 * the core's views; this only lays them out. console.js redraws `<main>` when the incident changes.
 */
export function incidentPage(input: IncidentPageInput): string {
  const { header, checklist, followUp, names, csrf } = input;
  const i = input.snapshot.incident;
  const room = input.room ?? i.channelId ?? consoleRoom(i.id);
  // This incident's room is this page.
  const links: TextLinks = input.links ?? {
    incident: (channel) => (channel === room || channel === i.channelId ? ROUTES.incident(i.number) : consoleRoomLink(channel)),
  };
  const body = html`${flashHtml(input.flash, names, links)}
${headerHtml(header, names, csrf, links)}
${checklistHtml(checklist, names, { csrf })}
${(input.replacedChecklists ?? []).map((v, n) => checklistHtml(v, names, { csrf, id: `replaced-${n + 1}` }))}
${followUp ? followUpHtml(followUp, names, csrf, links) : ''}
${messagesHtml(input.messages, names, csrf, links)}
${timelineHtml(input.timeline, names, links)}
<section class="panel" aria-label="Add a note">
${noteForm({ csrf, room })}
</section>
<section class="panel" aria-labelledby="command-heading">
<h2 id="command-heading">Act on this incident</h2>
${commandForm({ csrf, room, placeholder: '/incident ack', help: html`Acts on this incident, as typed in its room: <code>/incident ack</code>, <code>/incident sev 1</code>, <code>/incident resolve what fixed it</code>.` })}
</section>`;
  return layout({
    ...input,
    title: header.heading,
    nav: 'incidents',
    body,
    incident: { id: i.id, events: `${ROUTES.incidentEvents(i.number)}?v=${i.version}` },
  });
}

/** The stored events as the page's timeline takes them: worded once, as the post-mortem export words them. */
export function timelineEntries(snapshot: Snapshot, runbook: Runbook, events: TimelineEvent[]): IncidentPageInput['timeline'] {
  const ctx = timelineContext(snapshot, runbook, events);
  return events.map((e) => ({ at: e.at, actor: e.actor, text: timelineText(e, ctx) }));
}

// ---- header ------------------------------------------------------------------------------------

export function headerHtml(v: HeaderView, names: Names, csrf: string, links?: TextLinks): SafeHtml {
  return html`<section class="panel incident-header" aria-labelledby="incident-heading">
<h1 id="incident-heading">${v.heading}</h1>
<dl class="fields">${v.fields.map((f) => html`<div class="field"><dt>${f.label}</dt><dd>${textHtml(f.value, names, links)}</dd></div>`)}</dl>
${v.links.length > 0 ? html`<ul class="links" aria-label="Links">${v.links.map((l) => html`<li>${linkHtml(l.url, l.title)}</li>`)}</ul>` : ''}
${v.checks.length > 0 ? html`<h2 class="sub">Checks</h2><ul class="checks">${v.checks.map((p) => html`<li>${probeHtml(p)}</li>`)}</ul>` : ''}
${v.closingNote ? html`<p class="closing-note">${textHtml(v.closingNote, names, links)}</p>` : ''}
${actionsHtml(
  // Resolve asks for the quick validation: its form stands in for the button.
  v.resolveForm ? v.actions.filter((a) => a.payload.a !== 'resolve') : v.actions,
  csrf,
  'Incident actions',
)}
${v.resolveForm ? resolveFormHtml(v.resolveForm, csrf) : ''}
${v.switchRunbook ? choiceForm(v.switchRunbook, csrf, 'Switch runbook', 'Switch') : ''}
</section>`;
}

const PROBE_WORDS = { pass: 'Passed', fail: 'Failed', error: 'Could not run', queued: 'Running…' } as const;
const PROBE_MARKS = { pass: '✓', fail: '✗', error: '!', queued: '…' } as const;

/** A probe and its latest result: a mark, a word (never colour alone), what it found and when. */
export function probeHtml(p: ProbeView): SafeHtml {
  const st = p.last?.status;
  if (!p.last || !st || !Object.hasOwn(PROBE_WORDS, st)) {
    return html`<span class="probe probe-none"><span class="mark" aria-hidden="true">·</span> <span class="probe-title">${p.title}</span>: <span class="probe-status">not run yet</span></span>`;
  }
  return html`<span class="probe probe-${st}"><span class="mark" aria-hidden="true">${PROBE_MARKS[st]}</span> <span class="probe-title">${p.title}</span>: <span class="probe-status">${PROBE_WORDS[st]}</span>${
    p.last.reason && st !== 'queued' ? html` — <span class="probe-reason">${p.last.reason}</span>` : ''
  } · ${timeHtml(p.last.at, true)}</span>`;
}

// ---- checklist ---------------------------------------------------------------------------------

export interface ChecklistOptions {
  /** With a token, the steps' buttons post; without one (a preview) they show disabled. */
  csrf: string | null;
  /** The heading's level: 2 on an incident page. */
  level?: 2 | 3;
  /** Tells apart the ids of several checklists on one page (those a switch of runbook replaced). */
  id?: string;
}

/**
 * Every step: its number and title, who did it and when, the step in focus whole and the others'
 * details one click away, and its buttons. The view decides what is in focus and which buttons exist.
 */
export function checklistHtml(v: ChecklistView, names: Names, opts: ChecklistOptions): SafeHtml {
  const h = opts.level === 3 ? 'h3' : 'h2';
  const suffix = opts.id ? `-${opts.id}` : '';
  const headingId = `checklist-heading${suffix}`;
  const heading = h === 'h3' ? html`<h3 id="${headingId}">${v.heading}</h3>` : html`<h2 id="${headingId}">${v.heading}</h2>`;
  const { done, total } = v.progress;
  return html`<section class="panel checklist${v.replaced ? ' replaced' : ''}" aria-labelledby="${headingId}">
${heading}
${v.replaced ? html`<p class="replaced-note">${textHtml(v.replaced, names)}</p>` : ''}
<p class="progress"><label for="${`checklist-progress${suffix}`}">${done} of ${total} steps done</label> <progress id="${`checklist-progress${suffix}`}" max="${Math.max(total, 1)}" value="${Math.min(done, total)}">${done} of ${total}</progress></p>
<ol class="steps">${v.items.map((item) => stepHtml(item, names, opts.csrf, suffix))}</ol>
${
  v.edgeCases.length > 0
    ? html`<h3 class="sub">Edge cases of the whole runbook</h3><p class="hint">They can happen at any step.</p><ul class="edge-cases">${v.edgeCases.map((e) => edgeCaseHtml(e, names, opts.csrf))}</ul>`
    : ''
}
</section>`;
}

/** What can go wrong and its fallback, then This happened, or who said it happened and when. */
function edgeCaseHtml(e: EdgeCaseView, names: Names, csrf: string | null): SafeHtml {
  const buttons = csrf === null ? inertActionsHtml(e.actions) : actionsHtml(e.actions, csrf, e.title);
  return html`<li class="edge-case${e.happened ? ' happened' : ''}" id="${`edge-${e.id}`}"><p class="edge-title"><strong>${e.title}</strong></p><div class="edge-case-text">${markupHtml(e.case)}</div><div class="fallback"><strong>Fallback:</strong> ${markupHtml(e.fallback)}</div>${
    e.happened ? html`<p class="edge-happened">${textHtml(e.happened, names)}</p>` : ''
  }${buttons}</li>`;
}

function stepHtml(item: ChecklistItemView, names: Names, csrf: string | null, suffix = ''): SafeHtml {
  const focus = item.shown === 'focus';
  const hasDetail = item.detail.length > 0;
  // A detail that is one short line already shows whole in its summary line: no need to open it.
  const oneLine =
    item.detail.length === 1 &&
    item.detail[0]!.type === 'paragraph' &&
    item.detail[0]!.lines.length === 1 &&
    plainText(item.firstLine) === markupPlainText(item.detail);
  const edges = item.edgeCases.length > 0 ? html`<ul class="edge-cases">${item.edgeCases.map((e) => edgeCaseHtml(e, names, csrf))}</ul>` : '';
  // In focus the step's edge cases show whole; out of focus they wait in its details with the rest.
  const detail = !hasDetail
    ? edges
    : focus || (oneLine && !edges)
      ? html`<div class="detail">${markupHtml(item.detail)}</div>`
      : html`<details class="detail" data-step="${item.stepId}"><summary>${item.firstLine.length > 0 ? textHtml(item.firstLine, names) : 'Details'}</summary>${markupHtml(item.detail)}${edges}</details>`;
  const doneLine = item.done ? html`<p class="done-by">Done by ${personHtml(item.done.by, names)} ${timeHtml(item.done.at, true)}</p>` : '';
  const buttons = csrf === null ? inertActionsHtml(item.actions) : actionsHtml(item.actions, csrf, `Step ${item.number}`);
  return html`<li class="step step-${item.shown}" id="${`step-${item.stepId}${suffix}`}"${focus ? html` aria-current="step"` : ''}>
<div class="step-head"><span class="step-number">${item.number}</span><span class="step-title">${item.title}</span>${
    item.done ? html`<span class="step-state state-done">Done</span>` : focus ? html`<span class="step-state state-focus">Next</span>` : ''
  }</div>
${doneLine}${detail}${item.probe ? html`<p class="step-probe">${probeHtml(item.probe)}</p>` : ''}${buttons}${focus && hasDetail ? edges : ''}
</li>`;
}

// ---- follow-up ---------------------------------------------------------------------------------

export function followUpHtml(v: FollowUpView, names: Names, csrf: string, links?: TextLinks): SafeHtml {
  const pm = v.postmortem;
  return html`<section class="panel follow-up" aria-labelledby="follow-up-heading">
<h2 id="follow-up-heading">Follow-up</h2>
${
  pm
    ? html`<div class="postmortem${pm.overdue ? ' overdue' : ''}"><p>${textHtml(pm.line, names, links)}</p>${[
        ...pm.notes,
        ...(pm.missing ? [pm.missing] : []),
      ].map(
        (n) => html`<p class="note">${textHtml(n, names, links)}</p>`,
      )}${actionsHtml(pm.actions, csrf, 'Post-mortem')}${pm.analysis ? analysisFormHtml(pm.analysis, csrf) : ''}</div>`
    : ''
}
${
  v.open.length > 0
    ? html`<h3>Open action items <span class="count">(${v.counts.open})</span></h3><ul class="items">${v.open.map(
        (x) =>
          html`<li class="item${x.overdue ? ' overdue' : ''}">${x.overdue ? html`<span class="badge badge-overdue">Overdue</span> ` : ''}${textHtml(x.line, names, links)}${actionsHtml(x.actions, csrf, `Action item ${x.number}`)}</li>`,
      )}</ul>`
    : ''
}
${
  v.done.length > 0
    ? html`<h3>Done <span class="count">(${v.counts.done})</span></h3><ul class="items items-done">${v.done.map(
        (x) => html`<li class="item">${textHtml(x.line, names, links)}${actionsHtml(x.actions, csrf)}</li>`,
      )}</ul>`
    : ''
}
${v.more ? html`<p class="more">${textHtml(v.more, names, links)}</p>` : ''}
</section>`;
}

// ---- messages and timeline ---------------------------------------------------------------------

function messagesHtml(messages: IncidentPageInput['messages'], names: Names, csrf: string, links?: TextLinks): SafeHtml {
  return html`<section class="panel messages" aria-labelledby="messages-heading">
<h2 id="messages-heading">Messages</h2>
${
  messages.length === 0
    ? html`<p class="empty">The bot has said nothing here yet.</p>`
    : html`<ol class="message-list">${messages.map(
        (m) =>
          html`<li class="message"><p class="meta">${timeHtml(m.at, true)}</p><div class="message-text">${textHtml(m.text, names, links)}</div>${actionsHtml(m.actions, csrf)}</li>`,
      )}</ol>`
}
</section>`;
}

export function timelineHtml(events: IncidentPageInput['timeline'], names: Names, links?: TextLinks): SafeHtml {
  return html`<section class="panel timeline" aria-labelledby="timeline-heading">
<h2 id="timeline-heading">Timeline <span class="count">(${events.length})</span></h2>
${
  events.length === 0
    ? html`<p class="empty">No events were recorded.</p>`
    : html`<ol class="events">${events.map(
        (e) =>
          html`<li class="event"><span class="event-time">${timeHtml(e.at)}</span> <span class="event-who">${actorHtml(e.actor, names)}</span> <span class="event-what">${textHtml(e.text, names, links)}</span></li>`,
      )}</ol>`
}
</section>`;
}

const BOT = 'incident-bot';

function actorHtml(actor: string, names: Names): SafeHtml {
  if (!actor) return html`<span class="person">unknown</span>`;
  return actor === BOT ? html`<span class="person bot">${BOT}</span>` : personHtml(actor, names);
}
