import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { UserError } from '../../core/errors';
import { internalErrorText, problemText } from '../../core/render/replies';
import type { Text } from '../../core/render/text';
import type { Logger } from '../../logger';
import { mrkdwn } from './format';

export function ephemeral(text: Text) {
  return { response_type: 'ephemeral' as const, text: mrkdwn(text) };
}

/** What to tell the person about an error: its refusal as is, or a reference to our log line. */
export function errorText(err: unknown, logger: Logger, context: Record<string, unknown>): Text {
  if (err instanceof UserError) return problemText(err.problem);
  const ref = randomUUID().slice(0, 8);
  logger.error({ ...context, ref, err: (err as Error).message, stack: (err as Error).stack }, 'slack request failed');
  return internalErrorText(ref);
}

/** Runs a handler after the ack and sends what it returns (or the error's wording) as an ephemeral reply. */
export async function runAndReply(
  respond: RespondFn,
  logger: Logger,
  context: Record<string, unknown>,
  fn: () => Promise<Text | null>,
): Promise<void> {
  let text: Text | null;
  try {
    text = await fn();
  } catch (err) {
    text = errorText(err, logger, context);
  }
  if (text) {
    await respond({ ...ephemeral(text), replace_original: false }).catch((err: Error) =>
      logger.warn({ ...context, err: err.message }, 'could not reply through response_url'),
    );
  }
}
