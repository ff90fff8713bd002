/**
 * What Postgres and the fake Slack show right now, re-read every few hundred ms while the soak
 * runs: the load generator clicks in the channels incidents point at, and the recovery watch
 * checks after each kill when everything declared before it is set up.
 */
import type { Pool } from 'pg';
import type { FakeSlackSummary } from '../test/support/fake-slack-process';
import type { FakeSlackProcess } from './fake-slack';

export interface IncidentRow {
  id: string;
  number: number;
  title: string;
  status: string;
  channel_id: string | null;
  declared_by: string;
  declared_at: Date;
}

export async function readIncidents(pool: Pool): Promise<IncidentRow[]> {
  const { rows } = await pool.query(`SELECT id, number::int AS number, title, status, channel_id, declared_by, declared_at FROM incidents ORDER BY number`);
  return rows as IncidentRow[];
}

/** Set up = its channel is recorded, and that channel holds a header and a checklist message. */
export function isProvisioned(i: IncidentRow, channels: Map<string, FakeSlackSummary['channels'][number]>): boolean {
  if (!i.channel_id) return false;
  const ch = channels.get(i.channel_id);
  return !!ch && ch.messages.some((m) => m.header) && ch.messages.some((m) => m.checklist);
}

export class World {
  incidents: IncidentRow[] = [];
  summary: FakeSlackSummary | null = null;
  /** Channel id → incident, for incidents whose channel is recorded. */
  byChannel = new Map<string, IncidentRow>();
  private timer: NodeJS.Timeout | null = null;
  private listeners: Array<() => void> = [];
  private refreshing: Promise<void> | null = null;
  lastError: string | null = null;

  constructor(
    private readonly pool: Pool,
    private readonly fake: FakeSlackProcess,
  ) {}

  start(intervalMs = 300): void {
    const tick = () => {
      void this.refresh().finally(() => {
        if (this.timer) this.timer = setTimeout(tick, intervalMs);
      });
    };
    this.timer = setTimeout(tick, 0);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  onRefresh(fn: () => void): void {
    this.listeners.push(fn);
  }

  channels(): Map<string, FakeSlackSummary['channels'][number]> {
    return new Map((this.summary?.channels ?? []).map((c) => [c.id, c]));
  }

  refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const [incidents, summary] = await Promise.all([readIncidents(this.pool), this.fake.summary()]);
        this.incidents = incidents;
        this.summary = summary;
        this.byChannel = new Map(incidents.filter((i) => i.channel_id).map((i) => [i.channel_id!, i]));
        this.listeners.forEach((l) => l());
      } catch (err) {
        this.lastError = (err as Error).message;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }
}
