import type { Pool } from 'pg';
import { inTransaction } from './db';
import type { Incident } from '../core/model';
import type { IncidentSearch, PastIncident, SearchAnswer, SearchScope } from '../core/search';
import { toIncident } from './incident-store';

/**
 * Search over `incident_search` (migration 0027), whose documents triggers keep current. Each
 * query looks at no more than CANDIDATES documents before ranking (below: how it finds them), so a
 * word in half of a million incidents costs about what a rare one does.
 */
const CANDIDATES = 200;

// Platform 'import' is imported history: nobody's workspace, so everybody's.
const VISIBLE = `((s.platform = $1 AND (s.workspace IS NOT DISTINCT FROM $2 OR s.workspace IS NULL)) OR s.platform = 'import')`;

// What a result shows beside the incident: the reviewed root cause before the one named at diagnosis.
const details = (extra = '') => `
SELECT i.*, r.same_class, pm.status AS pm_status${extra},
       COALESCE(NULLIF(btrim(pm.root_cause), ''),
                (SELECT e.data ->> 'cause' FROM incident_events e
                  WHERE e.incident_id = i.id AND e.kind = 'incident.diagnosed' AND COALESCE(e.data ->> 'cause', '') <> ''
                  ORDER BY e.id DESC LIMIT 1)) AS cause
FROM ranked r
JOIN incidents i ON i.id = r.incident_id
LEFT JOIN postmortems pm ON pm.incident_id = i.id`;

/*
 * Where the words matched when it is not the title, which a result shows anyway: a few words
 * around them from the summary, causes, notes, resolution and post-mortem, marked « ». Only for
 * the rows shown, so its cost does not grow with the table.
 */
const MATCHED = `(SELECT CASE WHEN h LIKE '%«%' THEN h END FROM (
  SELECT ts_headline('english', concat_ws(' · ', NULLIF(i.summary, i.title),
           (SELECT string_agg(COALESCE(e.data ->> 'cause', e.data ->> 'text'), ' · ' ORDER BY e.id) FROM incident_events e
             WHERE e.incident_id = i.id AND e.kind IN ('incident.diagnosed', 'note.added')),
           i.resolution, pm.root_cause, pm.impact_summary, pm.contributing_factors, pm.went_well, pm.went_badly, pm.lessons),
         (SELECT q FROM q), 'StartSel=«, StopSel=», MaxWords=16, MinWords=6, MaxFragments=2, FragmentDelimiter=" … "') AS h) hl) AS matched`;

/*
 * The newest CANDIDATES matches, found without trusting the planner's guess of how many there are
 * (from the tsvector statistics, wrong often enough to cost seconds at a million incidents: walking
 * the newest-first index for a rare word reads the whole table, a bitmap of the GIN index for a
 * common word reads every match). First a walk back through the newest WALK documents (a few ms
 * whatever the words): a word in more than 1 % of them finds its CANDIDATES there. Only when it
 * does not are the matches read from the GIN index and sorted, which is then cheap because they
 * are few. Sequential scans are off for the transaction, so neither step reads the whole table.
 */
const WALK = 20_000;

function newest(columns: string, match: string, where: string): string {
  return `walk AS MATERIALIZED (
  SELECT ${columns} FROM (SELECT * FROM incident_search ORDER BY declared_at DESC LIMIT ${WALK}) s, q
  WHERE ${match} AND ${where} ORDER BY s.declared_at DESC LIMIT ${CANDIDATES}
),
few AS MATERIALIZED (
  SELECT * FROM (SELECT ${columns} FROM incident_search s, q WHERE (SELECT count(*) FROM walk) < ${CANDIDATES} AND ${match} AND ${where} OFFSET 0) f
  ORDER BY f.declared_at DESC LIMIT ${CANDIDATES}
),
recent AS (SELECT * FROM walk WHERE (SELECT count(*) FROM walk) >= ${CANDIDATES} UNION ALL SELECT * FROM few)`;
}

/*
 * websearch_to_tsquery reads anything people type (quotes, or, -word, stray & | ! :) without a
 * syntax error. The newest CANDIDATES matches are ranked, and the best `limit` shown.
 */
