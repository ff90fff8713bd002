import type { Pool } from 'pg';

export interface IntendedRoom {
  name: string;
  roomId: string | null;
}

/**
 * The room a platform is about to create for an incident, written before the create call. After
 * a crash, setup reads it back: a "name taken" for the very name it intended is its own room.
 */
export class ChatRoomStore {
  constructor(
    private readonly pool: Pool,
    private readonly platform: string,
  ) {}

  async intended(incidentId: string): Promise<IntendedRoom | null> {
    const { rows } = await this.pool.query('SELECT name, room_id FROM chat_rooms WHERE incident_id = $1 AND platform = $2', [incidentId, this.platform]);
    return rows[0] ? { name: rows[0].name, roomId: rows[0].room_id } : null;
  }

  async intend(incidentId: string, name: string): Promise<void> {
    await this.pool.query(
      `INSERT INTO chat_rooms (incident_id, platform, name) VALUES ($1, $2, $3)
       ON CONFLICT (incident_id, platform) DO UPDATE SET name = EXCLUDED.name, room_id = NULL, intended_at = now()`,
      [incidentId, this.platform, name],
    );
  }

  async created(incidentId: string, roomId: string): Promise<void> {
    await this.pool.query('UPDATE chat_rooms SET room_id = $3 WHERE incident_id = $1 AND platform = $2', [incidentId, this.platform, roomId]);
  }
}
