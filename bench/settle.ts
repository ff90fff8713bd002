import type { Pool } from 'pg';

/**
 * Waits until every outbox row due within the minute has finished (the follow-up jobs of what a
 * round just sent), so the next round does not share the bot with them. `alive` throws when a bench
 * process died. Returns how many rows were still unfinished after `timeoutMs`: 0 when it settled.
 */
export async function unfinishedOutbox(pool: Pool, opts: { timeoutMs: number; pollMs: number; alive: () => void }): Promise<number> {
  const until = performance.now() + opts.timeoutMs;
  for (;;) {
    opts.alive();
    const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE done_at IS NULL AND run_at <= now() + interval '1 minute'`);
    if (rows[0]!.n === 0 || performance.now() > until) return rows[0]!.n;
    await new Promise((r) => setTimeout(r, opts.pollMs));
  }
}
