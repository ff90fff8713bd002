import { freshSchema, type TestSchema } from '../test/support/db';
import { dropPrefix, uniquePrefix } from '../test/support/redis';
import { BoundedChildren } from './bounded';

/** A bot process a section started: stopped at the end, killed (or stopped) at the deadline. */
interface Stoppable {
  stop(): Promise<void>;
  kill?: () => Promise<void>;
}

/** What a section that starts the bot as a user does gets: its children, Redis prefix and schema. */
export interface SectionScope {
  bounded: BoundedChildren;
  prefix: string;
  schema: TestSchema;
  /** Registers a bot, and returns it. */
  own<T extends Stoppable>(bot: T): T;
}

/**
 * Runs `run` (which returns the section's report) with a fresh schema and Redis prefix, under a
 * deadline of `deadlineS` (`deadlineVar` names the setting that changes it), and leaves nothing
 * behind: bots, child processes, schema and keys. A failure is reported with what `partial` says
 * of the rounds done so far.
 */
export async function userSection(
  name: string,
  deadlineVar: string,
  deadlineS: number,
  run: (scope: SectionScope) => Promise<string>,
  partial: () => string,
): Promise<{ ok: boolean; text: string }> {
  const bounded = new BoundedChildren(deadlineS, deadlineVar);
  const prefix = uniquePrefix();
  const bots: Stoppable[] = [];
  let schema: TestSchema | null = null;
  const deadline = setTimeout(() => bots.forEach((b) => void (b.kill ?? b.stop).call(b)), deadlineS * 1000);
  try {
    schema = await freshSchema();
    const own = <T extends Stoppable>(bot: T): T => (bots.push(bot), bot);
    return { ok: true, text: await run({ bounded, prefix, schema, own }) };
  } catch (err) {
    return { ok: false, text: `\n${name} section failed: ${bounded.failure(err)}\n${partial()}` };
  } finally {
    clearTimeout(deadline);
    bounded.done();
    for (const b of bots) await b.stop().catch(() => undefined);
    await Promise.all(bounded.children.map((c) => c.stop()));
    await schema?.drop().catch((err: Error) => console.error(`could not drop schema ${schema!.name}: ${err.message}`));
    await dropPrefix(prefix).catch((err: Error) => console.error(`could not delete Redis keys ${prefix}:*: ${err.message}`));
  }
}
