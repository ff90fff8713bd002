// What the Slack adapter is given: app/config.ts reads it from the environment.
export interface SlackConfig {
  botToken: string;
  /** Absent only in Socket Mode. */
  signingSecret?: string;
  appToken?: string;
  apiUrl?: string;
  /** INCIDENT_ADMINS: Slack user IDs and user group IDs. */
  admins: { users: string[]; groups: string[] };
  /** INCIDENT_ANNOUNCE_CHANNEL: the channel id where every incident is announced; null: nowhere. */
  announceChannel?: string | null;
}
