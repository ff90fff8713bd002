import { randomUUID } from 'node:crypto';
import { MAX_TEXT } from '../../../core/incident/text-limits';
import { encodeAction, type ActionView } from '../../../core/text/actions';
import type { Text } from '../../../core/text/text';
import { html, type HtmlValue, type SafeHtml } from '../html';
import { textHtml, type Names, type TextLinks } from '../text';

/** Someone the console can act as: picked in the "You are" box. */
export interface ConsolePerson {
  id: string;
  name: string;
  admin: boolean;
}

export type ConsoleNav = 'incidents' | 'dashboard' | 'runbooks' | 'search';

/** What every signed-in page needs besides its own data. */
export interface PageContext {
  /** Who the console acts as now. */
  you: ConsolePerson;
  /** Everyone it can act as, in the order to offer them. */
  people: ConsolePerson[];
  /** The CSRF token every form posts back. */
  csrf: string;
  /** True when the console asks for a token; false when anyone who reaches it may act (the page says so). */
  tokenRequired: boolean;
}

/** A message after a command or a click: what happened, or why not. */
export interface Flash {
  text: Text;
  ok: boolean;
}

export interface LayoutInput extends PageContext {
  title: string;
  body: SafeHtml;
  nav: ConsoleNav | null;
  /** Scripts of this page only, loaded (deferred) before console.js, e.g. `/console/assets/chart.js`. */
  scripts?: readonly string[];
  /**
   * An incident page: console.js follows the incident's server-sent events at `events` (by
   * default the page's own path + `/events`) and redraws `<main>` on each change.
   */
  incident?: { id: string; events: string };
}

export const ASSETS = {
  css: '/console/assets/console.css',
  js: '/console/assets/console.js',
  chart: '/console/assets/chart.js',
} as const;

export const ROUTES = {
  incidents: '/console',
  dashboard: '/console/dashboard',
  runbooks: '/console/runbooks',
  you: '/console/you',
  command: '/console/command',
  /** The incident page's note box: `note <text>` in the incident's room. */
  note: '/console/note',
  click: '/console/click',
  /** An unrouted alert's "Declare as <runbook>" (pages/unrouted.ts). */
  declareAlert: '/console/alerts/declare',
  login: '/console/login',
  logout: '/console/logout',
  incident: (number: number) => `/console/incidents/${encodeURIComponent(String(number))}`,
  /** The incident's server-sent events: `change` whenever its stored state changed. */
  incidentEvents: (number: number) => `/console/incidents/${encodeURIComponent(String(number))}/events`,
  runbook: (id: string) => `/console/runbooks/${encodeURIComponent(id)}`,
  /** Past incidents by their words (GET, `q`). */
  search: '/console/search',
  /** Any console incident by its id: redirects to its page (a past incident named in a notice). */
  room: (incidentId: string) => `/console/rooms/${encodeURIComponent(incidentId)}`,
} as const;

const NAV: Array<{ id: ConsoleNav; label: string; href: string }> = [
  { id: 'incidents', label: 'Incidents', href: ROUTES.incidents },
  { id: 'dashboard', label: 'Dashboard', href: ROUTES.dashboard },
  { id: 'runbooks', label: 'Runbooks', href: ROUTES.runbooks },
  { id: 'search', label: 'Search', href: ROUTES.search },
];

const CONSOLE_ROOM = /^console:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

/** Where a console room links from any page: its incident's page, by way of its id. Other platforms' rooms link nowhere. */
export function consoleRoomLink(channel: string): string | null {
  const id = CONSOLE_ROOM.exec(channel)?.[1];
  return id ? ROUTES.room(id) : null;
}

/** The HTML document around a page's content. */
export function documentHtml(input: { title: string; head?: HtmlValue; bodyClass?: string; body: HtmlValue }): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="dark light">
<meta name="referrer" content="same-origin">
<title>${input.title} · Incident console</title>
<link rel="stylesheet" href="${ASSETS.css}">
${input.head}<script src="${ASSETS.js}" defer></script>
</head>
<body${input.bodyClass ? html` class="${input.bodyClass}"` : ''}>
<a class="skip-link" href="#main">Skip to content</a>
${input.body}
<div id="live" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>
</body>
</html>
`}`;
}

