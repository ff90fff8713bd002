import type { Pool, PoolClient } from 'pg';
import type { Logger } from '../util/logger';

/**
 * Tells every web process that an incident changed, so open pages refresh: a render job (run by
 * whichever process runs jobs) NOTIFYs, and each web process LISTENs. The channel is named after
 * the schema, so deployments (and tests) sharing a database do not hear each other.
 */
export class ConsoleChanges {
  private client: PoolClient | null = null;
  private channel: string | null = null;
  private readonly listeners = new Map<string, Set<() => void>>();
  private stopped = false;
  /** The LISTEN in progress or done; null when there is none (never started, or its connection was lost). */
  private listening: Promise<void> | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly logger: Logger,
  ) {}

  async notify(incidentId: string): Promise<void> {
    await this.pool.query('SELECT pg_notify($1, $2)', [await this.channelName(), incidentId]);
  }

  /**
   * Calls `listener` on each change of the incident until the returned function is called.
   * Resolves once this process LISTENs, so a change after that is never missed.
   */
  async subscribe(incidentId: string, listener: () => void): Promise<() => void> {
    const set = this.listeners.get(incidentId) ?? new Set();
    set.add(listener);
    this.listeners.set(incidentId, set);
    this.listening ??= this.listen().catch((err: Error) => {
      this.listening = null;
      this.logger.warn({ err }, 'console change listener could not start');
    });
    await this.listening;
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(incidentId);
    };
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.client;
    this.client = null;
    c?.release(true);
  }

  private async channelName(): Promise<string> {
    if (!this.channel) {
      const { rows } = await this.pool.query('SELECT current_schema() AS s');
      // A channel is an identifier: 63 bytes at most, quoted when LISTENed.
      this.channel = `incident_bot_console_${String(rows[0].s)}`.slice(0, 63);
    }
    return this.channel;
  }

  /** One connection LISTENs for the process, opened with the first subscriber and reopened if lost. */
  private async listen(): Promise<void> {
    if (this.client || this.stopped) return;
    const channel = await this.channelName();
    const c = await this.pool.connect();
    if (this.client || this.stopped) return c.release();
    this.client = c;
    c.on('notification', (n) => {
      for (const l of this.listeners.get(n.payload ?? '') ?? []) l();
    });
    c.on('error', (err) => {
      this.logger.warn({ err }, 'console change listener lost its connection');
      if (this.client === c) this.client = null;
      this.listening = null;
      c.release(true);
      if (this.listeners.size > 0) {
        setTimeout(() => {
          this.listening ??= this.listen().catch(() => {
            this.listening = null;
          });
        }, 1_000).unref();
      }
    });
    await c.query(`LISTEN "${channel.replace(/"/g, '""')}"`);
  }
}
