import type { App } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { homeBlocks, registerHome, SlackHome, type Block } from '../../src/adapters/slack/home';
import type { ActionItem, Incident, Postmortem } from '../../src/core/model';
import { decodeAction } from '../../src/core/text/actions';
import { homeView, type HomeData, type HomeIncident } from '../../src/core/render/home';
import { plainText } from '../../src/core/text/text';
import { createLogger } from '../../src/util/logger';
import type { HomeQueries } from '../../src/store/home';
import { blockProblem, homeViewProblem } from '../support/fake-slack';
import { makeIncident } from '../support/factories';

const NOW = new Date('2025-03-10T12:00:00Z');
const TODAY = '2025-03-10';
const HOSTILE = '<!channel> & <@U0BOSS> *bold* <https://evil.example|click me>';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const day = (offset: number) => new Date(Date.parse(`${TODAY}T00:00:00Z`) + offset * 86_400_000).toISOString().slice(0, 10);
const ref = (n: number): HomeIncident => ({ id: uuid(n), number: n, title: `${HOSTILE} incident ${n}`, channelId: `C${String(n).padStart(8, '0')}` });

function openIncident(n: number): Incident {
  return makeIncident({
    id: uuid(n),
    number: n,
    title: `${HOSTILE} ${'long title '.repeat(40)}`,
    severity: (n % 4) + 1,
    status: n % 2 ? 'declared' : 'acknowledged',
    channelId: `C${String(n).padStart(8, '0')}`,
    declaredAt: new Date(NOW.getTime() - n * 60_000),
  });
}

/** Item `n` of incident 1000+n%7: every third one overdue, every fifth one without a date. */
function item(n: number): ActionItem & { incident: HomeIncident } {
  const dueOn = n % 5 === 0 ? null : n % 3 === 0 ? day(-1 - (n % 20)) : day(n % 30);
  return {
    number: n,
    text: `${HOSTILE} ${'fix it '.repeat(200)}`,
    owner: 'UME',
    dueOn,
    createdAt: new Date('2025-03-01T10:00:00Z'),
    createdBy: 'UCMDR0001',
    closedAt: null,
    closedBy: null,
    incident: ref(1000 + (n % 7)),
  };
}

