/**
 * An error meant for the person who asked: `message` says what went wrong and what to do next.
 * Anything else that escapes a use case is a bug or an outage and is logged, not shown verbatim.
 */
export class UserError extends Error {
  constructor(
    readonly code: UserErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export type UserErrorCode =
  | 'unknown_runbook'
  | 'not_in_incident'
  | 'not_allowed'
  | 'invalid_input'
  | 'invalid_transition'
  | 'unknown_step'
  | 'not_found';
