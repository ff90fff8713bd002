import type { Pool } from 'pg';
import type { ActionView } from '../core/text/actions';
import type { Text } from '../core/text/text';

export interface ConsoleMessage {
  at: Date;
  text: Text;
  actions: ActionView[];
}

/** What the bot said on an incident's page; a key makes it said once. Times inside Text round-trip as ISO strings. */
export class ConsoleMessages {
  constructor(private readonly pool: Pool) {}

  async add(incidentId: string, text: Text, actions: ActionView[], key: string | null): Promise<void> {
    await this.pool.query(
      `INSERT INTO console_messages (incident_id, key, text, actions) VALUES ($1, $2, $3, $4)
       ON CONFLICT (incident_id, key) WHERE key IS NOT NULL DO NOTHING`,
      [incidentId, key, JSON.stringify(text), JSON.stringify(actions)],
    );
  }

  async of(incidentId: string, limit = 200): Promise<ConsoleMessage[]> {
    const { rows } = await this.pool.query('SELECT at, text, actions FROM console_messages WHERE incident_id = $1 ORDER BY id DESC LIMIT $2', [
      incidentId,
      limit,
    ]);
    return rows.reverse().map((r) => ({ at: r.at, text: revive(r.text), actions: r.actions }));
  }
}

function revive(text: Text): Text {
  return text.map((s) => (typeof s === 'object' && 'time' in s ? { ...s, time: new Date(s.time as unknown as string) } : s));
}
