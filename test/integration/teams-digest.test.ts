import path from 'node:path';
import { loadConfig } from '../../src/app/config';
import { loadCatalog } from '../../src/core/runbook/loader';
import { weeklyDigestsFrom } from '../../src/app/digest-wiring';
import { createLogger } from '../../src/util/logger';
import { startTeamsHarness, type TeamsHarness } from '../support/teams-harness';
import { alice, GENERAL_CHANNEL, INCIDENTS_CHANNEL } from '../support/teams-activities';

jest.setTimeout(30_000);

const NOW = new Date('2026-03-11T12:00:00Z');

let h: TeamsHarness;
beforeAll(async () => {
  h = await startTeamsHarness({ role: 'web' });
  await h.schema.pool.query(
    `INSERT INTO incidents (playbook_id, class, title, severity, status, platform, declared_by, declared_at, acknowledged_at, resolved_at,
                            impact_started_at, mitigated_at, diagnosed_at, diagnose_within_seconds)
     VALUES ('pdf-404', 'pdf-404', 'test', 2, 'resolved', 'teams', $1, '2026-03-03T10:00:00Z', '2026-03-03T10:05:00Z', '2026-03-03T10:30:00Z',
             '2026-03-03T09:50:00Z', '2026-03-03T10:20:00Z', '2026-03-03T10:07:00Z', 300)`,
    [alice.aadObjectId],
  );
});
afterAll(async () => {
  await h?.stop();
});

function digests() {
  const config = loadConfig({ DATABASE_URL: h.schema.url, TEAMS: 'on', DIGEST_TEAMS_CHANNEL: GENERAL_CHANNEL.id });
  return weeklyDigestsFrom(config, {
    pool: h.schema.pool,
    catalog: loadCatalog(path.resolve(__dirname, '../../playbooks')),
    clock: { now: () => NOW },
    logger: createLogger('silent'),
  });
}

test('the weekly digest opens one thread in DIGEST_TEAMS_CHANNEL, however many bots run it', async () => {
  // Until Teams has sent the bot something, it knows no service URL to speak through: a first message teaches it.
  expect((await h.say('help', alice, { channel: INCIDENTS_CHANNEL })).status).toBe(200);
  const outcomes = await Promise.all([...digests(), ...digests()].map((d) => d.run()));
  expect(outcomes.filter((o) => o.posted)).toHaveLength(1);
  const threads = [...h.connector.created.values()].filter((c) => c.params.channelData?.channel?.id === GENERAL_CHANNEL.id);
  expect(threads).toHaveLength(1);
  const [root] = h.connector.messages(threads[0]!.id);
  expect(root!.activity.text).toContain('Weekly incident digest');
  expect(root!.activity.text).toMatch(/MTTR/);
  // The clocks of 0026: from impact start, to mitigate and diagnose, and a 7-minute diagnosis late on a 5-minute runbook.
  expect(root!.activity.text).toContain('MTTR from impact start: 40 min (no figure the week before)');
  expect(root!.activity.text).toContain('Time to mitigate (declared → mitigated): 20 min (no figure the week before)');
  expect(root!.activity.text).toContain('Time to diagnose (declared → cause identified): 7 min (no figure the week before)');
  expect(root!.activity.text).toContain("Diagnosed within its runbook's limit: 0% (no figure the week before)");
});
