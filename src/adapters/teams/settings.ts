// What the Teams adapter is given: app/config.ts reads it from the environment.
export const TEAMS_APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

/** Microsoft Teams through the Bot Framework. `appId` null: local no-auth mode (Emulator, tests), loopback clients only. */
export interface TeamsConfig {
  appId: string | null;
  appPassword: string | null;
  tenantId: string | null;
  appType: (typeof TEAMS_APP_TYPES)[number];
  /** Where incident threads open; null: in the channel where the incident was declared. */
  incidentChannelId: string | null;
  /** TEAMS_ANNOUNCE_CHANNEL_ID: where every incident is announced (one post each, kept current); null: nowhere. */
  announceChannelId?: string | null;
  /** TEAMS_ADMINS: Entra object IDs. */
  admins: string[];
  /**
   * TEAMS_ALLOWED_TENANTS, lowercase; defaults to the app's own tenant. Empty: any tenant, since a
   * MultiTenant bot with neither setting has nothing to compare with.
   */
  allowedTenants: string[];
  /** Where the Bot Framework's signing keys are published; null: the public cloud's. */
  openIdMetadataUrl: string | null;
}
