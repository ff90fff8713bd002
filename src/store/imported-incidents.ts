import type { Pool } from 'pg';

/** An incident from another tool's history, class mapped and milestones checked. */
export interface ImportedIncident {
  externalId: string;
  className: string;
  severity: number;
  title: string;
  status: 'declared' | 'acknowledged' | 'resolved';
  declaredAt: Date;
  acknowledgedAt: Date | null;
  diagnosedAt: Date | null;
  resolvedAt: Date | null;
}

/** How many of a batch were new, changed, or already stored as they are. */
export interface UpsertCounts {
  imported: number;
  updated: number;
  unchanged: number;
}

/** Imported incidents, keyed by source and external id. */
export interface ImportedIncidents {
  /** Writes the batch in one statement, so it is all written or, when Postgres refuses a row, none of it. */
  upsert(source: string, rows: ImportedIncident[]): Promise<UpsertCounts>;
}

const COLUMNS = ['playbook_id', 'class', 'title', 'severity', 'status', 'declared_at', 'acknowledged_at', 'diagnosed_at', 'resolved_at'];

/*
 * One statement per batch, whatever its size: the rows travel as nine arrays. Imported incidents
 * never get a chat channel (platform 'import', no workspace), and the runbook is the class.
 * The conflict target is the partial unique index of migration 0009. The update only happens when
 * a field differs, so an identical re-import writes nothing and returns nothing; `xmax = 0` tells
 * a fresh insert from an update.
 */
const UPSERT = `
INSERT INTO incidents (imported_from, platform, workspace, declared_by, external_id, ${COLUMNS.join(', ')})
SELECT $1, 'import', NULL, 'import', u.external_id, u.class, u.class, u.title, u.severity, u.status,
       u.declared_at, u.acknowledged_at, u.diagnosed_at, u.resolved_at
  FROM unnest($2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[],
              $7::timestamptz[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
    AS u(external_id, class, title, severity, status, declared_at, acknowledged_at, diagnosed_at, resolved_at)
ON CONFLICT (imported_from, external_id) WHERE imported_from IS NOT NULL DO UPDATE
   SET ${COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, version = incidents.version + 1
 WHERE (${COLUMNS.map((c) => `incidents.${c}`).join(', ')}) IS DISTINCT FROM (${COLUMNS.map((c) => `EXCLUDED.${c}`).join(', ')})
RETURNING (xmax = 0) AS inserted`;

export class PgImportedIncidents implements ImportedIncidents {
  constructor(private readonly pool: Pool) {}

  async upsert(source: string, rows: ImportedIncident[]): Promise<UpsertCounts> {
    const iso = (d: Date | null) => d?.toISOString() ?? null;
    const { rows: written } = await this.pool.query<{ inserted: boolean }>(UPSERT, [
      source,
      rows.map((r) => r.externalId),
      rows.map((r) => r.className),
      rows.map((r) => r.title),
      rows.map((r) => r.severity),
      rows.map((r) => r.status),
      rows.map((r) => iso(r.declaredAt)),
      rows.map((r) => iso(r.acknowledgedAt)),
      rows.map((r) => iso(r.diagnosedAt)),
      rows.map((r) => iso(r.resolvedAt)),
    ]);
    const imported = written.filter((r) => r.inserted).length;
    const updated = written.length - imported;
    return { imported, updated, unchanged: rows.length - written.length };
  }
}
