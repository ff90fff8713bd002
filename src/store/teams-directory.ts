import type { Pool } from 'pg';

export interface TeamsPerson {
  /** The Entra object id: how incidents, admins and commands name a Teams user. */
  aadObjectId: string;
  /** The 29:… id that mentions and 1:1 chats need. */
  teamsId: string;
  name: string;
  tenantId: string | null;
}

/** A Bot Framework conversation reference, as botbuilder reads and writes it; opaque here. */
export type StoredReference = Record<string, unknown>;

/**
 * What the bot has learnt about Teams from the activities it received: people by Entra id, and a
 * reference for every conversation, so it can speak first after a restart.
 */
export class TeamsDirectory {
  constructor(private readonly pool: Pool) {}

  async rememberPerson(p: TeamsPerson): Promise<void> {
    await this.pool.query(
      `INSERT INTO teams_people (aad_object_id, teams_id, name, tenant_id) VALUES ($1, $2, $3, $4)
       ON CONFLICT (aad_object_id) DO UPDATE SET teams_id = EXCLUDED.teams_id, name = EXCLUDED.name,
         tenant_id = COALESCE(EXCLUDED.tenant_id, teams_people.tenant_id), updated_at = now()
       WHERE (teams_people.teams_id, teams_people.name) IS DISTINCT FROM (EXCLUDED.teams_id, EXCLUDED.name)`,
      [p.aadObjectId.toLowerCase(), p.teamsId, p.name, p.tenantId],
    );
  }

  /** By Entra object id or by 29:… id. */
  async people(ids: string[]): Promise<Map<string, TeamsPerson>> {
    const out = new Map<string, TeamsPerson>();
    if (ids.length === 0) return out;
    const { rows } = await this.pool.query(
      `SELECT aad_object_id, teams_id, name, tenant_id FROM teams_people WHERE aad_object_id = ANY($1) OR teams_id = ANY($2)`,
      [ids.map((i) => i.toLowerCase()), ids],
    );
    for (const r of rows) {
      const person = { aadObjectId: r.aad_object_id, teamsId: r.teams_id, name: r.name, tenantId: r.tenant_id };
      out.set(person.aadObjectId, person);
      out.set(person.teamsId, person);
    }
    return out;
  }

  async rememberConversation(conversationId: string, ref: StoredReference, where: { tenantId: string | null; teamId: string | null }): Promise<void> {
    await this.pool.query(
      `INSERT INTO teams_conversations (conversation_id, tenant_id, team_id, reference) VALUES ($1, $2, $3, $4)
       ON CONFLICT (conversation_id) DO UPDATE SET reference = EXCLUDED.reference, updated_at = now(),
         tenant_id = COALESCE(EXCLUDED.tenant_id, teams_conversations.tenant_id),
         team_id = COALESCE(EXCLUDED.team_id, teams_conversations.team_id)
       WHERE teams_conversations.reference IS DISTINCT FROM EXCLUDED.reference`,
      [conversationId, where.tenantId, where.teamId, JSON.stringify(ref)],
    );
  }

  async conversation(conversationId: string): Promise<{ reference: StoredReference; teamId: string | null; tenantId: string | null } | null> {
    const { rows } = await this.pool.query('SELECT reference, team_id, tenant_id FROM teams_conversations WHERE conversation_id = $1', [conversationId]);
    return rows[0] ? { reference: rows[0].reference, teamId: rows[0].team_id, tenantId: rows[0].tenant_id } : null;
  }

  /**
   * The newest reference heard from the channel's team (a channel id prefixes its threads' ids),
   * else from anywhere: it carries the service URL and bot identity a new conversation needs.
   */
  async nearestReference(channelId: string): Promise<{ reference: StoredReference; teamId: string | null; tenantId: string | null } | null> {
    const { rows } = await this.pool.query(
      `SELECT reference, team_id, tenant_id FROM teams_conversations
       ORDER BY (conversation_id = $1 OR conversation_id LIKE $2) DESC,
                team_id IN (SELECT team_id FROM teams_conversations WHERE conversation_id = $1 OR conversation_id LIKE $2) DESC NULLS LAST,
                updated_at DESC
       LIMIT 1`,
      [channelId, `${channelId.replace(/[\\%_]/g, (c) => `\\${c}`)};%`],
    );
    return rows[0] ? { reference: rows[0].reference, teamId: rows[0].team_id, tenantId: rows[0].tenant_id } : null;
  }
}
