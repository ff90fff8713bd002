/**
 * The console section of `npm run bench`: how long the incident page takes with a 300-event
 * timeline, served over HTTP by the bot (read, render, send), next to the floor of reading the
 * same state with bare SQL in the same process. Rounds alternate floor/page after a warm-up.
 * Goal: the page within 200 ms at p95.
 *
 *   CONSOLE_EVENTS=300 CONSOLE_ROUNDS=60
 *
 * Runs on its own too: npx tsx bench/console-page.ts
 */
import path from 'node:path';
import { loadConfig } from '../src/app/config';
import { setStep } from '../src/core/incident/set-step';
import { createLogger } from '../src/util/logger';
import { startRuntime } from '../src/app/runtime';
import { freshSchema } from '../test/support/db';
import { dropPrefix, TEST_REDIS_URL, uniquePrefix } from '../test/support/redis';
import { percentile } from './stats';

const GOAL_MS = 200;
const EVENTS = Number(process.env.CONSOLE_EVENTS ?? 300);
const ROUNDS = Number(process.env.CONSOLE_ROUNDS ?? 60);

export async function consolePage(): Promise<{ ok: boolean; text: string }> {
  const schema = await freshSchema();
  const prefix = uniquePrefix();
  const config = loadConfig({
    DATABASE_URL: schema.url,
    REDIS_URL: TEST_REDIS_URL,
    QUEUE_PREFIX: prefix,
    PORT: '0',
    LOG_LEVEL: 'silent',
    PLAYBOOKS_DIR: path.resolve(__dirname, '../playbooks'),
  });
  const runtime = await startRuntime({ config, role: 'web', logger: createLogger('silent') });
  try {
    const base = `http://127.0.0.1:${runtime.port}`;
    const page = await fetch(`${base}/console`);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const html = await page.text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const request = /name="request" value="([^"]+)"/.exec(html)?.[1] ?? '';
    // As a browser posts it: same-origin, with the form's own request id.
    const declared = await fetch(`${base}/console/command`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: base, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf, request, text: 'pdf-404 bench the page' }),
    });
    const snap = await runtime.deps.store.findByNumber('web', 'console', 1);
    if (!snap) throw new Error(`the console did not declare the incident (it answered ${declared.status})`);
    const actor = { id: 'ada', isAdmin: false, inChannel: true };
    // Each tick and untick is one event: a long night's timeline.
    for (let i = 0; i < EVENTS; i++) {
      const step = snap.steps[i % snap.steps.length]!.stepId;
      await setStep(runtime.deps, {
        incidentId: snap.incident.id,
        stepId: step,
        to: Math.floor(i / snap.steps.length) % 2 === 0 ? 'done' : 'open',
        actor,
        requestId: `bench-${i}`,
      });
    }
    const events = (await runtime.deps.store.timeline(snap.incident.id)).length;
    const floor = async () => {
      const t = performance.now();
      await Promise.all([runtime.deps.store.get(snap.incident.id), runtime.deps.store.timeline(snap.incident.id)]);
      return performance.now() - t;
    };
    const served = async () => {
      const t = performance.now();
      const res = await fetch(`${base}/console/incidents/1`, { headers: { cookie } });
      await res.text();
      if (res.status !== 200) throw new Error(`the incident page answered ${res.status}`);
      return performance.now() - t;
    };
    for (let i = 0; i < 5; i++) await Promise.all([floor(), served()]);
    const f: number[] = [];
    const s: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      f.push(await floor());
      s.push(await served());
    }
    const p = (xs: number[], q: number) => percentile(xs, q).toFixed(1);
    const ok = percentile(s, 95) < GOAL_MS;
    const text = [
      `\n6. Console incident page, ${events} timeline events, ${ROUNDS} alternating rounds`,
      `   floor (bare reads of the same state): p50 ${p(f, 50)} ms, p95 ${p(f, 95)} ms`,
      `   page (HTTP GET, read + render):       p50 ${p(s, 50)} ms, p95 ${p(s, 95)} ms (ratio of p50s ${(percentile(s, 50) / percentile(f, 50)).toFixed(1)}x)`,
      `   goal: p95 < ${GOAL_MS} ms: ${ok ? 'MET' : 'NOT MET'}`,
    ].join('\n');
    return { ok, text };
  } finally {
    await runtime.stop();
    await schema.drop();
    await dropPrefix(prefix, TEST_REDIS_URL).catch(() => undefined);
  }
}

if (require.main === module) {
  void consolePage().then((r) => {
    console.log(r.text);
    process.exit(0);
  });
}
