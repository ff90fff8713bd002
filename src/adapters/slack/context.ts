import type { CoreDeps } from '../../core/incident/deps';
import type { Actor } from '../../core/incident/model';
import type { Logger } from '../../logger';
import type { SlackAdmins } from './admins';

export interface SlackContext {
  deps: CoreDeps;
  admins: SlackAdmins;
  logger: Logger;
}

export async function actorFor(ctx: SlackContext, userId: string): Promise<Actor> {
  return { id: userId, isAdmin: await ctx.admins.isAdmin(userId) };
}