const SEARCH = `
WITH q AS (SELECT websearch_to_tsquery('english', $3) AS q),
${newest('s.incident_id, s.doc, s.declared_at', 's.doc @@ q.q', `s.status <> 'cancelled' AND ${VISIBLE}`)},
ranked AS (
  SELECT r.incident_id, r.declared_at, ts_rank(r.doc, q.q) AS rank, false AS same_class FROM recent r, q
  ORDER BY rank DESC, r.declared_at DESC LIMIT $4
)
${details(`, ${MATCHED}`)}
ORDER BY r.rank DESC, r.declared_at DESC`;

const SEARCHABLE = `SELECT numnode(websearch_to_tsquery('english', $1)) > 0 AS searchable`;

/*
 * The incidents like a new one: resolved before it, in its scope, not itself. Candidates are the
 * newest of its class (unless `general`) and the newest sharing any word of its title; a text-only
 * candidate must share two of those words (the one, for a one-word title), so a lone "slow" or
 * "error" does not make two incidents alike. Same class first, then text rank, then the newest.
 */
const SIMILAR = `
WITH words AS (
  SELECT COALESCE(array_agg(l), '{}') AS lex
  FROM (SELECT l FROM unnest(tsvector_to_array(to_tsvector('english', $3))) l LIMIT 32) w
),
q AS (SELECT (SELECT incident_search_any(plainto_tsquery('simple', l)) FROM unnest(words.lex) l) AS q, words.lex FROM words),
${newest('s.incident_id, s.doc, s.declared_at', 's.doc @@ q.q', `s.status = 'resolved' AND ${VISIBLE} AND s.incident_id <> $5 AND s.declared_at <= $6`)},
cand AS (
  (SELECT s.incident_id, s.doc, s.declared_at FROM incident_search s
    WHERE $4 <> 'general' AND s.class = $4 AND s.status = 'resolved' AND ${VISIBLE}
      AND s.incident_id <> $5 AND s.declared_at <= $6
    ORDER BY s.declared_at DESC LIMIT ${CANDIDATES})
  UNION
  SELECT * FROM recent
),
scored AS (
  SELECT c.incident_id, c.declared_at, COALESCE(ts_rank(c.doc, q.q), 0) AS rank,
         ($4 <> 'general' AND s.class = $4) AS same_class,
         (SELECT count(*) FROM unnest(tsvector_to_array(c.doc)) d WHERE d = ANY (q.lex)) AS shared,
         cardinality(q.lex) AS asked
  FROM cand c JOIN incident_search s ON s.incident_id = c.incident_id, q
),
ranked AS (
  SELECT * FROM scored WHERE same_class OR (asked > 0 AND shared >= LEAST(2, asked))
  ORDER BY same_class DESC, rank DESC, declared_at DESC LIMIT $7
)
${details()}
ORDER BY r.same_class DESC, r.rank DESC, r.declared_at DESC`;

type Row = Record<string, unknown> & { same_class: boolean; pm_status: string | null; cause: string | null; matched?: string | null };

function toPast(r: Row): PastIncident {
  const incident = toIncident(r as never);
  const from = r.imported_from as string | null;
  return {
    incident,
    cause: r.cause,
    postmortem: (r.pm_status as PastIncident['postmortem']) ?? null,
    imported: from ? { from, externalId: (r.external_id as string | null) ?? null } : null,
    sameClass: r.same_class,
    ...(r.matched ? { matched: r.matched } : {}),
  };
}

export class PgIncidentSearch implements IncidentSearch {
  constructor(private readonly pool: Pool) {}

  async similar(incident: Incident, limit: number): Promise<PastIncident[]> {
    const text = [incident.title, incident.summary].filter(Boolean).join(' ');
    const params = [incident.platform, incident.workspace, text, incident.class, incident.id, incident.declaredAt, limit];
    return (await this.read(SIMILAR, params)).map(toPast);
  }

  async search(scope: SearchScope, query: string, limit: number): Promise<SearchAnswer> {
    const rows = await this.read(SEARCH, [scope.platform, scope.workspace, query, limit]);
    if (rows.length > 0) return { incidents: rows.map(toPast), searchable: true };
    const { rows: check } = await this.pool.query<{ searchable: boolean }>(SEARCHABLE, [query]);
    return { incidents: [], searchable: check[0]?.searchable ?? false };
  }

  /** With sequential scans off for its transaction: see `newest`. */
  private read(sql: string, params: unknown[]): Promise<Row[]> {
    return inTransaction(this.pool, async (c) => {
      await c.query(`SELECT set_config('enable_seqscan', 'off', true)`);
      return (await c.query<Row>(sql, params)).rows;
    });
  }
}
