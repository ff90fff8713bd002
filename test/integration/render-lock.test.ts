import { PermanentError } from '../../src/core/errors';
import { ChatRefStore, type ChatRef } from '../../src/store/chat-refs';
import { freshSchema, type TestSchema } from '../support/db';
import { seedPastIncident } from '../support/past-incidents';

/**
 * Renders of one incident never overlap, and the last one always shows the newest version: a
 * render that finds the lock taken steps aside, and the holder, reading the version after it lets
 * go, renders again. Whatever one render saved, the next one reads.
 */
describe('the render lock', () => {
  let schema: TestSchema;
  let refs: ChatRefStore;

  beforeAll(async () => {
    schema = await freshSchema();
    refs = new ChatRefStore(schema.pool, 'slack');
  });
  afterAll(async () => {
    await schema.drop();
  });

  const bump = (id: string) => schema.pool.query('UPDATE incidents SET version = version + 1 WHERE id = $1', [id]);
  const version = async (id: string) => Number((await schema.pool.query('SELECT version FROM incidents WHERE id = $1', [id])).rows[0].version);
  /** Whether another session can take the incident's render lock at once (it lets go again). */
  const lockIsFree = async (id: string): Promise<boolean> => {
    const other = await schema.pool.connect();
    try {
      const { rows } = await other.query(`SELECT pg_try_advisory_lock(hashtext('incident-bot:render:' || $1::text)) AS free`, [id]);
      if (rows[0].free) await other.query(`SELECT pg_advisory_unlock(hashtext('incident-bot:render:' || $1::text))`, [id]);
      return rows[0].free as boolean;
    } finally {
      other.release();
    }
  };
  const header = (version: number): ChatRef => ({
    kind: 'header',
    page: 0,
    channelId: 'C1',
    messageRef: '1.1',
    renderedVersion: version,
    renderedHash: `h${version}`,
  });

  it('lets a second render step aside while one runs, and has the one running show what changed meanwhile', async () => {
    const { id } = await seedPastIncident(schema.pool, { class: 'pdf', title: 'held', daysAgo: 0, status: 'declared' });
    const shown: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = refs.renderLatest(id, async (session) => {
      const v = await version(id);
      if (shown.length === 0) await held;
      shown.push(v);
      await session.save(header(v));
      return v;
    });
    // Wait until the first holds the lock, then change the incident and render "for" the change.
    await new Promise((r) => setTimeout(r, 100));
    await bump(id);
    let secondRan = false;
    await refs.renderLatest(id, async () => {
      secondRan = true;
      return 0;
    });
    expect(secondRan).toBe(false);
    release();
    await first;
    // It rendered again after letting go, and showed the version the second one was for.
    expect(shown).toEqual([1, 2]);
    const saved: ChatRef[] = [];
    await refs.renderLatest(id, async (session) => {
      saved.push(...session.refs);
      return version(id);
    });
    expect(saved).toEqual([header(2)]);
  });

  it('lets go of the lock when a render fails, so the next one runs', async () => {
    const { id } = await seedPastIncident(schema.pool, { class: 'pdf', title: 'failing', daysAgo: 0, status: 'declared' });
    await expect(
      refs.renderLatest(id, async () => {
        throw new Error('Slack said no');
      }),
    ).rejects.toThrow('Slack said no');
    let ran = false;
    await refs.renderLatest(id, async () => {
      ran = true;
      return version(id);
    });
    expect(ran).toBe(true);
    // Nobody holds it: another session takes it at once.
    expect(await lockIsFree(id)).toBe(true);
  });

  it('queues for the lock when told to wait, and then reads what the holder saved', async () => {
    const { id } = await seedPastIncident(schema.pool, { class: 'pdf', title: 'setup', daysAgo: 0, status: 'declared' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = refs.renderLatest(id, async (session) => {
      await held;
      await session.save(header(1));
      return 1;
    });
    await new Promise((r) => setTimeout(r, 100));
    const seen: ChatRef[][] = [];
    const second = refs.renderLatest(
      id,
      async (session) => {
        seen.push(session.refs);
        return 1;
      },
      { wait: true },
    );
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    release();
    await Promise.all([first, second]);
    expect(seen).toEqual([[header(1)]]);
  });

  it('remembers an update in place when it lets go, even when a later message of the render failed', async () => {
    const { id } = await seedPastIncident(schema.pool, { class: 'pdf', title: 'updates', daysAgo: 0, status: 'declared' });
    await refs.renderLatest(id, async (session) => {
      await session.save(header(1));
      return 1;
    });
    await bump(id);
    await expect(
      refs.renderLatest(id, async (session) => {
        await session.save(header(2)); // the header's update went out
        throw new Error('the checklist update failed');
      }),
    ).rejects.toThrow('the checklist update failed');
    const saved = await schema.pool.query('SELECT rendered_version, rendered_hash FROM chat_refs WHERE incident_id = $1', [id]);
    expect(saved.rows).toEqual([{ rendered_version: 2, rendered_hash: 'h2' }]);
  });

  it('hands the render the incident read with the lock, and renders again when it changed while the render waited', async () => {
    const { id } = await seedPastIncident(schema.pool, { class: 'pdf', title: 'waited', daysAgo: 0, status: 'declared' });
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = refs.renderLatest(id, async (session) => {
      await held;
      return session.snapshot.incident.version;
    });
    await new Promise((r) => setTimeout(r, 100));
    const shown: number[] = [];
    const second = refs.renderLatest(
      id,
      async (session) => {
        shown.push(session.snapshot.incident.version);
        return session.snapshot.incident.version;
      },
      { wait: true },
    );
    await new Promise((r) => setTimeout(r, 100));
    await bump(id); // committed while the second waits for the lock, after it read the incident
    release();
    await Promise.all([first, second]);
    expect(shown).toEqual([1, 2]);
  });

  it('fails for good on an incident that does not exist, and holds no lock after', async () => {
    const missing = '00000000-0000-4000-8000-000000000001';
    await expect(refs.renderLatest(missing, async () => 1, { wait: true })).rejects.toThrow(PermanentError);
    expect(await lockIsFree(missing)).toBe(true);
  });
});
