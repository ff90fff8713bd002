import { UserError, type Problem } from '../../src/core/errors';

/** The refusal `fn` throws; fails the test if it throws anything else or nothing. */
export function refusal(fn: () => unknown): Problem {
  try {
    fn();
  } catch (err) {
    if (err instanceof UserError) return err.problem;
    throw err;
  }
  throw new Error('expected a refusal, but the action was allowed');
}

/** The rejection of `work` (a fetch, a send…), failing the test if it resolves. */
export async function rejection(work: Promise<unknown>): Promise<Error> {
  try {
    await work;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}
