import type { CoreDeps } from '../../core/incident/deps';
import type { Actor } from '../../core/incident/model';
import type { Logger } from '../../logger';
import type { SlackAdmins } from './admins';
import type { SlackMembers } from './members';

export interface SlackContext {
  deps: CoreDeps;
  admins: SlackAdmins;
  members: SlackMembers;
  logger: Logger;
}

/** Someone who typed a command in a channel: Slack only lets members post there. */
export async function commandActor(ctx: SlackContext, userId: string): Promise<Actor> {
  return { id: userId, isAdmin: await ctx.admins.isAdmin(userId), inChannel: true };
}

/** Someone who clicked a button: anyone who can see a public channel can click, so ask Slack. */
export async function clickActor(ctx: SlackContext, userId: string, channelId: string | undefined): Promise<Actor> {
  const [isAdmin, inChannel] = await Promise.all([
    ctx.admins.isAdmin(userId),
    channelId ? ctx.members.isMember(channelId, userId) : Promise.resolve(false),
  ]);
  return { id: userId, isAdmin, inChannel };
}
