import path from 'node:path';
import { html, raw, SafeHtml, jsonScript, escapeHtml, httpUrl, localPath } from '../../src/adapters/console/html';
import { dashboardData, dashboardPage, type DashboardPageInput } from '../../src/adapters/console/pages/dashboard';
import { incidentPage, timelineEntries, type IncidentPageInput } from '../../src/adapters/console/pages/incident';
import { errorPage, layout, type ConsolePerson, type PageContext } from '../../src/adapters/console/pages/layout';
import { listPage } from '../../src/adapters/console/pages/list';
import { loginPage } from '../../src/adapters/console/pages/login';
import type { UnroutedAlertView } from '../../src/adapters/console/pages/unrouted';
import { runbookListPage, runbookPage } from '../../src/adapters/console/pages/runbook';
import { markupHtml, textHtml } from '../../src/adapters/console/text';
import type { ActionItem, Postmortem, Snapshot } from '../../src/core/model';
import type { TimelineEvent } from '../../src/core/ports';
import type { ClassFigures, Figures, MttrReport } from '../../src/core/reports';
import { decodeAction, type ActionView } from '../../src/core/text/actions';
import { decodeAlertChoice } from '../../src/core/text/alert-offer';
import { followUpView } from '../../src/core/render/follow-up';
import { plainText, type Text } from '../../src/core/text/text';
import { timelineContext, timelineText } from '../../src/core/render/timeline';
import { checklistView, headerView } from '../../src/core/render/views';
import { markupOf } from '../../src/core/runbook/markup';
import { loadCatalog } from '../../src/core/runbook/loader';
import type { Runbook } from '../../src/core/runbook/schema';
import { COMMANDER, DECLARED_AT, DONE_BY, INCIDENT_ID, makeIncident, makeRunbook, makeSnapshot } from '../support/factories';

// The console's pages are strings of HTML built from the core's views. What matters: nothing a
// person typed becomes markup, every form carries the CSRF token, every button asks for exactly
// what its view says, and a big incident renders fast and well-formed.

const catalog = loadCatalog(path.resolve(__dirname, '../../playbooks'));
const CSRF = 'csrf-token-123';

const SCRIPT = '<script>alert(1)</script>';
const BREAKOUT = '"><img src=x onerror=alert(1)>';
const JS_URL = 'javascript:alert(1)';
const HOSTILE = `${SCRIPT} ${BREAKOUT} '-alert(1)-' & </textarea></title></script>`;

const ANA: ConsolePerson = { id: 'UANA00001', name: 'Ana', admin: true };
const HOSTILE_PERSON: ConsolePerson = { id: `U${BREAKOUT}`, name: HOSTILE, admin: false };

function context(over: Partial<PageContext> = {}): PageContext {
  return { you: ANA, people: [ANA, HOSTILE_PERSON], csrf: CSRF, tokenRequired: true, ...over };
}

const NAMES: Record<string, string> = { [COMMANDER]: `Cora ${SCRIPT}`, [DONE_BY]: `Bob ${BREAKOUT}`, [ANA.id]: 'Ana' };
const names = (id: string) => NAMES[id] ?? null;

// ---- reading the HTML back ----------------------------------------------------------------------

interface Tag {
  close: boolean;
  name: string;
  attrs: Record<string, string>;
  index: number;
}