function postmortem(n: number): Postmortem & { incident: HomeIncident } {
  const statuses = ['draft', 'in_review', 'published'] as const;
  return {
    status: statuses[n % 3]!,
    owner: 'UME',
    dueOn: day(n - 10),
    openedAt: new Date('2025-03-01T10:00:00Z'),
    openedBy: 'incident-bot',
    reviewedAt: null,
    publishedAt: null,
    closedAt: null,
    incident: ref(2000 + n),
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

function bigHome(): HomeData {
  return { open: range(50).map(openIncident), items: range(200).map(item), postmortems: range(30).map(postmortem) };
}

/** Limits Block Kit documents beyond what blockProblem checks (as in slack-limits.test.ts). */
function moreProblems(blocks: any[]): string[] {
  const problems: string[] = [];
  for (const b of blocks) {
    if ((b.block_id ?? '').length > 255) problems.push(`block_id ${b.block_id} over 255`);
    if (b.type === 'context' && b.elements.length > 10) problems.push('context with more than 10 elements');
    if (b.type === 'context') for (const e of b.elements) if ((e.text ?? '').length > 3000) problems.push('context text over 3000');
    if (b.type === 'header' && b.text.type !== 'plain_text') problems.push('header text must be plain_text');
    for (const e of [...(b.type === 'actions' ? b.elements : []), ...(b.accessory ? [b.accessory] : [])]) {
      if ((e.action_id ?? '').length > 255) problems.push(`action_id ${e.action_id} over 255`);
      if ((e.text?.text ?? '').length > 75) problems.push(`button text over 75: ${e.text.text}`);
    }
  }
  const blockIds = blocks.map((b) => b.block_id).filter(Boolean);
  if (new Set(blockIds).size !== blockIds.length) problems.push('duplicate block_id');
  return problems;
}

/** Each section's rows (section blocks) and last line (context), by the header they follow. */
function sections(blocks: any[]): Map<string, { rows: any[]; last: string | null }> {
  const out = new Map<string, { rows: any[]; last: string | null }>();
  let current: { rows: any[]; last: string | null } | null = null;
  for (const b of blocks) {
    if (b.type === 'header') out.set(b.text.text.replace(/ \(\d+\)$/, ''), (current = { rows: [], last: null }));
    else if (current && b.type === 'section') current.rows.push(b);
    else if (current && b.type === 'context') current.last = b.elements[0].text;
  }
  return out;
}

const allTexts = (blocks: any[]): string[] =>
  blocks
    .flatMap((b) => [b.text?.text, ...(b.elements ?? []).map((e: any) => e.text?.text ?? e.text), b.accessory?.text?.text])
    .filter((t): t is string => typeof t === 'string');

describe('the Slack App Home', () => {
  it('fits 50 open incidents, 200 action items and 30 post-mortems in at most 100 valid blocks', () => {
    const blocks = homeBlocks(homeView(bigHome(), NOW, 'UTC')) as any[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(homeViewProblem({ type: 'home', blocks })).toBeNull();
    expect(blockProblem(blocks, 100)).toBeNull();
    expect(moreProblems(blocks)).toEqual([]);
    for (const b of blocks) {
      if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(3000);
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
    }
  });

  it('stays within 100 blocks even when the view was built with larger caps, and says what it cut', () => {
    const view = homeView(bigHome(), NOW, 'UTC', { open: 500, items: 500, postmortems: 500 });
    const blocks = homeBlocks(view) as any[];
    expect(blocks.length).toBeLessThanOrEqual(100);
    expect(homeViewProblem({ type: 'home', blocks })).toBeNull();
    const s = sections(blocks);
    const items = s.get('My action items')!;
    expect(items.last).toBe(`…and ${200 - items.rows.length} more (200 in all)`);
    expect(s.get('My open post-mortems')!.last).toBeNull(); // 30 fit
  });

  it('says "and N more" with the right totals, from the lists or from the store\'s counts', () => {
    const s = sections(homeBlocks(homeView(bigHome(), NOW, 'UTC')));
    expect(s.get('Open incidents')!.rows).toHaveLength(15);
    expect(s.get('Open incidents')!.last).toBe('…and 35 more (50 in all)');
    expect(s.get('My action items')!.last).toBe('…and 185 more (200 in all)');
    expect(s.get('My open post-mortems')!.last).toBe('…and 15 more (30 in all)');

    // As HomeQueries returns it: the first rows only, and how many there are in all.
    const capped: HomeData = { open: range(3).map(openIncident), items: range(15).map(item), postmortems: [], totals: { open: 3, items: 412, postmortems: 0 } };
    const c = sections(homeBlocks(homeView(capped, NOW, 'UTC')));
    expect(c.get('Open incidents')!.last).toBeNull();
    expect(c.get('My action items')!.last).toBe('…and 397 more (412 in all)');
    expect([...c.keys()]).toEqual(['Open incidents', 'My action items', 'My open post-mortems']);
  });

  it('lists overdue action items first, then by due date, each with its own Done button', () => {
    const view = homeView(bigHome(), NOW, 'UTC', { open: 15, items: 200, postmortems: 15 });
    const rows = view.sections.find((s) => s.id === 'items')!.rows;
    const firstNotOverdue = rows.findIndex((r) => !r.overdue);
    expect(firstNotOverdue).toBeGreaterThan(0);
    expect(rows.slice(firstNotOverdue).every((r) => !r.overdue)).toBe(true);
    const dues = rows.map((r) => plainText(r.text).match(/(\d{4}-\d{2}-\d{2})/)?.[1] ?? '9999');
    expect(dues).toEqual([...dues].sort());
    expect(plainText(rows[0]!.text)).toContain('⚠️ Overdue');

    const blocks = homeBlocks(homeView(bigHome(), NOW, 'UTC')) as any[];
    const buttons = blocks.filter((b) => b.accessory).map((b) => b.accessory);
    expect(buttons).toHaveLength(15);
    for (const btn of buttons) {
      const payload = decodeAction(btn.value);
      expect(payload).toEqual({ a: 'item', i: expect.any(String), n: expect.any(Number) });
      if (payload?.a !== 'item') throw new Error('not an item payload');
      expect(btn.action_id).toBe(`item.done.${payload.i}.${payload.n}`);
      expect(btn.text.text).toBe('Done');
    }
    // The first row is the earliest overdue item, and its button closes that item.
    const first = sections(blocks).get('My action items')!.rows[0];
    expect(first.text.text).toContain('Overdue: was due 2025-02-');
  });

  it('lists the most severe incidents first, each linked to its channel', () => {
    const rows = homeView(bigHome(), NOW, 'UTC', { open: 50, items: 15, postmortems: 15 }).sections[0]!.rows;
    const sevs = rows.map((r) => Number(plainText(r.text).match(/SEV(\d)/)![1]));
    expect(sevs).toEqual([...sevs].sort());
    expect(rows[0]!.text).toEqual(expect.arrayContaining([{ channel: expect.stringMatching(/^C\d{8}$/) }]));
    const text = homeBlocks(homeView(bigHome(), NOW, 'UTC'))
      .map((b: any) => b.text?.text ?? '')
      .join('\n');
    expect(text).toMatch(/\*INC-\d+\* · [^\n]*\nSEV1 · (Declared|Acknowledged) · <#C\d{8}> · declared <!date\^\d+\^/);
  });

  it('marks post-mortems past their due date overdue until they are closed, overdue first', () => {
    const data: HomeData = {
      open: [],
      items: [],
      postmortems: [
        { ...postmortem(1), status: 'draft', dueOn: day(3) },
        { ...postmortem(2), status: 'published', dueOn: day(-20) },
        { ...postmortem(3), status: 'in_review', dueOn: day(-2) },
        { ...postmortem(4), status: 'draft', dueOn: TODAY },
      ],
    };
    const rows = homeView(data, NOW, 'UTC').sections[2]!.rows.map((r) => ({ overdue: r.overdue, text: plainText(r.text) }));
    expect(rows.map((r) => r.overdue)).toEqual([true, true, false, false]);
    expect(rows[0]!.text).toContain('Published · ⚠️ Overdue: was due 2025-02-18');
    expect(rows[1]!.text).toContain('In review · ⚠️ Overdue: was due 2025-03-08');
    expect(rows[2]!.text).toContain('Draft · Due today (2025-03-10)');
    expect(rows[3]!.text).toContain('Draft · Due 2025-03-13');
  });

  it('escapes hostile titles and item texts: no mention and no link from user text', () => {
    const texts = allTexts(homeBlocks(homeView(bigHome(), NOW, 'UTC')));
    const joined = texts.join('\n');
    expect(joined).toContain('&lt;!channel&gt; &amp; &lt;@U0BOSS&gt;');
    expect(joined).not.toContain('<!channel>');
    expect(joined).not.toContain('<@U0BOSS>');
    expect(joined).not.toContain('<https://evil.example');
  });

  it('says kindly that each section is empty', () => {
    const blocks = homeBlocks(homeView({ open: [], items: [], postmortems: [] }, NOW, 'UTC')) as any[];
    expect(homeViewProblem({ type: 'home', blocks })).toBeNull();
    const s = sections(blocks);
    expect(s.get('Open incidents')).toEqual({ rows: [], last: 'No open incidents. All quiet.' });
    expect(s.get('My action items')).toEqual({ rows: [], last: 'Nothing assigned to you. Action items you own will show up here.' });
    expect(s.get('My open post-mortems')).toEqual({ rows: [], last: 'No post-mortems waiting on you.' });
    expect(blocks.some((b) => b.accessory || b.type === 'actions')).toBe(false);
  });
});

describe('SlackHome and registerHome', () => {
  const logger = createLogger('silent');
  const empty = { open: [], items: [], postmortems: [], totals: { open: 0, items: 0, postmortems: 0 } };

  function stubs(fail: string[] = []) {
    const published: Array<{ user_id: string; view: { type: string; blocks: Block[] } }> = [];
    const client = {
      views: {
        publish: jest.fn(async (args: { user_id: string; view: { type: string; blocks: Block[] } }) => {
          if (fail.includes(args.user_id)) throw new Error('An API error occurred: invalid_arguments');
          published.push(args);
          return { ok: true };
        }),
      },
    } as unknown as WebClient;
    const forUser = jest.fn(async () => empty);
    const queries = { forUser } as unknown as HomeQueries;
    return { published, forUser, home: new SlackHome(client, queries, logger, 'UTC') };
  }

  it('publishes the home of the person, read for Slack and their workspace', async () => {
    const { published, forUser, home } = stubs();
    await home.publish('T1', 'UME', NOW);
    expect(forUser).toHaveBeenCalledWith('slack', 'T1', 'UME');
    expect(published).toHaveLength(1);
    expect(published[0]!.user_id).toBe('UME');
    expect(published[0]!.view.type).toBe('home');
    expect(homeViewProblem(published[0]!.view)).toBeNull();
  });

  it('refreshes each person a change touched once, skips what is not a Slack user, and never throws', async () => {
    const { published, home } = stubs(['UBROKEN']);
    await expect(home.refresh('T1', ['UME', null, 'UME', 'UBROKEN', undefined, 'incident-bot', 'W0ENTERPRISE'], NOW)).resolves.toBeUndefined();
    expect(published.map((p) => p.user_id).sort()).toEqual(['UME', 'W0ENTERPRISE']);
  });

  it('publishes on app_home_opened for the Home tab only, with the team from the envelope', async () => {
    const { forUser, home } = stubs();
    let handler: ((args: any) => Promise<void>) | null = null;
    const app = { event: (name: string, fn: (args: any) => Promise<void>) => name === 'app_home_opened' && (handler = fn) } as unknown as App;
    registerHome(app, home, logger);
    expect(handler).not.toBeNull();
    await handler!({ event: { type: 'app_home_opened', user: 'UME', channel: 'D1', tab: 'messages' }, body: { team_id: 'T1' }, context: {} });
    expect(forUser).not.toHaveBeenCalled();
    await handler!({ event: { type: 'app_home_opened', user: 'UME', channel: 'D1', tab: 'home' }, body: { team_id: 'T1' }, context: { teamId: 'T9' } });
    expect(forUser).toHaveBeenCalledWith('slack', 'T1', 'UME');
    await handler!({ event: { type: 'app_home_opened', user: 'UYOU', channel: 'D2', tab: 'home' }, body: {}, context: { teamId: 'T9' } });
    expect(forUser).toHaveBeenLastCalledWith('slack', 'T9', 'UYOU');
  });
});
