import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { UserError } from '../../core/errors';
import type { Logger } from '../../logger';

export function ephemeral(text: string) {
  return { response_type: 'ephemeral' as const, text };
}

/**
 * Runs a handler after the ack. A UserError goes back to the person as is; anything else is
 * logged with a reference the person can quote, and they are told their record is safe.
 */
export async function runAndReply(
  respond: RespondFn,
  logger: Logger,
  context: Record<string, unknown>,
  fn: () => Promise<string | null>,
): Promise<void> {
  let text: string | null;
  try {
    text = await fn();
  } catch (err) {
    if (err instanceof UserError) {
      text = err.message;
    } else {
      const ref = randomUUID().slice(0, 8);
      logger.error({ ...context, ref, err: (err as Error).message, stack: (err as Error).stack }, 'slack request failed');
      text = `Something went wrong on our side (ref ${ref}). Nothing you did was lost; try again in a minute, and if it keeps failing give ref ${ref} to whoever runs the bot.`;
    }
  }
  if (text) {
    await respond({ ...ephemeral(text), replace_original: false }).catch((err: Error) =>
      logger.warn({ ...context, err: err.message }, 'could not reply through response_url'),
    );
  }
}