/** A full page of the signed-in console: navigation, the "You are" picker, then the page's content in `<main>`. */
export function layout(input: LayoutInput): string {
  const nav = html`<nav class="site-nav" aria-label="Console">
<a class="brand" href="${ROUTES.incidents}">Incident console</a>
<ul>${NAV.map((n) => html`<li><a href="${n.href}"${n.id === input.nav ? html` aria-current="page"` : ''}>${n.label}</a></li>`)}</ul>
</nav>`;
  const head = (input.scripts ?? []).map((src) => html`<script src="${src}" defer></script>\n`);
  const main = input.incident
    ? html`<main id="main" tabindex="-1" data-incident="${input.incident.id}" data-events="${input.incident.events}">${input.body}</main>`
    : html`<main id="main" tabindex="-1">${input.body}</main>`;
  return documentHtml({
    title: input.title,
    head,
    body: html`<header class="site-header">
${nav}
<div class="site-tools">
${youPicker(input)}
${input.tokenRequired ? signOut(input.csrf) : ''}
</div>
</header>
${input.tokenRequired ? '' : html`<p class="open-console" role="note">This console asks for no token: anyone who can reach it can act as anyone listed.</p>`}
${main}`,
  });
}

/** "You are [Ana (admin) ▾] [Switch]": a plain form, so it works with the keyboard and without script. */
function youPicker(input: PageContext): SafeHtml {
  const people = input.people.some((p) => p.id === input.you.id) ? input.people : [input.you, ...input.people];
  return html`<form class="you" method="post" action="${ROUTES.you}">
${csrfField(input.csrf)}
<label for="you-person">You are</label>
<select id="you-person" name="person">${people.map(
    (p) => html`<option value="${p.id}"${p.id === input.you.id ? html` selected` : ''}>${personLabel(p)}</option>`,
  )}</select>
<button type="submit" class="btn">Switch</button>
</form>`;
}

/** Only where a token is asked: without one there is nothing to sign out of. */
function signOut(csrf: string): SafeHtml {
  return html`<form class="logout" method="post" action="${ROUTES.logout}">
${csrfField(csrf)}
<button type="submit" class="btn">Sign out</button>
</form>`;
}

export function personLabel(p: ConsolePerson): string {
  return p.admin ? `${p.name} (admin)` : p.name;
}

export function csrfField(csrf: string): SafeHtml {
  return html`<input type="hidden" name="csrf" value="${csrf}">`;
}

/**
 * A fresh id for each form as rendered: the same form sent twice (a double submit, a resend after
 * a lost answer) is one request, and a replay of it records nothing, as Slack's trigger_id does.
 */
export function requestField(): SafeHtml {
  return html`<input type="hidden" name="request" value="${randomUUID()}">`;
}

/**
 * A button of a view: a form posting its payload to /console/click. One that asks first carries
 * the question in `data-confirm` (console.js asks it; without script the form simply submits).
 */
export function actionForm(a: ActionView, csrf: string): SafeHtml {
  const style = a.style === 'primary' ? 'btn btn-primary' : a.style === 'danger' ? 'btn btn-danger' : 'btn';
  const confirm = a.confirm ? html` data-confirm="${`${a.confirm.title}\n\n${a.confirm.text}`}"` : '';
  return html`<form class="action" method="post" action="${ROUTES.click}">${csrfField(csrf)}${requestField()}<input type="hidden" name="payload" value="${encodeAction(a.payload)}"><button type="submit" class="${style}"${confirm}>${a.label}</button></form>`;
}

