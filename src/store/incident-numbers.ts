import type { Pool } from 'pg';

export interface NumberedIncident {
  id: string;
  platform: string;
  workspace: string | null;
}

/**
 * Every incident numbered `number`, narrowed to a platform and workspace when given (null: any),
 * ordered by platform then workspace (none first): a number is unique only within one of them.
 */
export async function incidentsNumbered(pool: Pool, number: number, platform: string | null, workspace: string | null): Promise<NumberedIncident[]> {
  const { rows } = await pool.query<NumberedIncident>(
    `SELECT id, platform, workspace FROM incidents
     WHERE number = $1 AND ($2::text IS NULL OR platform = $2) AND ($3::text IS NULL OR workspace = $3)
     ORDER BY platform, workspace NULLS FIRST`,
    [number, platform, workspace],
  );
  return rows;
}
