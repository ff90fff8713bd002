// What the console is given: app/config.ts reads it from the environment.
/** The web console under /console: a person picker instead of accounts; `token` null means this machine only. */
export interface ConsoleConfig {
  token: string | null;
  /** CONSOLE_SECRET: the key of its cookies; null: a random one kept in Postgres. */
  secret: string | null;
  /** CONSOLE_PUBLIC_URL without a trailing slash: its host is served, and links point there. */
  publicUrl: string | null;
  /** Addresses served without a token besides this machine (Docker's bridge, in compose): `10.0.0.0/8` style. */
  allowFrom: string[];
  people: Array<{ id: string; name: string; admin: boolean }>;
}
