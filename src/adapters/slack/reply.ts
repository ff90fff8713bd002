import { randomUUID } from 'node:crypto';
import type { RespondFn } from '@slack/bolt';
import { NotWrittenError, UserError } from '../../core/errors';
import { internalErrorText, problemText } from '../../core/render/replies';
import type { Text } from '../../core/text/text';
import type { Logger } from '../../util/logger';
import { mrkdwn } from './format';

export function ephemeral(text: Text) {
  return { response_type: 'ephemeral' as const, text: mrkdwn(text) };
}

/** What to tell the person about an error: its refusal as is, or a reference to our log line. */
export function errorText(err: unknown, logger: Logger, context: Record<string, unknown>): Text {
  if (err instanceof UserError) return problemText(err.problem);
  const ref = randomUUID().slice(0, 8);
  logger.error({ ...context, ref, err }, 'slack request failed');
  return internalErrorText(ref, err instanceof NotWrittenError);
}

/** How long a request may work before Slack must be acked: Slack shows an error after 3 s. */
export const ACK_BUDGET_MS = 2_000;

/**
 * Runs `fn` before the ack, so what is acknowledged was recorded: the answer rides on the ack when
 * it comes within the budget. If the database is slower than that, Slack must still be acked, so
 * the ack says plainly that it is not saved yet, and the outcome follows through response_url
 * once it is known: the answer, "recorded", or the error. Nobody is told it was saved until it was.
 */
export async function answerBeforeAck(
  ack: (text?: Text) => Promise<void>,
  respond: RespondFn,
  logger: Logger,
  context: Record<string, unknown>,
  fn: () => Promise<Text | null>,
  /** False for a read (list, status): then there is nothing to save, only an answer to wait for. */
  writes = true,
): Promise<void> {
  let failed = false;
  const work = fn().catch((err: unknown) => {
    failed = true;
    return errorText(err, logger, context);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), ACK_BUDGET_MS)));
  const first = await Promise.race([work, late]);
  clearTimeout(timer);
  if (first !== 'late') return ack(first ?? undefined);
  await ack(writes ? SAVING_SLOWLY : ANSWERING_SLOWLY);
  const text = await work;
  await respond({ ...ephemeral(text ?? (failed ? [] : RECORDED_LATE)), replace_original: false }).catch((err: Error) =>
    logger.warn({ ...context, err }, 'could not reply through response_url'),
  );
}

const SAVING_SLOWLY: Text = ['Not saved yet: the database is slow to answer. I will confirm here once it is recorded; until then, treat it as not done.'];
const RECORDED_LATE: Text = ['Recorded now (the database was slow).'];
const ANSWERING_SLOWLY: Text = ['The database is slow to answer; the answer follows here in a moment.'];