/** A menu of actions of one kind (the runbooks to switch to) and one button that runs the chosen one. */
export function choiceForm(choices: readonly ActionView[], csrf: string, label: string, button: string): SafeHtml | '' {
  if (choices.length === 0) return '';
  const id = `choice-${label.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  return html`<form class="action choice" method="post" action="${ROUTES.click}">${csrfField(csrf)}${requestField()}<label for="${id}">${label}</label> <select id="${id}" name="payload">${choices.map(
    (c) => html`<option value="${encodeAction(c.payload)}">${c.label}</option>`,
  )}</select> <button type="submit" class="btn">${button}</button></form>`;
}

/** The buttons of a view in a row; nothing when it has none. */
export function actionsHtml(actions: readonly ActionView[], csrf: string, label?: string): SafeHtml | '' {
  if (actions.length === 0) return '';
  return html`<div class="actions"${label ? html` role="group" aria-label="${label}"` : ''}>${actions.map((a) => actionForm(a, csrf))}</div>`;
}

/** A view's buttons as they will look, without acting: the runbook preview. */
export function inertActionsHtml(actions: readonly ActionView[]): SafeHtml | '' {
  if (actions.length === 0) return '';
  const style = (a: ActionView) => (a.style === 'primary' ? 'btn btn-primary' : a.style === 'danger' ? 'btn btn-danger' : 'btn');
  return html`<div class="actions">${actions.map((a) => html`<button type="button" class="${style(a)}" disabled>${a.label}</button>`)}</div>`;
}

/** The flash message after a command or a click. */
export function flashHtml(flash: Flash | null | undefined, names?: Names, links?: TextLinks): SafeHtml | '' {
  if (!flash) return '';
  return html`<div class="flash ${flash.ok ? 'flash-ok' : 'flash-error'}" role="status"><p>${textHtml(flash.text, names, links)}</p></div>`;
}

/** The note box: what is typed goes on the incident's timeline, as `/incident note <text>` would put it. */
export function noteForm(input: { csrf: string; room: string }): SafeHtml {
  return html`<form class="command note" method="post" action="${ROUTES.note}">
${csrfField(input.csrf)}
${requestField()}
<input type="hidden" name="room" value="${input.room}">
<label for="note-text">Add to the timeline</label>
<div class="command-row">
<input id="note-text" name="note" type="text" required maxlength="${String(MAX_TEXT)}" autocomplete="off" placeholder="What you found, e.g. the 500s started right after the 14:02 deploy" aria-describedby="note-help">
<button type="submit" class="btn">Add note</button>
</div>
<p id="note-help" class="help">Evidence for the timeline and the post-mortem, at most ${String(MAX_TEXT)} characters; also <code>/incident note &lt;text&gt;</code>.</p>
</form>`;
}

/**
 * The command box: what a chat user types after the bot's name. With `room`, commands act on
 * that incident (ack, resolve …), as typed in its channel.
 */
export function commandForm(input: { csrf: string; room?: string | null; autofocus?: boolean; placeholder?: string; help?: HtmlValue }): SafeHtml {
  const placeholder = input.placeholder ?? '/incident pdf-404 invoices return 404';
  return html`<form class="command" method="post" action="${ROUTES.command}">
${csrfField(input.csrf)}
${requestField()}
${input.room ? html`<input type="hidden" name="room" value="${input.room}">` : ''}
<input type="hidden" name="tz" value="">
<label for="command-text">Command</label>
<div class="command-row">
<input id="command-text" name="text" type="text" required autocomplete="off" autocapitalize="off" spellcheck="false" placeholder="${placeholder}"${input.help ? html` aria-describedby="command-help"` : ''}${input.autofocus ? html` autofocus` : ''}>
<button type="submit" class="btn btn-primary">Send</button>
</div>
${input.help ? html`<p id="command-help" class="help">${input.help}</p>` : ''}
</form>`;
}

const STATUS_TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Sign in first',
  403: 'Not allowed',
  404: 'Not found',
  421: 'Unknown host name',
  409: 'Conflict',
  429: 'Too many requests',
  500: 'Something failed',
  503: 'Not available',
};

/** A page that says what went wrong, with a way back; it needs nothing about who asks. */
export function errorPage(status: number, text: string): string {
  const title = STATUS_TITLES[status] ?? (status >= 500 ? 'Something failed' : 'Cannot do that');
  return documentHtml({
    title,
    bodyClass: 'bare',
    body: html`<main id="main" tabindex="-1" class="narrow">
<h1>${title} <span class="status-code">(${status})</span></h1>
<p>${text}</p>
<p><a href="${ROUTES.incidents}">Back to the incidents</a></p>
</main>`,
  });
}