const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'<>/=]+(?:="[^"]*")?)*)\s*>/y;
const ATTR = /\s+([^\s"'<>/=]+)(?:="([^"]*)")?/g;

/** Every tag of the document. Throws on a `<` that does not start one: text never holds a raw `<`. */
function tags(doc: string): Tag[] {
  const out: Tag[] = [];
  let i = doc.indexOf('<');
  while (i >= 0) {
    if (doc.startsWith('<!doctype html>', i)) {
      i = doc.indexOf('<', i + 1);
      continue;
    }
    TAG.lastIndex = i;
    const m = TAG.exec(doc);
    if (!m) throw new Error(`a "<" that starts no tag at ${i}: ${JSON.stringify(doc.slice(i, i + 80))}`);
    const attrs: Record<string, string> = {};
    for (const a of m[3]!.matchAll(ATTR)) {
      if (a[1]! in attrs) throw new Error(`attribute ${a[1]} twice in ${m[0]}`);
      attrs[a[1]!.toLowerCase()] = decode(a[2] ?? '');
    }
    out.push({ close: m[1] === '/', name: m[2]!.toLowerCase(), attrs, index: i });
    i = doc.indexOf('<', TAG.lastIndex);
  }
  return out;
}

function decode(s: string): string {
  return s.replace(/&(amp|lt|gt|quot|#39|#13);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#13': '\r' })[e]!);
}

const VOID = new Set(['meta', 'link', 'input', 'br', 'img', 'hr']);
const ELEMENTS = new Set(
  (
    'html head body meta link title script a main nav header ul ol li p div span section h1 h2 h3 dl dt dd ' +
    'form input label select option button details summary pre code strong time table thead tbody tr th td ' +
    'caption figure figcaption canvas progress br fieldset legend textarea'
  ).split(' '),
);
const ATTRIBUTES = new Set(
  (
    'lang charset name content rel href src defer class id tabindex aria-current aria-label aria-labelledby aria-live ' +
    'aria-atomic aria-describedby aria-hidden role method action type value selected for required autocomplete ' +
    'autocapitalize spellcheck placeholder autofocus disabled data-incident data-events data-confirm data-relative ' +
    'data-step data-chart datetime target scope max maxlength rows'
  ).split(' '),
);
/** Where block content inside a <p> would make the browser end the paragraph early. */
const NOT_IN_P = new Set(['p', 'div', 'ul', 'ol', 'pre', 'section', 'table', 'details', 'form', 'h1', 'h2', 'h3', 'dl', 'main', 'figure']);

/** Tags balanced and properly nested, only elements and attributes the pages use, nothing a browser would re-nest. */
function expectWellFormed(doc: string): Tag[] {
  const all = tags(doc);
  const stack: Tag[] = [];
  for (const t of all) {
    expect([t.name, ELEMENTS.has(t.name)]).toEqual([t.name, true]);
    for (const a of Object.keys(t.attrs)) expect([t.name, a, ATTRIBUTES.has(a)]).toEqual([t.name, a, true]);
    if (VOID.has(t.name)) continue;
    if (t.close) {
      const open = stack.pop();
      if (open?.name !== t.name) throw new Error(`</${t.name}> closes <${open?.name}> at ${t.index}: ${doc.slice(Math.max(0, t.index - 120), t.index + 20)}`);
    } else {
      if (NOT_IN_P.has(t.name) && stack.some((s) => s.name === 'p')) throw new Error(`<${t.name}> inside <p> at ${t.index}`);
      stack.push(t);
    }
  }
  expect(stack.map((t) => t.name)).toEqual([]);
  return all;
}

/** No script runs but ours, no handler attribute, no link to javascript:, no raw hostile markup. */
function expectSafe(doc: string): void {
  const all = expectWellFormed(doc);
  for (const t of all.filter((x) => x.name === 'script' && !x.close)) {
    expect(t.attrs.type === 'application/json' || ['/console/assets/console.js', '/console/assets/chart.js'].includes(t.attrs.src ?? '')).toBe(true);
  }
  for (const t of all) {
    for (const a of ['href', 'src', 'action']) {
      if (t.attrs[a] !== undefined) expect(t.attrs[a]).toMatch(/^(https?:\/\/|\/(?!\/)|#[\w-]+$)/);
    }
  }
  expect(doc).not.toContain(SCRIPT);
  expect(doc).not.toContain(BREAKOUT);
  expect(doc).not.toContain('<img');
  expect(doc.toLowerCase()).not.toMatch(/href="\s*javascript:/);
}

/** Each `<form>…</form>` of the document. */
function forms(doc: string): string[] {
  return [...doc.matchAll(/<form\b[\s\S]*?<\/form>/g)].map((m) => m[0]);
}

function expectCsrfEverywhere(doc: string, csrf = CSRF): void {
  const all = forms(doc);
  expect(all.length).toBeGreaterThan(0);
  for (const f of all) {
    const inputs = tags(f).filter((t) => t.name === 'input' && t.attrs.name === 'csrf');
    expect([f.slice(0, 80), inputs.map((t) => [t.attrs.type, t.attrs.value])]).toEqual([f.slice(0, 80), [['hidden', csrf]]]);
    expect(tags(f)[0]!.attrs.method).toBe('post');
  }
}

/** The payloads of the page's buttons, decoded, with the question each asks, in page order. */
function buttons(doc: string): Array<{ payload: unknown; confirm: string | null; label: string }> {
  return forms(doc)
    .filter((f) => f.includes('action="/console/click"'))
    .map((f) => {
      const t = tags(f);
      const payload = t.find((x) => x.name === 'input' && x.attrs.name === 'payload')!.attrs.value!;
      const button = t.find((x) => x.name === 'button')!;
      const label = decode(/<button[^>]*>([^<]*)<\/button>/.exec(f)![1]!);
      return { payload: decodeAction(payload), confirm: button.attrs['data-confirm'] ?? null, label };
    });
}

// ---- data ---------------------------------------------------------------------------------------

const at = (hhmm: string) => new Date(`2025-03-07T${hhmm}:00Z`);

function hostileRunbook(): Runbook {
  return makeRunbook({
    title: `PDFs ${HOSTILE}`,
    links: [
      { title: `Logs ${HOSTILE}`, url: JS_URL },
      { title: 'Dashboard', url: 'https://grafana.example/d/pdf?a=1&b="2"' },
    ],
    steps: [
      {
        id: 'look',
        title: `Look ${HOSTILE}`,
        detail: `Search ${HOSTILE}\n- item [x](${JS_URL}) **${SCRIPT}**\n\n\`\`\`\n${SCRIPT}\n\`\`\`\n`,
        probe: 'smoke-pdf',
      },
      { id: 'cause', title: 'State the cause', detail: `[click](${JS_URL})`, marks: 'diagnosed' },
      { id: 'fix', title: 'Re-render or roll back', detail: 'Fix it.', marks: 'mitigated' },
    ],
    probes: [
      {
        id: 'smoke-pdf',
        kind: 'http',
        title: `Smoke ${BREAKOUT}`,
        auto: true,
        path: '/api/pdf',
        method: 'GET',
        as: 'standard-user',
        expect_status: 200,
        timeout: '10s',
      },
    ],
    escalation: [
      { after: '5m', notify: ['@oncall'] },
      { after: '15m', notify: ['@lead'] },
    ],
    edge_cases: [{ case: `Edge ${HOSTILE}`, fallback: `Fallback ${SCRIPT}` }],
  });
}

const POSTMORTEM: Postmortem = {
  status: 'in_review',
  owner: COMMANDER,
  dueOn: '2025-03-14',
  openedAt: at('10:31'),
  openedBy: 'incident-bot',
  reviewedAt: at('11:00'),
  publishedAt: null,
  closedAt: null,
};

const ITEMS: ActionItem[] = [
  { number: 1, text: `Alert ${HOSTILE}`, owner: DONE_BY, dueOn: '2025-03-05', createdAt: at('10:40'), createdBy: COMMANDER, closedAt: null, closedBy: null },
  { number: 2, text: 'Add a dashboard', owner: null, dueOn: null, createdAt: at('10:41'), createdBy: COMMANDER, closedAt: at('10:50'), closedBy: DONE_BY },
];

function hostileSnapshot(runbook: Runbook, over: Partial<Snapshot> = {}): Snapshot {
  const s = makeSnapshot({
    runbook,
    status: 'acknowledged',
    done: ['look'],
    incident: { title: `Invoices ${HOSTILE}`, summary: HOSTILE, commander: COMMANDER, declaredBy: `U${BREAKOUT}` },
  });
  return {
    ...s,
    probes: [
      { id: 'r1', probeId: 'smoke-pdf', status: 'fail', reason: `expected 200 ${HOSTILE}`, queuedAt: at('09:15'), finishedAt: at('09:16'), durationMs: 120 },
    ],
    postmortem: POSTMORTEM,
    actionItems: ITEMS,
    ...over,
  };
}

function events(): TimelineEvent[] {
  const e = (hhmm: string, actor: string, kind: string, data: Record<string, unknown> = {}): TimelineEvent => ({ at: at(hhmm), actor, kind, data });
  return [
    e('09:15', `U${BREAKOUT}`, 'incident.declared', { runbook: 'pdf-404', severity: 2, title: HOSTILE }),
    e('09:16', 'incident-bot', 'probe.finished', { probe: 'smoke-pdf', status: 'fail', reason: HOSTILE }),
    e('09:17', 'incident-bot', 'escalation.fired', { level: 1, targets: ['@oncall'], reason: 'timeout', note: SCRIPT }),
    e('09:22', DONE_BY, 'step.completed', { step: 'look', title: 'Look' }),
    e('09:27', COMMANDER, 'incident.commander_changed', { from: COMMANDER, to: `U${SCRIPT}` }),
    e('09:35', DONE_BY, 'edge_case.hit', { case: 1, note: BREAKOUT }),
    e('10:31', 'incident-bot', 'postmortem.opened', { owner: COMMANDER, due: '2025-03-14' }),
    e('10:40', COMMANDER, 'action_item.added', { number: 1, text: HOSTILE, owner: DONE_BY, due: '2025-03-05' }),
    e('11:01', 'incident-bot', `weird.${SCRIPT}`, {}),
  ];
}

const NOW = new Date('2025-03-08T12:00:00Z');

function incidentInput(runbook: Runbook, s: Snapshot, over: Partial<IncidentPageInput> = {}): IncidentPageInput {
  const hostileText: Text = [
    HOSTILE,
    { user: `U${SCRIPT}` },
    { channel: s.incident.channelId ?? 'C1' },
    { time: at('09:15'), relative: true },
    { command: `resolve ${SCRIPT}` },
    { code: BREAKOUT },
    { strong: SCRIPT },
    { link: JS_URL, title: `click ${BREAKOUT}` },
    { link: 'https://example.com/"><script>', title: 'fine' },
  ];
  return {
    ...context(),
    snapshot: s,
    header: headerView(s, runbook),
    checklist: checklistView(s, runbook),
    followUp: followUpView(s, runbook, NOW, 'UTC'),
    timeline: timelineEntries(s, runbook, events()),
    messages: [
      { at: at('09:15'), text: hostileText, actions: [{ label: `Ack ${SCRIPT}`, style: 'primary', payload: { a: 'ack', i: INCIDENT_ID } }] },
      {
        at: at('09:20'),
        text: ['Escalate?'],
        actions: [
          { label: 'Escalate', confirm: { title: `Sure ${BREAKOUT}?`, text: SCRIPT, ok: 'Yes', cancel: 'No' }, payload: { a: 'escalate', i: INCIDENT_ID } },
        ],
      },
    ],
    names,
    flash: { text: [`Could not: ${HOSTILE}`, { user: `U${BREAKOUT}` }], ok: false },
    links: { incident: (ch) => (ch === s.incident.channelId ? '/console/incidents/42' : JS_URL) },
    ...over,
  };
}

function figures(over: Partial<Figures> = {}): Figures {
  return {
    incidents: 4,
    resolved: 3,
    mttr_seconds: 3725,
    mttr_p50_seconds: 3000,
    mttr_p90_seconds: 7200,
    mtta_seconds: 300,
    diagnosed_within_15m_rate: 0.5,
    recurrence_rate: 0.25,
    postmortems: { major: 3, closed: 2, share: 2 / 3, mean_seconds_to_close: 30 * 3600 },
    ...over,
  };
}

function report(classes: ClassFigures[], over: Partial<MttrReport> = {}): MttrReport {
  return {
    since: '2025-02-06T00:00:00.000Z',
    until: '2025-03-08T00:00:00.000Z',
    overall: figures(),
    classes,
    severities: [],
    runbook_coverage: 0.75,
    uncovered_top_classes: [{ class: `</script><script>alert(1)</script>`, incidents: 2 }],
    ...over,
  };
}

const EVIL_CLASS = '</script><script>alert(1)</script><!--';

function dashboardInput(over: Partial<DashboardPageInput> = {}): DashboardPageInput {
  const weeks = Array.from({ length: 4 }, (_, i) => ({
    start: new Date(Date.UTC(2025, 1, 10 + 7 * i)),
    report: report([
      { ...figures({ incidents: 3 - (i % 2) }), class: 'pdf', has_runbook: true },
      { ...figures({ mttr_seconds: null, mttr_p50_seconds: null, recurrence_rate: i === 2 ? null : 0.1 }), class: EVIL_CLASS, has_runbook: false },
    ]),
  }));
  return { ...context(), weeks, last30: report([]), followUps: { postmortemsOpen: 2, itemsOpen: 5, itemsOverdue: 1 }, ...over };
}

// ---- html ---------------------------------------------------------------------------------------

describe('html', () => {
  it('escapes every interpolation unless it is SafeHtml, and joins arrays', () => {
    const out = html`<p title="${BREAKOUT}">${SCRIPT}${html`<b>${'&'}</b>`}${['<', html`<i>x</i>`]}${null}${undefined}${false}${0}</p>`;
    expect(out).toBeInstanceOf(SafeHtml);
    expect(String(out)).toBe('<p title="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;">&lt;script&gt;alert(1)&lt;/script&gt;<b>&amp;</b>&lt;<i>x</i>0</p>');
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
    expect(String(html`${raw('<br>')}`)).toBe('<br>');
  });

  it('does not take a look-alike object for SafeHtml', () => {
    const forged = { toString: () => SCRIPT } as unknown as SafeHtml;
    expect(String(html`${forged}`)).toBe('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('links out to http(s) only, and in to paths on this server only', () => {
    expect(httpUrl('https://a.example/x?y=1')).toBe('https://a.example/x?y=1');
    for (const bad of [JS_URL, ' JavaScript:alert(1)', 'data:text/html,x', '//evil.example', '/console', 'ftp://x']) expect(httpUrl(bad)).toBeNull();
    expect(localPath('/console/incidents/4')).toBe('/console/incidents/4');
    for (const bad of ['//evil.example', '/\\evil.example', JS_URL, 'console']) expect(localPath(bad)).toBeNull();
  });

  it('embeds JSON that cannot end its script element', () => {
    const value = { s: EVIL_CLASS, t: '\u2028&' };
    const out = String(jsonScript('data', value));
    const body = out.slice(out.indexOf('>') + 1, out.lastIndexOf('</script>'));
    expect(body).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(body)).toEqual(value);
  });
});

// ---- text ---------------------------------------------------------------------------------------

describe('textHtml', () => {
  it('renders each kind of span', () => {
    const out = String(
      textHtml(
        [
          'a\nb ',
          { user: 'U1' },
          ' ',
          { user: 'U2' },
          ' ',
          { channel: 'C1' },
          ' ',
          { channel: 'C2' },
          ' ',
          { time: new Date('2025-03-07T09:15:30Z'), relative: true },
          { time: new Date('2025-03-07T09:15:00Z') },
          { command: 'sev 2' },
          { code: 'x<y' },
          { strong: 'S' },
          { link: 'https://e.example/?a=1&b=2', title: 'T' },
          { link: JS_URL, title: 'J' },
        ],
        (id) => (id === 'U1' ? 'Ana <A>' : null),
        { incident: (c) => (c === 'C1' ? '/console/incidents/7' : null) },
      ),
    );
    expect(out).toBe(
      [
        'a<br>b ',
        '<span class="person">Ana &lt;A&gt;</span> <span class="person">U2</span> ',
        '<a href="/console/incidents/7">the incident page</a> the incident page ',
        '<time datetime="2025-03-07T09:15:30.000Z" data-relative>2025-03-07 09:15 UTC</time>',
        '<time datetime="2025-03-07T09:15:00.000Z">2025-03-07 09:15 UTC</time>',
        '<code class="command">/incident sev 2</code><code>x&lt;y</code><strong>S</strong>',
        '<a href="https://e.example/?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">T</a>J',
      ].join(''),
    );
  });

  it('shows an invalid time as unknown rather than throwing', () => {
    expect(String(textHtml([{ time: new Date('nope') }]))).toBe('<span class="time-unknown">unknown time</span>');
  });
});

describe('markupHtml', () => {
  it('renders paragraphs, lists and code blocks byte for byte', () => {
    const code = '  if a < b && c > "d":\n\techo \'x\'   \n\n   </code></pre><script>';
    const m = markupOf(`First **bold** line\nsecond \`code\` [doc](https://d.example)\n\n- one\n- two\n\n\`\`\`bash\n${code}\n\`\`\`\n`);
    const out = String(markupHtml(m));
    expect(out).toBe(
      '<p>First <strong>bold</strong> line<br>second <code>code</code> <a href="https://d.example" rel="noopener noreferrer" target="_blank">doc</a></p>' +
        '<ul><li>one</li><li>two</li></ul>' +
        `<pre><code class="language-bash">${escapeHtml(code)}</code></pre>`,
    );
    const inner = /<pre><code[^>]*>([\s\S]*)<\/code><\/pre>/.exec(out)![1]!;
    expect(decode(inner)).toBe(code);
  });

  it('keeps a carriage return in code as a character reference', () => {
    expect(String(markupHtml([{ type: 'code', code: 'a\r\nb', lang: null }]))).toBe('<pre><code>a&#13;\nb</code></pre>');
  });
});

// ---- timeline wording ---------------------------------------------------------------------------

describe('timelineText', () => {
  const runbook = makeRunbook({ edge_cases: [{ case: 'Old link', fallback: 'Re-send' }] });
  const s = makeSnapshot({ runbook, incident: {} });
  const ctx = timelineContext({ ...s, actionItems: ITEMS }, runbook);
  const words = (kind: string, data: Record<string, unknown>) => timelineText({ at: at('09:00'), actor: 'U1', kind, data }, ctx);

  it('words events as neutral text, people as user spans', () => {
    expect(words('step.completed', { step: 'fix' })).toEqual(['Step 3 done: Re-render or roll back']);
    expect(words('probe.finished', { probe: 'smoke', status: 'fail', reason: '404' })).toEqual(['Check smoke: fail — 404']);
    expect(words('escalation.fired', { level: 2, reason: 'timeout', targets: ['@a', '@b'] })).toEqual(['Escalated to level 2 (timeout): @a, @b']);
    expect(words('incident.commander_changed', { from: 'U1', to: 'U2' })).toEqual(['Commander changed to ', { user: 'U2' }, ' (was ', { user: 'U1' }, ')']);
    expect(words('postmortem.opened', { owner: 'U3', due: '2025-03-14' })).toEqual(['Post-mortem opened (owner ', { user: 'U3' }, ', due 2025-03-14)']);
    expect(words('action_item.added', { number: 2, text: 'Alert', owner: 'U4' })).toEqual(['Action item 2 added: Alert', ' (', 'owner ', { user: 'U4' }, ')']);
    expect(words('action_item.closed', { number: 2 })).toEqual(['Action item 2 done: Add a dashboard']);
    expect(words('edge_case.hit', { case: 1 })).toEqual(['Edge case 1 hit: Old link']);
    expect(words('step.completed', { step: 'gone', title: 'Since removed' })).toEqual(['Step done: Since removed']);
    expect(words('postmortem.moved', { to: 'constructor' })).toEqual(['Post-mortem moved to constructor']);
    expect(words('who.knows', { x: 1 })).toEqual(['who.knows']);
  });

  it('never throws, whatever the data', () => {
    const broken = {
      stepTitle: () => {
        throw new Error('boom');
      },
      probeTitle: () => 'p',
      edgeCase: () => null,
    };
    expect(timelineText({ at: at('09:00'), actor: 'U1', kind: 'step.completed', data: { step: 'x' } }, broken)).toEqual(['step.completed']);
    expect(timelineText({ at: at('09:00'), actor: 'U1', kind: 'incident.declared', data: null as unknown as Record<string, unknown> }, ctx)).toEqual([
      'Declared',
    ]);
  });
});

// ---- pages --------------------------------------------------------------------------------------

describe('layout', () => {
  const page = layout({ ...context(), title: `T ${SCRIPT}`, body: html`<p>x</p>`, nav: 'dashboard' });

  it('is a dark, accessible document with the assets, a skip link, the nav and the "You are" picker', () => {
    expect(page.startsWith('<!doctype html>\n<html lang="en">')).toBe(true);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toContain('<link rel="stylesheet" href="/console/assets/console.css">');
    expect(page).toContain('<script src="/console/assets/console.js" defer></script>');
    expect(page).toContain('<a class="skip-link" href="#main">');
    expect(page).toContain('<main id="main"');
    expect(page).toContain('<a href="/console/dashboard" aria-current="page">Dashboard</a>');
    expect(page).toContain('<a href="/console/runbooks">Runbooks</a>');
    expect(page).toContain('<form class="you" method="post" action="/console/you">');
    expect(page).toContain('<label for="you-person">You are</label>');
    expect(page).toContain('<option value="UANA00001" selected>Ana (admin)</option>');
    expect(page).toContain('<button type="submit" class="btn">Switch</button>');
    expect(page).not.toContain('asks for no token');
    expect(page).toContain('<form class="logout" method="post" action="/console/logout">');
    expectSafe(page);
    expectCsrfEverywhere(page);
  });

  it('says so when the console asks for no token, and offers no sign-out there', () => {
    const page = layout({ ...context({ tokenRequired: false }), title: 'T', body: html``, nav: null });
    expect(page).toContain('asks for no token');
    expect(page).not.toContain('/console/logout');
  });
});

describe('listPage', () => {
  const open = [
    makeIncident({ id: '00000000-0000-4000-8000-000000000001', number: 7, severity: 3, title: `Slow ${HOSTILE}` }),
    makeIncident({ id: '00000000-0000-4000-8000-000000000002', number: 8, severity: 1, title: 'Down', status: 'acknowledged' }),
    makeIncident({
      id: '00000000-0000-4000-8000-000000000003',
      number: 9,
      severity: 1,
      title: 'Also down',
      declaredAt: new Date(DECLARED_AT.getTime() + 60_000),
    }),
  ];
  const recent = [makeIncident({ number: 3, status: 'resolved', resolvedAt: new Date(DECLARED_AT.getTime() + 75 * 60_000), title: BREAKOUT })];
  const page = listPage({
    ...context(),
    open,
    recent,
    flash: { text: [`Declared ${SCRIPT}`], ok: true },
    runbooks: [
      { id: 'pdf-404', title: `PDF ${HOSTILE}` },
      { id: 'queue-failure', title: 'Queue' },
    ],
  });

  it('has the command box, the runbooks, the flash and the incidents most severe first', () => {
    expect(page).toContain('<form class="command" method="post" action="/console/command">');
    expect(page).toMatch(/<label for="command-text">Command<\/label>/);
    expect(page).toMatch(/<input id="command-text" name="text" type="text"[^>]* placeholder="\/incident pdf-404 invoices return 404"[^>]* autofocus>/);
    expect(page).toContain('<a href="/console/runbooks/pdf-404"><code>pdf-404</code></a>');
    expect(page).toMatch(/<div class="flash flash-ok" role="status">/);
    const order = [...page.matchAll(/<a href="\/console\/incidents\/(\d+)">INC-\d+<\/a>/g)].map((m) => m[1]);
    expect(order).toEqual(['9', '8', '7', '3']);
    expect(page).toContain('<span class="sev sev-1">SEV1</span>');
    expect(page).toContain('1 h 15 min');
    expectSafe(page);
    expectCsrfEverywhere(page);
  });

  it('shows what the announce channel shows: severity, status, commander and the link', () => {
    const one = listPage({
      ...context(),
      open: [makeIncident({ number: 12, severity: 1, status: 'acknowledged', commander: 'ada' })],
      recent: [makeIncident({ number: 4, status: 'resolved', resolvedAt: DECLARED_AT, commander: null })],
      runbooks: [],
      names: (id) => (id === 'ada' ? 'Ada Lovelace' : null),
    });
    expect(one).toContain('<th scope="col">Commander</th>');
    expect(one).toMatch(/<a href="\/console\/incidents\/12">INC-12<\/a>.*SEV1.*Acknowledged.*<span class="person">Ada Lovelace<\/span>/s);
    expect(one).toMatch(/<a href="\/console\/incidents\/4">INC-4<\/a>.*Resolved.*nobody yet/s);
  });

  it('says when nothing is open', () => {
    expect(listPage({ ...context(), open: [], recent: [], runbooks: [] })).toContain('No open incidents.');
  });

  it('offers each unrouted alert with a form per runbook, its hostile title, labels and link shown as text', () => {
    const runbooks = [
      { id: 'pdf-404', title: 'PDF' },
      { id: 'queue-failure', title: 'Queue' },
    ];
    const unrouted: UnroutedAlertView[] = [
      { source: 'alertmanager', fingerprint: `fp ${BREAKOUT}`, title: HOSTILE, labels: { [BREAKOUT]: SCRIPT }, url: JS_URL, receivedAt: DECLARED_AT },
      { source: 'generic', fingerprint: 'fp-2', title: 'Disk full', labels: {}, url: 'https://grafana.example/d?a=1&b=2', receivedAt: DECLARED_AT },
    ];
    const doc = listPage({ ...context(), open: [], recent: [], runbooks, unrouted });
    expectSafe(doc);
    expectCsrfEverywhere(doc);
    const declares = forms(doc).filter((f) => f.includes('action="/console/alerts/declare"'));
    expect(declares.map((f) => /<button[^>]*>([^<]*)<\/button>/.exec(f)![1])).toEqual([
      'Declare as pdf-404',
      'Declare as queue-failure',
      'Declare as pdf-404',
      'Declare as queue-failure',
    ]);
    const choice = (f: string) =>
      decodeAlertChoice(
        tags(f)
          .find((t) => t.attrs.name === 'choice')!
          .attrs.value!.replace(/&quot;/g, '"')
          .replace(/&gt;/g, '>')
          .replace(/&lt;/g, '<')
          .replace(/&amp;/g, '&'),
      );
    expect(choice(declares[1]!)).toEqual({ source: 'alertmanager', fingerprint: `fp ${BREAKOUT}`, runbook: 'queue-failure' });
    expect(doc).not.toContain('javascript:');
    expect(doc).toContain('<a href="https://grafana.example/d?a=1&amp;b=2" rel="noopener noreferrer" target="_blank">source</a>');
    expect(listPage({ ...context(), open: [], recent: [], runbooks, unrouted: [] })).not.toContain('Unrouted alerts');
  });
});

describe('incidentPage', () => {
  const runbook = hostileRunbook();
  const s = hostileSnapshot(runbook);
  const input = incidentInput(runbook, s);
  const page = incidentPage(input);

  it('never lets hostile text through', () => {
    expectSafe(page);
    // The hostile text is there, as text.
    expect(page).toContain('Invoices &lt;script&gt;alert(1)&lt;/script&gt; &quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('Logs &lt;script&gt;'); // the javascript: link shows as its title only
    expect(page).toContain('click &quot;&gt;&lt;img');
    expect(page).toContain('<a href="https://grafana.example/d/pdf?a=1&amp;b=&quot;2&quot;" rel="noopener noreferrer" target="_blank">Dashboard</a>');
  });

  it('puts the CSRF token in every form', () => {
    expectCsrfEverywhere(page);
  });

  it("gives every button its view's payload, and asks first where the view says to", () => {
    const views: ActionView[] = [
      ...input.header.actions,
      // A step in focus shows its edge cases under its buttons; the others inside their details, above them.
      ...input.checklist.items.flatMap((x) => {
        const edges = x.edgeCases.flatMap((e) => e.actions);
        return x.shown === 'focus' ? [...x.actions, ...edges] : [...edges, ...x.actions];
      }),
      ...input.checklist.edgeCases.flatMap((e) => e.actions),
      ...(input.followUp?.postmortem?.actions ?? []),
      // Edit analysis is a folded form whose button saves.
      ...(input.followUp?.postmortem?.edit ? [{ ...input.followUp.postmortem.edit, label: 'Save' }] : []),
      ...(input.followUp?.open.flatMap((x) => x.actions) ?? []),
      ...(input.followUp?.done.flatMap((x) => x.actions) ?? []),
      ...input.messages.flatMap((m) => m.actions),
    ];
    expect(views.length).toBeGreaterThan(8);
    expect(buttons(page)).toEqual(
      views.map((v) => ({ payload: v.payload, confirm: v.confirm ? `${v.confirm.title}\n\n${v.confirm.text}` : null, label: v.label })),
    );
  });

  it('lays out the header, checklist, follow-up, messages, timeline and a command box for this incident', () => {
    // The stream is told the version the page showed, to announce at once what changed since.
    expect(page).toContain(
      `<main id="main" tabindex="-1" data-incident="${INCIDENT_ID}" data-events="/console/incidents/42/events?v=${input.snapshot.incident.version}">`,
    );
    const order = ['incident-heading', 'checklist-heading', 'follow-up-heading', 'messages-heading', 'timeline-heading', 'command-heading'].map((id) =>
      page.indexOf(`id="${id}"`),
    );
    expect(order.every((x, i) => x > 0 && (i === 0 || x > order[i - 1]!))).toBe(true);
    expect(page).toContain(`<input type="hidden" name="room" value="${s.incident.channelId}">`);
    // The step in focus whole, the others behind <details>.
    expect(page).toMatch(
      /<li class="step step-focus" id="step-cause" aria-current="step">[\s\S]*?<div class="detail"><p>\[click\]\(javascript:alert\(1\)\)<\/p><\/div>/,
    );
    expect(page).toMatch(/<li class="step step-done" id="step-look">[\s\S]*?<p class="done-by">Done by <span class="person">Bob &quot;&gt;&lt;img/);
    expect(page).toContain('<details class="detail" data-step="look">');
    expect(page).toContain(`<pre><code>${escapeHtml(SCRIPT)}</code></pre>`);
    // The timeline, oldest first, worded as the export words it.
    const timeline = page.slice(page.indexOf('id="timeline-heading"'));
    expect(timeline.match(/<li class="event">/g)).toHaveLength(events().length);
    expect(timeline).toContain('Commander changed to <span class="person">U&lt;script&gt;');
    expect(timeline).toContain('<span class="person bot">incident-bot</span>');
    expect(timeline).toContain(`Check Smoke &quot;&gt;&lt;img src=x onerror=alert(1)&gt;: fail`);
    expect(page).toContain('<a href="/console/incidents/42">the incident page</a>');
    expect(page).toMatch(/<div class="flash flash-error" role="status">/);
    expect(page).toContain('<span class="badge badge-overdue">Overdue</span>');
  });

  it('shows a one-line detail as it is, and gives a page served before its room was recorded the room it will get', () => {
    const runbook = makeRunbook();
    const snap = makeSnapshot({ runbook, incident: { channelId: null } });
    const out = incidentPage({
      ...context(),
      snapshot: snap,
      header: headerView(snap, runbook),
      checklist: checklistView(snap, runbook),
      followUp: null,
      timeline: [],
      messages: [],
      names,
    });
    expect(out).toContain(`<input type="hidden" name="room" value="console:${INCIDENT_ID}">`);
    expect(out).toMatch(/<li class="step step-open" id="step-cause">[\s\S]*?<div class="detail"><p>Post the cause\.<\/p><\/div>/);
    expect(out).not.toContain('data-step="cause"');
    expectSafe(out);
  });

  it('renders a 300-step runbook with 300 events fast, and well-formed', () => {
    const steps = Array.from({ length: 300 }, (_, i) => ({
      id: `step-${i}`,
      title: `Step ${i} ${HOSTILE}`,
      detail: `Do **thing ${i}** with \`cmd ${i}\`.\n- a\n- b [doc](https://d.example/${i})\n\n\`\`\`\necho ${i} ${SCRIPT}\n\`\`\`\n`,
      ...(i % 10 === 0 ? { probe: 'smoke-pdf' } : {}),
    }));
    const big = makeRunbook({ ...hostileRunbook(), steps });
    const snap = hostileSnapshot(big, {});
    const bigSnap = {
      ...snap,
      ...makeSnapshot({ runbook: big, status: 'acknowledged', done: steps.slice(0, 150).map((x) => x.id) }),
      probes: snap.probes,
      postmortem: POSTMORTEM,
      actionItems: ITEMS,
    };
    const many: TimelineEvent[] = Array.from({ length: 300 }, (_, i) => ({
      at: new Date(DECLARED_AT.getTime() + i * 60_000),
      actor: i % 2 ? DONE_BY : COMMANDER,
      kind: i % 3 ? 'step.completed' : 'probe.finished',
      data: { step: `step-${i}`, probe: 'smoke-pdf', status: 'pass', reason: HOSTILE },
    }));
    const started = performance.now();
    const out = incidentPage({
      ...incidentInput(big, bigSnap),
      header: headerView(bigSnap, big),
      checklist: checklistView(bigSnap, big),
      followUp: followUpView(bigSnap, big, NOW, 'UTC'),
      timeline: timelineEntries(bigSnap, big, many),
    });
    const ms = performance.now() - started;
    expect(ms).toBeLessThan(1000);
    expect(out.match(/<li class="step /g)).toHaveLength(300);
    expect(out.match(/<li class="event">/g)).toHaveLength(300);
    expect(out.match(/<main\b/g)).toHaveLength(1);
    expect(out.match(/<\/main>/g)).toHaveLength(1);
    expect(out.match(/<section\b/g)!.length).toBe(out.match(/<\/section>/g)!.length);
    expectSafe(out);
  });

  it('renders real runbooks, open and ended, well-formed', () => {
    for (const rb of catalog.all) {
      for (const status of ['declared', 'resolved'] as const) {
        const snap = makeSnapshot({ runbook: rb, status, done: rb.steps.slice(0, 1).map((x) => x.id) });
        const out = incidentPage({
          ...context(),
          snapshot: snap,
          header: headerView(snap, rb),
          checklist: checklistView(snap, rb),
          followUp: followUpView(snap, rb, NOW, 'UTC'),
          timeline: [],
          messages: [],
          names,
        });
        expectSafe(out);
        expectCsrfEverywhere(out);
        expect(buttons(out).every((b) => b.payload !== null)).toBe(true);
        if (status === 'resolved') expect(buttons(out)).toEqual([]);
      }
    }
  });
});

describe('dashboardPage', () => {
  const input = dashboardInput();
  const page = dashboardPage(input);

  it('embeds its data as JSON that cannot break out of the script element', () => {
    const open = '<script type="application/json" id="dashboard-data">';
    const start = page.indexOf(open) + open.length;
    expect(start).toBeGreaterThan(open.length);
    const end = page.indexOf('</script>', start);
    const body = page.slice(start, end);
    expect(body).not.toMatch(/[<>]/);
    expect(JSON.parse(body)).toEqual(dashboardData(input.weeks));
    expect(JSON.parse(body).charts[0].series.map((x: { label: string }) => x.label)).toEqual(['All classes', EVIL_CLASS, 'pdf']);
    expectSafe(page);
    expectCsrfEverywhere(page);
  });

  it('loads Chart.js on this page only, before console.js', () => {
    expect(page).toMatch(/<script src="\/console\/assets\/chart\.js" defer><\/script>\n<script src="\/console\/assets\/console\.js" defer><\/script>/);
    expect(listPage({ ...context(), open: [], recent: [], runbooks: [] })).not.toContain('chart.js');
  });

  it('shows the figures in the report’s own formats, and a table under every chart', () => {
    expect(page).toContain('<dd class="value">1h 02m</dd>'); // MTTR, as the report prints it
    expect(page).toContain('p50 50m 00s · p90 2h 00m');
    expect(page).toContain('<dd class="value">5m 00s</dd>');
    expect(page).toContain('<dd class="value">50.0%</dd>');
    expect(page).toContain('<dd class="value">75.0%</dd>');
    expect(page).toContain('Post-mortems: 2 of 3 major incidents closed (67%), closed on average 30 h after resolution');
    expect(page).toContain('Most frequent without one: <code>&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;</code> (2)');
    expect(page).toMatch(/<dt>Overdue action items<\/dt><dd class="value">1<\/dd><dd class="detail">of 5 open action items<\/dd>/);
    const charts = page.match(/<canvas data-chart="[^"]+"/g)!;
    // Time to detect, to mitigate, to diagnose and recurrence by cause are charted too, empty while no incident gave them.
    expect(charts).toHaveLength(10);
    expect(page.match(/<details class="chart-table"><summary>Table<\/summary>/g)).toHaveLength(10);
    // Weeks without a figure read as "—", never as zero. The busiest class first.
    expect(page).toMatch(/<th scope="row">2025-02-24<\/th><td>25\.0%<\/td><td>—<\/td><td>25\.0%<\/td>/);
  });

  it('copes with no weeks and no follow-up figures', () => {
    const out = dashboardPage({
      ...input,
      weeks: [],
      followUps: null,
      last30: report([], { overall: figures({ incidents: 0, mttr_seconds: null, postmortems: undefined }) }),
    });
    expect(out).toContain('No weekly figures yet.');
    expect(out).not.toContain('dashboard-data');
    expect(out).toContain('<dt>MTTR</dt><dd class="value">—</dd>');
    expect(out).not.toContain('Time to detect');
    expectSafe(out);
  });

  it("shows the clocks, diagnosis against each runbook's limit and recurrence by cause with how many incidents it counts", () => {
    const out = dashboardPage({
      ...input,
      last30: report([], {
        overall: figures({
          mttr_from_impact_seconds: 5400,
          mttr_from_impact_p50_seconds: 4800,
          mttr_from_impact_p90_seconds: 9000,
          time_to_mitigate_seconds: 1500,
          time_to_mitigate_p50_seconds: 1200,
          time_to_mitigate_p90_seconds: 3600,
          time_to_diagnose_seconds: 420,
          time_to_diagnose_p50_seconds: 360,
          time_to_diagnose_p90_seconds: 840,
          diagnosed_in_time_rate: 0.25,
          with_cause_category: 3,
          recurrence_by_cause_rate: 1 / 3,
        }),
      }),
    });
    expect(out).toContain('<dt>MTTR from impact start</dt><dd class="value">1h 30m</dd><dd class="detail">p50 1h 20m · p90 2h 30m');
    expect(out).toContain('<dt>Time to mitigate</dt><dd class="value">25m 00s</dd><dd class="detail">p50 20m 00s · p90 1h 00m');
    expect(out).toContain('<dt>Time to diagnose</dt><dd class="value">7m 00s</dd><dd class="detail">p50 6m 00s · p90 14m 00s');
    expect(out).toContain('<dt>Diagnosed within its runbook&#39;s limit</dt><dd class="value">25.0%</dd>');
    expect(out).not.toContain('Diagnosed within 15 min');
    expect(out).toContain(
      '<dt>Recurrence by cause</dt><dd class="value">33.3%</dd><dd class="detail">of the 3 incidents whose post-mortem names a cause category',
    );
    // Without any: no card, rather than a figure of nothing.
    expect(page).not.toContain('Recurrence by cause</dt>');
    expect(page).not.toContain('Time to mitigate</dt>');
  });

  it('shows time to detect once an alert gave some incident its impact start', () => {
    const out = dashboardPage({ ...input, last30: report([], { overall: figures({ mttd_seconds: 240 }) }) });
    expect(out).toContain('<dt>Time to detect</dt><dd class="value">4m 00s</dd>');
  });
});

describe('runbook pages', () => {
  it('lists the runbooks with links', () => {
    const page = runbookListPage({ ...context(), runbooks: catalog.all.map((r) => ({ id: r.id, title: r.title })).concat([{ id: 'zz', title: HOSTILE }]) });
    for (const r of catalog.all) expect(page).toContain(`<a href="/console/runbooks/${r.id}"><code>${r.id}</code></a>`);
    expectSafe(page);
    expectCsrfEverywhere(page);
  });

  it('shows the checklist as it will look, inert, with the problems at the top', () => {
    const runbook = hostileRunbook();
    const preview = makeSnapshot({ runbook });
    const page = runbookPage({
      ...context(),
      id: runbook.id,
      runbook,
      problems: [`playbooks/pdf-404.yaml: steps.0.detail: ${HOSTILE}`],
      checklist: checklistView(preview, runbook),
    });
    expectSafe(page);
    expectCsrfEverywhere(page);
    expect(buttons(page)).toEqual([]);
    expect(page).toContain('<button type="button" class="btn btn-primary" disabled>Done</button>');
    const alert = page.indexOf('<div class="alert" role="alert">');
    expect(alert).toBeGreaterThan(0);
    expect(alert).toBeLessThan(page.indexOf('id="checklist-heading"'));
    expect(page).toContain('<h2><code>runbooks check</code> finds 1 problem</h2>');
  });

  it('shows only the problems of a runbook that failed to load', () => {
    const page = runbookPage({ ...context(), id: 'broken', runbook: null, problems: ['playbooks/broken.yaml: YAML syntax: bad', BREAKOUT], checklist: null });
    expect(page).toContain('This runbook did not load');
    expect(page).toContain('<li>playbooks/broken.yaml: YAML syntax: bad</li>');
    expect(page).not.toContain('checklist-heading');
    expectSafe(page);
  });

  it('renders every real runbook well-formed', () => {
    for (const rb of catalog.all) {
      const page = runbookPage({ ...context(), id: rb.id, runbook: rb, problems: [], checklist: checklistView(makeSnapshot({ runbook: rb }), rb) });
      expectSafe(page);
      expect(page).not.toContain('role="alert"');
    }
  });
});

describe('loginPage and errorPage', () => {
  it('asks for the token in a password field, with the CSRF token', () => {
    const page = loginPage({ csrf: CSRF, error: HOSTILE });
    expect(page).toContain('<form class="login" method="post" action="/console/login">');
    expect(page).toContain('<label for="login-token">Console token</label>');
    expect(page).toMatch(/<input id="login-token" name="token" type="password" required autocomplete="off"/);
    expect(page).not.toContain('you-person');
    expectSafe(page);
    expectCsrfEverywhere(page);
  });

  it('says what went wrong, escaped', () => {
    const page = errorPage(404, `No INC-${SCRIPT}`);
    expect(page).toContain('Not found');
    expect(page).toContain('No INC-&lt;script&gt;');
    expectSafe(page);
  });

  it('escapes a hostile CSRF token too', () => {
    const page = loginPage({ csrf: BREAKOUT });
    expectSafe(page);
    expectCsrfEverywhere(page, BREAKOUT);
  });
});

describe('plain text and the export agree', () => {
  it('words an event the same way in the console and in the export', () => {
    const runbook = makeRunbook();
    const s = makeSnapshot({ runbook });
    const e: TimelineEvent = { at: at('09:27'), actor: COMMANDER, kind: 'incident.commander_changed', data: { from: COMMANDER, to: DONE_BY } };
    expect(plainText(timelineText(e, timelineContext(s, runbook)))).toBe(`Commander changed to @${DONE_BY} (was @${COMMANDER})`);
  });
});
